// Prepared statements of a PostgreSQL session (pg_prepared.h, Connection::exec_prepared):
// the bounded LRU bookkeeping on its own, then against the server: a statement is prepared
// once and reused with other values, the session never holds more than kMaxPrepared, a
// failure or a statement dropped behind the session's back never leaves it confused.
#include <gtest/gtest.h>

#include <algorithm>

#include "pg_test_database.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_prepared.h"
#include "store/postgres/pg_query.h"
#include "store_helpers.h"
#include "test_events.h"

namespace store_test {
namespace {
using store::pg::Connection;
using store::pg::Params;
using store::pg::PreparedStatements;

TEST(PgPreparedStatements, NamesEachKeyOnceAndDropsTheLeastRecentlyUsed) {
    PreparedStatements cache(2);
    EXPECT_FALSE(cache.find("a"));
    auto a = cache.add("a");
    EXPECT_FALSE(a.evict);
    auto b = cache.add("b");
    EXPECT_NE(a.name, b.name);
    EXPECT_EQ(cache.find("a"), a.name);  // a is now the most recently used
    auto c = cache.add("c");
    EXPECT_EQ(c.evict, b.name);
    EXPECT_FALSE(cache.find("b"));
    EXPECT_EQ(cache.find("a"), a.name);
    EXPECT_EQ(cache.size(), 2u);
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
    auto again = cache.add("a");  // names are never reused within a session
    EXPECT_NE(again.name, a.name);
    EXPECT_NE(again.name, c.name);
}

class PgPreparedTest : public ::testing::Test {
  protected:
    void SetUp() override { conn_.connect(); }
    // Prepared statements the server holds for this session.
    int server_count() {
        return std::stoi(text("SELECT count(*)::text FROM pg_prepared_statements"));
    }
    std::string text(const std::string& sql) {
        Params none;
        return std::string(conn_.exec(sql, none).bytes(0, 0));
    }
    // `SELECT $1::int8 + <n>`: one statement shape per n, the value a parameter.
    int64_t add(int n, int64_t value) {
        Params params;
        std::string sql = "SELECT " + params.add_int8(value) + " + " + std::to_string(n);
        return conn_.exec_prepared(sql, params).int8(0, 0);
    }
    Connection conn_{{pg_database_url(), 10000, 10}};
};

TEST_F(PgPreparedTest, PreparesOnceAndRunsWithOtherValues) {
    EXPECT_EQ(add(1, 41), 42);
    EXPECT_EQ(add(1, 99), 100);
    EXPECT_EQ(conn_.prepared_count(), 1u);
    EXPECT_EQ(server_count(), 1);
}

TEST_F(PgPreparedTest, TheSessionHoldsABoundedNumber) {
    const int shapes = static_cast<int>(Connection::kMaxPrepared) + 10;
    for (int n = 0; n < shapes; ++n) EXPECT_EQ(add(n, 1), n + 1);
    EXPECT_EQ(conn_.prepared_count(), Connection::kMaxPrepared);
    // what was dropped on our side was deallocated on the server's
    EXPECT_EQ(server_count(), static_cast<int>(Connection::kMaxPrepared));
    EXPECT_EQ(add(0, 5), 5);  // evicted earlier: prepared again
}

TEST_F(PgPreparedTest, AFailureLeavesNoStatementBehind) {
    Params params;
    std::string sql = "SELECT 1 / " + params.add_int8(0);
    EXPECT_THROW(conn_.exec_prepared(sql, params), store::pg::PgError);
    conn_.connect();  // as the pool does with a connection that is no longer usable
    EXPECT_EQ(server_count(), 0);
    EXPECT_EQ(add(1, 1), 2);
    Params zero;
    std::string divide = "SELECT 1 / " + zero.add_int8(0);
    Params one;
    EXPECT_EQ(conn_.exec_prepared("SELECT 1 / " + one.add_int8(1), one).int8(0, 0), 1);
    // an execution error of a statement already prepared keeps the session as it was
    EXPECT_THROW(conn_.exec_prepared(divide, zero), store::pg::PgError);
    EXPECT_TRUE(conn_.usable());
    EXPECT_EQ(server_count(), static_cast<int>(conn_.prepared_count()));
}

TEST_F(PgPreparedTest, StatementsDroppedBehindItsBackArePreparedAgain) {
    EXPECT_EQ(add(1, 1), 2);
    Params none;
    conn_.exec("DEALLOCATE ALL", none);  // as a connection pooler's DISCARD ALL does
    EXPECT_EQ(add(1, 2), 3);
    EXPECT_EQ(server_count(), 1);
}

TEST_F(PgPreparedTest, ANewStatementAfterStatementsWereDroppedBehindItsBackWhenFull) {
    // The session holds as many statements as it may, then a pooler drops them all. The
    // next new statement must deallocate the least recently used one first, which the
    // server no longer has: that must not fail the statement nor end the session.
    const int shapes = static_cast<int>(Connection::kMaxPrepared);
    for (int n = 0; n < shapes; ++n) ASSERT_EQ(add(n, 1), n + 1);
    Params none;
    conn_.exec("DEALLOCATE ALL", none);
    EXPECT_EQ(add(shapes, 1), shapes + 1);
    EXPECT_TRUE(conn_.usable());
    EXPECT_EQ(server_count(), static_cast<int>(conn_.prepared_count()));
    EXPECT_EQ(add(0, 2), 2);  // the others are prepared again as they come
}

TEST(PgPreparedIdLookup, RunsOnTheGenericPlanAfterFiveLookups) {
    // Lookups of 5 stored ids (the REQ mix's shape) on an analyzed table, each with other
    // ids. The server must stop planning the statement after five runs (plan_cache_mode
    // auto). It does so only when the generic plan's estimate is as good as the custom
    // plans': with `id = ANY($1)` it assumes 10 ids and plans every lookup again.
    const std::string url = pg_database_url("id_plans");
    std::vector<nostr::Event> events;
    {
        auto store = store::PgStore::open(pg_options(url));
        for (int i = 0; i < 2000; ++i)
            events.push_back(test_support::make_event(test_support::test_key(1 + i % 50), 1,
                                                      kNow - i, {}, std::to_string(i)));
        put_all(*store, events);
    }
    // A table of the REQ benchmark's size (rows nobody looks up: only the plans matter).
    pg_exec(url,
            "INSERT INTO events (id, pubkey, created_at, kind, json) SELECT "
            "sha256(int8send(i)), sha256(int4send(i % 500)), i, 1, '{}' "
            "FROM generate_series(1, 100000) AS i");
    pg_exec(url, "ANALYZE");
    Connection conn({url, 10000, 10});
    conn.connect();
    for (size_t run = 0; run < 8; ++run) {
        nostr::Filter filter;
        filter.ids.emplace();
        for (size_t i = 0; i < 5; ++i) filter.ids->push_back(events[run * 5 + i].id);
        std::sort(filter.ids->begin(), filter.ids->end());
        auto query = store::pg::build_event_query({filter}, store::QueryOptions{});
        ASSERT_TRUE(query && query->by_ids);
        store::pg::Statement statement = store::pg::with_snapshot_seq(std::move(*query));
        EXPECT_EQ(conn.exec_prepared(statement.sql, statement.params).rows(), 5);
    }
    Params none;
    auto plans = conn.exec("SELECT generic_plans, custom_plans FROM pg_prepared_statements", none);
    ASSERT_EQ(plans.rows(), 1);
    EXPECT_GE(plans.int8(0, 0), 3) << "custom plans: " << plans.int8(0, 1);
    EXPECT_LE(plans.int8(0, 1), 5);
}

}  // namespace
}  // namespace store_test
