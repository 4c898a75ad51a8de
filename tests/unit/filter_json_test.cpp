// filter_to_json / parse_filter_json: a filter the websocket-handler forwards to the event
// handler must parse back to the same filter, including the NIP-45 first tag value.
#include "nostr/filter_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "nostr/hex.h"

namespace {
using ::testing::StartsWith;

nostr::Filter parse(const std::string& json) {
    nostr::Filter filter;
    std::string error;
    EXPECT_TRUE(nostr::parse_filter_json(json, filter, error)) << json << ": " << error;
    return filter;
}

// parse(json) -> encode -> parse again must give the same filter.
void expect_round_trip(const std::string& json) {
    nostr::Filter first = parse(json);
    std::string encoded = nostr::filter_to_json(first);
    nostr::Filter second = parse(encoded);
    EXPECT_EQ(first, second) << json << " encoded as " << encoded;
}

const std::string kA(64, 'a'), kB(64, 'b'), kC(64, 'c');

TEST(FilterJson, EncodesEveryFieldCompactly) {
    nostr::Filter filter =
        parse(R"({"limit":5,"kinds":[7,1,1],"authors":[")" + kB + R"(",")" + kA + R"("],"ids":[")" +
              kC + R"("],"#t":["x","y"],"since":10,)" + R"("until":20})");
    EXPECT_EQ(nostr::filter_to_json(filter),
              R"({"ids":[")" + kC + R"("],"authors":[")" + kA + R"(",")" + kB +
                  R"("],"kinds":[1,7],"#t":["x","y"],"since":10,"until":20,"limit":5})");
}

TEST(FilterJson, EmptyFilterIsEmptyObject) {
    EXPECT_EQ(nostr::filter_to_json(nostr::Filter{}), "{}");
    EXPECT_EQ(nostr::filters_to_json({nostr::Filter{}, parse(R"({"limit":0})")}),
              R"([{},{"limit":0}])");
    EXPECT_EQ(nostr::filters_to_json({}), "[]");
}

