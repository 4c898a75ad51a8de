// PostgreSQL-only checks beyond the shared rule suite: values the SQL layer could mangle
// (10 KB tag values, SQL metacharacters, NUL bytes), migrations, statement timeouts, the
// fixed number of round trips per put(), reconnection, concurrent writers, snapshot
// sequence numbers, cursor paging, failed transactions and when put() reports its decision.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "nostr/canonical.h"
#include "pg_test_database.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrations.h"
#include "store_helpers.h"
#include "test_events.h"

namespace store_test {
namespace {
using store::PutOutcome;
using test_support::make_event;
using test_support::test_key;
using Ids = std::vector<std::string>;

std::string json_string(const std::string& value) {
    std::string out;
    nostr::append_json_string(out, value);
    return out;
}

class PgStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        url_ = pg_database_url();
        store_ = store::PgStore::open(pg_options(url_));
        pg_reset(url_);
    }
    store::PgStore& pg() { return dynamic_cast<store::PgStore&>(*store_); }
    std::string url_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(PgStoreTest, TenKilobyteTagValuesStoreAndMatchExactly) {
    std::string big(10 * 1024, 'v');
    std::string same_prefix = big;
    same_prefix.back() = 'w';
    auto e1 = make_event(test_key(1), 1, kNow - 30, {{"r", big}});
    auto e2 = make_event(test_key(1), 1, kNow - 20, {{"r", same_prefix}});
    auto e3 = make_event(test_key(1), 1, kNow - 10, {{"r", big + "x"}, {"t", "short"}});
    for (const auto& r : put_all(*store_, {e1, e2, e3}))
        ASSERT_EQ(r.outcome, PutOutcome::stored) << r.message;
    EXPECT_EQ(query_ids(*store_, filter("{\"#r\":[" + json_string(big) + "]}")), (Ids{hex(e1)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"#r\":[" + json_string(big) + "," +
                                        json_string(same_prefix) + "]}")),
              (Ids{hex(e2), hex(e1)}));
    EXPECT_EQ(
        query_ids(*store_, filter("{\"#r\":[" + json_string(big + "x") + "],\"#t\":[\"short\"]}")),
        (Ids{hex(e3)}));
    EXPECT_EQ(store_->count({filter("{\"#r\":[" + json_string(same_prefix) + "]}")}, kNow), 1u);
    // a short value never matches a long one's key
    EXPECT_EQ(query_ids(*store_, filter("{\"#r\":[\"v\"]}")), Ids{});

    // addressable events keyed by a 10 KB `d` tag: replaced, and deleted by address
    auto a1 = make_event(test_key(2), 30023, kNow - 30, {{"d", big}}, "one");
    auto a2 = make_event(test_key(2), 30023, kNow - 20, {{"d", big}}, "two");
    EXPECT_EQ(put_one(*store_, a1).outcome, PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, a2).outcome, PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, a1).outcome, PutOutcome::superseded);
    std::string k2 = nostr::to_hex(test_key(2).pubkey);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[30023]}")), (Ids{hex(a2)}));
    auto request = make_event(test_key(2), 5, kNow - 15, {{"a", "30023:" + k2 + ":" + big}});
    EXPECT_EQ(put_one(*store_, request).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[30023]}")), Ids{});
    EXPECT_EQ(put_one(*store_, make_event(test_key(2), 30023, kNow - 16, {{"d", big}})).outcome,
              PutOutcome::deleted);
}

TEST_F(PgStoreTest, SqlMetacharactersRoundTrip) {
    const std::vector<std::string> nasty = {
        "'",  "''",   "\\",       "\\'",  "'); DROP TABLE events; --", "\"", "%",  "_",
        "$1", "a\0b", "E'\\x00'", "\n\t", "🦀 ünïcödé",          ";",  "--", "/* */"};
    std::vector<nostr::Event> events;
    for (size_t i = 0; i < nasty.size(); ++i) {
        std::string value = i == 9 ? std::string("a\0b", 3) : nasty[i];
        events.push_back(make_event(test_key(1), 1, kNow - 100 + static_cast<int64_t>(i),
                                    {{"t", value}, {"d", value}}, value + " content " + value));
    }
    for (const auto& r : put_all(*store_, events))
        ASSERT_EQ(r.outcome, PutOutcome::stored) << r.message;
    for (const auto& event : events) {
        const std::string& value = event.tags[0][1];
        std::vector<std::string> jsons;
        store_->query({filter("{\"#t\":[" + json_string(value) + "]}")}, {100, 100, kNow},
                      [&](std::string_view json) {
                          jsons.emplace_back(json);
                          return true;
                      });
        ASSERT_EQ(jsons.size(), 1u) << "value " << json_string(value);
        EXPECT_EQ(jsons[0], event.json);
    }
    // LIKE wildcards are plain characters
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"%\"]}")), (Ids{hex(events[6])}));
    EXPECT_EQ(store_->size(), nasty.size());
    EXPECT_EQ(pg_exec(url_, "SELECT count(*) FROM events"), std::to_string(nasty.size()));
}

