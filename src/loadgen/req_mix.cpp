#include "loadgen/req_mix.h"

#include <algorithm>

namespace loadgen {
namespace {

uint64_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr int64_t kWindowSeconds = 100;

}  // namespace

const char* query_name(QueryType type) {
    switch (type) {
        case QueryType::author:
            return "author";
        case QueryType::kind:
            return "kind";
        case QueryType::tag:
            return "tag";
        case QueryType::author_kind:
            return "author_kind";
        case QueryType::ids:
            return "ids";
        case QueryType::window:
            return "since_until";
        default:
            return "?";
    }
}

QueryMix::QueryMix(const std::vector<SignedEvent>& events, const std::vector<std::string>& authors)
    : events_(events), authors_(authors) {
    for (const auto& e : events) {
        if (first_created_at_ == 0 || e.created_at < first_created_at_)
            first_created_at_ = e.created_at;
        last_created_at_ = std::max(last_created_at_, e.created_at);
    }
}

QueryMix::Query QueryMix::make(uint64_t seed, uint64_t n) const {
    uint64_t r = mix(seed * 0x9e3779b97f4a7c15ULL + n);
    auto next = [&r] { return r = mix(r + 0x632be59bd9b4e019ULL); };
    Query q{static_cast<QueryType>(r % kQueryTypes), {}, 0};
    auto author = [&] { return "\"" + authors_[next() % authors_.size()] + "\""; };
    switch (q.type) {
        case QueryType::author:
            q.filter = "{\"authors\":[" + author() + "],\"limit\":20}";
            break;
        case QueryType::kind:
            q.filter = "{\"kinds\":[1],\"limit\":20}";
            break;
        case QueryType::tag:
            q.filter = "{\"#t\":[\"" + topic(static_cast<uint32_t>(next() % kTopicCount)) +
                       "\"],\"limit\":20}";
            break;
        case QueryType::author_kind:
            q.filter = "{\"authors\":[" + author() + "],\"kinds\":[1],\"limit\":10}";
            break;
        case QueryType::ids: {
            q.filter = "{\"ids\":[";
            // Consecutive positions are distinct events, so a complete answer is exactly
            // `expected` events.
            uint64_t base = next() % events_.size();
            uint32_t count = static_cast<uint32_t>(std::min<size_t>(5, events_.size()));
            for (uint32_t i = 0; i < count; ++i) {
                if (i) q.filter += ',';
                q.filter += "\"" + events_[(base + i) % events_.size()].id + "\"";
            }
            q.filter += "]}";
            q.expected = count;
            break;
        }
        default: {
            int64_t span = std::max<int64_t>(1, last_created_at_ - first_created_at_);
            int64_t since = first_created_at_ + static_cast<int64_t>(next() % span);
            q.filter = "{\"since\":" + std::to_string(since) +
                       ",\"until\":" + std::to_string(since + kWindowSeconds) + ",\"limit\":50}";
            break;
        }
    }
    return q;
}

}  // namespace loadgen
