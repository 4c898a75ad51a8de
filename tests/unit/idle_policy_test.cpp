// IdlePolicy: when a quiet WebSocket connection is pinged and when it is closed.
#include "net/detail/idle_policy.h"

#include <gtest/gtest.h>

namespace {

using net::detail::IdlePolicy;
using Action = IdlePolicy::Action;
using std::chrono::seconds;

const IdlePolicy::Clock::time_point t0 = IdlePolicy::Clock::time_point() + std::chrono::hours(1);
const IdlePolicy::Clock::time_point never_pinged{};

TEST(IdlePolicy, PingsOnlyAfterAnIntervalOfQuiet) {
    IdlePolicy policy(seconds(10), seconds(30));
    EXPECT_EQ(policy.due(t0 + seconds(9), t0, never_pinged), Action::wait);
    EXPECT_EQ(policy.due(t0 + seconds(10), t0, never_pinged), Action::ping);
    EXPECT_EQ(policy.next_check(t0, never_pinged), t0 + seconds(10));
}

TEST(IdlePolicy, PingsAgainAnIntervalAfterTheLastPing) {
    IdlePolicy policy(seconds(10), seconds(30));
    auto pinged = t0 + seconds(10);
    EXPECT_EQ(policy.due(t0 + seconds(19), t0, pinged), Action::wait);
    EXPECT_EQ(policy.due(t0 + seconds(20), t0, pinged), Action::ping);
    EXPECT_EQ(policy.next_check(t0, pinged), t0 + seconds(20));
}

TEST(IdlePolicy, ClosesAfterTheIdleTimeoutWhateverWasPinged) {
    IdlePolicy policy(seconds(10), seconds(30));
    auto pinged = t0 + seconds(29);
    EXPECT_EQ(policy.due(t0 + seconds(30), t0, pinged), Action::close);
    EXPECT_EQ(policy.next_check(t0, pinged), t0 + seconds(30));
}

TEST(IdlePolicy, HearingFromThePeerPostponesBoth) {
    IdlePolicy policy(seconds(10), seconds(30));
    auto heard = t0 + seconds(25);  // e.g. the pong to a ping sent at t0 + 20 s
    EXPECT_EQ(policy.due(t0 + seconds(30), heard, t0 + seconds(20)), Action::wait);
    EXPECT_EQ(policy.due(t0 + seconds(35), heard, t0 + seconds(20)), Action::ping);
    EXPECT_EQ(policy.due(t0 + seconds(55), heard, t0 + seconds(45)), Action::close);
}

TEST(IdlePolicy, ZeroDisablesEachHalf) {
    IdlePolicy ping_only(seconds(10), seconds(0));
    EXPECT_EQ(ping_only.due(t0 + seconds(3600), t0, t0 + seconds(3590)), Action::ping);
    EXPECT_EQ(ping_only.next_check(t0, t0 + seconds(3590)), t0 + seconds(3600));

    IdlePolicy close_only(seconds(0), seconds(30));
    EXPECT_EQ(close_only.due(t0 + seconds(29), t0, never_pinged), Action::wait);
    EXPECT_EQ(close_only.due(t0 + seconds(30), t0, never_pinged), Action::close);
    EXPECT_EQ(close_only.next_check(t0, never_pinged), t0 + seconds(30));

    IdlePolicy off(seconds(0), seconds(0));
    EXPECT_FALSE(off.enabled());
    EXPECT_EQ(off.due(t0 + seconds(86400), t0, never_pinged), Action::wait);
    EXPECT_TRUE(ping_only.enabled());
    EXPECT_TRUE(close_only.enabled());
}

}  // namespace
