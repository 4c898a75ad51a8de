// RedisRateSync against the real test server: two "processes" (two sets of counts, each with
// its own sync, driven by hand with sync_once()) share a pubkey budget and connection counts;
// a killed process's connections stop counting at their deadline; with Redis unreachable each
// counts alone, and what it counted meanwhile reaches Redis when it is back.
#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "nostr/hex.h"
#include "ratelimit/connection_counts.h"
#include "ratelimit/pubkey_budget.h"
#include "ratelimit/redis_rate_sync.h"
#include "redis_test_env.h"
#include "telemetry/metrics.h"

namespace {

using redis_test::RedisTest;

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Event counts live in one-minute windows, and a sync drops the counts of a window that has
// passed without sending them (and succeeds: there is nothing left to send). A test that
// takes at a fixed `now` and then syncs must not straddle a minute boundary, or its counts
// vanish: it starts early enough in a minute to finish inside it (the tests take seconds).
void stay_in_one_window() {
    if (unix_now() % 60 > 50)
        std::this_thread::sleep_for(std::chrono::seconds(61 - unix_now() % 60));
}

// A pubkey no other test uses.
nostr::Bytes32 unique_pubkey() {
    nostr::Bytes32 key{};
    std::string name = redis_test::unique_name() + std::to_string(unix_now());
    for (size_t i = 0; i < name.size(); ++i) key[i % 32] ^= uint8_t(name[i]) + uint8_t(i);
    return key;
}

struct Process {
    Process(const std::string& url, const std::string& id,
            std::array<uint32_t, 4> budget = {3, 0, 0, 0}, uint32_t connections = 2)
        : events(budget, metrics),
          connections(ratelimit::ConnectionCounts::create(connections)),
          sync(ratelimit::RedisRateSyncOptions{url, std::chrono::milliseconds(500),
                                               std::chrono::seconds(30), id},
               &events.counts(), this->connections.get(), metrics, false) {}
    telemetry::MetricsRegistry metrics;
    ratelimit::PubkeyBudget events;
    std::shared_ptr<ratelimit::ConnectionCounts> connections;
    ratelimit::RedisRateSync sync;
};

using RateLimitSync = RedisTest;

TEST_F(RateLimitSync, TwoProcessesShareOnePubkeyBudget) {
    stay_in_one_window();
    Process a(url_, "a-" + redis_test::unique_name());
    Process b(url_, "b-" + redis_test::unique_name());
    const nostr::Bytes32 pubkey = unique_pubkey();
    const int64_t now = unix_now();
    EXPECT_EQ(a.events.take(pubkey, 1, now), "");
    EXPECT_EQ(a.events.take(pubkey, 1, now), "");
    ASSERT_TRUE(a.sync.sync_once());
    EXPECT_EQ(b.events.take(pubkey, 1, now), "");  // b has not heard of a's two yet
    ASSERT_TRUE(b.sync.sync_once());
    EXPECT_EQ(b.events.take(pubkey, 1, now).rfind("rate-limited:", 0), 0u);
    auto raw = redis_test::raw_connection(url_);
    auto value = raw->command(
        {"GET", "nostpp:events:rl:ev:r:" + nostr::to_hex(pubkey) + ":" + std::to_string(now / 60)});
    ASSERT_EQ(value->type, REDIS_REPLY_STRING);
    EXPECT_EQ(std::string(value->str, value->len), "3");
    auto ttl = raw->command(
        {"TTL", "nostpp:events:rl:ev:r:" + nostr::to_hex(pubkey) + ":" + std::to_string(now / 60)});
    EXPECT_GT(ttl->integer, 0);  // gone by itself after two windows
    EXPECT_LE(ttl->integer, 120);
}

TEST_F(RateLimitSync, ConnectionsPerAddressAreCountedAcrossProcesses) {
    const std::string address = "192.0.2." + redis_test::unique_name();
    Process a(url_, "a-" + redis_test::unique_name());
    Process b(url_, "b-" + redis_test::unique_name());
    auto at_a = a.connections->acquire(address);
    ASSERT_TRUE(at_a);
    ASSERT_TRUE(a.sync.sync_once());
    auto at_b = b.connections->acquire(address);
    ASSERT_TRUE(at_b);
    ASSERT_TRUE(b.sync.sync_once());
    EXPECT_EQ(b.connections->count(address), 2u);
    EXPECT_EQ(b.connections->acquire(address), nullptr);
    // a's client leaves: after a's and b's next rounds, b has room again.
    at_a.reset();
    ASSERT_TRUE(a.sync.sync_once());
    ASSERT_TRUE(b.sync.sync_once());
    EXPECT_EQ(b.connections->count(address), 1u);
    EXPECT_NE(b.connections->acquire(address), nullptr);
}

TEST_F(RateLimitSync, AKilledProcessStopsCountingAtItsDeadlineAndIsCleanedUp) {
    const std::string address = "198.51.100." + redis_test::unique_name();
    const std::string key = "nostpp:events:rl:conn:" + address;
    auto raw = redis_test::raw_connection(url_);
    // A process killed a while ago (its deadline passed) and one killed just now.
    raw->command({"HSET", key, "dead", "5 " + std::to_string(unix_now() - 1)});
    raw->command({"HSET", key, "just-killed", "1 " + std::to_string(unix_now() + 30)});
    Process b(url_, "b-" + redis_test::unique_name(), {3, 0, 0, 0}, 3);
    auto slot = b.connections->acquire(address);
    ASSERT_TRUE(b.sync.sync_once());
    EXPECT_EQ(b.connections->count(address), 2u);  // its own and the fresh one
    EXPECT_EQ(raw->command({"HEXISTS", key, "dead"})->integer, 0);
    EXPECT_EQ(raw->command({"HEXISTS", key, "just-killed"})->integer, 1);
    EXPECT_GT(raw->command({"TTL", key})->integer, 0);  // the hash itself expires too
}

int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    ::close(fd);
    return ntohs(addr.sin_port);
}

