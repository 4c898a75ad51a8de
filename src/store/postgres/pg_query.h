// Filters to one parameterised SELECT. Each filter becomes a subquery ordered by
// (created_at DESC, id) with its own LIMIT, driven by the index a filter's most selective
// field points at (a single tag value drives the tags index; otherwise the planner picks
// among the events indexes); several filters are merged with DISTINCT ON so each event
// comes once, newest first. Filters that cannot match anything are left out.
#pragma once
#include <optional>
#include <vector>

#include "nostr/filter.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"

namespace store::pg {

struct EventQuery {
    Statement statement;  // columns: id, created_at, json
    uint64_t row_bound;   // the most rows it can return (sum of the filters' limits)
    // Every filter lists ids: the primary key finds at most that many rows whatever the
    // planner's statistics say, so no plan can be much worse than another.
    bool by_ids = false;
};

// False when no event, stored or yet to come, can match `filter` (e.g. an empty id list).
bool can_match(const nostr::Filter& filter);

// nullopt when no filter can match or every one has limit 0 (then no query is needed).
std::optional<EventQuery> build_event_query(const std::vector<nostr::Filter>& filters,
                                            const QueryOptions& options);

// `query` as a single statement that also reads the commit sequence: columns seq, id,
// created_at, json, in the query's order; one row with a NULL id when nothing matches.
// A statement sees one snapshot even in READ COMMITTED, so the seq is exactly the last
// commit its rows include, without a transaction (for results small enough to take whole).
Statement with_snapshot_seq(EventQuery query);

// Distinct matches of any filter, limits ignored: one row `count`, or with by_pubkey one
// row (pubkey, count) per author (what NIP-45 HyperLogLog needs). nullopt as above.
std::optional<Statement> build_count_query(const std::vector<nostr::Filter>& filters, int64_t now,
                                           bool by_pubkey);

}  // namespace store::pg
