// The event handler API's JSON codec, both directions. Query answers must carry each stored
// event's JSON byte for byte, whatever its content needs escaped.
#include "services/api_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nostr/event_parser.h"
#include "nostr/filter_json.h"
#include "test_events.h"

namespace {
namespace api = services::api;
using test_support::make_event;
using test_support::test_key;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(ApiJson, OutcomeNamesRoundTrip) {
    for (auto outcome : {api::Outcome::stored, api::Outcome::duplicate, api::Outcome::superseded,
                         api::Outcome::deleted, api::Outcome::ephemeral, api::Outcome::invalid,
                         api::Outcome::blocked, api::Outcome::error})
        EXPECT_EQ(api::outcome_from_name(api::outcome_name(outcome)), outcome);
    EXPECT_EQ(api::outcome_from_name("nope"), std::nullopt);
}

TEST(ApiJson, EventRepliesRoundTrip) {
    std::string one;
    api::append_event_reply(one, {true, "", api::Outcome::stored, 42});
    EXPECT_EQ(one, R"({"accepted":true,"message":"","outcome":"stored","seq":42})");
    std::string two = "[" + one + ",";
    api::append_event_reply(two, {false, "invalid: \"quoted\"\n", api::Outcome::invalid, 9});
    two += "]";
    EXPECT_THAT(two, HasSubstr(R"("message":"invalid: \"quoted\"\n","outcome":"invalid"})"));

    std::vector<api::EventReply> replies;
    std::string error;
    ASSERT_TRUE(api::decode_event_replies(two, true, replies, error)) << error;
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_TRUE(replies[0].accepted);
    EXPECT_EQ(replies[0].seq, 42u);
    EXPECT_EQ(replies[1].message, "invalid: \"quoted\"\n");
    EXPECT_EQ(replies[1].outcome, api::Outcome::invalid);
    EXPECT_EQ(replies[1].seq, 0u);  // seq is written for stored events only
    ASSERT_TRUE(api::decode_event_replies(one, false, replies, error));
    EXPECT_EQ(replies.size(), 1u);

    EXPECT_FALSE(api::decode_event_replies(one, true, replies, error));
    EXPECT_THAT(error, StartsWith("bad answer to POST /event"));
    EXPECT_FALSE(api::decode_event_replies(R"({"accepted":true})", false, replies, error));
    EXPECT_FALSE(
        api::decode_event_replies(R"({"accepted":1,"outcome":"stored"})", false, replies, error));
    EXPECT_FALSE(
        api::decode_event_replies(R"({"accepted":true,"outcome":"kept"})", false, replies, error));
    EXPECT_THAT(error, HasSubstr("unknown outcome 'kept'"));
    EXPECT_FALSE(api::decode_event_replies("{", false, replies, error));
}

TEST(ApiJson, BatchRequests) {
    api::BatchRequest request;
    std::string error;
    ASSERT_TRUE(api::decode_batch_request(R"({"any":"thing"})", request, error));
    EXPECT_FALSE(request.batch);
    ASSERT_EQ(request.items.size(), 1u);
    EXPECT_EQ(request.items[0], R"({"any":"thing"})");

    nostr::Event event = make_event(test_key(3), 1, 1000, {{"t", "x"}}, "line\nbreak");
    ASSERT_TRUE(
        api::decode_batch_request(" \n[" + event.json + ", 5, [1], \"s\", {} ]", request, error))
        << error;
    EXPECT_TRUE(request.batch);
    EXPECT_EQ(request.items, (std::vector<std::string>{event.json, "", "", "", "{}"}));

    EXPECT_FALSE(api::decode_batch_request("[{},", request, error));
    EXPECT_EQ(error, "invalid: malformed JSON");
    EXPECT_FALSE(api::decode_batch_request("[{}] x", request, error));
}

TEST(ApiJson, BatchElementsCarryTheirTraceparent) {
    const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    nostr::Event event = make_event(test_key(1), 1, 1700000000, {}, "traced");
    std::string body = "[";
    api::append_with_traceparent(body, event.json, tp);
    body += ",";
    api::append_with_traceparent(body, "{}", tp);
    body += R"(,{"traceparent":5},)" + event.json + "]";
    EXPECT_THAT(body, StartsWith("[" + event.json.substr(0, event.json.size() - 1) +
                                 R"(,"traceparent":")" + tp + "\"},{\"traceparent\""));

