// Runs the shared store suite against the embedded LMDB store, plus what only LMDB does.
#include <filesystem>
#include <future>

#include "store/lmdb/lmdb_store.h"
#include "store_helpers.h"
#include "store_suite.h"
#include "test_events.h"

namespace store_test {
namespace {

std::string fresh_directory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "nostpp-lmdb-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

// Owns its directory and removes it with the store.
class TempLmdbStore {
public:
    static std::unique_ptr<store::Store> open(const std::string& dir) {
        return store::LmdbStore::open(dir, uint64_t{1} << 30);
    }
};

std::vector<std::string>& directories() {
    static std::vector<std::string> dirs;
    return dirs;
}

struct CleanUp : ::testing::Environment {
    void TearDown() override {
        for (const auto& dir : directories()) std::filesystem::remove_all(dir);
    }
};
const auto* const clean_up = ::testing::AddGlobalTestEnvironment(new CleanUp);

StoreFactory lmdb_factory() {
    auto current = std::make_shared<std::string>();
    return StoreFactory{
        "Lmdb",
        [current]() {
            *current = fresh_directory();
            directories().push_back(*current);
            return TempLmdbStore::open(*current);
        },
        [current](std::unique_ptr<store::Store> store) {
            store.reset();
            return TempLmdbStore::open(*current);
        },
    };
}

INSTANTIATE_TEST_SUITE_P(Lmdb, StoreSuite, ::testing::Values(lmdb_factory()),
                         [](const auto& info) { return info.param.name; });

// LMDB runs put()'s `decided` before its commit: a reader on another thread does not see the
// batch yet (this is what lets live subscribers skip the wait for the fsync).
TEST(LmdbStore, DecidedRunsBeforeTheCommit) {
    std::string dir = fresh_directory();
    directories().push_back(dir);
    auto store = TempLmdbStore::open(dir);
    auto event = test_support::make_event(test_support::test_key(1), 1, kNow - 10);
    const nostr::Event* batch[] = {&event};
    std::vector<store::PutResult> results;
    std::vector<std::string> seen_meanwhile{"not run"};
    uint64_t snapshot_meanwhile = 0;
    uint64_t seq = store->put(batch, results, [&](uint64_t) {
        std::async(std::launch::async, [&] {
            snapshot_meanwhile =
                store->query({filter("{}")}, {100, 100, kNow}, [](auto) { return true; });
            seen_meanwhile = query_ids(*store, filter("{}"));
        }).wait();
    });
    EXPECT_EQ(results.at(0).outcome, store::PutOutcome::stored);
    EXPECT_TRUE(seen_meanwhile.empty());
    EXPECT_LT(snapshot_meanwhile, seq);
    EXPECT_EQ(query_ids(*store, filter("{}")), std::vector<std::string>{hex(event)});
}

}  // namespace
}  // namespace store_test
