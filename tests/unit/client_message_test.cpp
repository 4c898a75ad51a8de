// parse_client_message: the five client verbs, and the exact kind of reply (OK false, CLOSED or
// NOTICE) for every way a message can be unusable.
#include "nostr/client_message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "nostr/canonical.h"
#include "test_events.h"

namespace {
using test_support::make_event;
using test_support::test_key;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The reply of a rejected message, or a marker that fails any expectation on it.
std::string reply_of(const nostr::ClientMessage& message) {
    if (const auto* rejected = std::get_if<nostr::RejectedMessage>(&message))
        return rejected->reply;
    return "<accepted, variant index " + std::to_string(message.index()) + ">";
}

std::string reply_to(const std::string& text) {
    return reply_of(nostr::parse_client_message(text));
}

// True when `text` is well-formed UTF-8 (what a WebSocket text frame must carry).
bool is_valid_utf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        unsigned char lead = static_cast<unsigned char>(text[i]);
        size_t extra = lead < 0x80             ? 0
                       : (lead & 0xe0) == 0xc0 ? 1
                       : (lead & 0xf0) == 0xe0 ? 2
                       : (lead & 0xf8) == 0xf0 ? 3
                                               : 4;
        if (extra == 4 || text.size() - i <= extra) return false;
        for (size_t k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
        i += extra + 1;
    }
    return true;
}

const std::string kHexA(64, 'a');

class ClientMessageTest : public ::testing::Test {
  protected:
    nostr::KeyPair key_ = test_key(21);
    nostr::Event event_ =
        make_event(key_, 1, 1700000000, {{"e", kHexA}, {"t", "nostr"}}, "hello \"world\"\n");
    std::string id_hex_ = nostr::to_hex(event_.id);
};

TEST_F(ClientMessageTest, EventMessage) {
    auto message = nostr::parse_client_message(test_support::event_message(event_));
    auto* event = std::get_if<nostr::EventMessage>(&message);
    ASSERT_NE(event, nullptr) << reply_of(message);
    EXPECT_EQ(event->event.id, event_.id);
    EXPECT_EQ(event->event.pubkey, event_.pubkey);
    EXPECT_EQ(event->event.sig, event_.sig);
    EXPECT_EQ(event->event.tags, event_.tags);
    EXPECT_EQ(event->event.content, event_.content);
    EXPECT_EQ(event->event.json, event_.json);
}

TEST_F(ClientMessageTest, AuthMessage) {
    nostr::Event auth = make_event(key_, 22242, 1700000000,
                                   {{"relay", "wss://relay.example/"}, {"challenge", "c1"}}, "");
    auto message = nostr::parse_client_message("[\"AUTH\"," + auth.json + "]");
    auto* parsed = std::get_if<nostr::AuthMessage>(&message);
    ASSERT_NE(parsed, nullptr) << reply_of(message);
    EXPECT_EQ(parsed->event.id, auth.id);
    EXPECT_EQ(parsed->event.kind, 22242u);
    EXPECT_EQ(parsed->event.json, auth.json);
}

TEST_F(ClientMessageTest, ReqMessageWithSeveralFilters) {
    std::string pubkey = nostr::to_hex(key_.pubkey);
    auto message = nostr::parse_client_message(
        R"(["REQ","sub-1",{"kinds":[7,1,7],"authors":[")" + pubkey +
        R"("],"since":100,"until":1700000000,"limit":10},{"ids":[")" + id_hex_ + R"("]},{"#e":[")" +
        kHexA + R"("],"#t":["nostr","cpp"]},{}])");
    auto* req = std::get_if<nostr::ReqMessage>(&message);
    ASSERT_NE(req, nullptr) << reply_of(message);
    EXPECT_EQ(req->subscription_id, "sub-1");
    ASSERT_EQ(req->filters.size(), 4u);

    const nostr::Filter& first = req->filters[0];
    EXPECT_EQ(first.kinds, (std::vector<uint32_t>{1, 7}));
    EXPECT_EQ(first.authors, (std::vector<nostr::Bytes32>{key_.pubkey}));
    EXPECT_EQ(first.since, 100);
    EXPECT_EQ(first.until, 1700000000);
    EXPECT_EQ(first.limit, 10u);
    EXPECT_FALSE(first.ids.has_value());
    EXPECT_TRUE(first.matches(event_));

    EXPECT_EQ(req->filters[1].ids, (std::vector<nostr::Bytes32>{event_.id}));
    EXPECT_TRUE(req->filters[1].matches(event_));

    const nostr::Filter& tags = req->filters[2];
    ASSERT_EQ(tags.tags.size(), 2u);
    EXPECT_TRUE(tags.matches(event_));
    for (const auto& cond : tags.tags)
        if (cond.letter == 't') {
            EXPECT_EQ(cond.values, (std::vector<std::string>{"cpp", "nostr"}));
        }

    const nostr::Filter& empty = req->filters[3];
    EXPECT_FALSE(empty.ids || empty.authors || empty.kinds || empty.since || empty.until ||
                 empty.limit);
    EXPECT_TRUE(empty.tags.empty());
}

