// LMDB layouts: sequence numbers are never reused, a new store is fenced off from older
// nostpp, and opening a store written in layout 1 (records keyed by id, empty index values)
// or layout 2 (records keyed by sequence number, 40-byte order suffixes with the number as
// value) converts it: every query answers as on a store built from the same events in the
// current layout, writes go on from there, a conversion without room changes nothing, and a
// store from a newer nostpp is refused.
#include <gtest/gtest.h>

#include <filesystem>

#include "lmdb_raw.h"
#include "nostr/canonical.h"
#include "store/lmdb/lmdb_handle.h"
#include "store/lmdb/lmdb_keys.h"
#include "store/lmdb/lmdb_migrate.h"
#include "store/lmdb/lmdb_record.h"
#include "store/lmdb/lmdb_store.h"
#include "store_helpers.h"
#include "test_events.h"

namespace store_test {
namespace {
using namespace store::lmdb;
using test_support::make_event;
using test_support::test_key;

std::string id_bytes(const nostr::Bytes32& id) {
    return {reinterpret_cast<const char*>(id.data()), id.size()};
}
// The order suffix of layouts 1 and 2: ~created_at + id.
std::string suffixed(std::string prefix, const nostr::Event& event) {
    append_be64(prefix, ~static_cast<uint64_t>(event.created_at));
    return prefix + id_bytes(event.id);
}
// Their index prefixes held whole pubkeys and spelled every tag value out.
std::string old_pubkey_prefix(const nostr::Bytes32& pubkey) { return id_bytes(pubkey); }
std::string old_pubkey_kind_prefix(const nostr::Bytes32& pubkey, uint32_t kind) {
    std::string out = old_pubkey_prefix(pubkey);
    append_be32(out, kind);
    return out;
}
std::string old_tag_prefix(char letter, const std::string& value) {
    std::string out(1, letter);
    append_value_key(out, value);
    return out;
}

// The index entries and slot that layouts 1 and 2 wrote for a stored event; `value` is what
// the order-suffix indexes held (layout 1: nothing, layout 2: the sequence number).
void write_old_entries(const RawEnv& env, Txn& txn, const nostr::Event& event,
                       const std::string& value) {
    for (const char* index : {"idx_created", "idx_pubkey", "idx_kind", "idx_pubkey_kind"}) {
        std::string name = index;
        std::string prefix = name == "idx_created"  ? created_prefix()
                             : name == "idx_pubkey" ? old_pubkey_prefix(event.pubkey)
                             : name == "idx_kind"   ? kind_prefix(event.kind)
                                                    : old_pubkey_kind_prefix(event.pubkey, event.kind);
        txn.put(env.open(txn, index), suffixed(prefix, event), value);
    }
    for (const auto& t : event.tags)
        if (nostr::is_indexable_tag(t))
            txn.put(env.open(txn, "idx_tag"), suffixed(old_tag_prefix(t[0][0], t[1]), event), value);
    if (auto at = event.expiration())
        txn.put(env.open(txn, "idx_expiration"), expiration_key(*at, event.id), {});
    auto kind_class = nostr::classify_kind(event.kind);
    if (kind_class == nostr::KindClass::replaceable || kind_class == nostr::KindClass::addressable)
        txn.put(env.open(txn, "replaceable"), replaceable_key(event), id_bytes(event.id));
}

// What layout 1 wrote: each record under its id, index entries with empty values.
void write_layout1(const std::string& dir, const std::vector<nostr::Event>& events) {
    RawEnv env(dir);
    Txn txn(env.get(), false);
    MDB_dbi records = env.open(txn, "events");
    for (const auto& event : events) {
        txn.put(records, id_bytes(event.id), encode_record(event));
        write_old_entries(env, txn, event, {});
    }
    txn.commit();
}

// What layout 2 wrote: records under sequence numbers in arrival order, ids -> number,
// index entries with that number as value, layout 2 in `meta` and the fence against layout 1.
void write_layout2(const std::string& dir, const std::vector<nostr::Event>& events) {
    RawEnv env(dir);
    Txn txn(env.get(), false);
    MDB_dbi records = env.open(txn, "records"), ids = env.open(txn, "ids"),
            meta = env.open(txn, "meta");
    uint64_t seq = 0;
    for (const auto& event : events) {
        std::string key = seq_key(++seq);
        txn.put(records, key, encode_record(event));
        txn.put(ids, id_bytes(event.id), key);
        write_old_entries(env, txn, event, key);
    }
    std::string layout;
    append_be32(layout, 2);
    txn.put(meta, "layout", layout);
    txn.put(meta, "last_record", seq_key(seq));
    MDB_dbi main_table;
    check(mdb_dbi_open(txn.get(), nullptr, 0, &main_table), "mdb_dbi_open");
    txn.put(main_table, "events", "nostpp LMDB layout 2");
    txn.commit();
}

// Enough events that filling in the index values splits pages: several authors, kinds, tags.
std::vector<nostr::Event> sample_events() {
    std::vector<nostr::Event> events;
    for (int i = 0; i < 1500; ++i) {
        uint32_t kind = i % 5 == 0 ? 7 : 1;
        events.push_back(make_event(test_key(1 + i % 7), kind, kNow - 5000 + i % 900,
                                    {{"t", "topic" + std::to_string(i % 13)},
                                     {"e", nostr::to_hex(nostr::sha256(std::to_string(i)))}},
                                    "note " + std::to_string(i)));
    }
    events.push_back(make_event(test_key(2), 0, kNow - 100, {}, "profile"));
    events.push_back(make_event(test_key(6), 30023, kNow - 200, {{"d", "article"}}, "v1"));
    events.push_back(
        make_event(test_key(3), 1, kNow - 50, {{"expiration", std::to_string(kNow + 60)}}));
    return events;
}

std::vector<std::string> sample_filters(const std::vector<nostr::Event>& events) {
    return {"{}",
            "{\"limit\":37}",
            "{\"authors\":[\"" + nostr::to_hex(test_key(4).pubkey) + "\"]}",
            "{\"kinds\":[7]}",
            "{\"kinds\":[0],\"authors\":[\"" + nostr::to_hex(test_key(2).pubkey) + "\"]}",
            "{\"#t\":[\"topic3\",\"topic8\"],\"limit\":50}",
            "{\"#e\":[\"" + nostr::to_hex(nostr::sha256("42")) + "\"]}",
            "{\"ids\":[\"" + hex(events[10]) + "\",\"" + hex(events[700]) + "\"]}",
            "{\"since\":" + std::to_string(kNow - 4500) + ",\"until\":" +
                std::to_string(kNow - 4400) + "}"};
}

// A converted store answers every sample filter as a store built afresh from the same events
// does, before and after a new event, a replacement, a deletion and an expiration purge.
void expect_like_a_fresh_store(store::Store& migrated, const std::vector<nostr::Event>& events,
                               const std::string& fresh_dir) {
    auto fresh = store::LmdbStore::open(fresh_dir, kMapSize);
    put_all(*fresh, events);
    for (const auto& json : sample_filters(events)) {
        auto expected = query_ids(*fresh, filter(json));
        EXPECT_FALSE(expected.empty()) << json;
        EXPECT_EQ(query_ids(migrated, filter(json)), expected) << json;
    }
    auto later = make_event(test_key(5), 1, kNow, {{"t", "topic3"}}, "after the conversion");
    auto profile = make_event(test_key(2), 0, kNow - 10, {}, "new profile");
    auto deletion = make_event(test_key(1 + 700 % 7), 5, kNow, {{"e", hex(events[700])}});
    auto article = make_event(test_key(6), 30023, kNow - 5, {{"d", "article"}}, "v2");
    for (store::Store* store : {&migrated, static_cast<store::Store*>(fresh.get())})
        for (const auto& event : {later, profile, deletion, article})
            EXPECT_EQ(put_one(*store, event).outcome, store::PutOutcome::stored);
    for (const auto& json : sample_filters(events))
        EXPECT_EQ(query_ids(migrated, filter(json)), query_ids(*fresh, filter(json))) << json;
    EXPECT_EQ(query_ids(migrated, filter("{\"kinds\":[0]}")), std::vector<std::string>{hex(profile)});
    EXPECT_EQ(query_ids(migrated, filter("{\"kinds\":[30023]}")),
              std::vector<std::string>{hex(article)});
    EXPECT_EQ(migrated.purge_expired(kNow + 61), 1u);
    EXPECT_EQ(fresh->purge_expired(kNow + 61), 1u);
}

// Queries skip index entries whose record is gone, so only the tables show stale ones: the
// converted store must hold exactly as many entries in each index as the fresh one.
void expect_same_index_entries(const std::string& converted_dir, const std::string& fresh_dir) {
    RawEnv converted(converted_dir);
    RawEnv fresh(fresh_dir);
    for (const char* index :
         {"idx_created", "idx_pubkey", "idx_kind", "idx_pubkey_kind", "idx_tag", "idx_expiration"})
        EXPECT_EQ(converted.entries(index), fresh.entries(index)) << index;
}

TEST(LmdbMigration, Layout1AnswersLikeAFreshStoreAndAcceptsWrites) {
    auto events = sample_events();
    TempDir old_dir, fresh_dir;
    write_layout1(old_dir.path(), events);
    auto unindexed = make_event(test_key(8), 1, kNow - 7000, {}, "a record without index entries");
    {
        // An index entry without its event (layout 1 never wrote one) is dropped, not kept;
        // a record without index entries (nor that) still moves, and the rebuilt indexes
        // find it.
        RawEnv env(old_dir.path());
        Txn txn(env.get(), false);
        auto orphan = make_event(test_key(9), 1, kNow - 1);
        txn.put(env.open(txn, "idx_created"), suffixed(created_prefix(), orphan), {});
        txn.put(env.open(txn, "events"), id_bytes(unindexed.id), encode_record(unindexed));
        txn.commit();
    }

    std::vector<std::string> notices;
    auto migrated = store::LmdbStore::open(old_dir.path(), kMapSize, [&](std::string_view text) {
        notices.emplace_back(text);
    });
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_NE(notices[0].find("layout 1"), std::string::npos) << notices[0];
    EXPECT_NE(notices[0].find(std::to_string(events.size() + 1) + " events"), std::string::npos)
        << notices[0];
    EXPECT_EQ(migrated->size(), events.size() + 1);
    EXPECT_EQ(query_ids(*migrated, filter("{\"ids\":[\"" + hex(unindexed) + "\"]}")),
              std::vector<std::string>{hex(unindexed)});
    EXPECT_EQ(query_ids(*migrated, filter("{\"authors\":[\"" +
                                          nostr::to_hex(test_key(8).pubkey) + "\"]}")),
              std::vector<std::string>{hex(unindexed)});

    auto with_unindexed = events;
    with_unindexed.push_back(unindexed);
    expect_like_a_fresh_store(*migrated, with_unindexed, fresh_dir.path());
    // + the unindexed record, + 4 new, - 2 replaced, - 1 deleted, - 1 expired
    EXPECT_EQ(migrated->size(), events.size() + 1 + 4 - 2 - 1 - 1);
    auto newest = query_ids(*migrated, filter("{\"limit\":5}"));

    migrated.reset();
    expect_same_index_entries(old_dir.path(), fresh_dir.path());  // the orphan entry is gone
    {
        RawEnv env(old_dir.path());
        // What a layout-1 nostpp does first: it must fail, not find an empty store.
        Txn txn(env.get(), false);
        MDB_dbi dbi;
        EXPECT_EQ(mdb_dbi_open(txn.get(), "events", MDB_CREATE, &dbi), MDB_INCOMPATIBLE);
    }
    notices.clear();
    auto reopened = store::LmdbStore::open(
        old_dir.path(), kMapSize, [&](std::string_view text) { notices.emplace_back(text); });
    EXPECT_TRUE(notices.empty()) << "converted twice";
    EXPECT_EQ(query_ids(*reopened, filter("{\"limit\":5}")), newest);
}

TEST(LmdbMigration, Layout2AnswersLikeAFreshStoreAndAcceptsWrites) {
    auto events = sample_events();
    TempDir old_dir, fresh_dir;
    write_layout2(old_dir.path(), events);
    std::vector<std::string> notices;
    auto migrated = store::LmdbStore::open(old_dir.path(), kMapSize, [&](std::string_view text) {
        notices.emplace_back(text);
    });
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_NE(notices[0].find("from layout 2 to layout 3 (" + std::to_string(events.size()) +
                              " events)"),
              std::string::npos)
        << notices[0];
    EXPECT_EQ(migrated->size(), events.size());
    expect_like_a_fresh_store(*migrated, events, fresh_dir.path());
    EXPECT_EQ(migrated->size(), events.size() + 4 - 2 - 1 - 1);
    migrated.reset();
    expect_same_index_entries(old_dir.path(), fresh_dir.path());  // no old entry left
    notices.clear();
    store::LmdbStore::open(old_dir.path(), kMapSize, [&](std::string_view text) {
        notices.emplace_back(text);
    }).reset();
    EXPECT_TRUE(notices.empty()) << "converted twice";
}

// Every key of an index table, in order.
std::vector<std::string> index_keys(const std::string& dir, const char* index) {
    RawEnv env(dir);
    Txn txn(env.get(), false);
    Cursor cursor(txn, env.open(txn, index));
    std::vector<std::string> keys;
    std::string_view key, value;
    for (bool ok = cursor.first(key, value); ok; ok = cursor.next(key, value))
        keys.emplace_back(key);
    return keys;
}

// The conversion applies its index edits in chunks while it walks the records; a store far
// smaller than one chunk never crosses a boundary, so the rebuild runs here in chunks of 7.
TEST(LmdbMigration, RebuildingTheIndexesInSmallChunksWritesTheSameEntries) {
    auto events = sample_events();
    TempDir dir;
    put_all(*store::LmdbStore::open(dir.path(), kMapSize), events);
    constexpr const char* kRebuilt[] = {"idx_created", "idx_pubkey", "idx_kind", "idx_pubkey_kind",
                                        "idx_tag"};
    std::vector<std::vector<std::string>> before;
    for (const char* index : kRebuilt) {
        before.push_back(index_keys(dir.path(), index));
        ASSERT_FALSE(before.back().empty()) << index;
    }
    {
        RawEnv env(dir.path());
        Txn txn(env.get(), false);
        // A stale entry in each index: the rebuild must drop it, not only add what is missing.
        for (const char* index : kRebuilt) txn.put(env.open(txn, index), "stale entry", {});
        Tables tables{};
        tables.records = env.open(txn, "records");
        tables.idx_created = env.open(txn, "idx_created");
        tables.idx_pubkey = env.open(txn, "idx_pubkey");
        tables.idx_kind = env.open(txn, "idx_kind");
        tables.idx_pubkey_kind = env.open(txn, "idx_pubkey_kind");
        tables.idx_tag = env.open(txn, "idx_tag");
        rebuild_indexes(txn, tables, 7);
        txn.commit();
    }
    for (size_t i = 0; i < std::size(kRebuilt); ++i)
        EXPECT_EQ(index_keys(dir.path(), kRebuilt[i]), before[i]) << kRebuilt[i];
}

TEST(LmdbMigration, ConvertedRecordsAreNumberedOldestFirst) {
    TempDir dir;
    std::vector<nostr::Event> events;
    for (int64_t age : {30, 10, 50, 20, 40, 0})
        events.push_back(make_event(test_key(1), 1, kNow - age, {}, std::to_string(age)));
    write_layout1(dir.path(), events);
    store::LmdbStore::open(dir.path(), kMapSize).reset();
    RawEnv env(dir.path());
    Txn txn(env.get(), false);
    Cursor cursor(txn, env.open(txn, "records"));
    std::vector<int64_t> created_at;
    std::string_view key, value;
    for (bool ok = cursor.first(key, value); ok; ok = cursor.next(key, value))
        created_at.push_back(RecordView(value).created_at());
    EXPECT_EQ(created_at, (std::vector<int64_t>{kNow - 50, kNow - 40, kNow - 30, kNow - 20,
                                                 kNow - 10, kNow}));
}

TEST(LmdbLayout, SequenceNumbersAreNeverReused) {
    TempDir dir;
    auto first = make_event(test_key(1), 1, kNow - 30);
    auto newest = make_event(test_key(1), 1, kNow - 20);
    auto next = make_event(test_key(1), 1, kNow - 10);
    {
        auto store = store::LmdbStore::open(dir.path(), kMapSize);
        put_one(*store, first);
        put_one(*store, newest);
        ASSERT_TRUE(store->erase(newest.id));  // the highest number is now unused
    }
    {
        auto store = store::LmdbStore::open(dir.path(), kMapSize);  // no writer state kept
        put_one(*store, next);
    }
    RawEnv env(dir.path());
    Txn txn(env.get(), false);
    std::string_view seq;
    ASSERT_TRUE(txn.get(env.open(txn, "ids"), id_bytes(next.id), seq));
    EXPECT_EQ(read_be64(seq.data()), 3u);
}

TEST(LmdbLayout, ANewStoreIsFencedOffFromOlderNostpp) {
    TempDir dir;
    store::LmdbStore::open(dir.path(), kMapSize).reset();
    RawEnv env(dir.path());
    Txn txn(env.get(), false);
    MDB_dbi dbi;
    EXPECT_EQ(mdb_dbi_open(txn.get(), "events", MDB_CREATE, &dbi), MDB_INCOMPATIBLE);
}

TEST(LmdbMigration, WithoutRoomTheConversionChangesNothingAndSaysWhatToDo) {
    TempDir dir;
    auto events = sample_events();
    write_layout1(dir.path(), events);
    size_t data_size = std::filesystem::file_size(dir.path() + "/data.mdb");
    try {
        // A map no larger than the file: LMDB cannot grow it to hold the converted copy.
        store::LmdbStore::open(dir.path(), data_size);
        FAIL() << "converted without room";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("--lmdb-map-size"), std::string::npos) << e.what();
    }
    {
        RawEnv env(dir.path());
        EXPECT_EQ(env.entries("events"), events.size()) << "layout 1 touched";
        EXPECT_EQ(env.entries("records"), 0u);
    }
    auto store = store::LmdbStore::open(dir.path(), kMapSize);
    EXPECT_EQ(store->size(), events.size());
}

TEST(LmdbMigration, WithoutRoomALayout2StoreStaysAsItWas) {
    TempDir dir;
    auto events = sample_events();
    write_layout2(dir.path(), events);
    size_t data_size = std::filesystem::file_size(dir.path() + "/data.mdb");
    EXPECT_THROW(store::LmdbStore::open(dir.path(), data_size), std::runtime_error);
    {
        RawEnv env(dir.path());
        Txn txn(env.get(), true);
        std::string_view layout;
        ASSERT_TRUE(txn.get(env.open(txn, "meta"), "layout", layout));
        EXPECT_EQ(read_be32(layout.data()), 2u);
        Cursor cursor(txn, env.open(txn, "idx_created"));
        std::string_view key, value;
        ASSERT_TRUE(cursor.first(key, value));
        EXPECT_EQ(key.size(), 40u) << "layout 2 touched";
    }
    auto store = store::LmdbStore::open(dir.path(), kMapSize);
    EXPECT_EQ(store->size(), events.size());
    EXPECT_EQ(query_ids(*store, filter("{\"limit\":3}")).size(), 3u);
}

TEST(LmdbMigration, ALayoutEntryNoNostppWroteIsRefused) {
    TempDir dir;
    {
        RawEnv env(dir.path());
        Txn txn(env.get(), false);
        std::string layout;
        append_be32(layout, 1);
        txn.put(env.open(txn, "meta"), "layout", layout);
        txn.commit();
    }
    EXPECT_THROW(store::LmdbStore::open(dir.path(), kMapSize), std::runtime_error);
}

TEST(LmdbMigration, AnEmptyLayout1StoreConverts) {
    TempDir dir;
    write_layout1(dir.path(), {});
    auto store = store::LmdbStore::open(dir.path(), kMapSize);
    EXPECT_EQ(store->size(), 0u);
    EXPECT_EQ(put_one(*store, make_event(test_key(1), 1, kNow)).outcome, store::PutOutcome::stored);
}

TEST(LmdbMigration, AStoreFromANewerNostppIsRefused) {
    TempDir dir;
    {
        RawEnv env(dir.path());
        Txn txn(env.get(), false);
        std::string layout;
        append_be32(layout, kLayoutVersion + 1);
        txn.put(env.open(txn, "meta"), "layout", layout);
        txn.commit();
    }
    try {
        store::LmdbStore::open(dir.path(), kMapSize);
        FAIL() << "opened a store of a newer layout";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("newer nostpp"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace store_test
