// The query cache's one-round-trip lookup (cached_store_lookup.h) against a real Redis: an
// entry serves only while every counter it depends on has the value it records, and the
// lookup says when a counter does not exist yet.
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
        key_ = prefix_ + "q:query";
    }
    std::optional<store::CacheLookup> lookup() {
        return store::lookup_cache_entry(*connection_, keys_, key_);
    }
    std::unique_ptr<bus::RedisConnection> connection_;
    std::string prefix_;
    std::vector<std::string> keys_;
    std::string key_;
};

TEST_F(CacheLookupTest, ServesAnEntryOnlyUnderTheVersionsItRecords) {
    EXPECT_FALSE(lookup());  // no counters yet
    store::CacheVersions versions(prefix_);
    std::string current = versions.read(*connection_, keys_);  // creates them
    auto empty = lookup();
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->versions, current);
    EXPECT_FALSE(empty->entry);

    connection_->command({"SET", key_, store::versioned_cache_entry(current, "answer")});
    auto hit = lookup();
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->entry, "answer");

    for (const auto& key : keys_) {  // moving any counter retires the entry
        connection_->command({"INCR", key});
        auto moved = lookup();
        ASSERT_TRUE(moved);
        EXPECT_NE(moved->versions, current);
        EXPECT_FALSE(moved->entry);
        current = moved->versions;
    }
    // filed under the current versions again (a newer answer), it serves
    connection_->command({"SET", key_, store::versioned_cache_entry(current, "newer")});
    EXPECT_EQ(lookup()->entry, "newer");
    connection_->command({"SET", key_, "no versions"});
    EXPECT_FALSE(lookup()->entry);
}

}  // namespace
}  // namespace redis_test
