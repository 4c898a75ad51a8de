#include "store/postgres/pg_store.h"

#include <algorithm>

#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_query.h"
#include "store/postgres/pg_writer.h"

namespace store {
namespace {

// Rows fetched per round trip from a query's cursor: results of any size stream in bounded
// memory, and the usual REQ (limit <= 1000) needs a single round trip.
constexpr int kPageRows = 1000;
constexpr int64_t kPurgeBatch = 5000;

pg::ConnectionSettings settings(const std::string& url, const PgStoreOptions& options) {
    return {url, options.statement_timeout_ms, options.connect_timeout_s};
}

pg::Statement statement(std::string sql) {
    return pg::Statement{std::move(sql), {}};
}

uint64_t single_int8(const pg::Result& result, const char* what) {
    if (result.rows() != 1) throw std::runtime_error(std::string("unexpected result: ") + what);
    return static_cast<uint64_t>(result.int8(0, 0));
}

// Runs a read on a pooled connection; when the connection turns out to be dead (the server
// restarted while it sat idle) and nothing was seen yet, once more on a fresh one.
template <class Fn>
auto read_with_retry(pg::Pool& pool, Fn&& fn) {
    for (int attempt = 0;; ++attempt) {
        try {
            auto conn = pool.checkout();
            return fn(*conn);
        } catch (const pg::PgError& e) {
            if (attempt > 0 || !e.connection_lost()) throw;
        }
    }
}

// Deletes the events matching `condition` with their tags rows; yields how many events.
std::string delete_events_sql(const std::string& condition) {
    return "WITH gone AS (DELETE FROM events WHERE " + condition +
           " RETURNING id), tags_gone AS (DELETE FROM tags WHERE event_id IN (SELECT id FROM "
           "gone)) SELECT count(*) FROM gone";
}

// NIP-45: register index from the byte at `offset`, value = leading zero bits after it,
// plus one (as LmdbStore::count).
void add_to_hyperloglog(HyperLogLog& hll, const nostr::Bytes32& pk, int offset) {
    uint8_t index = pk[offset];
    uint8_t rank = 1;
    for (int byte = offset + 1; byte < 32; ++byte) {
        if (pk[byte] == 0) {
            rank += 8;
            continue;
        }
        rank += static_cast<uint8_t>(__builtin_clz(pk[byte]) - 24);
        break;
    }
    if (rank > hll[index]) hll[index] = rank;
}

// One attempt at put(): two round trips whatever the batch size. `writes_sent` tells the
// caller whether a failure may have happened after the writes reached the server.
uint64_t put_once(pg::Pool& pool, std::span<const nostr::Event* const> batch,
                  std::vector<PutResult>& results, bool& writes_sent) {
    auto conn = pool.checkout();
    pg::BatchWriter writer(batch);
    // 1: lock the meta row (serializing all writers, in any process) and bump the commit
    // sequence, then read the state the batch touches, as of after the lock.
    std::vector<pg::Statement> reads;
    reads.push_back(statement("BEGIN"));
    reads.push_back(statement("UPDATE meta SET seq = seq + 1 RETURNING seq"));
    writer.append_reads(reads);
    std::vector<pg::Result> state = conn->pipeline(reads);
    uint64_t seq = single_int8(state[1], "meta row missing");
    writer.load(std::span<const pg::Result>(state).subspan(2, pg::BatchWriter::kReadStatements));
    std::vector<PutResult> outcome = writer.apply();
    // 2: write what changed and commit (durable when COMMIT returns).
    std::vector<pg::Statement> writes;
    writer.append_writes(writes);
    writes.push_back(statement("COMMIT"));
    writes_sent = true;
    conn->pipeline(writes);
    results = std::move(outcome);
    return seq;
}

// Lookups by id that fit one page: one prepared statement, no transaction, no cursor
// (pg::with_snapshot_seq); parsing and planning cost the server more than running them.
uint64_t query_in_one_statement(pg::Connection& conn, const pg::EventQuery& query,
                                const EventSink& sink, bool& delivered) {
    pg::Statement statement = pg::with_snapshot_seq(query);
    pg::Result result = conn.exec_prepared(statement.sql, statement.params);
    if (result.rows() == 0) throw std::runtime_error("unexpected result: meta row missing");
    uint64_t seq = static_cast<uint64_t>(result.int8(0, 0));
    for (int row = 0; row < result.rows() && !result.is_null(row, 1); ++row) {
        delivered = true;
        if (!sink(result.bytes(row, 3))) break;
    }
    return seq;
}

// Any query: a REPEATABLE READ snapshot whose first read is the commit sequence, then pages
// from a cursor, so memory stays bounded. A cursor is also planned for its first rows
// (cursor_tuple_fraction): a plain statement whose statistics say a tag, author or time
// range is rare sorts all its rows (measured: 48 ms instead of 0.2 ms for a tag whose 4,640
// events were not yet counted by ANALYZE), while the cursor's plan reads the index in order.
uint64_t query_with_cursor(pg::Connection& conn, const pg::EventQuery& query, const EventSink& sink,
                           bool& delivered) {
    const std::string fetch = "FETCH " + std::to_string(kPageRows) + " FROM nostpp_query";
    std::vector<pg::Statement> first;
    first.push_back(statement("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    first.push_back(statement("SELECT seq FROM meta"));
    first.push_back({"DECLARE nostpp_query NO SCROLL CURSOR FOR " + query.statement.sql,
                     query.statement.params});
    first.push_back(statement(fetch));
    const bool single_page = query.row_bound <= static_cast<uint64_t>(kPageRows);
    if (single_page) first.push_back(statement("COMMIT"));  // the first page is all of it
    std::vector<pg::Result> results = conn.pipeline(first);
    uint64_t seq = single_int8(results[1], "meta row missing");

    pg::Result page = std::move(results[3]);
    for (;;) {
        int rows = page.rows();
        for (int row = 0; row < rows; ++row) {
            delivered = true;
            if (!sink(page.bytes(row, 2))) {
                rows = 0;  // stop: no further page
                break;
            }
        }
        if (single_page || rows < kPageRows) break;
        page = conn.exec(fetch);
    }
    if (!single_page) conn.exec("COMMIT");
    return seq;
}

// One attempt at a query; the events returned are exactly those of commits <= the number
// it returns.
uint64_t query_once(pg::Pool& pool, const pg::EventQuery& query, const EventSink& sink,
                    bool& delivered) {
    auto conn = pool.checkout();
    if (query.by_ids && query.row_bound <= static_cast<uint64_t>(kPageRows))
        return query_in_one_statement(*conn, query, sink, delivered);
    return query_with_cursor(*conn, query, sink, delivered);
}

}  // namespace

PgStore::PgStore(const PgStoreOptions& options)
    : write_pool_(std::make_unique<pg::Pool>(settings(options.write_url, options),
                                             options.write_pool_size)),
      read_pool_(std::make_unique<pg::Pool>(
          settings(options.read_url.empty() ? options.write_url : options.read_url, options),
          options.read_pool_size)) {}

PgStore::~PgStore() = default;

std::unique_ptr<Store> PgStore::open(const PgStoreOptions& options) {
    if (options.write_url.empty()) throw std::runtime_error("no PostgreSQL URL (DATABASE_URL)");
    std::unique_ptr<PgStore> store(new PgStore(options));
    auto conn = store->write_pool_->checkout();
    pg::apply_migrations(*conn);
    return store;
}

PgMigrationReport PgStore::migrate(const PgStoreOptions& options) {
    if (options.write_url.empty()) throw std::runtime_error("no PostgreSQL URL (DATABASE_URL)");
    pg::Connection conn(settings(options.write_url, options));
    conn.connect();
    return pg::apply_migrations(conn);
}

uint64_t PgStore::put(std::span<const nostr::Event* const> batch, std::vector<PutResult>& results,
                      const Decided& decided) {
    results.clear();
    uint64_t seq = 0;
    for (int attempt = 0;; ++attempt) {
        bool writes_sent = false;
        try {
            seq = put_once(*write_pool_, batch, results, writes_sent);
            break;
        } catch (const pg::PgError& e) {
            // A dead connection found before anything was written: nothing was committed,
            // so the batch is tried once more on a fresh connection.
            if (attempt == 0 && e.connection_lost() && !writes_sent) continue;
            results.assign(batch.size(),
                           PutResult{PutOutcome::error,
                                     std::string("error: could not store event: ") + e.what()});
        } catch (const std::exception& e) {
            results.assign(batch.size(),
                           PutResult{PutOutcome::error,
                                     std::string("error: could not store event: ") + e.what()});
        }
        return 0;
    }
    // After COMMIT: other processes learn of the events through the bus, and their queries
    // must find them in the database by then.
    if (decided) decided(seq);
    return seq;
}

uint64_t PgStore::query(const std::vector<nostr::Filter>& filters, const QueryOptions& options,
                        const EventSink& sink) {
    std::optional<pg::EventQuery> query = pg::build_event_query(filters, options);
    // Nothing can ever match: no commit needs to have been seen (0).
    if (std::none_of(filters.begin(), filters.end(), pg::can_match)) return 0;
    // No stored event to send (every filter has limit 0), but the answer still marks where
    // live delivery starts: a REQ with limit 0 stays open, and an event committed before it
    // (whose live copy can reach the subscription while it waits for this answer) must not
    // be sent as new. 0 would let it through.
    if (!query) {
        pg::Result result = read_with_retry(
            *read_pool_, [](pg::Connection& conn) { return conn.exec("SELECT seq FROM meta"); });
        return single_int8(result, "meta row missing");
    }
    for (int attempt = 0;; ++attempt) {
        bool delivered = false;
        try {
            return query_once(*read_pool_, *query, sink, delivered);
        } catch (const pg::PgError& e) {
            if (attempt > 0 || !e.connection_lost() || delivered) throw;
        }
    }
}

uint64_t PgStore::count(const std::vector<nostr::Filter>& filters, int64_t now, HyperLogLog* hll,
                        int hll_offset) {
    if (hll) hll->fill(0);
    std::optional<pg::Statement> statement = pg::build_count_query(filters, now, hll != nullptr);
    if (!statement) return 0;
    pg::Result result = read_with_retry(*read_pool_, [&](pg::Connection& conn) {
        return conn.exec(statement->sql, statement->params);
    });
    if (!hll) return single_int8(result, "count");
    uint64_t total = 0;
    for (int row = 0; row < result.rows(); ++row) {
        add_to_hyperloglog(*hll, result.bytes32(row, 0), hll_offset);
        total += static_cast<uint64_t>(result.int8(row, 1));
    }
    return total;
}

// erase() and purge_expired() take the meta row lock too: put() decides from state it read
// under that lock, so nothing may change the events between its reads and its writes.
size_t PgStore::purge_expired(int64_t now) {
    size_t removed = 0;
    for (;;) {
        auto conn = write_pool_->checkout();
        std::vector<pg::Statement> statements;
        statements.push_back(statement("BEGIN"));
        statements.push_back(statement("SELECT seq FROM meta FOR UPDATE"));
        pg::Statement& purge = statements.emplace_back();
        // In bounded batches, each its own transaction, so a large backlog never runs into
        // the statement timeout.
        purge.sql = delete_events_sql(
            "id IN (SELECT id FROM events WHERE expiration <= " + purge.params.add_int8(now) +
            " LIMIT " + purge.params.add_int8(kPurgeBatch) + ")");
        statements.push_back(statement("COMMIT"));
        uint64_t deleted = single_int8(conn->pipeline(statements)[2], "purge");
        removed += deleted;
        if (deleted < static_cast<uint64_t>(kPurgeBatch)) return removed;
    }
}

bool PgStore::erase(const nostr::Bytes32& id) {
    auto conn = write_pool_->checkout();
    std::vector<pg::Statement> statements;
    statements.push_back(statement("BEGIN"));
    statements.push_back(statement("SELECT seq FROM meta FOR UPDATE"));
    pg::Statement& erase = statements.emplace_back();
    erase.sql = delete_events_sql("id = " + erase.params.add_bytea(id));
    statements.push_back(statement("COMMIT"));
    return single_int8(conn->pipeline(statements)[2], "erase") == 1;
}

uint64_t PgStore::size() {
    pg::Result result = read_with_retry(
        *read_pool_, [](pg::Connection& conn) { return conn.exec("SELECT count(*) FROM events"); });
    return single_int8(result, "size");
}

void PgStore::put_setting(std::string_view name, std::string_view value) {
    auto conn = write_pool_->checkout();
    pg::Params params;
    std::string sql = "INSERT INTO settings (name, value) VALUES (" + params.add_text(name) + ", " +
                      params.add_bytea(value) +
                      ") ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = now()";
    conn->exec(sql, params);
}

std::optional<std::string> PgStore::get_setting(std::string_view name) {
    // From the primary: a setting written a moment ago must be read back (replicas lag).
    auto conn = write_pool_->checkout();
    pg::Params params;
    std::string sql = "SELECT value FROM settings WHERE name = " + params.add_text(name);
    pg::Result result = conn->exec(sql, params);
    if (result.rows() == 0) return std::nullopt;
    return std::string(result.bytes(0, 0));
}

PgStore::Stats PgStore::stats() const {
    return {write_pool_->round_trips(), read_pool_->round_trips()};
}

}  // namespace store
