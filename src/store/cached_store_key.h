// What identifies a cached query result: a canonical text of the filters and limits (equal
// for requests that must get the same answer, whatever the order of filters, list items or
// tag letters), and the authors or kinds whose version counters guard it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nostr/filter.h"
#include "store/store.h"

namespace store {

// Unambiguous (length-prefixed) encoding of the filters, sorted and de-duplicated (a query
// answers the union of its filters), plus max_limit and default_limit. `now` is not part of
// it: a cached entry records the `now` it was computed at (see cached_store_entry.h).
std::string canonical_query(const std::vector<nostr::Filter>& filters, const QueryOptions& options);

// The authors a query can return events of when every filter lists authors (sorted, unique),
// if there are at most `max`; nullopt otherwise.
std::optional<std::vector<nostr::Bytes32>> query_authors(const std::vector<nostr::Filter>& filters,
                                                         size_t max);

// The kinds a query can return when every filter lists kinds (sorted, unique), if there are
// at most `max`; nullopt otherwise.
std::optional<std::vector<uint32_t>> query_kinds(const std::vector<nostr::Filter>& filters,
                                                 size_t max);

}  // namespace store
