// NIP-01 filters: what a REQ or COUNT asks for, and the one matcher every path uses
// (live fan-out, store post-filtering, tests).
#pragma once
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nostr/event.h"

namespace nostr {

struct TagCondition {
    char letter = 0;
    std::vector<std::string> values;  // sorted, unique; the event matches if any is present
    std::string first_value;          // values[0] as the client sent it (NIP-45 HLL offset)
    bool operator==(const TagCondition&) const = default;
};

struct Filter {
    // Each present list is sorted and unique; an empty present list matches nothing
    // (as nostr-tools' matchFilter does).
    std::optional<std::vector<Bytes32>> ids;
    std::optional<std::vector<Bytes32>> authors;
    std::optional<std::vector<uint32_t>> kinds;
    std::vector<TagCondition> tags;  // AND across letters, OR within one letter
    std::optional<int64_t> since;    // inclusive
    std::optional<int64_t> until;    // inclusive
    std::optional<uint64_t> limit;   // initial query only

    // Sorts and de-duplicates the lists; call after filling the fields by hand.
    void normalize();

    bool operator==(const Filter&) const = default;

    // Matches everything but tag conditions.
    bool matches_header(const Bytes32& id, const Bytes32& pubkey, int64_t created_at,
                        uint32_t kind) const {
        if (ids && !std::binary_search(ids->begin(), ids->end(), id)) return false;
        if (authors && !std::binary_search(authors->begin(), authors->end(), pubkey)) return false;
        if (kinds && !std::binary_search(kinds->begin(), kinds->end(), kind)) return false;
        if (since && created_at < *since) return false;
        if (until && created_at > *until) return false;
        return true;
    }

    // `has_tag(letter, value)` says whether the event has a tag [letter, value, ...].
    template <class HasTag>
    bool matches_tags(HasTag&& has_tag) const {
        for (const auto& cond : tags) {
            bool any = false;
            for (const auto& value : cond.values)
                if (has_tag(cond.letter, value)) {
                    any = true;
                    break;
                }
            if (!any) return false;
        }
        return true;
    }

    bool matches(const Event& event) const;

    // True when no event can match (an empty id/author/kind list, since > until...).
    bool is_unsatisfiable() const;
};

bool matches_any(const std::vector<Filter>& filters, const Event& event);

}  // namespace nostr
