// The PostgreSQL store across a server outage: put() while the server is down gives an
// error outcome for every event (no crash, no exception), reads throw, and once the server
// is back the pools reconnect on their own. This binary runs its own server (its own data
// directory and port) so stopping it never disturbs the other tests.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "pg_test_database.h"
#include "store/postgres/pg_store.h"
#include "store_helpers.h"
#include "test_events.h"

namespace store_test {
namespace {
using test_support::make_event;
using test_support::test_key;

// scripts/test-server.sh postgres <action> <dir>; returns its output (the URL on start).
std::string server(const std::string& action) {
    std::string command = std::string(NOSTPP_TEST_SERVER_SCRIPT) + " postgres " + action + " " +
                          NOSTPP_TEST_PG_RESTART_DIR + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), &pclose);
    if (!pipe) throw std::runtime_error("cannot run " + command);
    std::string output;
    std::array<char, 256> buffer;
    while (fgets(buffer.data(), buffer.size(), pipe.get())) output += buffer.data();
    int status = pclose(pipe.release());
    if (status != 0) throw std::runtime_error(command + " failed: " + output);
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
}

struct StopServer : ::testing::Environment {
    void TearDown() override {
        try {
            server("stop");
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
        }
    }
};
const auto* const stop_server = ::testing::AddGlobalTestEnvironment(new StopServer);

TEST(PgRestart, PutFailsCleanlyWhileTheServerIsDownAndRecoversAfter) {
    std::string server_url = server("start");
    ASSERT_EQ(server_url.rfind("postgresql://", 0), 0u) << server_url;
    // a new database each run (the server's data directory outlives the test)
    pg_exec(server_url, "DROP DATABASE IF EXISTS nostpp_restart WITH (FORCE)");
    pg_exec(server_url, "CREATE DATABASE nostpp_restart");
    store::PgStoreOptions options;
    options.write_url = with_database(server_url, "nostpp_restart");
    options.connect_timeout_s = 3;
    auto store = store::PgStore::open(options);
    auto before = make_event(test_key(1), 1, kNow - 30);
    EXPECT_EQ(put_one(*store, before).outcome, store::PutOutcome::stored);

    server("stop");
    std::vector<nostr::Event> batch;
    for (int i = 0; i < 3; ++i) batch.push_back(make_event(test_key(2), 1, kNow - 20 + i));
    auto results = put_all(*store, batch);
    ASSERT_EQ(results.size(), batch.size());
    std::printf("put while the server is down: %s\n", results[0].message.c_str());
    for (const auto& r : results) {
        EXPECT_EQ(r.outcome, store::PutOutcome::error);
        EXPECT_EQ(r.message.rfind("error:", 0), 0u) << r.message;
    }
    EXPECT_THROW(query_ids(*store, filter("{}")), std::runtime_error);
    EXPECT_THROW(store->count({filter("{}")}, kNow), std::runtime_error);
    // still down: still errors, never a crash
    EXPECT_EQ(put_one(*store, batch[0]).outcome, store::PutOutcome::error);

    EXPECT_EQ(server("start"), server_url);  // same data directory and port
    for (const auto& r : put_all(*store, batch))
        EXPECT_EQ(r.outcome, store::PutOutcome::stored) << r.message;
    EXPECT_EQ(store->size(), 1 + batch.size());
    auto ids = query_ids(*store, filter("{\"limit\":4}"));
    ASSERT_EQ(ids.size(), 4u);
    EXPECT_EQ(ids[0], hex(batch[2]));
    EXPECT_EQ(ids[3], hex(before));
}

}  // namespace
}  // namespace store_test