TEST(PgMigrations, AreIdempotentAndRecorded) {
    std::string url = pg_database_url("migrations");
    auto options = pg_options(url);
    auto first = store::PgStore::migrate(options);
    ASSERT_EQ(first.applied.size(), store::pg::migrations().size());
    EXPECT_EQ(first.applied[0].version, 1);
    EXPECT_EQ(first.schema_version, store::pg::migrations().back().version);
    auto second = store::PgStore::migrate(options);
    EXPECT_TRUE(second.applied.empty());
    EXPECT_EQ(second.schema_version, first.schema_version);
    EXPECT_EQ(pg_exec(url, "SELECT count(*) FROM schema_migrations"),
              std::to_string(store::pg::migrations().size()));
    EXPECT_EQ(pg_exec(url, "SELECT count(*) FROM schema_migrations WHERE applied_at IS NULL"), "0");
    // opening a store on a migrated database migrates nothing and works
    auto store = store::PgStore::open(options);
    EXPECT_EQ(put_one(*store, make_event(test_key(1), 1, kNow)).outcome, PutOutcome::stored);
    EXPECT_EQ(pg_exec(url, "SELECT count(*) FROM schema_migrations"),
              std::to_string(store::pg::migrations().size()));
}

TEST(PgMigrations, ConcurrentStartsApplyEachMigrationOnce) {
    std::string url = pg_database_url("migration_race");
    constexpr int kProcesses = 4;
    std::vector<size_t> applied(kProcesses);
    std::vector<std::string> errors(kProcesses);
    std::vector<std::thread> threads;
    for (int i = 0; i < kProcesses; ++i)
        threads.emplace_back([&, i] {
            try {
                applied[i] = store::PgStore::migrate(pg_options(url)).applied.size();
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    size_t total = 0;
    for (int i = 0; i < kProcesses; ++i) {
        EXPECT_EQ(errors[i], "");
        total += applied[i];
    }
    EXPECT_EQ(total, store::pg::migrations().size());
}

// A database at version 1 (id tombstones keyed by id alone) keeps its tombstones through
// migration 2, after which they are per (id, requester).
TEST(PgMigrations, UpgradeKeepsIdTombstonesAndKeysThemByRequester) {
    std::string url = pg_database_url("migration_upgrade");
    const auto& all = store::pg::migrations();
    ASSERT_GE(all.size(), 2u);
    ASSERT_EQ(all[0].version, 1);
    ASSERT_EQ(all[1].version, 2);
    pg_exec(url, all[0].sql);
    pg_exec(url,
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz "
            "NOT NULL DEFAULT now()); INSERT INTO schema_migrations (version) VALUES (1)");
    auto target = make_event(test_key(1), 1, kNow - 30);
    pg_exec(url, "INSERT INTO deleted_ids (id, pubkey) VALUES ('\\x" + hex(target) + "', '\\x" +
                     nostr::to_hex(target.pubkey) + "')");

    auto report = store::PgStore::migrate(pg_options(url));
    ASSERT_EQ(report.applied.size(), all.size() - 1);
    EXPECT_EQ(report.applied[0].version, 2);
    auto store = store::PgStore::open(pg_options(url));
    EXPECT_EQ(put_one(*store, target).outcome, PutOutcome::deleted);
    // another author naming the id adds a row beside it instead of replacing it
    EXPECT_EQ(put_one(*store, make_event(test_key(2), 5, kNow - 20, {{"e", hex(target)}})).outcome,
              PutOutcome::stored);
    EXPECT_EQ(pg_exec(url, "SELECT count(*) FROM deleted_ids"), "2");
    EXPECT_EQ(put_one(*store, target).outcome, PutOutcome::deleted);
}

TEST(PgConnection, EveryStatementIsBoundedByTheTimeout) {
    store::pg::Connection conn({pg_database_url(), 300, 5});
    conn.connect();
    EXPECT_EQ(conn.exec("SHOW statement_timeout").bytes(0, 0), "300ms");
    auto start = std::chrono::steady_clock::now();
    try {
        conn.exec("SELECT pg_sleep(5)");
        FAIL() << "pg_sleep(5) was not cancelled";
    } catch (const store::pg::PgError& e) {
        EXPECT_EQ(e.sqlstate(), "57014") << e.what();  // query_canceled
        EXPECT_FALSE(e.connection_lost());
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
    EXPECT_EQ(conn.exec("SELECT 1").rows(), 1);  // the session is still usable
}

TEST(PgConnection, PipelineReportsTheFailingStatementAndStaysUsable) {
    store::pg::Connection conn({pg_database_url(), 10000, 5});
    conn.connect();
    std::vector<store::pg::Statement> statements;
    statements.push_back({"SELECT 1", {}});
    statements.push_back({"SELECT * FROM no_such_table", {}});
    statements.push_back({"SELECT 2", {}});
    try {
        conn.pipeline(statements);
        FAIL() << "the pipeline did not fail";
    } catch (const store::pg::PgError& e) {
        EXPECT_EQ(e.sqlstate(), "42P01") << e.what();
        EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
    }
    EXPECT_FALSE(conn.in_transaction());
    EXPECT_TRUE(conn.usable());
    std::vector<store::pg::Statement> again;
    again.push_back({"SELECT 3", {}});
    EXPECT_EQ(conn.pipeline(again).size(), 1u);
}

TEST(PgConnection, ReportsALostConnectionAndReconnects) {
    std::string url = pg_database_url();
    store::pg::Connection conn({url, 10000, 5});
    for (bool pipelined : {false, true}) {
        conn.connect();
        std::string pid(conn.exec("SELECT pg_backend_pid()::text").bytes(0, 0));
        pg_exec(url, "SELECT pg_terminate_backend(" + pid + ", 5000)");
        try {
            if (pipelined) {
                std::vector<store::pg::Statement> statements;
                statements.push_back({"SELECT 1", {}});
                statements.push_back({"SELECT 2", {}});
                conn.pipeline(statements);
            } else {
                conn.exec("SELECT 1");
            }
            FAIL() << "a terminated session answered";
        } catch (const store::pg::PgError& e) {
            EXPECT_TRUE(e.connection_lost()) << e.what();  // what put()/query() retry on
        }
        EXPECT_FALSE(conn.usable());
    }
    conn.connect();
    EXPECT_TRUE(conn.usable());
    EXPECT_EQ(conn.exec("SELECT 1").rows(), 1);
}

// The event handler announces what put()'s `decided` reports; the websocket handlers then
// query for it through other connections, so PostgreSQL must have committed it by then.
TEST_F(PgStoreTest, DecidedRunsAfterTheCommit) {
    auto event = make_event(test_key(1), 1, kNow - 10);
    const nostr::Event* batch[] = {&event};
    std::vector<store::PutResult> results;
    Ids seen_meanwhile{"not run"};
    auto reader = store::PgStore::open(pg_options(url_));
    uint64_t seq = store_->put(
        batch, results, [&](uint64_t) { seen_meanwhile = query_ids(*reader, filter("{}")); });
    EXPECT_EQ(results.at(0).outcome, PutOutcome::stored);
    EXPECT_GT(seq, 0u);
    EXPECT_EQ(seen_meanwhile, Ids{hex(event)});
}

TEST_F(PgStoreTest, PutTakesTwoRoundTripsWhateverTheBatchSize) {
    auto round_trips_of = [&](const std::vector<nostr::Event>& events) {
        uint64_t before = pg().stats().write_round_trips;
        for (const auto& r : put_all(*store_, events)) EXPECT_NE(r.outcome, PutOutcome::error);
        return pg().stats().write_round_trips - before;
    };
    EXPECT_EQ(round_trips_of({make_event(test_key(1), 1, kNow)}), 2u);
    std::vector<nostr::Event> big;
    for (int i = 0; i < 512; ++i) {
        int key = 1 + i % 8;
        switch (i % 4) {
            case 0:
                big.push_back(make_event(test_key(key), 1, kNow - i, {{"t", "x"}, {"p", "y"}}));
                break;
            case 1:
                big.push_back(make_event(test_key(key), 10002, kNow - i));
                break;
            case 2:
                big.push_back(
                    make_event(test_key(key), 30023, kNow - i, {{"d", std::to_string(i % 16)}}));
                break;
            default:
                big.push_back(
                    make_event(test_key(key), 5, kNow - i,
                               {{"e", hex(big[i - 3])},
                                {"a", "30023:" + nostr::to_hex(test_key(key).pubkey) + ":3"}}));
        }
    }
    EXPECT_EQ(round_trips_of(big), 2u);
    EXPECT_EQ(round_trips_of(big), 2u);  // all duplicates
}

TEST_F(PgStoreTest, UnsatisfiableFiltersNeedNoQuery) {
    put_one(*store_, make_event(test_key(1), 1, kNow));
    store_->size();  // connects the read connection (connecting costs round trips of its own)
    uint64_t before = pg().stats().read_round_trips;
    EXPECT_EQ(store_->query({filter("{\"ids\":[]}"), filter("{\"until\":-1}")}, {},
                            [](auto) {
                                ADD_FAILURE() << "no event can match";
                                return true;
                            }),
              0u);
    EXPECT_EQ(store_->count({filter("{\"kinds\":[]}")}, kNow), 0u);
    EXPECT_EQ(pg().stats().read_round_trips, before);
    // a satisfiable query is one round trip (BEGIN, seq, cursor, first page, COMMIT)
    EXPECT_EQ(query_ids(*store_, filter("{\"limit\":10}")).size(), 1u);
    EXPECT_EQ(pg().stats().read_round_trips, before + 1);
}

TEST_F(PgStoreTest, ReconnectsAfterTheServerDropsItsConnections) {
    auto a = make_event(test_key(1), 1, kNow - 10);
    EXPECT_EQ(put_one(*store_, a).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter("{}")).size(), 1u);
    // kill every session of the store (as a server restart or a proxy would)
    pg_exec(url_,
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    auto b = make_event(test_key(1), 1, kNow - 5);
    EXPECT_EQ(put_one(*store_, b).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter("{}")), (Ids{hex(b), hex(a)}));
    EXPECT_EQ(store_->count({filter("{}")}, kNow), 2u);
    EXPECT_EQ(store_->size(), 2u);
}

TEST_F(PgStoreTest, FailedBatchReportsErrorForEveryEventAndStoresNothing) {
    put_one(*store_, make_event(test_key(1), 1, kNow - 50));
    // break the schema under the store: the batch's transaction fails part-way
    pg_exec(url_, "ALTER TABLE tags RENAME TO tags_away");
    std::vector<nostr::Event> batch = {make_event(test_key(1), 1, kNow - 40, {{"t", "x"}}),
                                       make_event(test_key(2), 1, kNow - 30)};
    auto results = put_all(*store_, batch);
    ASSERT_EQ(results.size(), 2u);
    for (const auto& r : results) {
        EXPECT_EQ(r.outcome, PutOutcome::error);
        EXPECT_EQ(r.message.rfind("error:", 0), 0u) << r.message;
    }
    EXPECT_THROW(query_ids(*store_, filter("{\"#t\":[\"x\"]}")), std::runtime_error);
    pg_exec(url_, "ALTER TABLE tags_away RENAME TO tags");
    // nothing of the failed batch was kept; the same batch now goes in
    EXPECT_EQ(store_->size(), 1u);
    for (const auto& r : put_all(*store_, batch))
        EXPECT_EQ(r.outcome, PutOutcome::stored) << r.message;
    EXPECT_EQ(store_->size(), 3u);
}

TEST_F(PgStoreTest, ConcurrentWritersSerialize) {
    // two stores = two processes sharing the database
    auto other = store::PgStore::open(pg_options(url_));
    constexpr int kRounds = 40;
    std::vector<uint64_t> seqs[2];
    std::vector<nostr::Event> versions[2];
    auto writer = [&](store::Store& store, int side) {
        for (int i = 0; i < kRounds; ++i) {
            // both race for the same replaceable slot, plus a regular event each
            auto replaceable = make_event(test_key(1), 10002, kNow - 1000 + i * 2 + side, {},
                                          std::to_string(side));
            versions[side].push_back(replaceable);
            auto regular = make_event(test_key(2 + side), 1, kNow - i);
            std::vector<store::PutResult> results;
            const nostr::Event* batch[] = {&replaceable, &regular};
            seqs[side].push_back(store.put(batch, results));
            EXPECT_EQ(results[1].outcome, PutOutcome::stored) << results[1].message;
        }
    };
    std::thread a(writer, std::ref(*store_), 0);
    std::thread b(writer, std::ref(*other), 1);
    a.join();
    b.join();
    std::set<uint64_t> all;
    for (auto& side : seqs) all.insert(side.begin(), side.end());
    EXPECT_EQ(all.size(), 2u * kRounds);  // every commit got its own sequence number
    EXPECT_EQ(*all.rbegin(), 2u * kRounds);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[10002]}")), (Ids{hex(versions[1].back())}));
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")).size(), 2u * kRounds);
}

// One event per commit while queries run: a query that saw commit n must return exactly n
// events, so its seq comes from the same snapshot as its events. `by_ids`: the queries list
// every event's id (answered by one statement without a transaction), else they list none
// (a cursor in a transaction).
void expect_seq_of_the_events_seen(store::Store& store, const std::string& url, bool by_ids) {
    std::vector<nostr::Event> events;
    std::string ids;
    for (int i = 0; i < 150; ++i) {
        events.push_back(make_event(test_key(1), 1, kNow - 1000 + i));
        ids += (i ? ",\"" : "\"") + hex(events.back()) + "\"";
    }
    nostr::Filter query = filter(by_ids ? "{\"ids\":[" + ids + "]}" : "{}");
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (const auto& event : events) put_one(store, event);
        done = true;
    });
    auto reader = store::PgStore::open(pg_options(url));
    int checks = 0;
    while (!done || checks < 5) {
        size_t seen = 0;
        uint64_t seq = reader->query({query}, {1000, 1000, kNow}, [&](auto) {
            ++seen;
            return true;
        });
        ASSERT_EQ(seen, seq);
        ++checks;
    }
    writer.join();
}

