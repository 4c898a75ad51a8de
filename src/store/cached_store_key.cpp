#include "store/cached_store_key.h"

#include <algorithm>

namespace store {
namespace {

void append_field(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out.append(value);
}

template <class T, class Encode>
void append_list(std::string& out, char tag, const std::optional<std::vector<T>>& list,
                 Encode encode) {
    out += tag;
    if (!list) {
        out += '-';  // absent differs from present-but-empty (which matches nothing)
        return;
    }
    out += std::to_string(list->size());
    out += '[';
    for (const auto& item : *list) append_field(out, encode(item));
    out += ']';
}

void append_optional(std::string& out, char tag, const auto& value) {
    out += tag;
    if (value)
        append_field(out, std::to_string(*value));
    else
        out += '-';
}

std::string encode_filter(const nostr::Filter& filter) {
    std::string out;
    auto hex = [](const nostr::Bytes32& b) { return nostr::to_hex(b); };
    append_list(out, 'i', filter.ids, hex);
    append_list(out, 'a', filter.authors, hex);
    append_list(out, 'k', filter.kinds, [](uint32_t k) { return std::to_string(k); });
    std::vector<const nostr::TagCondition*> tags;
    for (const auto& cond : filter.tags) tags.push_back(&cond);
    std::sort(tags.begin(), tags.end(), [](const auto* a, const auto* b) {
        return a->letter != b->letter ? a->letter < b->letter : a->values < b->values;
    });
    for (const auto* cond : tags) {
        std::vector<std::string> values = cond->values;  // normalized already; be sure
        std::sort(values.begin(), values.end());
        values.erase(std::unique(values.begin(), values.end()), values.end());
        out += '#';
        out += cond->letter;
        append_list(out, '=', std::optional(std::move(values)),
                    [](const std::string& v) { return v; });
    }
    append_optional(out, 's', filter.since);
    append_optional(out, 'u', filter.until);
    append_optional(out, 'l', filter.limit);
    return out;
}

}  // namespace

std::string canonical_query(const std::vector<nostr::Filter>& filters,
                            const QueryOptions& options) {
    std::vector<std::string> encoded;
    encoded.reserve(filters.size());
    for (const auto& filter : filters) encoded.push_back(encode_filter(filter));
    std::sort(encoded.begin(), encoded.end());
    encoded.erase(std::unique(encoded.begin(), encoded.end()), encoded.end());
    std::string out = "q1 max=" + std::to_string(options.max_limit) +
                      " default=" + std::to_string(options.default_limit) + " ";
    for (const auto& filter : encoded) append_field(out, filter);
    return out;
}

namespace {
// The union of one optional list over all filters; nullopt if a filter lacks it or the union
// has more than `max` items.
template <class T>
std::optional<std::vector<T>> list_union(const std::vector<nostr::Filter>& filters,
                                         std::optional<std::vector<T>> nostr::Filter::*list,
                                         size_t max) {
    std::vector<T> all;
    for (const auto& filter : filters) {
        const auto& items = filter.*list;
        if (!items) return std::nullopt;
        all.insert(all.end(), items->begin(), items->end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    if (all.size() > max) return std::nullopt;
    return all;
}
}  // namespace

std::optional<std::vector<nostr::Bytes32>> query_authors(const std::vector<nostr::Filter>& filters,
                                                         size_t max) {
    return list_union(filters, &nostr::Filter::authors, max);
}

std::optional<std::vector<uint32_t>> query_kinds(const std::vector<nostr::Filter>& filters,
                                                 size_t max) {
    return list_union(filters, &nostr::Filter::kinds, max);
}

}  // namespace store
