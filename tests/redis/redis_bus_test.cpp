// RedisBus between "processes" (several instances on one channel) against a real Redis:
// cross-process delivery with the commit seq, no echo duplicates, resubscription after a
// server restart, and local delivery that never waits on Redis.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>

#include "bus/redis_bus.h"
#include "bus_collector.h"
#include "redis_test_env.h"
#include "test_events.h"

namespace redis_test {
namespace {

using namespace std::chrono_literals;

class RedisBusTest : public RedisTest {
protected:
    void SetUp() override {
        RedisTest::SetUp();
        channel_ = unique_name() + "events";
    }

    bus::RedisBusOptions options(bool publish = true, bool subscribe = true) {
        bus::RedisBusOptions o;
        o.url = url_;
        o.channel = channel_;
        o.publish_to_redis = publish;
        o.subscribe_to_redis = subscribe;
        return o;
    }

    std::shared_ptr<const nostr::Event> event(int64_t n, uint32_t kind = 1) {
        return std::make_shared<const nostr::Event>(test_support::make_event(
            test_support::test_key(1), kind, 1'700'000'000 + n, {}, channel_ + std::to_string(n)));
    }

    // Subscriptions are made asynchronously: wait until `n` connections listen.
    bool subscribers_ready(size_t n) {
        return wait_until([&] {
            try {
                auto connection = raw_connection(url_);
                auto reply = connection->command({"PUBSUB", "NUMSUB", channel_});
                return reply->elements == 2 && static_cast<size_t>(reply->element[1]->integer) >= n;
            } catch (const bus::RedisError&) {
                return false;
            }
        });
    }

    std::string channel_;
};

TEST_F(RedisBusTest, EventReachesOtherProcessWithItsSeqAndPublisherSeesItOnce) {
    BusCollector at_a, at_b;
    bus::RedisBus a(options()), b(options());
    a.subscribe(at_a.listener());
    b.subscribe(at_b.listener());
    ASSERT_TRUE(subscribers_ready(2));

    auto e = event(1);
    std::atomic<bool> delivered{false};
    a.publish({e, 42}, [&] { delivered = true; });
    std::string id = nostr::to_hex(e->id);
    ASSERT_TRUE(at_b.wait_for(id));
    EXPECT_EQ(at_b.deliveries().front().seq, 42u);
    EXPECT_TRUE(wait_until([&] { return delivered.load(); }));
    // The echo of A's own publish came back through Redis and was skipped.
    ASSERT_TRUE(wait_until([&] { return a.stats().duplicates_skipped == 1; }));
    EXPECT_EQ(at_a.count(id), 1u);
    EXPECT_EQ(at_b.count(id), 1u);
    EXPECT_EQ(at_a.deliveries().front().seq, 42u);
    EXPECT_TRUE(wait_until([&] { return a.stats().published == 1; }));
    EXPECT_EQ(b.stats().received, 1u);
    EXPECT_EQ(b.stats().duplicates_skipped, 0u);
}

TEST_F(RedisBusTest, EphemeralSeqCrossesProcesses) {
    BusCollector at_b;
    bus::RedisBus a(options(true, false)), b(options(false, true));
    b.subscribe(at_b.listener());
    ASSERT_TRUE(subscribers_ready(1));
    auto e = event(2, 20001);
    a.publish({e, bus::kEphemeralSeq});
    ASSERT_TRUE(at_b.wait_for(nostr::to_hex(e->id)));
    EXPECT_EQ(at_b.deliveries().front().seq, bus::kEphemeralSeq);
}

// websocket-handler: its client's event comes back from the event-handler through Redis,
// before or after the handler delivers it locally; either way listeners see it once and
// `delivered` runs.
TEST_F(RedisBusTest, LocalAndRedisCopiesOfOneEventAreDeliveredOnce) {
    BusCollector at_ws;
    bus::RedisBus event_handler(options(true, false)), websocket(options(false, true));
    websocket.subscribe(at_ws.listener());
    ASSERT_TRUE(subscribers_ready(1));

    auto first = event(3);  // Redis copy first
    event_handler.publish({first, 7});
    ASSERT_TRUE(at_ws.wait_for(nostr::to_hex(first->id)));
    std::atomic<bool> delivered{false};
    websocket.publish({first, 7}, [&] { delivered = true; });
    EXPECT_TRUE(wait_until([&] { return delivered.load(); }));

    auto second = event(4);  // local delivery first
    std::atomic<bool> delivered_second{false};
    websocket.publish({second, 8}, [&] { delivered_second = true; });
    EXPECT_TRUE(wait_until([&] { return delivered_second.load(); }));
    event_handler.publish({second, 8});
    ASSERT_TRUE(wait_until([&] { return websocket.stats().duplicates_skipped == 2; }));
    EXPECT_EQ(at_ws.count(nostr::to_hex(first->id)), 1u);
    EXPECT_EQ(at_ws.count(nostr::to_hex(second->id)), 1u);
    EXPECT_EQ(websocket.stats().published, 0u);  // publish_to_redis = false
}

TEST_F(RedisBusTest, ResubscribesAfterServerRestart) {
    BusCollector at_b;
    bus::RedisBus a(options(true, false)), b(options(false, true));
    b.subscribe(at_b.listener());
    ASSERT_TRUE(subscribers_ready(1));
    ASSERT_TRUE(server_control("restart"));

    // Pub/sub keeps no history: publish until one arrives after B subscribed again.
    bool received = false;
    auto deadline = std::chrono::steady_clock::now() + 15s;
    for (int n = 100; !received && std::chrono::steady_clock::now() < deadline; ++n) {
        auto e = event(n);
        a.publish({e, static_cast<uint64_t>(n)});
        received = at_b.wait_for(nostr::to_hex(e->id), 100ms);
    }
    EXPECT_TRUE(received) << "no delivery within 15 s of the restart";
    EXPECT_GE(b.stats().reconnects, 1u);
}

TEST_F(RedisBusTest, PublishWhileRedisIsDownDeliversLocallyAndDoesNotBlock) {
    BusCollector at_a;
    auto o = options();
    o.max_pending_publishes = 2;
    bus::RedisBus a(o);
    a.subscribe(at_a.listener());
    ASSERT_TRUE(subscribers_ready(1));
    {
        ServerDown down;
        ASSERT_TRUE(down.ok());
        std::atomic<int> delivered{0};
        auto start = std::chrono::steady_clock::now();
        for (int n = 0; n < 3; ++n) a.publish({event(10 + n), 5}, [&] { ++delivered; });
        EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);
        EXPECT_TRUE(wait_until([&] { return delivered == 3; }, 2s));
        for (int n = 0; n < 3; ++n) EXPECT_EQ(at_a.count(nostr::to_hex(event(10 + n)->id)), 1u);
    }
    // Back up: the two queued messages are published, the oldest was dropped (queue of 2).
    EXPECT_TRUE(wait_until([&] { return a.stats().published == 2; }, 15s));
    EXPECT_EQ(a.stats().publish_dropped, 1u);
    EXPECT_GE(a.stats().errors, 1u);  // the connection lost (and failed reconnects)
}

TEST_F(RedisBusTest, MalformedMessagesAreCountedAndDropped) {
    BusCollector at_b;
    bus::RedisBus b(options(false, true));
    b.subscribe(at_b.listener());
    ASSERT_TRUE(subscribers_ready(1));
    auto raw = raw_connection(url_);
    auto valid = event(20);
    for (std::string message : {std::string("garbage"), std::string("12"),
                                std::string("x ") + valid->json, std::string("-1 ") + valid->json,
                                std::string("5 {\"id\":"), std::string(" ") + valid->json})
        raw->command({"PUBLISH", channel_, message});
    raw->command({"PUBLISH", channel_, "9 " + valid->json});
    ASSERT_TRUE(at_b.wait_for(nostr::to_hex(valid->id)));
    EXPECT_EQ(b.stats().malformed, 6u);
    EXPECT_EQ(b.stats().received, 1u);
    EXPECT_EQ(at_b.deliveries().size(), 1u);
    EXPECT_EQ(at_b.deliveries().front().seq, 9u);
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

TEST_F(RedisBusTest, StopsPromptlyWhileUnreachableAndNeverLogsThePassword) {
    std::ostringstream log;
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
    BusCollector at_a;
    auto start = std::chrono::steady_clock::now();
    {
        bus::RedisBusOptions o = options();
        o.url = "redis://nostpp:s3cret-pw@127.0.0.1:" + std::to_string(closed_port()) + "/2";
        bus::RedisBus a(o);
        a.subscribe(at_a.listener());
        auto e = event(30);
        a.publish({e, 1});
        EXPECT_TRUE(at_a.wait_for(nostr::to_hex(e->id), 2s));
        std::this_thread::sleep_for(300ms);  // several reconnect attempts
        // Every failed attempt is an error: at least one each for publisher and subscriber.
        EXPECT_GE(a.stats().errors, 2u);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    spdlog::set_default_logger(previous);
    std::string text = log.str();
    EXPECT_NE(text.find("cannot reach redis://nostpp:***@127.0.0.1"), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cret-pw"), std::string::npos) << text;
    // One warning per outage, not one per attempt.
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;  // publisher + subscriber
}

}  // namespace
}  // namespace redis_test
