// The query cache's one-round-trip lookups (cached_store_lookup.h) against a real Redis: an
// entry serves only while every counter it depends on has the value it records, the lookup
// says when a counter does not exist yet, and a batch judges each query on its own.
#include "store/cached_store_lookup.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

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
        store::CacheLookupKeys one{keys_, key_};
        auto found = store::lookup_cache_entries(*connection_, {&one, 1});
        EXPECT_EQ(found.size(), 1u);
        return std::move(found.at(0));
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

TEST_F(CacheLookupTest, ABatchJudgesEachQueryAloneInOneRoundTrip) {
    store::CacheVersions versions(prefix_);
    std::vector<store::CacheLookupKeys> batch = {
        {{prefix_ + "v:epoch", prefix_ + "v:k:1"}, prefix_ + "q:hit"},
        {{prefix_ + "v:epoch", prefix_ + "v:k:1"}, prefix_ + "q:absent"},
        {{prefix_ + "v:epoch", prefix_ + "v:k:7"}, prefix_ + "q:moved"},
        {{prefix_ + "v:epoch", prefix_ + "v:k:new"}, prefix_ + "q:no-counter"},
    };
    std::string kind1 = versions.read(*connection_, batch[0].version_keys);
    std::string kind7 = versions.read(*connection_, batch[2].version_keys);
    connection_->command({"SET", batch[0].entry_key, store::versioned_cache_entry(kind1, "a")});
    connection_->command({"SET", batch[2].entry_key, store::versioned_cache_entry(kind7, "b")});
    connection_->command({"INCR", prefix_ + "v:k:7"});  // retires the third entry only

    auto found = store::lookup_cache_entries(*connection_, batch);
    ASSERT_EQ(found.size(), 4u);
    ASSERT_TRUE(found[0] && found[1] && found[2]);
    EXPECT_EQ(found[0]->entry, "a");
    EXPECT_EQ(found[0]->versions, kind1);
    EXPECT_FALSE(found[1]->entry);
    EXPECT_EQ(found[1]->versions, kind1);
    EXPECT_FALSE(found[2]->entry);
    EXPECT_NE(found[2]->versions, kind7);
    EXPECT_FALSE(found[3]);  // v:k:new does not exist
    // Every reply was read: the connection answers the next command with its own reply.
    EXPECT_EQ(connection_->command({"ECHO", "next"})->str, std::string("next"));
}

TEST_F(CacheLookupTest, AnUnexpectedReplyThrowsAndLeavesTheConnectionUsable) {
    store::CacheVersions versions(prefix_);
    versions.read(*connection_, keys_);
    connection_->command({"HSET", key_, "field", "value"});  // GET of a hash: WRONGTYPE
    store::CacheLookupKeys good{keys_, prefix_ + "q:other"};
    std::vector<store::CacheLookupKeys> batch = {{keys_, key_}, good};
    EXPECT_THROW(store::lookup_cache_entries(*connection_, batch), bus::RedisError);
    EXPECT_FALSE(connection_->broken());
    EXPECT_EQ(connection_->command({"ECHO", "next"})->str, std::string("next"));
}

}  // namespace
}  // namespace redis_test