TEST_F(PgStoreTest, QuerySequenceMatchesTheEventsItSaw) {
    expect_seq_of_the_events_seen(*store_, url_, false);
}

TEST_F(PgStoreTest, LookupsByIdReportTheCommitTheirEventsCameFrom) {
    expect_seq_of_the_events_seen(*store_, url_, true);
}

TEST_F(PgStoreTest, ALookupByIdMatchingNothingReportsTheLatestCommit) {
    for (int i = 0; i < 3; ++i) put_one(*store_, make_event(test_key(1), 1, kNow - 10 + i));
    std::string absent = hex(make_event(test_key(2), 1, kNow));
    uint64_t seq = store_->query({filter("{\"ids\":[\"" + absent + "\"]}")}, {}, [](auto) {
        ADD_FAILURE() << "nothing matches";
        return true;
    });
    EXPECT_EQ(seq, 3u);  // 0 would be "no commit seen": live events of commits 1-3 repeated
}

TEST_F(PgStoreTest, LargeResultsStreamAcrossCursorPages) {
    std::vector<nostr::Event> events;
    for (int i = 0; i < 2500; ++i) {
        nostr::Event e;
        e.pubkey = test_key(1 + i % 3).pubkey;
        e.created_at = kNow - 5000 + i / 2;  // ties too
        e.kind = 1;
        e.content = "n" + std::to_string(i);
        e.id = nostr::compute_event_id(e);
        e.json = nostr::serialize_event(e);
        events.push_back(std::move(e));
    }
    put_all(*store_, events);
    auto ids = query_ids(*store_, {filter("{}")}, kNow, 100000, 100000);
    ASSERT_EQ(ids.size(), 2500u);
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
        return a.created_at != b.created_at ? a.created_at > b.created_at : a.id < b.id;
    });
    for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], hex(events[i])) << i;
    // stopping in the middle of the second page leaves the connection clean
    int calls = 0;
    store_->query({filter("{}")}, {100000, 100000, kNow}, [&](auto) { return ++calls < 1500; });
    EXPECT_EQ(calls, 1500);
    EXPECT_EQ(query_ids(*store_, {filter("{\"limit\":3}")}, kNow, 100000, 100000).size(), 3u);
    EXPECT_EQ(store_->count({filter("{}")}, kNow), 2500u);
}

}  // namespace
}  // namespace store_test
