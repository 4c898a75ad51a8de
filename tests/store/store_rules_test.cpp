// Store rules: replaceable and addressable events (NIP-01), deletion requests (NIP-09),
// expiration (NIP-40) and NIP-45 counts.
#include "nostr/canonical.h"
#include "store_helpers.h"
#include "store_suite.h"
#include "test_events.h"

namespace store_test {
namespace {
using store::PutOutcome;
using test_support::make_event;
using test_support::test_key;
using Ids = std::vector<std::string>;

std::string author_filter(int key, uint32_t kind) {
    return "{\"authors\":[\"" + nostr::to_hex(test_key(key).pubkey) + "\"],\"kinds\":[" +
           std::to_string(kind) + "]}";
}

TEST_P(StoreSuite, ReplaceableKeepsOnlyNewest) {
    for (uint32_t kind : {0u, 3u, 10002u, 19999u}) {
        auto old_version = make_event(test_key(1), kind, kNow - 20, {}, "old");
        auto new_version = make_event(test_key(1), kind, kNow - 10, {}, "new");
        EXPECT_EQ(put_one(*store_, old_version).outcome, PutOutcome::stored);
        EXPECT_EQ(put_one(*store_, new_version).outcome, PutOutcome::stored);
        EXPECT_EQ(query_ids(*store_, filter(author_filter(1, kind))), (Ids{hex(new_version)}))
            << "kind " << kind;
        // an older version arriving later is refused with OK false
        auto late = put_one(*store_, make_event(test_key(1), kind, kNow - 15, {}, "late"));
        EXPECT_EQ(late.outcome, PutOutcome::superseded);
        EXPECT_FALSE(late.accepted());
        EXPECT_FALSE(late.message.empty());
        EXPECT_EQ(query_ids(*store_, filter(author_filter(1, kind))), (Ids{hex(new_version)}));
    }
}

TEST_P(StoreSuite, RegularKindsAreNotReplaced) {
    put_one(*store_, make_event(test_key(1), 1, kNow - 20));
    put_one(*store_, make_event(test_key(1), 1, kNow - 10));
    put_one(*store_, make_event(test_key(1), 9999, kNow - 20));
    put_one(*store_, make_event(test_key(1), 9999, kNow - 10));
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 1))).size(), 2u);
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 9999))).size(), 2u);
}

TEST_P(StoreSuite, ReplaceableIsPerAuthorAndKind) {
    put_one(*store_, make_event(test_key(1), 0, kNow - 20));
    put_one(*store_, make_event(test_key(2), 0, kNow - 10));
    put_one(*store_, make_event(test_key(1), 3, kNow - 10));
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[0,3]}")).size(), 3u);
}

TEST_P(StoreSuite, EqualTimestampKeepsLowestId) {
    auto a = make_event(test_key(1), 0, kNow - 10, {}, "a");
    auto b = make_event(test_key(1), 0, kNow - 10, {}, "b");
    const auto& low = a.id < b.id ? a : b;
    const auto& high = a.id < b.id ? b : a;
    // high first, then low replaces it
    EXPECT_EQ(put_one(*store_, high).outcome, PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, low).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 0))), (Ids{hex(low)}));
    // and high is refused once low is stored
    store_->erase(low.id);
    EXPECT_EQ(put_one(*store_, low).outcome, PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, high).outcome, PutOutcome::superseded);
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 0))), (Ids{hex(low)}));
}

