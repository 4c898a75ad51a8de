// CachedStore::query_batch against a real Redis, over an LMDB store wrapped so the test can
// act while an inner query runs: hits and misses in one batch, each answer equal to the
// store's, a write between or during batches never served stale, Redis stopping in the
// middle of a batch, a failing query failing alone, and pooled connections reused after the
// batch's unawaited SETs.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <optional>

#include "nostr/client_message.h"
#include "redis_test_env.h"
#include "store/cached_store.h"
#include "store/lmdb/lmdb_store.h"
#include "test_events.h"

namespace redis_test {
namespace {

using store::PutOutcome;

const int64_t kNow = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();

// Forwards to an LMDB store; counts inner queries, runs `after_query` after each one and
// throws for kind 666.
class HookedStore final : public store::Store {
  public:
    explicit HookedStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<store::PutResult>& results,
                 const store::Decided& decided) override {
        return inner_->put(batch, results, decided);
    }
    uint64_t query(const std::vector<nostr::Filter>& filters, const store::QueryOptions& options,
                   const store::EventSink& sink) override {
        if (filters[0].kinds && filters[0].kinds->at(0) == 666)
            throw std::runtime_error("broken query");
        ++queries;
        uint64_t seq = inner_->query(filters, options, sink);
        if (after_query) after_query();
        return seq;
    }
    uint64_t count(const std::vector<nostr::Filter>& filters, int64_t now, store::HyperLogLog* hll,
                   int hll_offset) override {
        return inner_->count(filters, now, hll, hll_offset);
    }
    size_t purge_expired(int64_t now) override { return inner_->purge_expired(now); }
    bool erase(const nostr::Bytes32& id) override { return inner_->erase(id); }
    uint64_t size() override { return inner_->size(); }
    void put_setting(std::string_view name, std::string_view value) override {
        inner_->put_setting(name, value);
    }
    std::optional<std::string> get_setting(std::string_view name) override {
        return inner_->get_setting(name);
    }

    store::Store& lmdb() { return *inner_; }

    int queries = 0;  // the cache's, not counting the test's checks through lmdb()
    std::function<void()> after_query;

