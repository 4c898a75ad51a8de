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
#include "test_events.h"

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

// One message per second, never closed for flooding: the second message of a test is over
// the budget (each test takes milliseconds, so no token comes back mid-test).
relay::RelayConfig one_message_per_second() {
    relay::RelayConfig config;
    config.limits.rate.messages_per_second = 1;
    config.limits.rate.message_burst = 1;
    config.limits.rate.flood_close_after = 0;
    return config;
}

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

// --messages-per-second: a message over the budget gets the answer its verb expects, with
// "rate-limited:", and is not processed. The rate is 1 per second and each test takes a few
// milliseconds, so no token comes back mid-test.
TEST_F(ClientSessionTest, MessagesOverTheBudgetAreAnsweredRateLimitedByVerb) {
    start(one_message_per_second());
    ASSERT_EQ(send(R"(["REQ","a",{"kinds":[1]}])"), std::vector<std::string>{R"(["EOSE","a"])"});
    const std::string why = "rate-limited: more than 1 messages per second; slow down";
    EXPECT_EQ(send(R"(["REQ","b",{}])"),
              std::vector<std::string>{R"(["CLOSED","b",")" + why + R"("])"});
    EXPECT_EQ(send(R"(["COUNT","c",{}])"),
              std::vector<std::string>{R"(["CLOSED","c",")" + why + R"("])"});
    EXPECT_EQ(send(R"(["CLOSE","a"])"), std::vector<std::string>{R"(["NOTICE",")" + why + R"("])"});
    EXPECT_EQ(relay_->live_subscriptions(), 1u);  // the CLOSE was not processed
    auto event = send(test_support::event_message(
        test_support::make_event(test_support::test_key(1), 1, 1700000000)));
    ASSERT_EQ(event.size(), 1u);
    EXPECT_EQ(event[0].rfind(R"(["OK",")", 0), 0u);
    EXPECT_NE(event[0].find(R"(",false,")" + why), std::string::npos) << event[0];
    // Binary frames and messages over the size limit count too.
    session_->on_binary();
    session_->on_rejected({R"(["NOTICE","invalid: message too large"])"});
    EXPECT_EQ(out_->frames.back(), R"(["NOTICE",")" + why + R"("])");
    EXPECT_EQ(out_->frames.end()[-2], R"(["NOTICE",")" + why + R"("])");
    EXPECT_FALSE(out_->closed);
    EXPECT_NE(metrics_.prometheus_text().find("nostpp_rate_limited_total{limit=\"messages\"} 6"),
              std::string::npos);
}

// NIP-42: an AUTH is answered with an OK, also when the message budget refuses it; so is an
// EVENT or AUTH too broken to use but whose id can be read. Without an id: NOTICE.
TEST_F(ClientSessionTest, AuthAndUnusableEventsOverTheBudgetGetAnOk) {
    start(one_message_per_second());
    send(R"(["CLOSE","spend the budget"])");
    const std::string why = "rate-limited: more than 1 messages per second; slow down";
    nostr::Event auth = test_support::make_event(test_support::test_key(1), 22242, 1700000000,
                                                 {{"challenge", "x"}});
    const std::string id = nostr::to_hex(auth.id);
    EXPECT_EQ(send(R"(["AUTH",)" + auth.json + "]"),
              std::vector<std::string>{R"(["OK",")" + id + R"(",false,")" + why + R"("])"});
    const std::string unusable = R"({"id":")" + id + R"(","kind":"x"})";
    EXPECT_EQ(send(R"(["AUTH",)" + unusable + "]"),
              std::vector<std::string>{R"(["OK",")" + id + R"(",false,")" + why + R"("])"});
    EXPECT_EQ(send(R"(["EVENT",)" + unusable + "]"),
              std::vector<std::string>{R"(["OK",")" + id + R"(",false,")" + why + R"("])"});
    EXPECT_EQ(send(R"(["AUTH",{"kind":1}])"),
              std::vector<std::string>{R"(["NOTICE",")" + why + R"("])"});
    EXPECT_EQ(send(R"(["AUTH"])"), std::vector<std::string>{R"(["NOTICE",")" + why + R"("])"});
}

TEST_F(ClientSessionTest, AConnectionThatKeepsFloodingIsClosed) {
    relay::RelayConfig config;
    config.limits.rate.messages_per_second = 1;
    config.limits.rate.message_burst = 1;
    config.limits.rate.flood_close_after = 3;
    start(config);
    send(R"(["CLOSE","x"])");
    send(R"(["CLOSE","x"])");
    send(R"(["CLOSE","x"])");
    EXPECT_FALSE(out_->closed);
    send(R"(["CLOSE","x"])");
    EXPECT_TRUE(out_->closed);
}

TEST_F(ClientSessionTest, ReqAndCountOverTheQueryBudgetAreClosedRateLimited) {
    relay::RelayConfig config;
    config.limits.rate.reqs_per_minute = 1;
    config.limits.rate.req_burst = 1;
    start(config);
    ASSERT_EQ(send(R"(["REQ","a",{"kinds":[1]}])"), std::vector<std::string>{R"(["EOSE","a"])"});
    const std::string why = "rate-limited: more than 1 REQ/COUNT per minute; try again later";
    EXPECT_EQ(send(R"(["REQ","a",{}])"),
              std::vector<std::string>{R"(["CLOSED","a",")" + why + R"("])"});
    EXPECT_EQ(relay_->live_subscriptions(), 0u);  // refused, it still ends subscription a
    EXPECT_EQ(send(R"(["COUNT","c",{}])"),
              std::vector<std::string>{R"(["CLOSED","c",")" + why + R"("])"});
    EXPECT_NE(metrics_.prometheus_text().find("nostpp_rate_limited_total{limit=\"reqs\"} 2"),
              std::string::npos);
}