TEST_P(StoreSuite, AddressableIsKeyedByDTag) {
    auto x1 = make_event(test_key(1), 30023, kNow - 30, {{"d", "x"}}, "x1");
    auto x2 = make_event(test_key(1), 30023, kNow - 20, {{"d", "x"}}, "x2");
    auto y1 = make_event(test_key(1), 30023, kNow - 25, {{"d", "y"}}, "y1");
    auto none1 = make_event(test_key(1), 30023, kNow - 40, {}, "no d");
    auto empty2 = make_event(test_key(1), 30023, kNow - 35, {{"d", ""}}, "empty d");
    auto results = put_all(*store_, {x1, x2, y1, none1, empty2});
    for (const auto& r : results) EXPECT_EQ(r.outcome, PutOutcome::stored) << r.message;
    // missing d tag and empty d tag are the same slot: the newer (empty2) wins
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 30023))),
              (Ids{hex(x2), hex(y1), hex(empty2)}));
    EXPECT_EQ(put_one(*store_, make_event(test_key(1), 30023, kNow - 50, {}, "older")).outcome,
              PutOutcome::superseded);
    // same d under another kind or author is another slot
    EXPECT_EQ(put_one(*store_, make_event(test_key(1), 30024, kNow - 50, {{"d", "x"}})).outcome,
              PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, make_event(test_key(2), 30023, kNow - 50, {{"d", "x"}})).outcome,
              PutOutcome::stored);
}

TEST_P(StoreSuite, ReplacementWithinOneBatch) {
    auto older = make_event(test_key(1), 10002, kNow - 20);
    auto newer = make_event(test_key(1), 10002, kNow - 10);
    auto results = put_all(*store_, {newer, older});
    EXPECT_EQ(results[0].outcome, PutOutcome::stored);
    EXPECT_EQ(results[1].outcome, PutOutcome::superseded);
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 10002))), (Ids{hex(newer)}));
}

TEST_P(StoreSuite, DeletionByEventIdFromTheAuthor) {
    auto target = make_event(test_key(1), 1, kNow - 30, {{"t", "gone"}});
    auto other = make_event(test_key(1), 1, kNow - 25);
    put_all(*store_, {target, other});
    auto request = make_event(test_key(1), 5, kNow - 20, {{"e", hex(target)}, {"k", "1"}});
    EXPECT_EQ(put_one(*store_, request).outcome, PutOutcome::stored);
    // the target is gone from every index, the request itself is stored
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), (Ids{hex(other)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"#t\":[\"gone\"]}")), Ids{});
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[5]}")), (Ids{hex(request)}));
    // and the deleted event cannot come back
    auto again = put_one(*store_, target);
    EXPECT_EQ(again.outcome, PutOutcome::deleted);
    EXPECT_FALSE(again.accepted());
    EXPECT_EQ(again.message.rfind("blocked:", 0), 0u);
}

TEST_P(StoreSuite, DeletionByAnotherAuthorHasNoEffect) {
    auto target = make_event(test_key(1), 1, kNow - 30);
    put_one(*store_, target);
    auto request = make_event(test_key(2), 5, kNow - 20, {{"e", hex(target)}});
    EXPECT_EQ(put_one(*store_, request).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), (Ids{hex(target)}));
}

TEST_P(StoreSuite, DeletionBeforeTheEventArrives) {
    auto target = make_event(test_key(1), 1, kNow - 30);
    put_one(*store_, make_event(test_key(1), 5, kNow - 20, {{"e", hex(target)}}));
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::deleted);
    // an event with that id by someone else is impossible, but the check is by author:
    // a deletion by another author does not block
    auto other = make_event(test_key(3), 1, kNow - 30);
    put_one(*store_, make_event(test_key(2), 5, kNow - 20, {{"e", hex(other)}}));
    EXPECT_EQ(put_one(*store_, other).outcome, PutOutcome::stored);
}

