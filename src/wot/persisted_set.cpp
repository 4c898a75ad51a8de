#include "wot/persisted_set.h"

#include <cstring>

namespace wot {
namespace {

constexpr std::string_view kMagic = "nostpp-wot-1";

void put_u64(std::string& out, uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

bool get_u64(std::string_view& in, uint64_t& v) {
    if (in.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
    in.remove_prefix(8);
    return true;
}

}  // namespace

std::string encode_persisted_set(const PersistedSet& set) {
    std::string out(kMagic);
    out.append(reinterpret_cast<const char*>(set.admin.data()), 32);
    put_u64(out, static_cast<uint64_t>(set.depth));
    put_u64(out, set.min_followers);
    put_u64(out, static_cast<uint64_t>(set.built_at));
    put_u64(out, set.build_micros);
    put_u64(out, set.follow_lists);
    put_u64(out, set.stamp);
    put_u64(out, set.members.size());
    for (const auto& member : set.members)
        out.append(reinterpret_cast<const char*>(member.data()), 32);
    return out;
}

std::optional<PersistedSet> decode_persisted_set(std::string_view in) {
    if (in.substr(0, kMagic.size()) != kMagic || in.size() < kMagic.size() + 32)
        return std::nullopt;
    in.remove_prefix(kMagic.size());
    PersistedSet set;
    std::memcpy(set.admin.data(), in.data(), 32);
    in.remove_prefix(32);
    uint64_t depth, min_followers, built_at, count;
    if (!get_u64(in, depth) || !get_u64(in, min_followers) || !get_u64(in, built_at) ||
        !get_u64(in, set.build_micros) || !get_u64(in, set.follow_lists) ||
        !get_u64(in, set.stamp) || !get_u64(in, count) || in.size() != count * 32)
        return std::nullopt;
    set.depth = static_cast<int>(depth);
    set.min_followers = static_cast<uint32_t>(min_followers);
    set.built_at = static_cast<int64_t>(built_at);
    set.members.resize(count);
    for (auto& member : set.members) {
        std::memcpy(member.data(), in.data(), 32);
        in.remove_prefix(32);
    }
    return set;
}

void save_persisted_set(store::Store& store, const PersistedSet& set) {
    store.put_setting(kSetSetting, encode_persisted_set(set));
    std::string stamp;
    put_u64(stamp, set.stamp);
    store.put_setting(kStampSetting, stamp);
}

std::optional<PersistedSet> load_persisted_set(store::Store& store) {
    auto bytes = store.get_setting(kSetSetting);
    if (!bytes) return std::nullopt;
    return decode_persisted_set(*bytes);
}

uint64_t load_persisted_stamp(store::Store& store) {
    auto bytes = store.get_setting(kStampSetting);
    uint64_t stamp = 0;
    std::string_view in = bytes ? std::string_view(*bytes) : std::string_view();
    return get_u64(in, stamp) ? stamp : 0;
}

}  // namespace wot
