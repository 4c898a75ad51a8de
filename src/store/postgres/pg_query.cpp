#include "store/postgres/pg_query.h"

#include <limits>

#include "store/postgres/pg_keys.h"

namespace store::pg {
namespace {

std::string equals_any(Params& p, const std::string& column,
                       const std::vector<nostr::Bytes32>& values) {
    // A single value as `=` lets the planner use an index's order (created_at DESC, id)
    // for the LIMIT; `= ANY` of several cannot.
    if (values.size() == 1) return column + " = " + p.add_bytea(values[0]);
    return column + " = ANY(" + p.add_bytea_array(values) + "::bytea[])";
}

// Ids as one parameter each, up to kMaxListedIds: the prepared statement of a lookup by id
// (pg_store.cpp) then has a generic plan whose estimate equals the custom ones, so the
// server switches to it after five runs instead of planning every lookup again (an
// `= ANY($1)` array is assumed to hold 10 values, which makes the generic plan look dearer
// than a custom plan for 5 ids, forever). Planning cost the server twice the lookup itself.
constexpr size_t kMaxListedIds = 16;

std::string ids_in(Params& p, const std::vector<nostr::Bytes32>& ids) {
    if (ids.size() <= 1 || ids.size() > kMaxListedIds) return equals_any(p, "e.id", ids);
    std::string sql = "e.id IN (";
    for (size_t i = 0; i < ids.size(); ++i) sql += (i ? ", " : "") + p.add_bytea(ids[i]);
    return sql + ")";
}

std::string kinds_in(Params& p, const std::string& column, const std::vector<uint32_t>& kinds) {
    if (kinds.size() == 1) return column + " = " + p.add_int4(static_cast<int32_t>(kinds[0]));
    std::vector<int32_t> values(kinds.begin(), kinds.end());
    return column + " = ANY(" + p.add_int4_array(values) + "::int4[])";
}

// Conditions on a tags row `t` matching one of the condition's values exactly.
std::string tag_match(Params& p, const std::string& t, const nostr::TagCondition& cond) {
    std::vector<std::optional<std::string>> keys;
    std::vector<std::optional<std::string>> long_values;
    for (const auto& value : cond.values) {
        keys.emplace_back(value_key(value));
        if (auto full = long_value(value)) long_values.push_back(std::move(full));
    }
    std::string sql = t + ".letter = " + p.add_text(std::string(1, cond.letter)) + " AND ";
    sql += keys.size() == 1 ? t + ".value_key = " + p.add_bytea(*keys[0])
                            : t + ".value_key = ANY(" + p.add_bytea_array(keys) + "::bytea[])";
    // A hashed key also needs its full value to be equal (digest keys start with 0xFF and
    // can never equal a short value's key).
    if (long_values.empty()) return sql + " AND " + t + ".full_value IS NULL";
    return sql + " AND (" + t + ".full_value IS NULL OR " + t + ".full_value = ANY(" +
           p.add_bytea_array(long_values) + "::bytea[]))";
}

const nostr::TagCondition* most_selective_tag(const nostr::Filter& filter) {
    const nostr::TagCondition* best = nullptr;
    for (const auto& cond : filter.tags)
        if (!best || cond.values.size() < best->values.size()) best = &cond;
    return best;
}

// One filter as a SELECT over events `e` returning `columns`; ordered and limited when
// `limit` is given.
std::string filter_select(Params& p, const nostr::Filter& f, int64_t now, const char* columns,
                          std::optional<uint64_t> limit) {
    // A single tag value, with no ids or authors to narrow things first, is best read from
    // the tags index in order: it stops after `limit` rows however common the value is.
    const nostr::TagCondition* driver = most_selective_tag(f);
    if (f.ids || f.authors || !driver || driver->values.size() != 1) driver = nullptr;
    // Time bounds go on the driving table so they narrow its index range.
    const std::string time = driver ? "d.created_at" : "e.created_at";

    std::vector<std::string> where;
    if (driver) where.push_back(tag_match(p, "d", *driver));
    if (f.ids) where.push_back(ids_in(p, *f.ids));
    if (f.authors) where.push_back(equals_any(p, "e.pubkey", *f.authors));
    if (f.kinds) where.push_back(kinds_in(p, "e.kind", *f.kinds));
    if (f.since) where.push_back(time + " >= " + p.add_int8(*f.since));
    if (f.until) where.push_back(time + " <= " + p.add_int8(*f.until));
    where.push_back("(e.expiration IS NULL OR e.expiration > " + p.add_int8(now) + ")");
    for (const auto& cond : f.tags) {
        if (&cond == driver) continue;
        where.push_back("EXISTS (SELECT 1 FROM tags t WHERE t.event_id = e.id AND " +
                        tag_match(p, "t", cond) + ")");
    }

    std::string sql = std::string("SELECT ") + columns +
                      (driver ? " FROM tags d JOIN events e ON e.id = d.event_id WHERE "
                              : " FROM events e WHERE ");
    for (size_t i = 0; i < where.size(); ++i) sql += (i ? " AND " : "") + where[i];
    if (!limit) return sql;
    sql += driver ? " ORDER BY d.created_at DESC, d.event_id" : " ORDER BY e.created_at DESC, e.id";
    uint64_t capped = std::min<uint64_t>(*limit, std::numeric_limits<int64_t>::max());
    return sql + " LIMIT " + p.add_int8(static_cast<int64_t>(capped));
}

}  // namespace

bool can_match(const nostr::Filter& filter) {
    return !filter.is_unsatisfiable() && !(filter.until && *filter.until < 0);
}

std::optional<EventQuery> build_event_query(const std::vector<nostr::Filter>& filters,
                                            const QueryOptions& options) {
    EventQuery query;
    Params& p = query.statement.params;
    std::vector<std::string> selects;
    uint64_t bound = 0;
    query.by_ids = true;
    for (const auto& filter : filters) {
        uint64_t limit = std::min(filter.limit.value_or(options.default_limit), options.max_limit);
        if (limit == 0 || !can_match(filter)) continue;
        selects.push_back(
            filter_select(p, filter, options.now, "e.id, e.created_at, e.json", limit));
        bound = limit > UINT64_MAX - bound ? UINT64_MAX : bound + limit;
        query.by_ids = query.by_ids && filter.ids;
    }
    if (selects.empty()) return std::nullopt;
    query.row_bound = bound;
    if (selects.size() == 1) {
        query.statement.sql = selects[0];
        return query;
    }
    std::string& sql = query.statement.sql;
    sql = "SELECT DISTINCT ON (m.created_at, m.id) m.id, m.created_at, m.json FROM (";
    for (size_t i = 0; i < selects.size(); ++i) sql += (i ? ") UNION ALL (" : "(") + selects[i];
    sql += ")) AS m ORDER BY m.created_at DESC, m.id";
    return query;
}

Statement with_snapshot_seq(EventQuery query) {
    Statement& statement = query.statement;
    // LEFT JOIN: the seq comes even when nothing matches. The outer ORDER BY keeps the
    // query's order whatever join the planner picks (a sort of at most row_bound rows).
    statement.sql = "SELECT s.seq, q.id, q.created_at, q.json FROM meta s LEFT JOIN LATERAL (" +
                    statement.sql + ") AS q ON true ORDER BY q.created_at DESC, q.id";
    return std::move(statement);
}

std::optional<Statement> build_count_query(const std::vector<nostr::Filter>& filters, int64_t now,
                                           bool by_pubkey) {
    Statement statement;
    std::vector<std::string> selects;
    for (const auto& filter : filters)
        if (can_match(filter))
            selects.push_back(
                filter_select(statement.params, filter, now, "e.id, e.pubkey", std::nullopt));
    if (selects.empty()) return std::nullopt;
    std::string matches;
    // UNION (not ALL) drops events matched by several filters.
    for (size_t i = 0; i < selects.size(); ++i) matches += (i ? ") UNION (" : "(") + selects[i];
    matches += ")";
    statement.sql = by_pubkey
                        ? "SELECT m.pubkey, count(*) FROM (" + matches + ") AS m GROUP BY m.pubkey"
                        : "SELECT count(*) FROM (" + matches + ") AS m";
    return statement;
}

}  // namespace store::pg
