// Store rules: what queries return and in which order (NIP-01 filters and limits).
#include <cctype>

#include "nostr/canonical.h"
#include "store_helpers.h"
#include "store_suite.h"
#include "test_events.h"

namespace store_test {
namespace {
using test_support::make_event;
using test_support::test_key;
using Ids = std::vector<std::string>;

TEST_P(StoreSuite, StoresAndReturnsAnEvent) {
    auto event = make_event(test_key(1), 1, kNow - 10, {}, "hello");
    auto result = put_one(*store_, event);
    EXPECT_EQ(result.outcome, store::PutOutcome::stored);
    EXPECT_TRUE(result.accepted());
    std::string json;
    store_->query({filter("{}")}, {100, 100, kNow}, [&](std::string_view j) {
        json = j;
        return true;
    });
    EXPECT_EQ(json, event.json);
    EXPECT_EQ(store_->size(), 1u);
}

TEST_P(StoreSuite, DuplicateIsAcceptedWithDuplicatePrefix) {
    auto event = make_event(test_key(1), 1, kNow - 10);
    put_one(*store_, event);
    auto result = put_one(*store_, event);
    EXPECT_EQ(result.outcome, store::PutOutcome::duplicate);
    EXPECT_TRUE(result.accepted());
    EXPECT_EQ(result.message.rfind("duplicate:", 0), 0u);
    EXPECT_EQ(store_->size(), 1u);
}

TEST_P(StoreSuite, DuplicateWithinOneBatch) {
    auto event = make_event(test_key(1), 1, kNow - 10);
    auto results = put_all(*store_, {event, event});
    EXPECT_EQ(results[0].outcome, store::PutOutcome::stored);
    EXPECT_EQ(results[1].outcome, store::PutOutcome::duplicate);
}

TEST_P(StoreSuite, NewestFirstTiesByLowestId) {
    std::vector<nostr::Event> events;
    for (int i = 0; i < 6; ++i) events.push_back(make_event(test_key(1), 1, kNow - 100 + (i / 2), {}, "e" + std::to_string(i)));
    put_all(*store_, events);
    std::vector<nostr::Event> expected = events;
    std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
        return a.created_at != b.created_at ? a.created_at > b.created_at : a.id < b.id;
    });
    Ids expected_ids;
    for (const auto& e : expected) expected_ids.push_back(hex(e));
    EXPECT_EQ(query_ids(*store_, filter("{}")), expected_ids);
    // limit = the newest n in that order, through every index path
    Ids first3(expected_ids.begin(), expected_ids.begin() + 3);
    EXPECT_EQ(query_ids(*store_, filter("{\"limit\":3}")), first3);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1],\"limit\":3}")), first3);
    std::string author = nostr::to_hex(test_key(1).pubkey);
    EXPECT_EQ(query_ids(*store_, filter("{\"authors\":[\"" + author + "\"],\"limit\":3}")), first3);
    EXPECT_EQ(query_ids(*store_, filter("{\"authors\":[\"" + author + "\"],\"kinds\":[1],\"limit\":3}")),
              first3);
}

