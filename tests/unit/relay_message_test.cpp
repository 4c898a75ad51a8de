// relay_message encoders: the exact frames sent to clients.
#include "nostr/relay_message.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "test_events.h"

namespace {
namespace rm = nostr::relay_message;

const std::string kIdHex = "5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36";

TEST(RelayMessageTest, Ok) {
    EXPECT_EQ(rm::ok(kIdHex, true, ""), "[\"OK\",\"" + kIdHex + "\",true,\"\"]");
    EXPECT_EQ(rm::ok(kIdHex, false, "invalid: bad \"sig\""),
              "[\"OK\",\"" + kIdHex + R"(",false,"invalid: bad \"sig\""])");
    EXPECT_EQ(rm::ok(test_support::bytes32_from_hex(kIdHex), true, "duplicate: have it"),
              "[\"OK\",\"" + kIdHex + R"(",true,"duplicate: have it"])");
}

TEST(RelayMessageTest, EventSplicesTheJsonVerbatim) {
    nostr::Event event = test_support::make_event(test_support::test_key(3), 1, 1700000000,
                                                  {{"t", "x"}}, "line\nbreak");
    EXPECT_EQ(rm::event("sub1", event.json), "[\"EVENT\",\"sub1\"," + event.json + "]");
    EXPECT_EQ(rm::event("sub1", R"({"a":1})"), R"(["EVENT","sub1",{"a":1}])");
}

TEST(RelayMessageTest, Eose) {
    EXPECT_EQ(rm::eose("sub1"), R"(["EOSE","sub1"])");
}

TEST(RelayMessageTest, Closed) {
    EXPECT_EQ(rm::closed("sub1", "error: shutting down idle subscription"),
              R"(["CLOSED","sub1","error: shutting down idle subscription"])");
}

TEST(RelayMessageTest, Notice) {
    EXPECT_EQ(rm::notice("invalid: malformed JSON"), R"(["NOTICE","invalid: malformed JSON"])");
    EXPECT_EQ(rm::notice(""), R"(["NOTICE",""])");
}

TEST(RelayMessageTest, CountWithoutHll) {
    EXPECT_EQ(rm::count("q1", 0), R"(["COUNT","q1",{"count":0}])");
    EXPECT_EQ(rm::count("q1", 93412452), R"(["COUNT","q1",{"count":93412452}])");
    EXPECT_EQ(rm::count("q1", UINT64_MAX), R"(["COUNT","q1",{"count":18446744073709551615}])");
    EXPECT_EQ(rm::count("q1", 5, ""), R"(["COUNT","q1",{"count":5}])");
}

TEST(RelayMessageTest, CountWithHll) {
    std::string hll;
    for (int i = 0; i < 256; ++i) hll += "0a";
    EXPECT_EQ(rm::count("q1", 16578, hll),
              R"(["COUNT","q1",{"count":16578,"hll":")" + hll + "\"}]");
}

TEST(RelayMessageTest, SubscriptionIdsAreEscaped) {
    const std::string id = "a\"b\\c\n\x01/";
    const std::string quoted = R"("a\"b\\c\n\u0001/")";
    EXPECT_EQ(rm::event(id, "{}"), "[\"EVENT\"," + quoted + ",{}]");
    EXPECT_EQ(rm::eose(id), "[\"EOSE\"," + quoted + "]");
    EXPECT_EQ(rm::closed(id, "error: x"), "[\"CLOSED\"," + quoted + ",\"error: x\"]");
    EXPECT_EQ(rm::count(id, 1), "[\"COUNT\"," + quoted + ",{\"count\":1}]");
    EXPECT_EQ(rm::count(id, 1, "00"), "[\"COUNT\"," + quoted + ",{\"count\":1,\"hll\":\"00\"}]");
}

TEST(RelayMessageTest, MessagesAreEscaped) {
    EXPECT_EQ(rm::notice("say \"hi\"\t\\ \xc3\xa9"),
              "[\"NOTICE\",\"say \\\"hi\\\"\\t\\\\ \xc3\xa9\"]");
    EXPECT_EQ(rm::closed("s", "a\"b"), R"(["CLOSED","s","a\"b"])");
    EXPECT_EQ(rm::ok(kIdHex, false, "x\ny"), "[\"OK\",\"" + kIdHex + R"(",false,"x\ny"])");
}

}  // namespace