TEST(FilterJson, EmptyListsStayPresent) {
    // An empty present list matches nothing; dropping it would match everything.
    nostr::Filter filter = parse(R"({"ids":[],"authors":[],"kinds":[],"#e":[]})");
    EXPECT_EQ(nostr::filter_to_json(filter), R"({"ids":[],"authors":[],"kinds":[],"#e":[]})");
    expect_round_trip(R"({"ids":[],"authors":[],"kinds":[],"#e":[]})");
}

TEST(FilterJson, FirstTagValueStaysFirst) {
    nostr::Filter filter = parse(R"({"#p":["zzz","aaa","mmm","aaa"]})");
    ASSERT_EQ(filter.tags.size(), 1u);
    EXPECT_EQ(filter.tags[0].first_value, "zzz");
    EXPECT_EQ(nostr::filter_to_json(filter), R"({"#p":["zzz","aaa","mmm"]})");
    nostr::Filter back = parse(nostr::filter_to_json(filter));
    EXPECT_EQ(back.tags[0].first_value, "zzz");
    EXPECT_EQ(back, filter);
}

TEST(FilterJson, TagOrderAndCaseArePreserved) {
    expect_round_trip(R"({"#t":["b"],"#E":["upper"],"#e":["lower"],"#t":["a"]})");
    nostr::Filter filter = parse(R"({"#t":["b"],"#E":["upper"],"#e":["lower"]})");
    EXPECT_EQ(nostr::filter_to_json(filter), R"({"#t":["b"],"#E":["upper"],"#e":["lower"]})");
}

TEST(FilterJson, EscapesTagValues) {
    std::string json = R"({"#t":["quote \" backslash \\ newline \n tab \t nul \u0000 é 🎉"]})";
    expect_round_trip(json);
    nostr::Filter filter = parse(json);
    EXPECT_EQ(filter.tags[0].values[0],
              std::string("quote \" backslash \\ newline \n tab \t nul ") + std::string(1, '\0') +
                  " é 🎉");
}

TEST(FilterJson, ExtremeNumbers) {
    expect_round_trip(R"({"since":-9223372036854775808,"until":9223372036854775807,)"
                      R"("limit":9223372036854775807,"kinds":[0,65535]})");
}

TEST(FilterJson, HandBuiltFilterWithoutFirstValue) {
    nostr::Filter filter;
    filter.tags.push_back({'e', {"b", "a"}, ""});
    filter.normalize();
    EXPECT_EQ(nostr::filter_to_json(filter), R"({"#e":["a","b"]})");
}

TEST(FilterJson, RandomFiltersRoundTrip) {
    std::mt19937_64 rng(20261124);
    auto hex = [&] {
        nostr::Bytes32 bytes;
        for (auto& b : bytes) b = static_cast<uint8_t>(rng());
        return nostr::to_hex(bytes);
    };
    for (int round = 0; round < 500; ++round) {
        std::string json = "{";
        auto field = [&](const std::string& text) {
            if (json.size() > 1) json += ',';
            json += text;
        };
        auto list = [&](auto make, int n) {
            std::string out = "[";
            for (int i = 0; i < n; ++i) out += (i ? "," : "") + make();
            return out + "]";
        };
        auto quoted_hex = [&] { return "\"" + hex() + "\""; };
        if (rng() % 2) field("\"ids\":" + list(quoted_hex, static_cast<int>(rng() % 4)));
        if (rng() % 2) field("\"authors\":" + list(quoted_hex, static_cast<int>(rng() % 4)));
        if (rng() % 2)
            field("\"kinds\":" +
                  list([&] { return std::to_string(rng() % 65536); }, static_cast<int>(rng() % 4)));
        for (int t = static_cast<int>(rng() % 3); t > 0; --t) {
            char letter = static_cast<char>((rng() % 2 ? 'a' : 'A') + rng() % 26);
            field(std::string("\"#") + letter + "\":" +
                  list([&] { return "\"v" + std::to_string(rng() % 5) + "\""; },
                       static_cast<int>(rng() % 4)));
        }
        if (rng() % 2)
            field("\"since\":" + std::to_string(static_cast<int64_t>(rng() % 2000) - 100));
        if (rng() % 2) field("\"until\":" + std::to_string(rng() % 2000));
        if (rng() % 2) field("\"limit\":" + std::to_string(rng() % 100));
        json += "}";
        expect_round_trip(json);
    }
}

TEST(FilterJson, ParseFiltersList) {
    std::vector<nostr::Filter> filters;
    std::string error;
    ASSERT_TRUE(nostr::parse_filters_json(R"([{"kinds":[1]},{}])", filters, error)) << error;
    ASSERT_EQ(filters.size(), 2u);
    EXPECT_EQ(filters[0].kinds, std::vector<uint32_t>{1});
    EXPECT_EQ(filters[1], nostr::Filter{});
    ASSERT_TRUE(nostr::parse_filters_json("[]", filters, error));
    EXPECT_TRUE(filters.empty());
}

TEST(FilterJson, ParseErrorsUseRequestMessages) {
    std::vector<nostr::Filter> filters;
    nostr::Filter filter;
    std::string error;
    EXPECT_FALSE(nostr::parse_filters_json("[{]", filters, error));
    EXPECT_EQ(error, "invalid: malformed JSON");
    EXPECT_FALSE(nostr::parse_filters_json(R"({"kinds":[1]})", filters, error));
    EXPECT_THAT(error, StartsWith("invalid: "));
    EXPECT_FALSE(nostr::parse_filters_json(R"([{"kinds":[1]}, 5])", filters, error));
    EXPECT_EQ(error, "invalid: filters must be JSON objects");
    EXPECT_FALSE(nostr::parse_filter_json(R"({"kinds":["1"]})", filter, error));
    EXPECT_EQ(error, "invalid: 'kinds' must hold integers between 0 and 65535");
    EXPECT_FALSE(nostr::parse_filter_json(R"({"search":"x"})", filter, error));
    EXPECT_EQ(error, "unsupported: unknown filter field 'search'");
}

}  // namespace
