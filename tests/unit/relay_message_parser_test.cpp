// Reading relay-to-client messages (the client side of NIP-01, used for WoT seed relays).
#include "nostr/relay_message_parser.h"

#include <gtest/gtest.h>

#include "nostr/relay_message.h"
#include "test_events.h"

namespace {

TEST(RelayMessageParser, ReadsEventsWithTheirCanonicalJson) {
    nostr::Event event = test_support::make_event(test_support::test_key(1), 3, 1700000000,
                                                  {{"p", std::string(64, 'a')}});
    auto message = nostr::parse_relay_message(nostr::relay_message::event("s1", event.json));
    auto* parsed = std::get_if<nostr::RelayEventMessage>(&message);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->subscription_id, "s1");
    EXPECT_EQ(parsed->event.id, event.id);
    EXPECT_EQ(parsed->event.json, event.json);
    EXPECT_EQ(parsed->event.tags, event.tags);
}

TEST(RelayMessageParser, ReadsEoseClosedAndNotice) {
    auto eose = nostr::parse_relay_message(R"(["EOSE","s2"])");
    ASSERT_TRUE(std::holds_alternative<nostr::RelayEoseMessage>(eose));
    EXPECT_EQ(std::get<nostr::RelayEoseMessage>(eose).subscription_id, "s2");
    auto closed = nostr::parse_relay_message(R"(["CLOSED","s3","blocked: no"])");
    ASSERT_TRUE(std::holds_alternative<nostr::RelayClosedMessage>(closed));
    EXPECT_EQ(std::get<nostr::RelayClosedMessage>(closed).message, "blocked: no");
    auto notice = nostr::parse_relay_message(R"(["NOTICE","hi"])");
    ASSERT_TRUE(std::holds_alternative<nostr::RelayNoticeMessage>(notice));
    EXPECT_EQ(std::get<nostr::RelayNoticeMessage>(notice).message, "hi");
}

TEST(RelayMessageParser, AnythingElseIsOtherWithAReasonWhenMalformed) {
    for (const char* text : {"", "{}", "[]", "[1]", "not json", R"(["EVENT","s"])",
                             R"(["EVENT","s",{"id":"zz"}])", R"(["EOSE",5])"}) {
        auto message = nostr::parse_relay_message(text);
        ASSERT_TRUE(std::holds_alternative<nostr::RelayOtherMessage>(message)) << text;
        EXPECT_FALSE(std::get<nostr::RelayOtherMessage>(message).error.empty()) << text;
    }
    auto ok = nostr::parse_relay_message(R"(["OK","ab",true,""])");
    ASSERT_TRUE(std::holds_alternative<nostr::RelayOtherMessage>(ok));
    EXPECT_EQ(std::get<nostr::RelayOtherMessage>(ok).verb, "OK");
}

}  // namespace
