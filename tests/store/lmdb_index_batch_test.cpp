// Index edits wait in an IndexBatch and go in sorted at commit: the last edit of a key wins,
// so an event replaced or deleted in the batch that stored it leaves no index entry behind
// (queries skip entries whose record is gone, so only the tables themselves show this).
#include <gtest/gtest.h>

#include "lmdb_raw.h"
#include "nostr/canonical.h"
#include "store/lmdb/lmdb_index_batch.h"
#include "store/lmdb/lmdb_store.h"
#include "store_helpers.h"
#include "test_events.h"

namespace store_test {
namespace {
using store::lmdb::IndexBatch;
using store::lmdb::Txn;
using test_support::make_event;
using test_support::test_key;

std::vector<std::pair<std::string, std::string>> contents(const RawEnv& env, const char* name) {
    Txn txn(env.get(), false);
    store::lmdb::Cursor cursor(txn, env.open(txn, name));
    std::vector<std::pair<std::string, std::string>> out;
    std::string_view key, value;
    for (bool ok = cursor.first(key, value); ok; ok = cursor.next(key, value))
        out.emplace_back(key, value);
    return out;
}

TEST(LmdbIndexBatch, LastEditOfAKeyWinsAndKeysGoInSorted) {
    TempDir dir;
    RawEnv env(dir.path());
    {
        Txn txn(env.get(), false);
        MDB_dbi table = env.open(txn, "t");
        txn.put(table, "stored", "1");
        txn.put(table, "kept", "1");
        IndexBatch batch;
        batch.put(table, "zebra");
        batch.put(table, "added then erased");
        batch.erase(table, "added then erased");
        batch.erase(table, "erased then added");
        batch.put(table, "erased then added");
        batch.erase(table, "stored");
        batch.erase(table, "never there");
        batch.put(table, "kept");
        batch.put(table, "apple");
        batch.apply(txn);
        batch.apply(txn);  // applying forgets: a second apply changes nothing
        txn.commit();
    }
    using Entries = std::vector<std::pair<std::string, std::string>>;
    // Index entries have empty values: a put of a stored key empties its value.
    EXPECT_EQ(contents(env, "t"),
              (Entries{{"apple", ""}, {"erased then added", ""}, {"kept", ""}, {"zebra", ""}}));
}

// Enough edits that the sort is not an insertion sort (which would keep equal keys in order
// even if the edit order were ignored).
TEST(LmdbIndexBatch, EditOrderHoldsAcrossALargeBatch) {
    TempDir dir;
    RawEnv env(dir.path());
    {
        Txn txn(env.get(), false);
        MDB_dbi table = env.open(txn, "t");
        IndexBatch batch;
        for (int round = 0; round < 3; ++round)
            for (int i = 0; i < 300; ++i) {
                std::string key = "k" + std::to_string((i * 7919) % 300);
                // every third key is put twice then erased, the others erased twice then put
                if ((round == 2) == (i % 3 == 0)) batch.erase(table, key);
                else batch.put(table, key);
            }
        batch.apply(txn);
        txn.commit();
    }
    auto entries = contents(env, "t");
    EXPECT_EQ(entries.size(), 200u);
    // 7919 = 2 (mod 3): the key's number is divisible by 3 exactly when i is.
    for (const auto& [key, value] : entries) EXPECT_NE(std::stoi(key.substr(1)) % 3, 0) << key;
}

TEST(LmdbIndexBatch, ReplacedAndDeletedInTheirOwnBatchLeaveNoIndexEntries) {
    TempDir dir;
    auto older = make_event(test_key(1), 10002, kNow - 20, {{"r", "wss://a"}});
    auto newer = make_event(test_key(1), 10002, kNow - 10, {{"r", "wss://b"}});
    auto doomed = make_event(test_key(2), 1, kNow - 30, {{"t", "gone"}, {"p", hex(older)}});
    auto deletion = make_event(test_key(2), 5, kNow - 5, {{"e", hex(doomed)}});
    {
        auto store = store::LmdbStore::open(dir.path(), kMapSize);
        auto results = put_all(*store, {older, doomed, newer, deletion});
        for (const auto& result : results) EXPECT_EQ(result.outcome, store::PutOutcome::stored);
        EXPECT_EQ(store->size(), 2u);  // newer, deletion
    }
    RawEnv env(dir.path());
    for (const char* index : {"idx_created", "idx_pubkey", "idx_kind", "idx_pubkey_kind"})
        EXPECT_EQ(env.entries(index), 2u) << index;
    EXPECT_EQ(env.entries("idx_tag"), 2u);  // newer's r, deletion's e
}

// Repeated tags give one index entry, and removing the event (in a later transaction) removes
// it, whatever the value's key looks like: hex (cut to 8 bytes), short, or hashed.
TEST(LmdbIndexBatch, RemovingAnEventWithRepeatedTagsLeavesNoTagEntries) {
    TempDir dir;
    std::string id_value = nostr::to_hex(nostr::sha256("target")), long_value(300, 'l');
    auto event = make_event(test_key(1), 1, kNow - 10,
                            {{"e", id_value}, {"e", id_value}, {"t", "x"}, {"t", "x"},
                             {"r", long_value}, {"r", long_value}, {"E", id_value}});
    put_one(*store::LmdbStore::open(dir.path(), kMapSize), event);
    EXPECT_EQ(RawEnv(dir.path()).entries("idx_tag"), 4u);  // e, t, r, E
    ASSERT_TRUE(store::LmdbStore::open(dir.path(), kMapSize)->erase(event.id));
    RawEnv env(dir.path());
    for (const char* index : {"idx_created", "idx_pubkey", "idx_kind", "idx_pubkey_kind", "idx_tag"})
        EXPECT_EQ(env.entries(index), 0u) << index;
}

}  // namespace
}  // namespace store_test
