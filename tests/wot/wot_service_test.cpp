// The WoT service on a real (LMDB) store: enforcement before and after a build, allow/deny,
// unfollow, persistence across restarts, rebuild on a new follow list, and pick-up of a set
// built by another process.
#include "wot/wot_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "store/lmdb/lmdb_store.h"
#include "wot/persisted_set.h"
#include "wot_fixtures.h"

namespace {

using wot_test::follow_list;
using wot_test::pk;

class WotServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("nostpp-wot-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        store_ = store::LmdbStore::open(dir_.string(), uint64_t{1} << 30);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    void put(const nostr::Event& event) {
        std::vector<const nostr::Event*> batch{&event};
        std::vector<store::PutResult> results;
        store_->put(batch, results);
        ASSERT_TRUE(results.at(0).accepted()) << results[0].message;
    }
    wot::WotConfig config(int depth = 2, uint32_t min_followers = 2) {
        wot::WotConfig c;
        c.enabled = true;
        c.admin = pk(1);
        c.depth = depth;
        c.min_followers = min_followers;
        c.rebuild_delay = std::chrono::milliseconds(50);
        c.reload_poll = std::chrono::milliseconds(50);
        return c;
    }
    // Admin 1 follows 2 and 3; both follow 10; only 2 follows 11.
    void put_graph() {
        put(follow_list(1, {2, 3}));
        put(follow_list(2, {10, 11}));
        put(follow_list(3, {10}));
    }
    static bool trusted(const wot::WotService& s, uint64_t n) {
        return s.check_author(pk(n)).empty();
    }
    template <class Condition>
    static bool eventually(Condition condition) {
        for (int i = 0; i < 500; ++i) {
            if (condition()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(WotServiceTest, BeforeTheFirstBuildOnlyAdminAndAllowListWrite) {
    auto c = config();
    c.allow.insert(pk(5));
    wot::WotService service(c, *store_);
    EXPECT_TRUE(trusted(service, 1));
    EXPECT_TRUE(trusted(service, 5));
    EXPECT_EQ(service.check_author(pk(2)), "blocked: not in web of trust");
    EXPECT_EQ(service.rebuild(false).follow_lists, 0u);  // no admin list stored yet
    EXPECT_EQ(service.stats().rejects, 1u);
}

TEST_F(WotServiceTest, BeforeTheFirstBuildOpenLetsEveryoneWrite) {
    auto c = config();
    c.open_before_first_build = true;
    wot::WotService service(c, *store_);
    EXPECT_TRUE(trusted(service, 42));
}

TEST_F(WotServiceTest, BuildTrustsFollowsAndFollowsOfFollowsAboveTheThreshold) {
    put_graph();
    wot::WotService service(config(), *store_);
    wot::BuildReport report = service.rebuild(false);
    EXPECT_EQ(report.members, 4u);  // 1, 2, 3, 10
    EXPECT_EQ(report.follow_lists, 3u);
    for (int n : {1, 2, 3, 10}) EXPECT_TRUE(trusted(service, n)) << n;
    EXPECT_FALSE(trusted(service, 11));
    wot::WotService depth_one(config(1), *store_);
    depth_one.rebuild(false);
    EXPECT_TRUE(trusted(depth_one, 3));
    EXPECT_FALSE(trusted(depth_one, 10));
}

TEST_F(WotServiceTest, DenyBeatsAllowAndTheSetButNeverTheAdmin) {
    put_graph();
    auto c = config();
    c.deny = {pk(2), pk(7), pk(1)};
    c.allow = {pk(7)};
    wot::WotService service(c, *store_);
    service.rebuild(false);
    EXPECT_FALSE(trusted(service, 2));
    EXPECT_FALSE(trusted(service, 7));
    EXPECT_TRUE(trusted(service, 1));
    EXPECT_TRUE(trusted(service, 3));
}

TEST_F(WotServiceTest, AnUnfollowRemovesTrustAtTheNextBuild) {
    put_graph();
    wot::WotService service(config(), *store_);
    service.rebuild(false);
    ASSERT_TRUE(trusted(service, 3));
    put(follow_list(1, {2}, 1700000100));  // the admin unfollows 3
    service.rebuild(false);
    EXPECT_FALSE(trusted(service, 3));
    EXPECT_FALSE(trusted(service, 10));  // 3's vote for 10 is gone with it
}

TEST_F(WotServiceTest, TheSetSurvivesARestartWithoutARebuild) {
    put_graph();
    {
        wot::WotService service(config(), *store_);
        service.rebuild(false);
    }
    // The graph is gone from the store, but the persisted set is what is in force after a
    // restart until the next build replaces it.
    store_->erase(follow_list(3, {10}).id);
    wot::WotService restarted(config(), *store_);
    ASSERT_TRUE(restarted.load_persisted());
    EXPECT_TRUE(restarted.stats().built);
    EXPECT_EQ(restarted.stats().set_size, 4u);
    EXPECT_TRUE(trusted(restarted, 10));
    EXPECT_FALSE(trusted(restarted, 11));
}

TEST_F(WotServiceTest, ASetBuiltWithOtherRulesIsNotLoaded) {
    put_graph();
    {
        wot::WotService service(config(2, 2), *store_);
        service.rebuild(false);
    }
    wot::WotService other(config(2, 3), *store_);
    EXPECT_FALSE(other.load_persisted());
    EXPECT_FALSE(trusted(other, 10));
}

TEST_F(WotServiceTest, ANewAdminFollowListTriggersARebuild) {
    put_graph();
    wot::WotService service(config(), *store_);
    service.start();
    ASSERT_TRUE(eventually([&] { return service.stats().builds >= 1; }));
    EXPECT_FALSE(trusted(service, 20));
    nostr::Event list = follow_list(1, {2, 3, 20}, 1700000200);
    put(list);
    service.on_event(list);
    EXPECT_TRUE(eventually([&] { return trusted(service, 20); }));
    service.stop();
}

TEST_F(WotServiceTest, AFollowsNewListTriggersARebuildAStrangersDoesNot) {
    put_graph();
    wot::WotService service(config(), *store_);
    service.start();
    ASSERT_TRUE(eventually([&] { return service.stats().builds >= 1; }));
    nostr::Event stranger = follow_list(40, {11}, 1700000300);
    put(stranger);
    service.on_event(stranger);
    // Six times the rebuild delay: a build the stranger caused would have happened by now.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(service.stats().builds, 1u);
    nostr::Event follow = follow_list(3, {10, 11}, 1700000300);  // 11 now has two votes
    put(follow);
    service.on_event(follow);
    EXPECT_TRUE(eventually([&] { return trusted(service, 11); }));
    service.stop();
}

TEST_F(WotServiceTest, ASetBuiltByAnotherProcessIsPickedUp) {
    wot::WotService running(config(), *store_);
    running.start();
    ASSERT_TRUE(eventually([&] { return running.stats().builds >= 1; }));
    ASSERT_FALSE(trusted(running, 2));
    put_graph();
    wot::WotService operator_tool(config(), *store_);  // `nostpp wot rebuild`
    operator_tool.rebuild(false);
    EXPECT_TRUE(eventually([&] { return trusted(running, 2); }));
    running.stop();
}

TEST_F(WotServiceTest, UnreachableSeedRelaysAreReportedAndTheBuildGoesOn) {
    put_graph();
    auto c = config();
    c.seed_relays = {"ws://127.0.0.1:1/"};
    wot::WotService service(c, *store_);
    wot::BuildReport report = service.rebuild(true);
    ASSERT_FALSE(report.fetch_errors.empty());
    EXPECT_NE(report.fetch_errors[0].find("ws://127.0.0.1:1/"), std::string::npos);
    EXPECT_TRUE(trusted(service, 10));
}

TEST(PersistedSet, RoundTripsAndRejectsDamage) {
    wot::PersistedSet set{pk(1), 2, 3, 1700000000, 1234, 7, 99, {pk(2), pk(3)}};
    std::string bytes = wot::encode_persisted_set(set);
    auto back = wot::decode_persisted_set(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->admin, pk(1));
    EXPECT_EQ(back->depth, 2);
    EXPECT_EQ(back->min_followers, 3u);
    EXPECT_EQ(back->built_at, 1700000000);
    EXPECT_EQ(back->build_micros, 1234u);
    EXPECT_EQ(back->follow_lists, 7u);
    EXPECT_EQ(back->stamp, 99u);
    EXPECT_EQ(back->members, set.members);
    EXPECT_FALSE(wot::decode_persisted_set(bytes.substr(0, bytes.size() - 1)));
    EXPECT_FALSE(wot::decode_persisted_set("x" + bytes));
    EXPECT_FALSE(wot::decode_persisted_set(""));
}

}  // namespace
