// relay::ClientSession with an instant backend (relay_doubles.h): what a connection is told is
// what the relay does. Found by the client-message fuzz harness: a REQ refused with CLOSED used
// to leave the earlier subscription of the same id running, so events kept arriving for a
// subscription the client had been told was closed.
#include "relay/client_session.h"

#include <gtest/gtest.h>

#include "nostr/canonical.h"
#include "relay/relay.h"
#include "telemetry/metrics.h"
#include "relay_doubles.h"

namespace {

using test_support::DirectBus;
using test_support::InstantBackend;
using test_support::RecordingOutbound;

class ClientSessionTest : public ::testing::Test {
  protected:
    void start(relay::RelayConfig config = {}) {
        relay_ = std::make_unique<relay::Relay>(config, backend_, bus_, metrics_);
        session_ = relay_->open_session(out_, "test");
    }

    // Sends `message` and returns what the session answered to it.
    std::vector<std::string> send(std::string_view message) {
        size_t first = out_->frames.size();
        session_->on_text(message);
        return {out_->frames.begin() + static_cast<std::ptrdiff_t>(first), out_->frames.end()};
    }

    // Publishes a kind-1 event to the live subscriptions; returns the frames sent for it.
    std::vector<std::string> publish_live() {
        nostr::Event event;
        event.id.fill(0x11);
        event.pubkey.fill(0xaa);
        event.kind = 1;
        event.created_at = 1700000000;
        event.json = nostr::serialize_event(event);
        size_t first = out_->frames.size();
        bus_.publish(bus::LiveEvent{std::make_shared<const nostr::Event>(std::move(event)), 1}, {});
        return {out_->frames.begin() + static_cast<std::ptrdiff_t>(first), out_->frames.end()};
    }

    telemetry::MetricsRegistry metrics_;

    InstantBackend backend_;
    DirectBus bus_;
    std::shared_ptr<RecordingOutbound> out_ = std::make_shared<RecordingOutbound>();
    std::unique_ptr<relay::Relay> relay_;
    std::unique_ptr<relay::ClientSession> session_;
};

TEST_F(ClientSessionTest, LiveEventsReachAnOpenSubscription) {
    start();
    ASSERT_EQ(send(R"(["REQ","a",{"kinds":[1]}])"), std::vector<std::string>{R"(["EOSE","a"])"});
    auto live = publish_live();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].rfind(R"(["EVENT","a",)", 0), 0u) << live[0];
}

TEST_F(ClientSessionTest, AReqRefusedForItsFilterEndsTheSubscriptionOfThatId) {
    start();
    send(R"(["REQ","a",{"kinds":[1]}])");
    auto answer = send(R"(["REQ","a",{"kinds":"x"}])");
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0].rfind(R"(["CLOSED","a","invalid: )", 0), 0u) << answer[0];
    EXPECT_EQ(publish_live(), std::vector<std::string>{});
    EXPECT_EQ(relay_->live_subscriptions(), 0u);
}

TEST_F(ClientSessionTest, AReqWithoutFiltersEndsTheSubscriptionOfThatId) {
    start();
    send(R"(["REQ","a",{"kinds":[1]}])");
    send(R"(["REQ","a"])");
    EXPECT_EQ(publish_live(), std::vector<std::string>{});
}

TEST_F(ClientSessionTest, AReqOverTheFilterLimitEndsTheSubscriptionOfThatId) {
    relay::RelayConfig config;
    config.limits.max_filters = 1;
    start(config);
    send(R"(["REQ","a",{"kinds":[1]}])");
    auto answer = send(R"(["REQ","a",{"kinds":[1]},{"kinds":[2]}])");
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0].rfind(R"(["CLOSED","a","invalid: too many filters)", 0), 0u) << answer[0];
    EXPECT_EQ(publish_live(), std::vector<std::string>{});
}

TEST_F(ClientSessionTest, ARefusedCountLeavesASubscriptionOfTheSameIdAlone) {
    start();
    send(R"(["REQ","a",{"kinds":[1]}])");
    auto answer = send(R"(["COUNT","a",{"kinds":"x"}])");
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0].rfind(R"(["CLOSED","a",)", 0), 0u) << answer[0];
    EXPECT_EQ(publish_live().size(), 1u);
}

}  // namespace