TEST(RateLimitSyncWithoutRedis, CountsLocallyWhenRedisIsUnreachable) {
    stay_in_one_window();
    Process p("redis://127.0.0.1:" + std::to_string(closed_port()), "p");
    const nostr::Bytes32 pubkey = unique_pubkey();
    const int64_t now = unix_now();
    auto slot = p.connections->acquire("192.0.2.1");
    EXPECT_EQ(p.events.take(pubkey, 1, now), "");
    EXPECT_FALSE(p.sync.sync_once());
    EXPECT_EQ(p.events.take(pubkey, 1, now), "");
    EXPECT_EQ(p.events.take(pubkey, 1, now), "");
    EXPECT_NE(p.events.take(pubkey, 1, now), "");  // the limit holds, counted here
    EXPECT_FALSE(p.sync.sync_once());
    auto second = p.connections->acquire("192.0.2.1");
    EXPECT_NE(second, nullptr);
    EXPECT_EQ(p.connections->acquire("192.0.2.1"), nullptr);
    EXPECT_NE(
        p.metrics.prometheus_text().find("nostpp_rate_limit_syncs_total{result=\"failed\"} 2"),
        std::string::npos);
}

TEST_F(RateLimitSync, CountsMadeWhileRedisWasDownReachItWhenItIsBack) {
    stay_in_one_window();  // this one takes ~2 s: it failed now and then at :59
    Process p(url_, "p-" + redis_test::unique_name(), {10, 0, 0, 0});
    const nostr::Bytes32 pubkey = unique_pubkey();
    const int64_t now = unix_now();
    EXPECT_EQ(p.events.take(pubkey, 1, now), "");
    ASSERT_TRUE(p.sync.sync_once());
    {
        redis_test::ServerDown down;
        ASSERT_TRUE(down.ok());
        EXPECT_EQ(p.events.take(pubkey, 1, now), "");
        EXPECT_EQ(p.events.take(pubkey, 1, now), "");
        EXPECT_FALSE(p.sync.sync_once());
    }
    ASSERT_TRUE(p.sync.sync_once());
    auto raw = redis_test::raw_connection(url_);
    auto value = raw->command(
        {"GET", "nostpp:events:rl:ev:r:" + nostr::to_hex(pubkey) + ":" + std::to_string(now / 60)});
    ASSERT_EQ(value->type, REDIS_REPLY_STRING);
    // The server restarted empty (no persistence): the first count was lost with it, the two
    // made during the outage were delivered.
    EXPECT_EQ(std::string(value->str, value->len), "2");
}