// One second, ids sharing their first 8 bytes and stored highest id first: the LMDB index
// keys order by those 8 bytes and then by storage order, so only the full id can put these
// right, inside one index scan, across the scans of one filter, and across filters.
TEST_P(StoreSuite, TiesByLowestIdWhenIdsShareTheirFirstBytes) {
    auto with_id = [](nostr::Event event, uint8_t fill, uint8_t ninth) {
        event.id.fill(fill);
        event.id[8] = ninth;
        event.json = nostr::serialize_event(event);  // the id as stored and sent
        return event;
    };
    std::vector<nostr::Event> tied;
    for (int i = 0; i < 4; ++i)
        tied.push_back(with_id(make_event(test_key(1), 1, kNow - 10,
                                          {{"t", i % 2 ? "odd" : "even"}, {"t", "all"}},
                                          "tie " + std::to_string(i)),
                               0x5a, static_cast<uint8_t>(0xf0 - 0x10 * i)));
    auto below = with_id(make_event(test_key(2), 1, kNow - 10, {}, "below"), 0x00, 0);
    auto above = with_id(make_event(test_key(2), 1, kNow - 10, {}, "above"), 0xff, 0);
    auto newer = make_event(test_key(2), 1, kNow - 5, {}, "newer");
    std::vector<nostr::Event> all = tied;
    for (const auto& e : {above, newer, below}) all.push_back(e);
    for (const auto& r : put_all(*store_, all))
        ASSERT_EQ(r.outcome, store::PutOutcome::stored) << r.message;

    Ids order{hex(newer), hex(below), hex(tied[3]), hex(tied[2]),
              hex(tied[1]), hex(tied[0]), hex(above)};
    EXPECT_EQ(query_ids(*store_, filter("{}")), order);
    EXPECT_EQ(query_ids(*store_, filter("{\"limit\":3}")), Ids(order.begin(), order.begin() + 3));
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"all\"],\"limit\":1}")), Ids{hex(tied[3])});
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"odd\",\"even\",\"all\"]}")),
              Ids(order.begin() + 2, order.begin() + 6));
    EXPECT_EQ(query_ids(*store_, {filter("{\"ids\":[\"" + hex(tied[0]) + "\"]}"),
                                  filter("{\"#t\":[\"odd\"]}")}),
              (Ids{hex(tied[3]), hex(tied[1]), hex(tied[0])}));
    EXPECT_EQ(query_ids(*store_, filter("{\"ids\":[\"" + hex(tied[0]) + "\",\"" + hex(above) +
                                        "\",\"" + hex(tied[2]) + "\"]}")),
              (Ids{hex(tied[2]), hex(tied[0]), hex(above)}));
    EXPECT_EQ(store_->count({filter("{\"#t\":[\"all\",\"odd\"]}")}, kNow), 4u);
}

// Tag values that spell an id (64 lowercase hex digits) are kept as the bytes they spell in
// LMDB's tag index; other spellings of the same bytes must not match them.
TEST_P(StoreSuite, HexTagValuesMatchOnlyTheirExactSpelling) {
    std::string lower = nostr::to_hex(nostr::sha256("tagged"));
    std::string upper = lower;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto e1 = make_event(test_key(1), 1, kNow - 40, {{"e", lower}});
    auto e2 = make_event(test_key(1), 1, kNow - 30, {{"e", upper}});
    auto e3 = make_event(test_key(1), 1, kNow - 20, {{"e", lower.substr(0, 63)}});
    auto e4 = make_event(test_key(1), 1, kNow - 10, {{"p", lower}});
    put_all(*store_, {e1, e2, e3, e4});
    EXPECT_EQ(query_ids(*store_, filter("{\"#e\":[\"" + lower + "\"]}")), Ids{hex(e1)});
    EXPECT_EQ(query_ids(*store_, filter("{\"#e\":[\"" + upper + "\"]}")), Ids{hex(e2)});
    EXPECT_EQ(query_ids(*store_, filter("{\"#e\":[\"" + lower.substr(0, 63) + "\"]}")),
              Ids{hex(e3)});
    EXPECT_EQ(query_ids(*store_, filter("{\"#p\":[\"" + lower + "\"]}")), Ids{hex(e4)});
    ASSERT_TRUE(store_->erase(e1.id));
    EXPECT_EQ(query_ids(*store_, filter("{\"#e\":[\"" + lower + "\"]}")), Ids{});
    EXPECT_EQ(query_ids(*store_, filter("{\"#e\":[\"" + upper + "\"]}")), Ids{hex(e2)});
}