    api::BatchRequest request;
    std::string error;
    ASSERT_TRUE(api::decode_batch_request(body, request, error)) << error;
    ASSERT_EQ(request.traceparents.size(), 4u);
    EXPECT_EQ(request.traceparents[0], tp);
    EXPECT_EQ(request.traceparents[1], tp);
    EXPECT_EQ(request.traceparents[2], "");  // not a string: no context
    EXPECT_EQ(request.traceparents[3], "");
    // The event parser ignores the member: the event is the same event.
    nostr::Event parsed;
    ASSERT_TRUE(nostr::parse_event_json(request.items[0], parsed, error)) << error;
    EXPECT_EQ(parsed.json, event.json);
    // A query element may carry it too.
    std::vector<nostr::Filter> filters;
    EXPECT_TRUE(api::decode_filters_request(R"({"filters":[{}],"traceparent":")" + tp + "\"}",
                                            filters, error))
        << error;
    // A single (non-array) body has no per-item contexts: the header carries it.
    ASSERT_TRUE(api::decode_batch_request(event.json, request, error));
    EXPECT_TRUE(request.traceparents.empty());
}

TEST(ApiJson, FiltersRequestRoundTrip) {
    std::vector<nostr::Filter> filters(2);
    std::string error;
    ASSERT_TRUE(
        nostr::parse_filter_json(R"({"kinds":[1,7],"#p":["b","a"],"limit":3})", filters[0], error));
    std::string body = api::encode_filters_request(filters);
    EXPECT_EQ(body, R"({"filters":[{"kinds":[1,7],"#p":["b","a"],"limit":3},{}]})");
    std::vector<nostr::Filter> back;
    ASSERT_TRUE(api::decode_filters_request(body, back, error)) << error;
    EXPECT_EQ(back, filters);
    EXPECT_FALSE(api::decode_filters_request(R"({"filter":[]})", back, error));
    EXPECT_EQ(error, "invalid: unknown field 'filter'");
    EXPECT_FALSE(api::decode_filters_request(R"({"filters":{}})", back, error));
    EXPECT_THAT(error, StartsWith("invalid: the body must be"));
}

TEST(ApiJson, QueryReplyKeepsEventsByteForByte) {
    std::vector<std::string> events = test_support::events_needing_escapes();
    std::string body = api::encode_query_reply(events, 77);
    std::vector<api::QueryReply> decoded;
    std::string error;
    ASSERT_TRUE(api::decode_query_replies(body, false, decoded, error)) << error;
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_EQ(decoded[0].events, events);
    EXPECT_EQ(decoded[0].snapshot_seq, 77u);
    ASSERT_TRUE(
        api::decode_query_replies(R"({"snapshot_seq":5,"events":[]})", false, decoded, error));
    EXPECT_TRUE(decoded[0].events.empty());
    EXPECT_EQ(decoded[0].snapshot_seq, 5u);
    EXPECT_FALSE(api::decode_query_replies(R"({"events":[]})", false, decoded, error));
    EXPECT_FALSE(
        api::decode_query_replies(R"({"events":[1],"snapshot_seq":1})", false, decoded, error));
    EXPECT_FALSE(api::decode_query_replies("<html>", false, decoded, error));
    EXPECT_THAT(error, StartsWith("bad answer to POST /query"));
    // A single answer may not be an error object; in a batch each answer may.
    EXPECT_FALSE(api::decode_query_replies(R"({"error":"x"})", false, decoded, error));
    std::string batch =
        "[" + body + R"(,{"error":"invalid: nope"},)" + api::encode_query_reply({}, 3) + "]";
    ASSERT_TRUE(api::decode_query_replies(batch, true, decoded, error)) << error;
    ASSERT_EQ(decoded.size(), 3u);
    EXPECT_EQ(decoded[0].events, events);
    EXPECT_EQ(decoded[1].error, "invalid: nope");
    EXPECT_EQ(decoded[2].snapshot_seq, 3u);
    EXPECT_FALSE(api::decode_query_replies(body, true, decoded, error));
}

TEST(ApiJson, CountReplyAndErrors) {
    EXPECT_EQ(api::encode_count_reply(3, ""), R"({"count":3})");
    EXPECT_EQ(api::encode_count_reply(4, "00ff"), R"({"count":4,"hll":"00ff"})");
    uint64_t count = 0;
    std::string hll, error;
    ASSERT_TRUE(api::decode_count_reply(R"({"count":4,"hll":"00ff"})", count, hll, error));
    EXPECT_EQ(count, 4u);
    EXPECT_EQ(hll, "00ff");
    ASSERT_TRUE(api::decode_count_reply(R"({"count":0})", count, hll, error));
    EXPECT_EQ(hll, "");
    EXPECT_FALSE(api::decode_count_reply(R"({"n":0})", count, hll, error));

    EXPECT_EQ(api::encode_error("error: \"x\""), R"({"error":"error: \"x\""})");
    EXPECT_EQ(api::decode_error(api::encode_error("error: \"x\"")), "error: \"x\"");
    EXPECT_EQ(api::decode_error("Bad Gateway"), "");
    EXPECT_EQ(api::decode_error(R"({"error":5})"), "");
}

}  // namespace
