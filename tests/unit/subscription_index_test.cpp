// SubscriptionIndex::dispatch: each subscription whose filters match gets a live event
// exactly once, however many of its filters or filed keys match, and no other gets it.
#include "relay/subscription_index.h"

#include <gtest/gtest.h>

#include "nostr/client_message.h"
#include "test_events.h"

namespace {

class CountingOutbound final : public relay::Outbound {
  public:
    void send(std::string text) override {
        if (text.rfind("[\"EVENT\"", 0) == 0) ++events;
    }
    void close(std::string_view) override {}
    int events = 0;
};

std::vector<nostr::Filter> filters(const std::string& json) {
    auto message = nostr::parse_client_message("[\"REQ\",\"s\"," + json + "]");
    return std::get<nostr::ReqMessage>(message).filters;
}

class SubscriptionIndexTest : public ::testing::Test {
  protected:
    // A live subscription (its initial query answered) with these filters, in the index.
    std::shared_ptr<CountingOutbound> subscribe(const std::string& json) {
        auto out = std::make_shared<CountingOutbound>();
        auto sub = std::make_shared<relay::LiveSubscription>("s", filters(json), out);
        index_.add(sub);
        sub->finish_initial_query({});
        subscriptions_.push_back(sub);
        return out;
    }
    void dispatch(const nostr::Event& event) {
        index_.dispatch({std::make_shared<nostr::Event>(event), 1});
    }

    relay::SubscriptionIndex index_;
    std::vector<std::shared_ptr<relay::LiveSubscription>> subscriptions_;
    nostr::KeyPair key_ = test_support::test_key(1);
    std::string author_ = nostr::to_hex(key_.pubkey);
};

TEST_F(SubscriptionIndexTest, EachMatchingSubscriptionGetsTheEventOnce) {
    auto event = test_support::make_event(key_, 1, 1'700'000'000, {{"t", "x"}, {"t", "y"}});
    auto by_kind = subscribe(R"({"kinds":[1]})");
    auto two_filters = subscribe(R"({"kinds":[1]},{"authors":[")" + author_ + R"("]})");
    auto two_tag_values = subscribe(R"({"#t":["x","y"]})");
    auto repeated_kind = subscribe(R"({"kinds":[1,1]})");
    auto unindexed = subscribe("{}");
    auto by_id_and_kind =
        subscribe(R"({"ids":[")" + nostr::to_hex(event.id) + R"("]},{"kinds":[1]},{})");
    auto other_kind = subscribe(R"({"kinds":[7]})");
    auto other_tag = subscribe(R"({"#t":["z"]})");
    auto matching_key_but_not_filter = subscribe(R"({"kinds":[1],"#t":["z"]})");
    dispatch(event);
    EXPECT_EQ(by_kind->events, 1);
    EXPECT_EQ(two_filters->events, 1);
    EXPECT_EQ(two_tag_values->events, 1);
    EXPECT_EQ(repeated_kind->events, 1);
    EXPECT_EQ(unindexed->events, 1);
    EXPECT_EQ(by_id_and_kind->events, 1);
    EXPECT_EQ(other_kind->events, 0);
    EXPECT_EQ(other_tag->events, 0);
    EXPECT_EQ(matching_key_but_not_filter->events, 0);
}

TEST_F(SubscriptionIndexTest, ARepeatedTagDeliversOnce) {
    auto one_key = subscribe(R"({"kinds":[1],"#p":[")" + author_ + R"("]})");
    auto two_keys = subscribe(R"({"#p":[")" + author_ + R"(",")" +
                              nostr::to_hex(test_support::test_key(2).pubkey) + R"("]})");
    dispatch(test_support::make_event(key_, 1, 1'700'000'000,
                                      {{"p", author_}, {"p", author_, "wss://relay.example"}}));
    EXPECT_EQ(one_key->events, 1);
    EXPECT_EQ(two_keys->events, 1);
}

TEST_F(SubscriptionIndexTest, ARemovedSubscriptionGetsNothing) {
    auto out = subscribe(R"({"kinds":[1]},{"#t":["x"]})");
    auto removed = subscriptions_.back();
    auto same_key = subscribe(R"({"#t":["x"]})");
    index_.remove(removed);
    dispatch(test_support::make_event(key_, 1, 1'700'000'000, {{"t", "x"}}));
    EXPECT_EQ(out->events, 0);
    EXPECT_EQ(same_key->events, 1);
    EXPECT_EQ(index_.size(), 1u);
}

}  // namespace