// Authors, and ids or pubkeys in tags, that share their first 8 bytes: LMDB's indexes keep
// only those 8 bytes, so every answer must still tell them apart, with limits counting only
// real matches, and replaceable events of the two authors must not take each other's slot.
TEST_P(StoreSuite, ValuesSharingTheirFirstBytesStayApart) {
    nostr::Bytes32 a, b;
    a.fill(0x11);
    b.fill(0x11);
    b[31] = 0x22;
    std::string ha = nostr::to_hex(a), hb = nostr::to_hex(b);
    auto by = [](const nostr::Bytes32& pubkey, uint32_t kind, int64_t age, nostr::Tag tag) {
        auto event = make_event(test_key(1), kind, kNow - age, {std::move(tag)},
                                "by " + nostr::to_hex(pubkey) + std::to_string(age));
        event.pubkey = pubkey;
        event.json = nostr::serialize_event(event);
        return event;
    };
    auto a1 = by(a, 1, 50, {"p", hb}), b1 = by(b, 1, 40, {"p", ha}), a2 = by(a, 1, 30, {"e", hb});
    auto b2 = by(b, 1, 20, {"e", ha}), a0 = by(a, 0, 10, {"t", "x"}), b0 = by(b, 0, 5, {"t", "x"});
    for (const auto& r : put_all(*store_, {a1, b1, a2, b2, a0, b0}))
        ASSERT_EQ(r.outcome, store::PutOutcome::stored) << r.message;

    auto q = [&](const std::string& json) { return query_ids(*store_, filter(json)); };
    EXPECT_EQ(q("{\"authors\":[\"" + ha + "\"]}"), (Ids{hex(a0), hex(a2), hex(a1)}));
    EXPECT_EQ(q("{\"authors\":[\"" + hb + "\"],\"limit\":2}"), (Ids{hex(b0), hex(b2)}));
    EXPECT_EQ(q("{\"authors\":[\"" + ha + "\"],\"kinds\":[1],\"limit\":1}"), Ids{hex(a2)});
    EXPECT_EQ(q("{\"authors\":[\"" + ha + "\",\"" + hb + "\"],\"kinds\":[0]}"),
              (Ids{hex(b0), hex(a0)}));
    EXPECT_EQ(q("{\"#p\":[\"" + ha + "\"]}"), Ids{hex(b1)});
    EXPECT_EQ(q("{\"#e\":[\"" + hb + "\"],\"limit\":1}"), Ids{hex(a2)});
    EXPECT_EQ(q("{\"#e\":[\"" + ha + "\",\"" + hb + "\"]}"), (Ids{hex(b2), hex(a2)}));
    EXPECT_EQ(store_->count({filter("{\"authors\":[\"" + ha + "\"]}")}, kNow), 3u);
}

TEST_P(StoreSuite, LimitZeroReturnsNothing) {
    put_one(*store_, make_event(test_key(1), 1, kNow - 10));
    EXPECT_TRUE(query_ids(*store_, filter("{\"limit\":0}")).empty());
}

// A REQ with limit 0 stays live: its answer must still say which commit it saw, or the live
// copy of an event stored just before the REQ, arriving while the REQ waits, goes out as new.
TEST_P(StoreSuite, LimitZeroStillReportsTheCommitItSaw) {
    std::vector<store::PutResult> results;
    auto a = make_event(test_key(1), 1, kNow - 30);
    const nostr::Event* batch[] = {&a};
    uint64_t committed = store_->put(batch, results);
    ASSERT_GT(committed, 0u);
    bool called = false;
    std::vector<nostr::Filter> filters{filter("{\"limit\":0}"),
                                       filter("{\"kinds\":[1],\"limit\":0}")};
    uint64_t seen = store_->query(filters, {}, [&](std::string_view) { return called = true; });
    EXPECT_FALSE(called);
    EXPECT_EQ(seen, committed);
}

TEST_P(StoreSuite, MaxLimitCapsAndDefaultLimitApplies) {
    std::vector<nostr::Event> events;
    for (int i = 0; i < 10; ++i) events.push_back(make_event(test_key(1), 1, kNow - i));
    put_all(*store_, events);
    EXPECT_EQ(query_ids(*store_, {filter("{\"limit\":8}")}, kNow, 5, 3).size(), 5u);
    EXPECT_EQ(query_ids(*store_, {filter("{}")}, kNow, 5, 3).size(), 3u);
    // max_limit also caps the default (NIP-11: the most one filter can return)
    EXPECT_EQ(query_ids(*store_, {filter("{}")}, kNow, 2, 3).size(), 2u);
}