  private:
    std::unique_ptr<store::Store> inner_;
};

class CachedStoreBatchTest : public RedisTest {
  protected:
    void SetUp() override {
        RedisTest::SetUp();
        if (HasFatalFailure()) return;
        std::string pattern =
            (std::filesystem::temp_directory_path() / "nostpp-cache-batch-XXXXXX").string();
        ASSERT_TRUE(mkdtemp(pattern.data()));
        dir_ = pattern;
        store::CacheOptions options;
        options.url = url_;
        options.key_prefix = unique_name();
        auto hooked = std::make_unique<HookedStore>(store::LmdbStore::open(dir_, 1 << 28));
        hooked_ = hooked.get();
        cache_ = std::make_unique<store::CachedStore>(std::move(hooked), options);
        for (uint32_t kind : {1, 7, 9}) ASSERT_EQ(put(kind), PutOutcome::stored);
    }
    void TearDown() override {
        cache_.reset();
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    PutOutcome put(uint32_t kind) {
        auto event = test_support::make_event(test_support::test_key(1), kind, kNow - 100 + serial_,
                                              {}, "event " + std::to_string(serial_));
        ++serial_;
        std::vector<store::PutResult> results;
        const nostr::Event* batch[] = {&event};
        cache_->put(batch, results);
        return results.at(0).outcome;
    }

    static std::vector<nostr::Filter> kind_filter(uint32_t kind) {
        auto message =
            nostr::parse_client_message(R"(["REQ","t",{"kinds":[)" + std::to_string(kind) + "]}]");
        return std::get<nostr::ReqMessage>(message).filters;
    }

    // One batch of kind queries through the cache; each answer (event ids) is checked against
    // the store's own answer after the batch unless `check` is false (a write during the
    // batch). nullopt for a query that failed.
    std::vector<std::optional<std::vector<std::string>>> batch(std::vector<uint32_t> kinds,
                                                               bool check = true) {
        std::vector<std::vector<nostr::Filter>> filters;
        for (uint32_t kind : kinds) filters.push_back(kind_filter(kind));
        std::vector<std::vector<std::string>> got(kinds.size());
        std::vector<store::BatchQuery> queries(kinds.size());
        for (size_t i = 0; i < kinds.size(); ++i) {
            queries[i].filters = &filters[i];
            queries[i].sink = [&ids = got[i]](std::string_view json) {
                ids.emplace_back(json.substr(7, 64));
                return true;
            };
        }
        store::QueryOptions options{5000, 500, kNow};
        cache_->query_batch(queries, options);
        std::vector<std::optional<std::vector<std::string>>> answers;
        for (size_t i = 0; i < kinds.size(); ++i) {
            if (queries[i].error) {
                answers.emplace_back(std::nullopt);
                continue;
            }
            answers.emplace_back(got[i]);
            if (!check) continue;
            std::vector<std::string> expected;
            uint64_t seq = hooked_->lmdb().query(filters[i], options, [&](std::string_view json) {
                expected.emplace_back(json.substr(7, 64));
                return true;
            });
            EXPECT_EQ(got[i], expected) << "stale or wrong answer for kind " << kinds[i];
            // A hit answers as of its entry's commit: later writes of other kinds leave it.
            EXPECT_LE(queries[i].snapshot_seq, seq) << "kind " << kinds[i];
        }
        return answers;
    }

    HookedStore* hooked_ = nullptr;
    std::unique_ptr<store::CachedStore> cache_;
    std::string dir_;
    int serial_ = 0;
};

TEST_F(CachedStoreBatchTest, ServesHitsAndSendsOnlyMissesToTheStore) {
    batch({1, 7});
    EXPECT_EQ(hooked_->queries, 2);
    EXPECT_EQ(cache_->stats().misses, 2u);
    auto answers = batch({1, 9, 7, 1});  // two hits, a miss, and the first query again
    EXPECT_EQ(hooked_->queries, 3);      // only kind 9 reached the store
    EXPECT_EQ(cache_->stats().hits, 3u);
    EXPECT_EQ(cache_->stats().misses, 3u);
    ASSERT_TRUE(answers[0] && answers[1]);
    EXPECT_EQ(answers[0]->size(), 1u);
    EXPECT_EQ(answers[0], answers[3]);
    batch({1, 7, 9});
    EXPECT_EQ(hooked_->queries, 3);
    EXPECT_EQ(cache_->stats().hits, 6u);
    EXPECT_EQ(cache_->stats().errors, 0u);
}

TEST_F(CachedStoreBatchTest, AWriteBetweenBatchesRetiresOnlyTheEntriesItTouches) {
    batch({1, 7});
    ASSERT_EQ(put(1), PutOutcome::stored);
    auto answers = batch({1, 7});  // kind 1 a miss with the new event, kind 7 still a hit
    EXPECT_EQ(answers[0]->size(), 2u);
    EXPECT_EQ(cache_->stats().hits, 1u);
    EXPECT_EQ(hooked_->queries, 3);
}

// The write is acknowledged after the batch read the versions and after the inner query ran:
// that answer may lack it, but the entry filed from it must never serve later queries.
TEST_F(CachedStoreBatchTest, AWriteDuringTheBatchIsInEveryLaterAnswer) {
    bool wrote = false;
    hooked_->after_query = [&] {
        if (!wrote) wrote = put(1) == PutOutcome::stored;
    };
    auto first = batch({1, 7}, false);
    ASSERT_TRUE(wrote);
    EXPECT_EQ(first[0]->size(), 1u);  // ran before the write
    hooked_->after_query = nullptr;
    auto later = batch({1, 7});
    EXPECT_EQ(later[0]->size(), 2u);
    EXPECT_EQ(cache_->stats().hits, 1u);  // kind 7 only: kind 1's entry predates the write
}

TEST_F(CachedStoreBatchTest, AFailingQueryFailsAloneAndQueryRethrows) {
    auto answers = batch({1, 666, 7});
    EXPECT_TRUE(answers[0] && answers[2]);
    EXPECT_FALSE(answers[1]);
    EXPECT_EQ(batch({1, 7})[0]->size(), 1u);
    EXPECT_EQ(cache_->stats().hits, 2u);  // the failure did not keep the others' entries out
    EXPECT_THROW(
        cache_->query(kind_filter(666), {5000, 500, kNow}, [](std::string_view) { return true; }),
        std::runtime_error);
}

TEST_F(CachedStoreBatchTest, RedisStoppingMidBatchFallsThroughToTheStore) {
    std::optional<ServerDown> down;
    hooked_->after_query = [&] {
        if (!down) down.emplace();
    };
    auto answers = batch({1, 7, 9});  // Redis stops after the lookup, before the SETs
    ASSERT_TRUE(down && down->ok());
    for (const auto& answer : answers) EXPECT_TRUE(answer && answer->size() == 1u);
    ASSERT_EQ(put(1), PutOutcome::stored);  // cannot bump: the cache is untrusted
    hooked_->after_query = nullptr;
    answers = batch({1, 7, 9});
    EXPECT_EQ(answers[0]->size(), 2u);
    EXPECT_EQ(cache_->stats().hits, 0u);
    EXPECT_GE(cache_->stats().bypassed, 3u);
    down.reset();  // Redis back: the cache serves again once trusted
    ASSERT_TRUE(wait_until(
        [&] {
            batch({1, 7, 9});
            return cache_->stats().hits > 0;
        },
        std::chrono::seconds(10)));
}

// The SETs of a batch's misses are not waited for; the next lookups on the same pooled
// connection must still read their own replies (else every one would be a miss or an error).
TEST_F(CachedStoreBatchTest, PooledConnectionsAnswerCorrectlyAfterUnawaitedSets) {
    for (uint32_t kind = 100; kind < 110; ++kind) ASSERT_EQ(put(kind), PutOutcome::stored);
    std::vector<uint32_t> kinds;
    for (uint32_t kind = 100; kind < 110; ++kind) kinds.push_back(kind);
    batch(kinds);
    EXPECT_EQ(cache_->stats().misses, 10u);
    batch(kinds);
    EXPECT_EQ(cache_->stats().hits, 10u);
    for (uint32_t kind : {1, 7, 9}) batch({kind});  // misses, one query at a time
    for (uint32_t kind : {1, 7, 9}) batch({kind});
    EXPECT_EQ(cache_->stats().hits, 13u);
    EXPECT_EQ(cache_->stats().errors, 0u);
    EXPECT_EQ(cache_->stats().bypassed, 0u);
}

}  // namespace
}  // namespace redis_test
