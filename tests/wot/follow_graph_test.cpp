// Who is trusted, from follow lists alone: depth 1 and 2, the follower threshold and its
// edges, malformed and self-referencing entries.
#include "wot/follow_graph.h"

#include <gtest/gtest.h>

#include "wot_fixtures.h"

namespace {

using wot_test::follow_list;
using wot_test::pk;

// Admin = key 1. Follows: 2, 3, 4. Their lists vote for 10, 11, 12.
wot::FollowGraph graph() {
    wot::FollowGraph g;
    g.admin = pk(1);
    g.admin_follows = wot::parse_follows(follow_list(1, {2, 3, 4, 12}));
    g.lists[pk(2)] = wot::parse_follows(follow_list(2, {10, 11, 12}));
    g.lists[pk(3)] = wot::parse_follows(follow_list(3, {10, 11}));
    g.lists[pk(4)] = wot::parse_follows(follow_list(4, {10}));
    return g;
}

TEST(FollowGraph, DepthOneIsAdminAndFollows) {
    auto set = wot::build_trust_set(graph(), {1, 3});
    EXPECT_EQ(set.size(), 5u);
    for (int n : {1, 2, 3, 4, 12}) EXPECT_TRUE(set.contains(pk(n))) << n;
    EXPECT_FALSE(set.contains(pk(10)));
}

TEST(FollowGraph, DepthTwoNeedsExactlyTheThreshold) {
    // 10: followed by 2, 3, 4 (three votes); 11: by 2, 3 (two).
    auto three = wot::build_trust_set(graph(), {2, 3});
    EXPECT_TRUE(three.contains(pk(10)));
    EXPECT_FALSE(three.contains(pk(11)));
    auto two = wot::build_trust_set(graph(), {2, 2});
    EXPECT_TRUE(two.contains(pk(11)));
    auto four = wot::build_trust_set(graph(), {2, 4});
    EXPECT_FALSE(four.contains(pk(10)));
}

TEST(FollowGraph, TheAdminsOwnFollowCountsAsAVote) {
    // 12 is followed by the admin and by 2: two voters.
    auto set = wot::build_trust_set(graph(), {2, 2});
    EXPECT_TRUE(set.contains(pk(12)));
    wot::FollowGraph g = graph();
    g.admin_follows = wot::parse_follows(follow_list(1, {2, 3, 4}));  // admin no longer follows 12
    EXPECT_FALSE(wot::build_trust_set(g, {2, 2}).contains(pk(12)));
}

TEST(FollowGraph, RepeatedEntriesAndSelfFollowsDoNotAddVotes) {
    wot::FollowGraph g;
    g.admin = pk(1);
    g.admin_follows = wot::parse_follows(follow_list(1, {2, 2, 3}));
    EXPECT_EQ(g.admin_follows.size(), 2u);
    g.lists[pk(2)] = wot::parse_follows(follow_list(2, {10, 10, 10, 2}));
    g.lists[pk(3)] = wot::parse_follows(follow_list(3, {3}));
    EXPECT_TRUE(g.lists[pk(3)].empty());
    auto set = wot::build_trust_set(g, {2, 2});
    EXPECT_FALSE(set.contains(pk(10)));  // one voter, however often it lists 10
}

TEST(FollowGraph, MalformedPTagsAreSkipped) {
    nostr::Event list = follow_list(1, {2});
    list.tags.push_back({"p", "ABCDEF"});
    list.tags.push_back({"p", std::string(64, 'G')});
    list.tags.push_back({"p"});
    list.tags.push_back({"e", nostr::to_hex(pk(5))});
    list.tags.push_back({"p", nostr::to_hex(pk(6)), "wss://relay.example", "petname"});
    auto follows = wot::parse_follows(list);
    ASSERT_EQ(follows.size(), 2u);
    EXPECT_EQ(follows[0], pk(2));
    EXPECT_EQ(follows[1], pk(6));
}

TEST(FollowGraph, ListsOfNonFollowsAreNotVoters) {
    wot::FollowGraph g = graph();
    g.lists[pk(50)] = wot::parse_follows(follow_list(50, {11}));  // 50 is not followed
    EXPECT_FALSE(wot::build_trust_set(g, {2, 3}).contains(pk(11)));
}

TEST(FollowGraph, AnAdminWithoutAListTrustsOnlyItself) {
    wot::FollowGraph g;
    g.admin = pk(1);
    auto set = wot::build_trust_set(g, {2, 1});
    EXPECT_EQ(set.size(), 1u);
    EXPECT_TRUE(set.contains(pk(1)));
}

}  // namespace
