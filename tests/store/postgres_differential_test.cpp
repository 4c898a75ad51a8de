// PostgreSQL against LMDB, the reference: the same random stream of events (regular,
// replaceable, addressable with and without `d`, expiring, deletion requests by `e` and `a`
// for own and others' events, repeats), cut into random batches, must give the same
// outcome for every event and leave the same events behind. PostgreSQL applies a batch's
// rules over state read up front; LMDB applies them one event at a time in a transaction.
// Seeded; replay with NOSTPP_TEST_SEED=<seed>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "nostr/canonical.h"
#include "pg_test_database.h"
#include "store/lmdb/lmdb_store.h"
#include "store_helpers.h"
#include "test_events.h"

namespace store_test {
namespace {

uint64_t seed() {
    if (const char* env = std::getenv("NOSTPP_TEST_SEED")) return std::strtoull(env, nullptr, 10);
    return std::random_device{}();
}

// Events with real ids but no signatures (signing is slow; the stores never verify).
struct Stream {
    std::mt19937_64 rng;
    std::vector<nostr::Bytes32> authors;
    std::vector<nostr::Event> made;
    explicit Stream(uint64_t s) : rng(s) {
        for (int i = 1; i <= 3; ++i) authors.push_back(test_support::test_key(i).pubkey);
    }
    int pick(int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); }

    nostr::Event make(uint32_t kind, std::vector<nostr::Tag> tags) {
        nostr::Event e;
        e.pubkey = authors[pick(3)];
        e.created_at = kNow - 40 + pick(40);  // a narrow range: many equal timestamps
        e.kind = kind;
        e.tags = std::move(tags);
        e.content = std::to_string(made.size());
        if (pick(8) == 0) e.tags.push_back({"expiration", std::to_string(kNow - 5 + pick(20))});
        e.id = nostr::compute_event_id(e);
        e.json = nostr::serialize_event(e);
        made.push_back(e);
        return e;
    }

    std::string address() {
        const char* kinds[] = {"0", "10002", "30023", "1", "nope"};
        const char* ds[] = {"", "a", "b"};
        return std::string(kinds[pick(5)]) + ":" + nostr::to_hex(authors[pick(3)]) + ":" +
               ds[pick(3)];
    }

    nostr::Event next() {
        switch (pick(10)) {
            case 0:
                return make(0, {});
            case 1:
                return make(10002, {});
            case 2:
            case 3: {
                const char* ds[] = {"", "a", "b"};
                int d = pick(4);
                return make(30023, d == 3 ? std::vector<nostr::Tag>{}
                                          : std::vector<nostr::Tag>{{"d", ds[d]}});
            }
            case 4:
            case 5: {
                std::vector<nostr::Tag> tags;
                for (int i = 0, n = 1 + pick(3); i < n; ++i) {
                    if (pick(3) == 0)
                        tags.push_back({"a", address()});
                    else if (!made.empty() && pick(4) != 0)
                        tags.push_back(
                            {"e", nostr::to_hex(made[pick(static_cast<int>(made.size()))].id)});
                    else
                        tags.push_back({"e", nostr::to_hex(nostr::sha256(std::to_string(rng())))});
                }
                return make(5, tags);
            }
            case 6:
                // a repeat of an earlier event
                if (!made.empty()) return made[pick(static_cast<int>(made.size()))];
                [[fallthrough]];
            default:
                return make(1, {{"t", pick(2) ? "x" : "y"}});
        }
    }
};

std::vector<std::string> everything(store::Store& store, int64_t now) {
    return query_ids(store, {filter("{}")}, now, 1'000'000, 1'000'000);
}

TEST(PgDifferential, SameOutcomesAndStateAsLmdb) {
    const uint64_t s = seed();
    std::printf("differential seed: %llu (replay with NOSTPP_TEST_SEED)\n",
                static_cast<unsigned long long>(s));
    std::string dir = (std::filesystem::temp_directory_path() / "nostpp-diff-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(dir.data()));
    struct RemovedAtTheEnd {  // also when an assertion ends the test early
        std::string dir;
        ~RemovedAtTheEnd() { std::filesystem::remove_all(dir); }
    } removed{dir};
    std::unique_ptr<store::Store> lmdb = store::LmdbStore::open(dir, uint64_t{1} << 30);
    std::string url = pg_database_url("differential");
    auto pg = store::PgStore::open(pg_options(url));
    pg_reset(url);

    Stream stream(s);
    for (int round = 0; round < 60; ++round) {
        std::vector<nostr::Event> batch;
        for (int i = 0, n = 1 + stream.pick(round % 3 == 0 ? 60 : 8); i < n; ++i)
            batch.push_back(stream.next());
        auto expected = put_all(*lmdb, batch);
        auto actual = put_all(*pg, batch);
        ASSERT_EQ(actual.size(), expected.size());
        for (size_t i = 0; i < batch.size(); ++i) {
            ASSERT_EQ(actual[i].outcome, expected[i].outcome)
                << "seed " << s << " round " << round << " event " << i << ": " << batch[i].json
                << "\n lmdb: " << expected[i].message << "\n pg: " << actual[i].message;
            ASSERT_EQ(actual[i].message, expected[i].message);
        }
        ASSERT_EQ(everything(*pg, kNow), everything(*lmdb, kNow))
            << "seed " << s << " round " << round;
    }
    EXPECT_EQ(pg->size(), lmdb->size());
    EXPECT_EQ(pg->count({filter("{}")}, kNow + 3), lmdb->count({filter("{}")}, kNow + 3));
    EXPECT_EQ(pg->purge_expired(kNow + 3), lmdb->purge_expired(kNow + 3));
    EXPECT_EQ(everything(*pg, kNow - 100), everything(*lmdb, kNow - 100));
    // erase frees slots the same way
    auto ids = everything(*lmdb, kNow);
    for (size_t i = 0; i < ids.size(); i += 3) {
        nostr::Bytes32 id = test_support::bytes32_from_hex(ids[i]);
        EXPECT_EQ(pg->erase(id), lmdb->erase(id));
    }
    for (int round = 0; round < 10; ++round) {
        std::vector<nostr::Event> batch;
        for (int i = 0; i < 20; ++i) batch.push_back(stream.next());
        auto expected = put_all(*lmdb, batch);
        auto actual = put_all(*pg, batch);
        for (size_t i = 0; i < batch.size(); ++i)
            ASSERT_EQ(actual[i].outcome, expected[i].outcome)
                << "seed " << s << " " << batch[i].json;
    }
    EXPECT_EQ(everything(*pg, kNow), everything(*lmdb, kNow));
}

}  // namespace
}  // namespace store_test