// Tombstones by id are per deleter: a request by another author naming an id that is not
// stored must not replace or lift the author's own tombstone.
TEST_P(StoreSuite, DeletionByAnotherAuthorKeepsTheAuthorsTombstone) {
    auto target = make_event(test_key(1), 1, kNow - 30, {}, "one by one");
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, make_event(test_key(1), 5, kNow - 20, {{"e", hex(target)}})).outcome,
              PutOutcome::stored);
    // the target is gone, so this request names an id that is not stored
    EXPECT_EQ(put_one(*store_, make_event(test_key(2), 5, kNow - 10, {{"e", hex(target)}})).outcome,
              PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::deleted);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), Ids{});

    // the same, before the event ever arrives
    auto early = make_event(test_key(1), 1, kNow - 30, {}, "tombstone first");
    put_one(*store_, make_event(test_key(1), 5, kNow - 20, {{"e", hex(early)}}));
    put_one(*store_, make_event(test_key(2), 5, kNow - 10, {{"e", hex(early)}}));
    EXPECT_EQ(put_one(*store_, early).outcome, PutOutcome::deleted);

    // and all in one batch
    auto batched = make_event(test_key(1), 1, kNow - 30, {}, "one batch");
    auto results =
        put_all(*store_, {batched, make_event(test_key(1), 5, kNow - 20, {{"e", hex(batched)}}),
                          make_event(test_key(2), 5, kNow - 10, {{"e", hex(batched)}}), batched});
    EXPECT_EQ(results[0].outcome, PutOutcome::stored);
    EXPECT_EQ(results[3].outcome, PutOutcome::deleted);
    EXPECT_EQ(put_one(*store_, batched).outcome, PutOutcome::deleted);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), Ids{});
}

TEST_P(StoreSuite, DeletionByAnotherAuthorBeforeTheEventThenByTheAuthor) {
    auto target = make_event(test_key(1), 1, kNow - 30, {}, "one by one");
    // B names the id first: it is not stored yet, and B cannot delete A's events
    put_one(*store_, make_event(test_key(2), 5, kNow - 25, {{"e", hex(target)}}));
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), (Ids{hex(target)}));
    // A's own request deletes it and blocks it
    put_one(*store_, make_event(test_key(1), 5, kNow - 20, {{"e", hex(target)}}));
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), Ids{});
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::deleted);

    // and all in one batch
    auto batched = make_event(test_key(1), 1, kNow - 30, {}, "one batch");
    auto results =
        put_all(*store_, {make_event(test_key(2), 5, kNow - 25, {{"e", hex(batched)}}), batched,
                          make_event(test_key(1), 5, kNow - 20, {{"e", hex(batched)}}), batched});
    EXPECT_EQ(results[1].outcome, PutOutcome::stored);
    EXPECT_EQ(results[3].outcome, PutOutcome::deleted);
    EXPECT_EQ(put_one(*store_, batched).outcome, PutOutcome::deleted);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), Ids{});
}

TEST_P(StoreSuite, DeletionByAnotherAuthorOfAStoredEventNeitherDeletesNorBlocks) {
    auto target = make_event(test_key(1), 1, kNow - 30);
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::stored);
    EXPECT_EQ(put_one(*store_, make_event(test_key(2), 5, kNow - 20, {{"e", hex(target)}})).outcome,
              PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), (Ids{hex(target)}));
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::duplicate);
    // once gone for another reason it may be submitted again
    EXPECT_TRUE(store_->erase(target.id));
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), (Ids{hex(target)}));
    // the author's own request still works afterwards
    put_one(*store_, make_event(test_key(1), 5, kNow - 10, {{"e", hex(target)}}));
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), Ids{});
    EXPECT_EQ(put_one(*store_, target).outcome, PutOutcome::deleted);
}

TEST_P(StoreSuite, DeletingADeletionRequestHasNoEffect) {
    auto target = make_event(test_key(1), 1, kNow - 40);
    put_one(*store_, target);
    auto request = make_event(test_key(1), 5, kNow - 30, {{"e", hex(target)}});
    put_one(*store_, request);
    auto undo = make_event(test_key(1), 5, kNow - 20, {{"e", hex(request)}});
    put_one(*store_, undo);
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[5]}")), (Ids{hex(undo), hex(request)}));
    EXPECT_EQ(query_ids(*store_, filter("{\"kinds\":[1]}")), Ids{});
}