TEST_P(StoreSuite, FiltersByIdsAuthorsKindsAndTime) {
    auto a = make_event(test_key(1), 1, kNow - 30);
    auto b = make_event(test_key(2), 7, kNow - 20);
    auto c = make_event(test_key(1), 7, kNow - 10);
    put_all(*store_, {a, b, c});
    std::string k1 = nostr::to_hex(test_key(1).pubkey);
    EXPECT_EQ(query_ids(*store_, filter("{\"ids\":[\"" + hex(a) + "\",\"" + hex(c) + "\"]}")),
              (Ids{hex(c), hex(a)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"authors\":[\"" + k1 + "\"]}")), (Ids{hex(c), hex(a)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[7]}")), (Ids{hex(c), hex(b)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[7],\"authors\":[\"" + k1 + "\"]}")), (Ids{hex(c)}));
    // since/until are inclusive at both ends
    EXPECT_EQ(query_ids(*store_, filter("{\"since\":" + std::to_string(kNow - 20) + "}")),
              (Ids{hex(c), hex(b)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"until\":" + std::to_string(kNow - 20) + "}")),
              (Ids{hex(b), hex(a)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"since\":" + std::to_string(kNow - 20) +
                                         ",\"until\":" + std::to_string(kNow - 20) + "}")),
              (Ids{hex(b)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"ids\":[\"" + hex(a) + "\"],\"kinds\":[7]}")), Ids{});
    EXPECT_EQ(query_ids(*store_, filter("{\"ids\":[]}")), Ids{});
    EXPECT_EQ(query_ids(*store_, filter("{\"until\":-1}")), Ids{});
}

TEST_P(StoreSuite, TagFiltersMatchFirstValueOrWithinAndAcross) {
    auto e1 = make_event(test_key(1), 1, kNow - 30, {{"t", "x"}, {"p", "alice"}});
    auto e2 = make_event(test_key(1), 1, kNow - 20, {{"t", "y"}});
    auto e3 = make_event(test_key(1), 1, kNow - 10, {{"t", "z", "x"}});  // x is not first
    auto e4 = make_event(test_key(1), 1, kNow - 5, {{"t"}, {"T", "x"}});  // no value; other case
    put_all(*store_, {e1, e2, e3, e4});
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"x\"]}")), (Ids{hex(e1)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"x\",\"y\"]}")), (Ids{hex(e2), hex(e1)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"x\",\"y\"],\"#p\":[\"alice\"]}")), (Ids{hex(e1)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"y\"],\"#p\":[\"alice\"]}")), Ids{});
    EXPECT_EQ(query_ids(*store_, filter("{\"#T\":[\"x\"]}")), (Ids{hex(e4)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"x\"],\"kinds\":[2]}")), Ids{});
}

TEST_P(StoreSuite, EventWithRepeatedTagIsReturnedOnce) {
    auto e = make_event(test_key(1), 1, kNow - 30, {{"t", "x"}, {"t", "x"}, {"t", "y"}});
    put_one(*store_, e);
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"x\",\"y\"]}")), (Ids{hex(e)}));
    EXPECT_EQ(store_->count({filter("{\"#t\":[\"x\",\"y\"]}")}, kNow), 1u);
}

TEST_P(StoreSuite, LongTagValuesAreStoredAndFound) {
    std::string medium(300, 'm'), huge(5000, 'h');
    auto e1 = make_event(test_key(1), 1, kNow - 30, {{"r", medium}});
    auto e2 = make_event(test_key(1), 1, kNow - 20, {{"r", huge}});
    auto e3 = make_event(test_key(1), 1, kNow - 10, {{"r", huge + "x"}});
    auto results = put_all(*store_, {e1, e2, e3});
    for (const auto& r : results) EXPECT_EQ(r.outcome, store::PutOutcome::stored) << r.message;
    EXPECT_EQ(query_ids(*store_, filter("{\"#r\":[\"" + medium + "\"]}")), (Ids{hex(e1)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"#r\":[\"" + huge + "\"]}")), (Ids{hex(e2)}));
}

TEST_P(StoreSuite, SeveralFiltersAreOredWithoutRepeats) {
    auto a = make_event(test_key(1), 1, kNow - 30);
    auto b = make_event(test_key(2), 1, kNow - 20);
    auto c = make_event(test_key(3), 7, kNow - 10);
    put_all(*store_, {a, b, c});
    std::string k1 = nostr::to_hex(test_key(1).pubkey);
    // each filter keeps its own limit; the union is sent newest first, each event once
    EXPECT_EQ(query_ids(*store_, {filter("{\"kinds\":[1]}"), filter("{\"authors\":[\"" + k1 + "\"]}"),
                                  filter("{\"kinds\":[7],\"limit\":1}")}),
              (Ids{hex(c), hex(b), hex(a)}));
    EXPECT_EQ(query_ids(*store_, {filter("{\"kinds\":[1],\"limit\":1}"), filter("{\"kinds\":[7]}")}),
              (Ids{hex(c), hex(b)}));
    EXPECT_EQ(store_->count({filter("{\"kinds\":[1]}"), filter("{}")}, kNow), 3u);
}

