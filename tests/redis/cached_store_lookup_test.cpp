// The query cache's one-round-trip lookup (cached_store_lookup.h) against a real Redis: it
// finds an entry only under the current values of every counter it names, and says when a
// counter does not exist yet.
#include "store/cached_store_lookup.h"

#include <gtest/gtest.h>

#include "redis_test_env.h"
#include "store/cached_store_versions.h"

namespace redis_test {
namespace {

class CacheLookupTest : public RedisTest {
  protected:
    void SetUp() override {
        RedisTest::SetUp();
        if (HasFatalFailure()) return;
        connection_ = raw_connection(url_);
        prefix_ = unique_name();
        keys_ = {prefix_ + "v:epoch", prefix_ + "v:a"};
    }
    std::optional<store::CacheLookup> lookup() {
        return store::lookup_cache_entry(*connection_, keys_, prefix_ + "q:query");
    }
    std::unique_ptr<bus::RedisConnection> connection_;
    std::string prefix_;
    std::vector<std::string> keys_;
};

TEST_F(CacheLookupTest, FindsAnEntryOnlyUnderTheCurrentVersions) {
    EXPECT_FALSE(lookup());  // no counters yet
    store::CacheVersions versions(prefix_);
    versions.read(*connection_, keys_);  // creates them
    auto empty = lookup();
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->entry_key.rfind(prefix_ + "q:query:", 0), 0u) << empty->entry_key;
    EXPECT_FALSE(empty->entry);

    connection_->command({"SET", empty->entry_key, "answer"});
    auto hit = lookup();
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->entry_key, empty->entry_key);
    EXPECT_EQ(hit->entry, "answer");

    for (const auto& key : keys_) {  // moving any counter moves the entry's key
        std::string before = lookup()->entry_key;
        connection_->command({"INCR", key});
        auto moved = lookup();
        ASSERT_TRUE(moved);
        EXPECT_NE(moved->entry_key, before);
        EXPECT_FALSE(moved->entry);
    }
}

}  // namespace
}  // namespace redis_test
