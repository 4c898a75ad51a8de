// Reading NIP-01 filter objects from JSON (see json_internal.h and filter_json.h).
#include "nostr/filter_json.h"
#include "nostr/json_internal.h"

namespace nostr::json_internal {
namespace {
bool read_hex_list(simdjson::dom::element element, std::string_view key,
                   std::optional<std::vector<Bytes32>>& out, std::string& error) {
    simdjson::dom::array array;
    if (element.get_array().get(array)) {
        error = "invalid: '" + std::string(key) + "' must be an array";
        return false;
    }
    auto& list = out.emplace();
    list.reserve(array.size());
    for (simdjson::dom::element item : array) {
        std::string_view text;
        Bytes32 value;
        if (item.get_string().get(text) || !decode_lower_hex(text, value)) {
            error = "invalid: '" + std::string(key) + "' must hold 64-character lowercase hex";
            return false;
        }
        list.push_back(value);
    }
    return true;
}

bool read_kinds(simdjson::dom::element element, std::optional<std::vector<uint32_t>>& out,
                std::string& error) {
    simdjson::dom::array array;
    if (element.get_array().get(array)) {
        error = "invalid: 'kinds' must be an array of integers";
        return false;
    }
    auto& list = out.emplace();
    list.reserve(array.size());
    for (simdjson::dom::element item : array) {
        int64_t kind = 0;
        if (item.get_int64().get(kind) || kind < 0 || kind > kMaxKind) {
            error = "invalid: 'kinds' must hold integers between 0 and 65535";
            return false;
        }
        list.push_back(static_cast<uint32_t>(kind));
    }
    return true;
}

bool read_timestamp(simdjson::dom::element element, std::string_view key,
                    std::optional<int64_t>& out, std::string& error) {
    int64_t value = 0;
    if (element.get_int64().get(value)) {
        error = "invalid: '" + std::string(key) + "' must be an integer";
        return false;
    }
    out = value;
    return true;
}

bool is_tag_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
}  // namespace

bool read_filter(simdjson::dom::element element, Filter& out, std::string& error) {
    simdjson::dom::object object;
    if (element.get_object().get(object)) {
        error = "invalid: filters must be JSON objects";
        return false;
    }
    out = Filter{};
    for (auto [key, value] : object) {
        bool ok = true;
        if (key == "ids") {
            ok = read_hex_list(value, key, out.ids, error);
        } else if (key == "authors") {
            ok = read_hex_list(value, key, out.authors, error);
        } else if (key == "kinds") {
            ok = read_kinds(value, out.kinds, error);
        } else if (key == "since") {
            ok = read_timestamp(value, key, out.since, error);
        } else if (key == "until") {
            ok = read_timestamp(value, key, out.until, error);
        } else if (key == "limit") {
            int64_t limit = 0;
            ok = !value.get_int64().get(limit) && limit >= 0;
            if (ok) out.limit = static_cast<uint64_t>(limit);
            else error = "invalid: 'limit' must be a non-negative integer";
        } else if (key.size() == 2 && key[0] == '#' && is_tag_letter(key[1])) {
            simdjson::dom::array array;
            if (value.get_array().get(array)) {
                error = "invalid: '" + std::string(key) + "' must be an array of strings";
                return false;
            }
            TagCondition* cond = nullptr;
            for (auto& existing : out.tags)
                if (existing.letter == key[1]) cond = &existing;
            if (!cond) cond = &out.tags.emplace_back(TagCondition{key[1], {}, {}});
            for (simdjson::dom::element item : array) {
                std::string_view text;
                if (item.get_string().get(text)) {
                    error = "invalid: '" + std::string(key) + "' must be an array of strings";
                    return false;
                }
                if (cond->values.empty()) cond->first_value.assign(text);
                cond->values.emplace_back(text);
            }
        } else {
            error = "unsupported: unknown filter field '" + std::string(key) + "'";
            return false;
        }
        if (!ok) return false;
    }
    out.normalize();
    return true;
}

}  // namespace nostr::json_internal

namespace nostr {

bool parse_filter_json(std::string_view json, Filter& out, std::string& error) {
    simdjson::dom::element root;
    if (json_internal::thread_parser().parse(json.data(), json.size()).get(root)) {
        error = "invalid: malformed JSON";
        return false;
    }
    return json_internal::read_filter(root, out, error);
}

bool parse_filters_json(std::string_view json, std::vector<Filter>& out, std::string& error) {
    simdjson::dom::element root;
    simdjson::dom::array array;
    if (json_internal::thread_parser().parse(json.data(), json.size()).get(root)) {
        error = "invalid: malformed JSON";
        return false;
    }
    if (root.get_array().get(array)) {
        error = "invalid: filters must be a JSON array of filter objects";
        return false;
    }
    out.clear();
    out.reserve(array.size());
    for (simdjson::dom::element item : array)
        if (!json_internal::read_filter(item, out.emplace_back(), error)) return false;
    return true;
}

}  // namespace nostr