TEST_P(StoreSuite, QueryReportsTheCommitItSaw) {
    std::vector<store::PutResult> results;
    auto a = make_event(test_key(1), 1, kNow - 30);
    const nostr::Event* batch[] = {&a};
    uint64_t first = store_->put(batch, results);
    auto b = make_event(test_key(1), 1, kNow - 20);
    const nostr::Event* batch2[] = {&b};
    uint64_t second = store_->put(batch2, results);
    EXPECT_GT(second, first);
    uint64_t seen = store_->query({filter("{}")}, {}, [](std::string_view) { return true; });
    EXPECT_EQ(seen, second);
}

TEST_P(StoreSuite, SinkCanStopTheQuery) {
    for (int i = 0; i < 5; ++i) put_one(*store_, make_event(test_key(1), 1, kNow - i));
    int calls = 0;
    store_->query({filter("{}")}, {100, 100, kNow}, [&](std::string_view) { return ++calls < 2; });
    EXPECT_EQ(calls, 2);
}

TEST_P(StoreSuite, EraseRemovesFromEveryIndex) {
    auto e = make_event(test_key(1), 30000, kNow - 30, {{"d", "x"}, {"t", "y"}});
    put_one(*store_, e);
    EXPECT_TRUE(store_->erase(e.id));
    EXPECT_FALSE(store_->erase(e.id));
    EXPECT_EQ(store_->size(), 0u);
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"y\"]}")), Ids{});
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[30000]}")), Ids{});
    // the slot is free again: an older version is now accepted
    auto older = make_event(test_key(1), 30000, kNow - 60, {{"d", "x"}});
    EXPECT_EQ(put_one(*store_, older).outcome, store::PutOutcome::stored);
}

TEST_P(StoreSuite, SurvivesReopen) {
    auto e = make_event(test_key(1), 1, kNow - 30, {{"t", "keep"}});
    put_one(*store_, e);
    auto reopened = GetParam().reopen(std::move(store_));
    ASSERT_TRUE(reopened);
    store_ = std::move(reopened);
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"keep\"]}")), (Ids{hex(e)}));
}

TEST_P(StoreSuite, SettingsAreReplacedByNameAndSurviveReopen) {
    EXPECT_EQ(store_->get_setting("wot"), std::nullopt);
    store_->put_setting("wot", std::string("first\0binary", 12));
    store_->put_setting("other", "x");
    store_->put_setting("wot", std::string("second\0\xff", 8));
    auto reopened = GetParam().reopen(std::move(store_));
    ASSERT_TRUE(reopened);
    store_ = std::move(reopened);
    EXPECT_EQ(store_->get_setting("wot"), std::string("second\0\xff", 8));
    EXPECT_EQ(store_->get_setting("other"), "x");
    EXPECT_EQ(store_->size(), 0u);  // settings are not events
}

TEST_P(StoreSuite, DecidedRunsOnceWithTheBatchOutcomesAndSequence) {
    auto event = make_event(test_key(1), 1, kNow - 10);
    auto newer = make_event(test_key(2), 0, kNow - 10);
    auto older = make_event(test_key(2), 0, kNow - 20);
    std::vector<const nostr::Event*> batch{&event, &event, &newer, &older};
    std::vector<store::PutResult> results;
    int calls = 0;
    uint64_t decided_seq = 0;
    std::vector<store::PutOutcome> decided_outcomes;
    uint64_t seq = store_->put(batch, results, [&](uint64_t s) {
        ++calls;
        decided_seq = s;
        for (const auto& result : results) decided_outcomes.push_back(result.outcome);
    });
    using store::PutOutcome;
    const std::vector<PutOutcome> expected{PutOutcome::stored, PutOutcome::duplicate,
                                           PutOutcome::stored, PutOutcome::superseded};
    EXPECT_EQ(calls, 1);
    EXPECT_GT(seq, 0u);
    EXPECT_EQ(decided_seq, seq);
    EXPECT_EQ(decided_outcomes, expected);
    ASSERT_EQ(results.size(), 4u);
    for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i].outcome, expected[i]) << i;
}

}  // namespace
}  // namespace store_test
