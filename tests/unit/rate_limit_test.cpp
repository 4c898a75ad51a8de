// The rate-limit building blocks with a fake clock (the time is an argument, nothing sleeps):
// token buckets, a connection's message and query budget, fixed-window counts and their sync
// protocol, concurrent connections per address, and the per-pubkey budget by kind class.
#include <gtest/gtest.h>

#include <chrono>

#include "ratelimit/connection_budget.h"
#include "ratelimit/connection_counts.h"
#include "ratelimit/pubkey_budget.h"
#include "ratelimit/token_bucket.h"
#include "ratelimit/window_counts.h"
#include "telemetry/metrics.h"

namespace {

using namespace std::chrono_literals;
using ratelimit::Clock;
const Clock::time_point t0{};

int takes(ratelimit::TokenBucket& bucket, Clock::time_point now, int tries) {
    int taken = 0;
    for (int i = 0; i < tries; ++i) taken += bucket.take(now);
    return taken;
}

TEST(TokenBucket, StartsFullThenRefillsAtItsRateUpToTheBurst) {
    ratelimit::TokenBucket bucket(10, 5, t0);
    EXPECT_EQ(takes(bucket, t0, 20), 5);
    EXPECT_EQ(takes(bucket, t0 + 100ms, 20), 1);  // 10 per second: one per 100 ms
    EXPECT_EQ(takes(bucket, t0 + 350ms, 20), 2);  // 2.5 tokens: two whole ones
    EXPECT_EQ(takes(bucket, t0 + 400ms, 20), 1);  // the half left over counts
    EXPECT_EQ(takes(bucket, t0 + 60s, 20), 5);    // never more than the burst
}

TEST(TokenBucket, ARateOfZeroIsUnlimitedAndTimeGoingBackwardsGivesNothing) {
    ratelimit::TokenBucket off(0, 1, t0);
    EXPECT_EQ(takes(off, t0, 1000), 1000);
    ratelimit::TokenBucket bucket(1, 1, t0 + 10s);
    EXPECT_TRUE(bucket.take(t0 + 10s));
    EXPECT_FALSE(bucket.take(t0));
    EXPECT_FALSE(bucket.take(t0 + 10s));
}

TEST(ConnectionBudget, MessagesOverTheBurstAreLimitedAndAFloodCloses) {
    ratelimit::RateLimits limits;
    limits.messages_per_second = 2;
    limits.message_burst = 3;
    limits.flood_close_after = 4;
    ratelimit::ConnectionBudget budget(limits, t0);
    using V = ratelimit::ConnectionBudget::Verdict;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(budget.message(t0), V::pass);
    EXPECT_EQ(budget.message(t0), V::limited);
    EXPECT_EQ(budget.message(t0), V::limited);
    EXPECT_EQ(budget.message(t0 + 500ms), V::pass);  // refilled one: the run is broken
    for (int i = 0; i < 3; ++i) EXPECT_EQ(budget.message(t0 + 500ms), V::limited);
    EXPECT_EQ(budget.message(t0 + 500ms), V::close);
}

TEST(ConnectionBudget, QueriesHaveTheirOwnPerMinuteBucket) {
    ratelimit::RateLimits limits;
    limits.reqs_per_minute = 60;
    limits.req_burst = 2;
    ratelimit::ConnectionBudget budget(limits, t0);
    EXPECT_TRUE(budget.query(t0));
    EXPECT_TRUE(budget.query(t0));
    EXPECT_FALSE(budget.query(t0 + 900ms));
    EXPECT_TRUE(budget.query(t0 + 1s));  // 60 per minute: one per second
    EXPECT_EQ(budget.message(t0 + 1s), ratelimit::ConnectionBudget::Verdict::pass);
}

TEST(WindowCounts, CountsUpToTheLimitWithinAWindowAndStartOverInTheNext) {
    ratelimit::WindowCounts counts(60);
    const int64_t start = 60 * 28'333'334 + 40;  // 40 s into a window
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(counts.try_add("k", 3, start));
    EXPECT_FALSE(counts.try_add("k", 3, start + 19));
    EXPECT_TRUE(counts.try_add("other", 3, start));  // keys are independent
    EXPECT_EQ(counts.count("k", start), 3u);
    EXPECT_TRUE(counts.try_add("k", 3, start + 20));  // the next window
    EXPECT_EQ(counts.count("k", start + 20), 1u);
}

TEST(WindowCounts, ASyncAddsTheSharedTotalAndKeepsCountsMadeWhileItRan) {
    ratelimit::WindowCounts counts(60);
    const int64_t now = 1'700'000'000;
    counts.try_add("k", 10, now);
    counts.try_add("k", 10, now);
    auto pending = counts.begin_sync(now);
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].key, "k");
    EXPECT_EQ(pending[0].delta, 2u);
    EXPECT_EQ(pending[0].window, now / 60);
    EXPECT_EQ(counts.count("k", now), 2u);  // in flight still counts
    counts.try_add("k", 10, now);           // while the round trip runs
    // Redis says 7: another process counted 5.
    counts.finish_sync(pending, {7});
    EXPECT_EQ(counts.count("k", now), 8u);
    EXPECT_TRUE(counts.try_add("k", 10, now));
    EXPECT_TRUE(counts.try_add("k", 10, now));
    EXPECT_FALSE(counts.try_add("k", 10, now));
    // The next round sends what was counted since, and the refused ask (delta 0) too.
    auto next = counts.begin_sync(now);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].delta, 3u);
}

