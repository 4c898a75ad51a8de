// Runs the shared store suite against the embedded LMDB store.
#include <filesystem>

#include "store/lmdb/lmdb_store.h"
#include "store_suite.h"

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

}  // namespace
}  // namespace store_test