TEST_P(StoreSuite, DeletionByAddressUpToItsTimestamp) {
    std::string k1 = nostr::to_hex(test_key(1).pubkey);
    auto v1 = make_event(test_key(1), 30023, kNow - 30, {{"d", "post"}}, "v1");
    put_one(*store_, v1);
    auto request = make_event(test_key(1), 5, kNow - 20, {{"a", "30023:" + k1 + ":post"}});
    EXPECT_EQ(put_one(*store_, request).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 30023))), Ids{});
    // versions up to the request's created_at stay deleted...
    EXPECT_EQ(put_one(*store_, make_event(test_key(1), 30023, kNow - 20, {{"d", "post"}}, "v2")).outcome,
              PutOutcome::deleted);
    // ...a newer one is kept
    auto v3 = make_event(test_key(1), 30023, kNow - 10, {{"d", "post"}}, "v3");
    EXPECT_EQ(put_one(*store_, v3).outcome, PutOutcome::stored);
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 30023))), (Ids{hex(v3)}));
    // other d tags untouched
    auto other = make_event(test_key(1), 30023, kNow - 30, {{"d", "other"}});
    EXPECT_EQ(put_one(*store_, other).outcome, PutOutcome::stored);
}

TEST_P(StoreSuite, DeletionByAddressKeepsNewerStoredVersion) {
    std::string k1 = nostr::to_hex(test_key(1).pubkey);
    auto newer = make_event(test_key(1), 10002, kNow - 10);
    put_one(*store_, newer);
    put_one(*store_, make_event(test_key(1), 5, kNow - 20, {{"a", "10002:" + k1 + ":"}}));
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 10002))), (Ids{hex(newer)}));
}

TEST_P(StoreSuite, DeletionByAddressOfAnotherAuthorHasNoEffect) {
    std::string k1 = nostr::to_hex(test_key(1).pubkey);
    auto v1 = make_event(test_key(1), 30023, kNow - 30, {{"d", "post"}});
    put_one(*store_, v1);
    put_one(*store_, make_event(test_key(2), 5, kNow - 20, {{"a", "30023:" + k1 + ":post"}}));
    EXPECT_EQ(query_ids(*store_, filter(author_filter(1, 30023))), (Ids{hex(v1)}));
}

TEST_P(StoreSuite, ExpiredEventsAreHiddenAndPurged) {
    auto soon = make_event(test_key(1), 1, kNow - 30, {{"expiration", std::to_string(kNow + 5)}});
    auto later = make_event(test_key(1), 1, kNow - 20, {{"expiration", std::to_string(kNow + 500)}});
    auto never = make_event(test_key(1), 1, kNow - 10);
    put_all(*store_, {soon, later, never});
    EXPECT_EQ(query_ids(*store_, filter("{}"), kNow), (Ids{hex(never), hex(later), hex(soon)}));
    EXPECT_EQ(query_ids(*store_, filter("{}"), kNow + 5), (Ids{hex(never), hex(later)}));
    EXPECT_EQ(store_->count({filter("{}")}, kNow + 5), 2u);
    EXPECT_EQ(store_->purge_expired(kNow + 5), 1u);
    EXPECT_EQ(store_->size(), 2u);
    EXPECT_EQ(store_->purge_expired(kNow + 5), 0u);
    EXPECT_EQ(store_->purge_expired(kNow + 1000), 1u);
    EXPECT_EQ(query_ids(*store_, filter("{}"), kNow), (Ids{hex(never)}));
}

TEST_P(StoreSuite, CountIgnoresLimitAndComputesHyperLogLog) {
    std::vector<nostr::Event> events;
    for (int i = 1; i <= 20; ++i)
        events.push_back(make_event(test_key(i), 7, kNow - i, {{"e", std::string(64, 'a')}}));
    put_all(*store_, events);
    store::HyperLogLog registers{};
    const int offset = 8 + 10;  // 'a' at position 32
    EXPECT_EQ(store_->count({filter("{\"kinds\":[7],\"limit\":3}")}, kNow, &registers, offset), 20u);
    store::HyperLogLog expected{};
    for (const auto& e : events) {
        uint8_t index = e.pubkey[offset];
        uint8_t rank = 1;
        for (int bit = (offset + 1) * 8; bit < 256; ++bit, ++rank)
            if (e.pubkey[bit / 8] & (0x80 >> (bit % 8))) break;
        expected[index] = std::max(expected[index], rank);
    }
    EXPECT_EQ(registers, expected);
}

}  // namespace
}  // namespace store_test