// A websocket-handler shares only connection counts, an event handler only event budgets.
TEST_F(RateLimitSync, EachCountMayBeSharedAlone) {
    telemetry::MetricsRegistry metrics;
    auto counts = ratelimit::ConnectionCounts::create(2);
    ratelimit::RedisRateSyncOptions options;
    options.url = url_;
    ratelimit::RedisRateSync connections_only(options, nullptr, counts.get(), metrics, false);
    auto slot = counts->acquire("192.0.2." + redis_test::unique_name());
    EXPECT_TRUE(connections_only.sync_once());
    ratelimit::PubkeyBudget budget({3, 0, 0, 0}, metrics);
    ratelimit::RedisRateSync events_only(options, &budget.counts(), nullptr, metrics, false);
    EXPECT_EQ(budget.take(unique_pubkey(), 1, unix_now()), "");
    EXPECT_TRUE(events_only.sync_once());
}

// The I/O threads count while the background thread syncs: no count is lost or counted twice,
// whatever the interleaving (this is also the test to run under ThreadSanitizer).
TEST_F(RateLimitSync, CountsMadeWhileTheThreadSyncsAllReachRedisOnce) {
    stay_in_one_window();
    const int64_t window = unix_now() / 60;
    telemetry::MetricsRegistry metrics;
    ratelimit::PubkeyBudget budget({1'000'000, 0, 0, 0}, metrics);
    auto counts = ratelimit::ConnectionCounts::create(1'000'000);
    ratelimit::RedisRateSyncOptions options;
    options.url = url_;
    options.interval = std::chrono::milliseconds(2);
    std::vector<nostr::Bytes32> keys(20);
    for (auto& key : keys) key = unique_pubkey();
    for (size_t i = 0; i < keys.size(); ++i) keys[i][31] = uint8_t(i);
    constexpr int kPerThread = 100'000;
    {
        ratelimit::RedisRateSync sync(options, &budget.counts(), counts.get(), metrics);
        std::vector<std::thread> threads;
        for (int t = 0; t < 2; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    EXPECT_EQ(budget.take(keys[size_t(i + t) % keys.size()], 1, unix_now()), "");
                    auto slot = counts->acquire("192.0.2." + std::to_string(i % 7));
                }
            });
        for (auto& thread : threads) thread.join();
    }
    // Rounds ran while the threads counted (about 50 at 2 ms in a ~100 ms run).
    const std::string text = metrics.prometheus_text();
    const std::string ok_series = "nostpp_rate_limit_syncs_total{result=\"ok\"} ";
    ASSERT_NE(text.find(ok_series), std::string::npos);
    EXPECT_GE(std::stoul(text.substr(text.find(ok_series) + ok_series.size())), 3u);
    ratelimit::RedisRateSync last(options, &budget.counts(), counts.get(), metrics, false);
    ASSERT_TRUE(last.sync_once());
    auto raw = redis_test::raw_connection(url_);
    uint64_t total = 0;
    for (const auto& key : keys) {
        auto value = raw->command(
            {"GET", "nostpp:events:rl:ev:r:" + nostr::to_hex(key) + ":" + std::to_string(window)});
        if (value->type == REDIS_REPLY_STRING)
            total += std::stoull(std::string(value->str, value->len));
    }
    EXPECT_EQ(total, uint64_t(2 * kPerThread));
}

// A process that stops (connections closed, then the sync destroyed) takes its entries out of
// Redis at once; only a killed one leaves them until their deadline.
TEST_F(RateLimitSync, AStoppingProcessRemovesItsConnectionsAtOnce) {
    const std::string address = "203.0.113." + redis_test::unique_name();
    const std::string key = "nostpp:events:rl:conn:" + address;
    auto raw = redis_test::raw_connection(url_);
    telemetry::MetricsRegistry metrics;
    auto counts = ratelimit::ConnectionCounts::create(5);
    ratelimit::RedisRateSyncOptions options;
    options.url = url_;
    // Rounds far enough apart that none falls between the close and the stop.
    options.interval = std::chrono::milliseconds(200);
    options.process_id = "stopping-" + redis_test::unique_name();
    auto sync = std::make_unique<ratelimit::RedisRateSync>(options, nullptr, counts.get(), metrics);
    auto slot = counts->acquire(address);
    ASSERT_TRUE(redis_test::wait_until([&] {
        return raw->command({"HEXISTS", key, options.process_id})->integer == 1;
    }));
    slot.reset();
    sync.reset();
    EXPECT_EQ(raw->command({"HEXISTS", key, options.process_id})->integer, 0);
}

}  // namespace