TEST(WindowCounts, AFailedSyncKeepsTheCountsLocalForTheNextOne) {
    ratelimit::WindowCounts counts(60);
    const int64_t now = 1'700'000'000;
    counts.try_add("k", 10, now);
    auto pending = counts.begin_sync(now);
    counts.abandon_sync(pending);
    EXPECT_EQ(counts.count("k", now), 1u);
    auto retry = counts.begin_sync(now);
    ASSERT_EQ(retry.size(), 1u);
    EXPECT_EQ(retry[0].delta, 1u);
}

TEST(WindowCounts, KeysOfPastWindowsAreDroppedAndUnusedKeysNotSynced) {
    ratelimit::WindowCounts counts(60);
    const int64_t now = 1'700'000'000;
    counts.try_add("old", 10, now);
    counts.try_add("k", 10, now);
    counts.finish_sync(counts.begin_sync(now), {1, 1});
    EXPECT_TRUE(counts.begin_sync(now).empty());  // nothing asked since
    counts.try_add("k", 10, now + 60);
    auto pending = counts.begin_sync(now + 60);
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].key, "k");
    EXPECT_EQ(counts.size(), 1u);
}

TEST(ConnectionCounts, RefusesBeyondTheMaximumPerKeyAndFreesOnRelease) {
    telemetry::MetricsRegistry metrics;
    auto counts = ratelimit::ConnectionCounts::create(2, &metrics);
    auto a = counts->acquire("192.0.2.1");
    auto b = counts->acquire("192.0.2.1");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(counts->acquire("192.0.2.1"), nullptr);
    EXPECT_NE(counts->acquire("192.0.2.2"), nullptr);  // another address; released at once
    a.reset();
    EXPECT_EQ(counts->count("192.0.2.1"), 1u);
    EXPECT_NE(counts->acquire("192.0.2.1"), nullptr);
    EXPECT_NE(
        metrics.prometheus_text().find("nostpp_rate_limited_total{limit=\"connections_per_ip\"} 1"),
        std::string::npos);
}

TEST(ConnectionCounts, OtherProcessesCountTowardsTheMaximumUntilASyncFails) {
    auto counts = ratelimit::ConnectionCounts::create(3);
    auto mine = counts->acquire("k");
    auto pending = counts->begin_sync();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].connections, 1u);
    counts->set_others("k", 2);
    EXPECT_EQ(counts->acquire("k"), nullptr);
    counts->abandon_sync(counts->begin_sync());  // Redis gone: counting alone again
    EXPECT_NE(counts->acquire("k"), nullptr);
}

TEST(ConnectionCounts, AKeyWhoseConnectionsAllLeftIsPublishedOnceAtZeroThenForgotten) {
    auto counts = ratelimit::ConnectionCounts::create(3);
    auto slot = counts->acquire("k");
    counts->begin_sync();
    slot.reset();
    auto pending = counts->begin_sync();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].connections, 0u);
    EXPECT_TRUE(counts->begin_sync().empty());
}

TEST(ConnectionCounts, AMaximumOfZeroCountsNothing) {
    auto counts = ratelimit::ConnectionCounts::create(0);
    std::vector<std::unique_ptr<ratelimit::ConnectionSlot>> slots;
    for (int i = 0; i < 100; ++i) slots.push_back(counts->acquire("k"));
    for (auto& slot : slots) EXPECT_NE(slot, nullptr);
    EXPECT_TRUE(counts->begin_sync().empty());
}

TEST(PubkeyBudget, EachKindClassHasItsOwnBudgetPerPubkey) {
    telemetry::MetricsRegistry metrics;
    // regular 2, replaceable 1, ephemeral off, addressable 1
    ratelimit::PubkeyBudget budget({2, 1, 0, 1}, metrics);
    nostr::Bytes32 alice{}, bob{};
    alice.fill(0xaa);
    bob.fill(0xbb);
    const int64_t now = 1'700'000'000;
    EXPECT_EQ(budget.take(alice, 1, now), "");
    EXPECT_EQ(budget.take(alice, 7, now), "");
    EXPECT_EQ(budget.take(alice, 1, now),
              "rate-limited: more than 2 regular events per minute from this pubkey; try again "
              "later");
    EXPECT_EQ(budget.take(bob, 1, now), "");
    EXPECT_EQ(budget.take(alice, 0, now), "");
    EXPECT_EQ(budget.take(alice, 10002, now).rfind("rate-limited: more than 1 replaceable", 0), 0u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(budget.take(alice, 20001, now), "");
    EXPECT_EQ(budget.take(alice, 30023, now), "");
    EXPECT_NE(budget.take(alice, 30023, now), "");
    EXPECT_EQ(budget.take(alice, 1, now + 60), "");  // next minute
    std::string text = metrics.prometheus_text();
    EXPECT_NE(text.find("nostpp_rate_limited_total{limit=\"events_regular\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("nostpp_rate_limited_total{limit=\"events_replaceable\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("nostpp_rate_limited_total{limit=\"events_addressable\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("nostpp_rate_limited_total{limit=\"events_ephemeral\"} 0"),
              std::string::npos);
    EXPECT_FALSE(ratelimit::PubkeyBudget({0, 0, 0, 0}, metrics).enabled());
}

}  // namespace
