// Encoding filters as JSON (the parsing half lives in filter_parser.cpp with simdjson).
#include "nostr/filter_json.h"

#include <algorithm>

#include "nostr/canonical.h"

namespace nostr {
namespace {

void append_key(std::string& out, bool& first, std::string_view key) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    out += key;
    out += "\":";
}

template <size_t N>
void append_hex_list(std::string& out, const std::vector<std::array<uint8_t, N>>& values) {
    out.push_back('[');
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out.push_back(',');
        out.push_back('"');
        append_hex(out, values[i].data(), N);
        out.push_back('"');
    }
    out.push_back(']');
}

void append_tag_values(std::string& out, const TagCondition& cond) {
    out.push_back('[');
    // The value the client named first goes first: NIP-45 derives the HLL offset from it.
    bool lead = !cond.first_value.empty() &&
                std::binary_search(cond.values.begin(), cond.values.end(), cond.first_value);
    if (lead) append_json_string(out, cond.first_value);
    bool first = !lead;
    for (const auto& value : cond.values) {
        if (lead && value == cond.first_value) continue;
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, value);
    }
    out.push_back(']');
}

}  // namespace

void append_filter_json(std::string& out, const Filter& filter) {
    out.push_back('{');
    bool first = true;
    if (filter.ids) {
        append_key(out, first, "ids");
        append_hex_list(out, *filter.ids);
    }
    if (filter.authors) {
        append_key(out, first, "authors");
        append_hex_list(out, *filter.authors);
    }
    if (filter.kinds) {
        append_key(out, first, "kinds");
        out.push_back('[');
        for (size_t i = 0; i < filter.kinds->size(); ++i) {
            if (i) out.push_back(',');
            out += std::to_string((*filter.kinds)[i]);
        }
        out.push_back(']');
    }
    for (const auto& cond : filter.tags) {
        append_key(out, first, std::string{'#', cond.letter});
        append_tag_values(out, cond);
    }
    if (filter.since) {
        append_key(out, first, "since");
        out += std::to_string(*filter.since);
    }
    if (filter.until) {
        append_key(out, first, "until");
        out += std::to_string(*filter.until);
    }
    if (filter.limit) {
        append_key(out, first, "limit");
        out += std::to_string(*filter.limit);
    }
    out.push_back('}');
}

std::string filter_to_json(const Filter& filter) {
    std::string out;
    append_filter_json(out, filter);
    return out;
}

std::string filters_to_json(const std::vector<Filter>& filters) {
    std::string out = "[";
    for (size_t i = 0; i < filters.size(); ++i) {
        if (i) out.push_back(',');
        append_filter_json(out, filters[i]);
    }
    out.push_back(']');
    return out;
}

}  // namespace nostr
