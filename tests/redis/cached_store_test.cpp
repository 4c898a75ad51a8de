// CachedStore over an LMDB store against a real Redis: hits for repeated queries, and never a
// stale answer: after writes, deletions, expiration, Redis outages and failed version bumps.
#include "store/cached_store.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "nostr/client_message.h"
#include "redis_test_env.h"
#include "store/lmdb/lmdb_store.h"
#include "test_events.h"

namespace redis_test {
namespace {

using namespace std::chrono_literals;
using store::PutOutcome;

const int64_t kNow = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();

std::vector<nostr::Filter> filters(const std::string& json) {
    auto message = nostr::parse_client_message("[\"REQ\",\"t\"," + json + "]");
    auto* req = std::get_if<nostr::ReqMessage>(&message);
    if (!req) {
        ADD_FAILURE() << "bad filters " << json;
        return {};
    }
    return req->filters;
}

std::string hex(const nostr::Event& event) {
    return nostr::to_hex(event.id);
}

class CachedStoreTest : public RedisTest {
protected:
    void SetUp() override {
        RedisTest::SetUp();
        if (HasFatalFailure()) return;
        std::string pattern =
            (std::filesystem::temp_directory_path() / "nostpp-cache-XXXXXX").string();
        ASSERT_TRUE(mkdtemp(pattern.data()));
        dir_ = pattern;
        options_.url = url_;
        options_.key_prefix = unique_name();
        open();
    }
    void TearDown() override {
        cache_.reset();
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    void open() {
        cache_.reset();
        cache_ =
            std::make_unique<store::CachedStore>(store::LmdbStore::open(dir_, 1 << 28), options_);
    }

    nostr::Event make(uint64_t key, uint32_t kind, int64_t age, std::vector<nostr::Tag> tags = {}) {
        return test_support::make_event(test_support::test_key(key), kind, kNow - age,
                                        std::move(tags), "event " + std::to_string(serial_++));
    }

    PutOutcome put(const nostr::Event& event, uint64_t* seq = nullptr) {
        std::vector<store::PutResult> results;
        const nostr::Event* batch[] = {&event};
        uint64_t s = cache_->put(batch, results);
        if (seq) *seq = s;
        return results.at(0).outcome;
    }

    // Ids returned through the cache; checks them against the inner store's answer.
    std::vector<std::string> ids(const std::string& json, int64_t now = kNow,
                                 uint64_t* seq = nullptr) {
        store::QueryOptions options{5000, 500, now};
        std::vector<std::string> got, expected;
        uint64_t s = cache_->query(filters(json), options, [&](std::string_view event) {
            got.emplace_back(event.substr(7, 64));
            return true;
        });
        cache_->inner().query(filters(json), options, [&](std::string_view event) {
            expected.emplace_back(event.substr(7, 64));
            return true;
        });
        EXPECT_EQ(got, expected) << "cached answer differs from the store for " << json;
        if (seq) *seq = s;
        return got;
    }

    std::vector<std::string> entry_keys() {
        auto raw = raw_connection(url_);
        auto reply = raw->command({"KEYS", options_.key_prefix + "q:*"});
        std::vector<std::string> keys;
        for (size_t i = 0; i < reply->elements; ++i)
            keys.emplace_back(reply->element[i]->str, reply->element[i]->len);
        return keys;
    }

    // One kind-1 event stored, and the {"kinds":[1]} answer in the cache (one hit so far).
    void cache_kind_1() {
        ASSERT_EQ(put(make(1, 1, 50)), PutOutcome::stored);
        ids(R"({"kinds":[1]})");
        ids(R"({"kinds":[1]})");
        ASSERT_EQ(cache_->stats().hits, 1u);
    }

    static bool contains(const std::vector<std::string>& ids, const std::string& id) {
        return std::find(ids.begin(), ids.end(), id) != ids.end();
    }

    store::CacheOptions options_;
    std::unique_ptr<store::CachedStore> cache_;
    std::string dir_;
    int serial_ = 0;
};

TEST_F(CachedStoreTest, RepeatedQueryIsAHitWithTheSameAnswerAndSnapshot) {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(put(make(1, 1, 10 + i)), PutOutcome::stored);
    uint64_t seq1 = 0, seq2 = 0;
    auto first = ids(R"({"kinds":[1]})", kNow, &seq1);
    auto second = ids(R"({"kinds":[1]})", kNow, &seq2);
    EXPECT_EQ(first.size(), 3u);
    EXPECT_EQ(first, second);
    EXPECT_EQ(seq1, seq2);
    EXPECT_EQ(cache_->stats().misses, 1u);
    EXPECT_EQ(cache_->stats().hits, 1u);
    // The same request spelled differently shares the entry.
    auto a = make(1, 1, 0);  // nothing changes between the two next queries but the spelling
    ids(R"({"kinds":[1],"limit":5},{"authors":[")" + nostr::to_hex(a.pubkey) + R"("]})");
    ids(R"({"authors":[")" + nostr::to_hex(a.pubkey) + R"("]},{"limit":5,"kinds":[1,1]})");
    EXPECT_EQ(cache_->stats().hits, 2u);
}

TEST_F(CachedStoreTest, AcknowledgedPutIsInTheNextAnswer) {
    ASSERT_NO_FATAL_FAILURE(cache_kind_1());
    auto fresh = make(2, 1, 5);
    uint64_t put_seq = 0, query_seq = 0;
    ASSERT_EQ(put(fresh, &put_seq), PutOutcome::stored);
    auto after = ids(R"({"kinds":[1]})", kNow, &query_seq);
    EXPECT_TRUE(contains(after, hex(fresh)));
    EXPECT_EQ(query_seq, put_seq);
    // A filter without kinds depends on every write.
    auto all = ids("{}");
    auto other = make(3, 7, 1);
    ASSERT_EQ(put(other), PutOutcome::stored);
    EXPECT_TRUE(contains(ids("{}"), hex(other)));
    EXPECT_EQ(all.size() + 1, ids("{}").size());
}

// The event handler announces an event on the bus from put()'s `decided`; a query that the
// announcement prompts must not get a cached answer without it, nor one from before the
// inner store's commit.
TEST_F(CachedStoreTest, DecidedComesAfterTheCommitAndTheInvalidation) {
    ASSERT_NO_FATAL_FAILURE(cache_kind_1());
    auto fresh = make(2, 1, 5);
    const nostr::Event* batch[] = {&fresh};
    std::vector<store::PutResult> results;
    std::vector<std::string> answer;
    int calls = 0;
    uint64_t seq = cache_->put(batch, results, [&](uint64_t) {
        ++calls;
        // From another thread, as a query thread would (LMDB's write transaction, were it
        // still open, belongs to this one).
        std::async(std::launch::async, [&] { answer = ids(R"({"kinds":[1]})"); }).wait();
    });
    EXPECT_GT(seq, 0u);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(contains(answer, hex(fresh)));
}

TEST_F(CachedStoreTest, WritesOfOtherKindsKeepEntries) {
    ASSERT_EQ(put(make(1, 1, 50)), PutOutcome::stored);
    ids(R"({"kinds":[1]})");
    ASSERT_EQ(put(make(1, 7, 40)), PutOutcome::stored);
    ASSERT_EQ(put(make(1, 30023, 40, {{"d", "x"}})), PutOutcome::stored);
    ids(R"({"kinds":[1]})");
    EXPECT_EQ(cache_->stats().hits, 1u);
    // ...but a replaceable update is seen by its own kind.
    ASSERT_EQ(put(make(4, 0, 30)), PutOutcome::stored);
    ids(R"({"kinds":[0]})");
    auto newer = make(4, 0, 20);
    ASSERT_EQ(put(newer), PutOutcome::stored);
    EXPECT_EQ(ids(R"({"kinds":[0]})"), std::vector<std::string>{hex(newer)});
}

TEST_F(CachedStoreTest, AuthorFeedsKeepEntriesUntilTheirAuthorWrites) {
    auto alice = make(1, 1, 50);
    ASSERT_EQ(put(alice), PutOutcome::stored);
    std::string feed = R"({"authors":[")" + nostr::to_hex(alice.pubkey) + R"("]})";
    std::string notes = R"({"authors":[")" + nostr::to_hex(alice.pubkey) + R"("],"kinds":[1]})";
    ids(feed);
    ids(notes);
    ASSERT_EQ(put(make(2, 1, 40)), PutOutcome::stored);  // someone else's note
    ids(feed);
    ids(notes);
    EXPECT_EQ(cache_->stats().hits, 2u);
    auto reaction = make(1, 7, 30, {{"e", hex(alice)}});  // alice writes another kind
    ASSERT_EQ(put(reaction), PutOutcome::stored);
    EXPECT_TRUE(contains(ids(feed), hex(reaction)));
    ids(notes);
    EXPECT_EQ(cache_->stats().hits, 2u);
}

TEST_F(CachedStoreTest, DeletionAndEraseInvalidateEveryKind) {
    auto victim = make(1, 1, 50);
    auto survivor = make(1, 7, 50);
    ASSERT_EQ(put(victim), PutOutcome::stored);
    ASSERT_EQ(put(survivor), PutOutcome::stored);
    ids(R"({"kinds":[1]})");
    ids(R"({"kinds":[7]})");
    ASSERT_EQ(put(make(1, 5, 10, {{"e", hex(victim)}})), PutOutcome::stored);
    EXPECT_FALSE(contains(ids(R"({"kinds":[1]})"), hex(victim)));
    ids(R"({"kinds":[7]})");
    ASSERT_TRUE(cache_->erase(survivor.id));
    EXPECT_FALSE(contains(ids(R"({"kinds":[7]})"), hex(survivor)));
    EXPECT_EQ(cache_->stats().hits, 0u);
}

TEST_F(CachedStoreTest, ExpiringEventsAreNotServedAfterExpiry) {
    options_.ttl_seconds = 1000;  // so the expiration is what bounds the entry's TTL
    open();
    auto expiring = make(1, 1, 10, {{"expiration", std::to_string(kNow + 100)}});
    ASSERT_EQ(put(expiring), PutOutcome::stored);
    ASSERT_EQ(put(make(2, 1, 20)), PutOutcome::stored);
    EXPECT_TRUE(contains(ids(R"({"kinds":[1]})", kNow), hex(expiring)));
    auto keys = entry_keys();
    ASSERT_EQ(keys.size(), 1u);
    auto ttl = raw_connection(url_)->command({"TTL", keys[0]})->integer;
    EXPECT_GT(ttl, 0);
    EXPECT_LE(ttl, 100);  // not 1000: the entry must be gone when the event expires
    EXPECT_TRUE(contains(ids(R"({"kinds":[1]})", kNow + 99), hex(expiring)));
    EXPECT_EQ(cache_->stats().hits, 1u);
    EXPECT_FALSE(contains(ids(R"({"kinds":[1]})", kNow + 100), hex(expiring)));
    EXPECT_EQ(cache_->stats().hits, 1u);
    // An entry computed later never answers for an earlier `now`.
    EXPECT_TRUE(contains(ids(R"({"kinds":[1]})", kNow), hex(expiring)));
    EXPECT_EQ(cache_->stats().hits, 1u);
}

TEST_F(CachedStoreTest, TooLargeOrPartialAnswersAreNotCached) {
    for (int i = 0; i < 5; ++i) ASSERT_EQ(put(make(1, 1, 10 + i)), PutOutcome::stored);
    int seen = 0;
    cache_->query(filters(R"({"kinds":[1]})"), {5000, 500, kNow}, [&](std::string_view) {
        return ++seen < 2;  // the client went away after two events
    });
    EXPECT_EQ(seen, 2);
    EXPECT_EQ(ids(R"({"kinds":[1]})").size(), 5u);
    EXPECT_EQ(cache_->stats().hits, 0u);
    options_.max_entry_bytes = 600;  // about one event
    open();
    ids(R"({"kinds":[1]})");
    ids(R"({"kinds":[1]})");
    EXPECT_EQ(cache_->stats().hits, 0u);
}

TEST_F(CachedStoreTest, RedisDownAnswersFromTheStore) {
    ASSERT_EQ(put(make(1, 1, 50)), PutOutcome::stored);
    ids(R"({"kinds":[1]})");
    {
        ServerDown down;
        ASSERT_TRUE(down.ok());
        auto fresh = make(2, 1, 5);
        auto start = std::chrono::steady_clock::now();
        ASSERT_EQ(put(fresh), PutOutcome::stored);
        auto answer = ids(R"({"kinds":[1]})");
        EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
        EXPECT_TRUE(contains(answer, hex(fresh)));
        EXPECT_GE(cache_->stats().bypassed, 1u);
        EXPECT_EQ(cache_->stats().bump_failures, 1u);
    }
    // Back: the cache is used again once the epoch bump succeeded.
    ASSERT_TRUE(wait_until(
        [&] {
            ids(R"({"kinds":[1]})");
            return cache_->stats().hits > 0;
        },
        10s));
}

// Redis restarts with its data from before a write that could not bump the versions (data
// restored from disk): the old entry and the old counters are back, and must not be used.
TEST_F(CachedStoreTest, EntriesFromBeforeAFailedBumpAreNotServedAfterAnOutage) {
    ASSERT_NO_FATAL_FAILURE(cache_kind_1());
    auto keys = entry_keys();
    ASSERT_EQ(keys.size(), 1u);
    std::string epoch_key = options_.key_prefix + "v:epoch";
    auto epoch_before = raw_connection(url_)->command({"GET", epoch_key});
    std::string epoch(epoch_before->str, epoch_before->len);
    raw_connection(url_)->command({"SAVE"});
    auto fresh = make(2, 1, 5);
    {
        ServerDown down;
        ASSERT_TRUE(down.ok());
        ASSERT_EQ(put(fresh), PutOutcome::stored);
        EXPECT_EQ(cache_->stats().bump_failures, 1u);
    }
    std::filesystem::remove(server_dir() + "/dump.rdb");  // loaded; later restarts start empty
    auto raw = raw_connection(url_);
    ASSERT_EQ(raw->command({"EXISTS", keys[0]})->integer, 1) << "the old entry is back";
    auto epoch_after = raw->command({"GET", epoch_key});
    ASSERT_EQ(std::string(epoch_after->str, epoch_after->len), epoch) << "counters rolled back";
    EXPECT_TRUE(contains(ids(R"({"kinds":[1]})"), hex(fresh)));
    EXPECT_EQ(cache_->stats().hits, 1u);
}

// Redis stays up but refuses the bump (here: INCR denied): the entry and the counters are
// unchanged, so only the failed-bump rule keeps the entry from being served.
TEST_F(CachedStoreTest, EntriesFromBeforeAFailedBumpAreNotServedWhileRedisStaysUp) {
    ASSERT_EQ(put(make(1, 1, 50)), PutOutcome::stored);
    ids(R"({"kinds":[1]})");
    auto raw = raw_connection(url_);
    auto fresh = make(2, 1, 5);
    raw->command({"ACL", "SETUSER", "default", "-incr"});
    PutOutcome outcome = put(fresh);
    raw->command({"ACL", "SETUSER", "default", "+@all"});
    ASSERT_EQ(outcome, PutOutcome::stored);
    EXPECT_EQ(cache_->stats().bump_failures, 1u);
    EXPECT_EQ(entry_keys().size(), 1u);
    EXPECT_TRUE(contains(ids(R"({"kinds":[1]})"), hex(fresh)));
    EXPECT_EQ(cache_->stats().hits, 0u);
    ids(R"({"kinds":[1]})");  // trusted again: a hit
    EXPECT_EQ(cache_->stats().hits, 1u);
}

TEST_F(CachedStoreTest, AuthenticatesAndSelectsTheDatabaseFromTheUrl) {
    auto raw = raw_connection(url_);
    raw->command({"ACL", "SETUSER", "nostpp_cache_test", "on", ">pw-4-cache", "~*", "&*", "+@all"});
    options_.url = "redis://nostpp_cache_test:pw-4-cache@" + url_.substr(8) + "/3";
    open();
    ASSERT_EQ(put(make(1, 1, 50)), PutOutcome::stored);
    ids(R"({"kinds":[1]})");
    ids(R"({"kinds":[1]})");
    EXPECT_EQ(cache_->stats().hits, 1u);
    std::string epoch_key = options_.key_prefix + "v:epoch";
    EXPECT_EQ(raw->command({"EXISTS", epoch_key})->integer, 0);
    raw->command({"SELECT", "3"});
    EXPECT_EQ(raw->command({"EXISTS", epoch_key})->integer, 1);
    // A wrong password: answers still come, from the store.
    options_.url = "redis://nostpp_cache_test:wrong@" + url_.substr(8) + "/3";
    open();
    EXPECT_EQ(ids(R"({"kinds":[1]})").size(), 1u);
    EXPECT_EQ(cache_->stats().hits, 0u);
    EXPECT_GE(cache_->stats().bypassed, 1u);
    raw->command({"ACL", "DELUSER", "nostpp_cache_test"});
}

// Writers and readers at once: every event acknowledged before a query starts is in it, for
// queries guarded by kind versions and by author versions.
TEST_F(CachedStoreTest, NeverStaleUnderConcurrentWrites) {
    std::mutex mutex;
    std::vector<std::pair<std::string, uint32_t>> acked;  // id, kind
    std::atomic<bool> done{false};
    std::atomic<int> checked{0};
    std::string authors;
    for (uint64_t key = 1; key <= 5; ++key)
        authors += (authors.empty() ? "\"" : ",\"") +
                   nostr::to_hex(test_support::test_key(key).pubkey) + "\"";
    const std::string by_kind = R"({"kinds":[1]})";
    const std::string by_author = R"({"authors":[)" + authors + "]}";
    std::thread writer([&] {
        for (int i = 0; i < 150; ++i) {
            auto event = make(1 + i % 5, i % 3 == 0 ? 7 : 1, 1000 - i);
            EXPECT_EQ(put(event), PutOutcome::stored);
            std::lock_guard lock(mutex);
            acked.emplace_back(hex(event), event.kind);
        }
        done = true;
    });
    auto reader = [&](const std::string& json, bool kind_1_only) {
        while (!done) {
            std::vector<std::string> must;
            {
                std::lock_guard lock(mutex);
                for (const auto& [id, kind] : acked)
                    if (!kind_1_only || kind == 1) must.push_back(id);
            }
            std::vector<std::string> got;
            cache_->query(filters(json), {5000, 500, kNow}, [&](std::string_view event) {
                got.emplace_back(event.substr(7, 64));
                return true;
            });
            std::sort(got.begin(), got.end());
            for (const auto& id : must)
                if (!std::binary_search(got.begin(), got.end(), id)) {
                    ADD_FAILURE() << "stale answer to " << json << ": acknowledged " << id
                                  << " missing";
                    return;
                }
            ++checked;
        }
    };
    std::thread r1(reader, by_kind, true), r2(reader, by_author, false);
    writer.join();
    r1.join();
    r2.join();
    EXPECT_GT(checked.load(), 10);
    EXPECT_GT(cache_->stats().hits, 0u);
}

}  // namespace
}  // namespace redis_test
