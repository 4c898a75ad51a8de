// POST /query's line answer: events come back byte for byte, whatever their content needs
// escaped, and every malformed body is refused rather than misread.
#include "services/api_query_lines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_events.h"

namespace {
namespace api = services::api;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<api::QueryReply> decode_ok(std::string_view body, size_t queries) {
    std::vector<api::QueryReply> out;
    std::string error;
    EXPECT_TRUE(api::decode_query_lines(body, queries, out, error)) << error;
    return out;
}

std::string decode_error(std::string_view body, size_t queries) {
    std::vector<api::QueryReply> out{api::QueryReply{}};
    std::string error;
    EXPECT_FALSE(api::decode_query_lines(body, queries, out, error)) << body;
    EXPECT_TRUE(out.empty());
    EXPECT_THAT(error, StartsWith("bad answer to POST /query: "));
    return error;
}

TEST(ApiQueryLines, OneQueryRoundTripsEventsByteForByte) {
    std::vector<std::string> events = test_support::events_needing_escapes();
    std::string body;
    api::append_query_lines(body, events, 77);
    // One header line and one line per event: escaped newlines stay escaped.
    EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), long(events.size() + 1));
    EXPECT_THAT(body, StartsWith("{\"snapshot_seq\":77,\"events\":6}\n"));
    auto decoded = decode_ok(body, 1);
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_EQ(decoded[0].events, events);
    EXPECT_EQ(decoded[0].snapshot_seq, 77u);
    EXPECT_EQ(decoded[0].error, "");
}

TEST(ApiQueryLines, BatchWithErrorsAndEmptyAnswersRoundTrips) {
    std::vector<std::string> events = test_support::events_needing_escapes();
    std::string body;
    api::append_query_lines(body, events, 9);
    api::append_query_error_line(body, "invalid: \"quoted\"\nnewline");
    api::append_query_lines(body, {}, 3);
    api::append_query_lines(body, {events[1]}, 4);
    auto decoded = decode_ok(body, 4);
    ASSERT_EQ(decoded.size(), 4u);
    EXPECT_EQ(decoded[0].events, events);
    EXPECT_EQ(decoded[1].error, "invalid: \"quoted\"\nnewline");
    EXPECT_TRUE(decoded[1].events.empty());
    EXPECT_TRUE(decoded[2].events.empty());
    EXPECT_EQ(decoded[2].snapshot_seq, 3u);
    EXPECT_EQ(decoded[3].events, std::vector<std::string>{events[1]});
    EXPECT_EQ(decoded[3].snapshot_seq, 4u);
    EXPECT_TRUE(decode_ok("", 0).empty());
}

TEST(ApiQueryLines, RefusesTruncatedBodies) {
    std::string body;
    api::append_query_lines(body, test_support::events_needing_escapes(), 1);
    // Cut inside a line, just before its newline, and at a line boundary.
    EXPECT_THAT(decode_error(body.substr(0, body.size() - 10), 1), HasSubstr("truncated"));
    EXPECT_THAT(decode_error(body.substr(0, body.size() - 1), 1), HasSubstr("truncated"));
    size_t last_line = body.rfind('\n', body.size() - 2) + 1;
    EXPECT_THAT(decode_error(body.substr(0, last_line), 1),
                HasSubstr("truncated: 6 events announced, 5 sent"));
    EXPECT_THAT(decode_error("", 1), HasSubstr("answers 0 of 1 queries"));
}

TEST(ApiQueryLines, RefusesLeftoverLinesAndWrongQueryCounts) {
    std::string one;
    api::append_query_lines(one, {test_support::events_needing_escapes()[0]}, 1);
    EXPECT_THAT(decode_error(one + one, 1), HasSubstr("lines left after the answers to 1"));
    EXPECT_THAT(decode_error(one + "\n", 1), HasSubstr("lines left"));
    EXPECT_THAT(decode_error(one, 2), HasSubstr("answers 1 of 2 queries"));
    EXPECT_THAT(decode_error(one, 0), HasSubstr("lines left after the answers to 0"));
}

TEST(ApiQueryLines, RefusesBadHeaders) {
    const char* headers[] = {
        "{\"snapshot_seq\":1}\n",                       // no count
        "{\"events\":0}\n",                             // no snapshot
        "{\"snapshot_seq\":-1,\"events\":0}\n",         // not a uint64
        "{\"snapshot_seq\":1,\"events\":\"0\"}\n",      // a string count
        "{\"snapshot_seq\":1,\"events\":0,\"x\":1}\n",  // an unknown key
        "{\"error\":5}\n",                              // error not a string
        "{\"error\":\"x\",\"events\":0}\n",             // both shapes
        "[]\n",                                         // not an object
        "{\"snapshot_seq\":1,\"events\":0\n",           // malformed
        "\n",                                           // empty
        "{\"snapshot_seq\":1,\"events\":0} {}\n",       // two documents
        "{\"events\":[],\"snapshot_seq\":1}\n",         // the JSON answer
    };
    for (const char* header : headers)
        EXPECT_THAT(decode_error(header, 1), HasSubstr("expected a header line")) << header;
}

TEST(ApiQueryLines, RefusesEventLinesThatAreNotObjects) {
    std::string event = test_support::events_needing_escapes()[0];
    for (std::string line : {std::string("5"), std::string("[]"), std::string("\"x\""),
                             std::string(""), event.substr(0, 20), event + " " + event})
        EXPECT_THAT(decode_error("{\"snapshot_seq\":1,\"events\":1}\n" + line + "\n", 1),
                    HasSubstr("an event line is not a JSON object"))
            << line;
}

// A header whose count is wrong misaligns the lines: an event line is never a header, and a
// header line would be left over or missing.
TEST(ApiQueryLines, RefusesCountMismatches) {
    std::vector<std::string> events = test_support::events_needing_escapes();
    std::string second;
    api::append_query_lines(second, {events[0]}, 2);
    std::string body =
        "{\"snapshot_seq\":1,\"events\":1}\n" + events[0] + "\n" + events[1] + "\n" + second;
    EXPECT_THAT(decode_error(body, 2), HasSubstr("expected a header line"));
    // Too high: the next header is read as an event (it is an object), then the lines run out
    // or an event is read as the next header.
    body = "{\"snapshot_seq\":1,\"events\":4}\n" + events[0] + "\n" + events[1] + "\n" + second;
    EXPECT_THAT(decode_error(body, 2), HasSubstr("answers 1 of 2 queries"));
    body = "{\"snapshot_seq\":1,\"events\":3}\n" + events[0] + "\n" + events[1] + "\n" + second;
    EXPECT_THAT(decode_error(body, 2), HasSubstr("expected a header line"));
    body = "{\"snapshot_seq\":1,\"events\":1}\n" + events[0] + "\n" + events[1] + "\n";
    EXPECT_THAT(decode_error(body, 1), HasSubstr("lines left"));
    // An absurd count is refused like any other, not trusted for a reservation that throws.
    body = "{\"snapshot_seq\":1,\"events\":18446744073709551615}\n" + events[0] + "\n";
    EXPECT_THAT(decode_error(body, 1), HasSubstr("truncated"));
}

TEST(ApiQueryLines, AcceptHeader) {
    EXPECT_TRUE(api::accepts_query_lines("application/x-ndjson"));
    EXPECT_TRUE(api::accepts_query_lines("application/json, application/x-ndjson;q=0.9"));
    EXPECT_FALSE(api::accepts_query_lines(""));
    EXPECT_FALSE(api::accepts_query_lines("application/json"));
    EXPECT_FALSE(api::accepts_query_lines("*/*"));
}

}  // namespace