TEST_F(ClientMessageTest, ParsedTagFilterRequiresTheFirstValue) {
    auto message = nostr::parse_client_message(R"(["REQ","s",{"#t":["world"]}])");
    auto* req = std::get_if<nostr::ReqMessage>(&message);
    ASSERT_NE(req, nullptr) << reply_of(message);
    EXPECT_FALSE(req->filters[0].matches(event_));
}

TEST_F(ClientMessageTest, CloseMessage) {
    auto message = nostr::parse_client_message(R"(["CLOSE","sub-1"])");
    auto* close = std::get_if<nostr::CloseMessage>(&message);
    ASSERT_NE(close, nullptr) << reply_of(message);
    EXPECT_EQ(close->subscription_id, "sub-1");
}

TEST_F(ClientMessageTest, CountMessage) {
    auto message = nostr::parse_client_message(R"(["COUNT","q1",{"kinds":[1]},{"#p":["x"]}])");
    auto* count = std::get_if<nostr::CountMessage>(&message);
    ASSERT_NE(count, nullptr) << reply_of(message);
    EXPECT_EQ(count->subscription_id, "q1");
    ASSERT_EQ(count->filters.size(), 2u);
    EXPECT_EQ(count->filters[0].kinds, (std::vector<uint32_t>{1}));
}

TEST_F(ClientMessageTest, MalformedJsonGetsANotice) {
    for (const char* text : {"", "[", "[\"EVENT\",", "[\"REQ\",\"s\",{]", "not json", "[1,]"}) {
        EXPECT_EQ(reply_to(text), R"(["NOTICE","invalid: malformed JSON"])") << text;
    }
}

TEST_F(ClientMessageTest, NonArraysAndMissingVerbsGetANotice) {
    for (const char* text : {"{}", "\"EVENT\"", "42", "null", "[]", "[1]", "[null,\"s\"]",
                             "[[\"REQ\"]]", "[{\"verb\":\"REQ\"}]"}) {
        std::string reply = reply_to(text);
        EXPECT_THAT(reply, StartsWith(R"(["NOTICE","invalid: )")) << text;
    }
}

TEST_F(ClientMessageTest, UnknownVerbGetsANoticeNamingIt) {
    std::string reply = reply_to(R"(["PUBLISH",{}])");
    EXPECT_THAT(reply, StartsWith(R"(["NOTICE","invalid: )"));
    EXPECT_THAT(reply, HasSubstr("PUBLISH"));
    // Verbs are case-sensitive.
    EXPECT_THAT(reply_to(R"(["event",{}])"), HasSubstr("event"));
}

TEST_F(ClientMessageTest, UnknownVerbNoticeIsValidUtf8) {
    // A long non-ASCII verb: whatever part of it the notice quotes must still be valid UTF-8,
    // or the relay sends a text frame a WebSocket client must fail the connection over.
    for (size_t prefix = 28; prefix < 34; ++prefix) {
        std::string verb = std::string(prefix, 'X') + "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
        ASSERT_TRUE(is_valid_utf8(verb));
        std::string reply = reply_to("[\"" + verb + "\"]");
        EXPECT_THAT(reply, StartsWith(R"(["NOTICE","invalid: )"));
        EXPECT_TRUE(is_valid_utf8(reply)) << "verb of " << prefix << " ASCII bytes + 4 characters";
    }
}

TEST_F(ClientMessageTest, EventWithWrongArityGetsANotice) {
    EXPECT_THAT(reply_to(R"(["EVENT"])"), StartsWith(R"(["NOTICE","invalid: )"));
    EXPECT_THAT(reply_to("[\"EVENT\"," + event_.json + ",{}]"),
                StartsWith(R"(["NOTICE","invalid: )"));
}

TEST_F(ClientMessageTest, BrokenEventWithAnIdGetsOkFalseForThatId) {
    std::string broken = event_.json;
    broken.replace(broken.find("\"kind\":1"), 8, "\"kind\":\"1\"");
    std::string reply = reply_to("[\"EVENT\"," + broken + "]");
    EXPECT_THAT(reply, StartsWith("[\"OK\",\"" + id_hex_ + "\",false,\"invalid: "));
    EXPECT_THAT(reply, HasSubstr("'kind'"));

    std::string bad_sig = event_.json;
    bad_sig.replace(bad_sig.find("\"sig\":\"") + 7, 4, "ABCD");
    EXPECT_THAT(reply_to("[\"EVENT\"," + bad_sig + "]"),
                StartsWith("[\"OK\",\"" + id_hex_ + "\",false,\"invalid: "));
}

TEST_F(ClientMessageTest, BrokenEventWithoutAnIdGetsANotice) {
    EXPECT_THAT(reply_to(R"(["EVENT",{"kind":1}])"), StartsWith(R"(["NOTICE","invalid: )"));
    EXPECT_THAT(reply_to(R"(["EVENT","not an event"])"), StartsWith(R"(["NOTICE","invalid: )"));
    EXPECT_THAT(reply_to(R"(["EVENT",{"id":5,"kind":1}])"), StartsWith(R"(["NOTICE","invalid: )"));
}

TEST_F(ClientMessageTest, BrokenAuthEventIsRejected) {
    EXPECT_THAT(reply_to(R"(["AUTH",{"kind":22242}])"), StartsWith(R"(["NOTICE","invalid: )"));
    EXPECT_THAT(reply_to(R"(["AUTH"])"), StartsWith(R"(["NOTICE","invalid: )"));
}

TEST_F(ClientMessageTest, ReqWithoutFiltersIsClosed) {
    EXPECT_THAT(reply_to(R"(["REQ","s1"])"), StartsWith(R"(["CLOSED","s1","invalid: )"));
    EXPECT_THAT(reply_to(R"(["COUNT","q1"])"), StartsWith(R"(["CLOSED","q1","invalid: )"));
}

TEST_F(ClientMessageTest, InvalidFiltersAreClosedWithInvalid) {
    const std::string upper_hex(64, 'A');
    for (std::string filter : {
             std::string("[]"),
             std::string("\"kinds\""),
             std::string("1"),
             std::string("null"),
             std::string(R"({"ids":["abc"]})"),
             std::string(R"({"ids":[")" + std::string(64, 'g') + "\"]}"),
             std::string(R"({"ids":[")" + std::string(65, 'a') + "\"]}"),
             std::string(R"({"ids":")" + kHexA + "\"}"),
             std::string(R"({"ids":[1]})"),
             std::string(R"({"authors":[")" + upper_hex + "\"]}"),
             std::string(R"({"authors":[")" + kHexA + R"(",")" + upper_hex + "\"]}"),
             std::string(R"({"kinds":["1"]})"),
             std::string(R"({"kinds":[1.5]})"),
             std::string(R"({"kinds":[-1]})"),
             std::string(R"({"kinds":[65536]})"),
             std::string(R"({"kinds":1})"),
             std::string(R"({"limit":-1})"),
             std::string(R"({"limit":1.5})"),
             std::string(R"({"limit":"10"})"),
             std::string(R"({"since":"1"})"),
             std::string(R"({"since":1.5})"),
             std::string(R"({"until":null})"),
             std::string(R"({"#e":"x"})"),
             std::string(R"({"#e":[1]})"),
             std::string(R"({"#e":[null]})"),
         }) {
        EXPECT_THAT(reply_to(R"(["REQ","s1",)" + filter + "]"),
                    StartsWith(R"(["CLOSED","s1","invalid: )"))
            << filter;
        EXPECT_THAT(reply_to(R"(["COUNT","q1",)" + filter + "]"),
                    StartsWith(R"(["CLOSED","q1","invalid: )"))
            << filter;
    }
}

TEST_F(ClientMessageTest, OneBadFilterAmongGoodOnesClosesTheSubscription) {
    EXPECT_THAT(reply_to(R"(["REQ","s1",{"kinds":[1]},{"kinds":["x"]}])"),
                StartsWith(R"(["CLOSED","s1","invalid: )"));
}

TEST_F(ClientMessageTest, UnknownFilterKeyIsClosedWithUnsupported) {
    for (const char* filter : {R"({"search":"x"})", R"({"#ab":["x"]})", R"({"#":["x"]})",
                               R"({"#1":["x"]})", R"({"kinds":[1],"foo":1})"}) {
        std::string reply = reply_to(std::string(R"(["REQ","s1",)") + filter + "]");
        EXPECT_THAT(reply, StartsWith(R"(["CLOSED","s1","unsupported: )")) << filter;
    }
}

TEST_F(ClientMessageTest, SubscriptionIdLength) {
    const std::string longest(64, 's'), too_long(65, 's');
    for (const char* verb : {"REQ", "COUNT"}) {
        SCOPED_TRACE(verb);
        auto ok =
            nostr::parse_client_message(std::string("[\"") + verb + "\",\"" + longest + "\",{}]");
        EXPECT_FALSE(std::holds_alternative<nostr::RejectedMessage>(ok)) << reply_of(ok);

        for (const std::string& bad : {std::string(), too_long}) {
            std::string reply = reply_to(std::string("[\"") + verb + "\",\"" + bad + "\",{}]");
            EXPECT_TRUE(reply.rfind(R"(["CLOSED",)", 0) == 0 ||
                        reply.rfind(R"(["NOTICE",)", 0) == 0)
                << reply;
            EXPECT_THAT(reply, HasSubstr("invalid: "));
        }
    }
    auto close = nostr::parse_client_message("[\"CLOSE\",\"" + longest + "\"]");
    ASSERT_TRUE(std::holds_alternative<nostr::CloseMessage>(close)) << reply_of(close);
    EXPECT_EQ(std::get<nostr::CloseMessage>(close).subscription_id, longest);
    EXPECT_THAT(reply_to(R"(["CLOSE",""])"), HasSubstr("invalid: "));
    EXPECT_THAT(reply_to("[\"CLOSE\",\"" + too_long + "\"]"), HasSubstr("invalid: "));
}

TEST_F(ClientMessageTest, SubscriptionIdMustBeAString) {
    for (const char* text : {R"(["REQ",1,{}])", R"(["REQ"])", R"(["CLOSE"])", R"(["CLOSE",null])",
                             R"(["COUNT",{},{}])"})
        EXPECT_THAT(reply_to(text), StartsWith(R"(["NOTICE","invalid: )")) << text;
}

TEST_F(ClientMessageTest, ClosedRepliesEscapeTheSubscriptionId) {
    EXPECT_THAT(reply_to(R"(["REQ","a\"b\\c"])"), StartsWith(R"(["CLOSED","a\"b\\c","invalid: )"));
}

TEST_F(ClientMessageTest, RejectedMessagesKeepTheirVerb) {
    auto verb_of = [](const std::string& text) {
        auto message = nostr::parse_client_message(text);
        const auto* rejected = std::get_if<nostr::RejectedMessage>(&message);
        return rejected ? rejected->verb : static_cast<nostr::Verb>(255);
    };
    EXPECT_EQ(verb_of(R"(["EVENT",{}])"), nostr::Verb::event);
    EXPECT_EQ(verb_of(R"(["EVENT"])"), nostr::Verb::event);
    EXPECT_EQ(verb_of(R"(["REQ","s"])"), nostr::Verb::req);
    EXPECT_EQ(verb_of(R"(["COUNT","s",1])"), nostr::Verb::count);
    EXPECT_EQ(verb_of(R"(["CLOSE"])"), nostr::Verb::close);
    EXPECT_EQ(verb_of(R"(["AUTH",{}])"), nostr::Verb::auth);
    EXPECT_EQ(verb_of(R"(["HELLO"])"), nostr::Verb::unknown);
    EXPECT_EQ(verb_of("not json"), nostr::Verb::unknown);
    EXPECT_EQ(verb_of("[1]"), nostr::Verb::unknown);
}

TEST_F(ClientMessageTest, EventIdOfEventMessage) {
    EXPECT_EQ(nostr::event_id_of_event_message(test_support::event_message(event_)), id_hex_);
    // Found even when the rest of the event is broken.
    EXPECT_EQ(nostr::event_id_of_event_message("[\"EVENT\",{\"id\":\"" + id_hex_ + "\"}]"),
              id_hex_);
    EXPECT_EQ(
        nostr::event_id_of_event_message("[\"EVENT\",{\"id\":\"" + id_hex_.substr(1) + "\"}]"), "");
    std::string upper = id_hex_;
    for (char& c : upper)
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    if (upper != id_hex_) {
        EXPECT_EQ(nostr::event_id_of_event_message("[\"EVENT\",{\"id\":\"" + upper + "\"}]"), "");
    }
    EXPECT_EQ(nostr::event_id_of_event_message("[\"AUTH\"," + event_.json + "]"), "");
    EXPECT_EQ(nostr::event_id_of_event_message("[\"EVENT\"," + event_.json + ",1]"), "");
    EXPECT_EQ(nostr::event_id_of_event_message(R"(["EVENT",{}])"), "");
    EXPECT_EQ(nostr::event_id_of_event_message(R"(["EVENT",[]])"), "");
    EXPECT_EQ(nostr::event_id_of_event_message("[\"EVENT\"," + event_.json), "");
    EXPECT_EQ(nostr::event_id_of_event_message(""), "");
}

}  // namespace
