// NIP-42 in relay::ClientSession (instant backend, relay_doubles.h): the challenge sent on
// open, AUTH answers, NIP-70 protected events, --auth-required, and --auth-read-kinds on
// stored results, live deliveries and COUNT.
#include <gtest/gtest.h>

#include "nostr/hex.h"
#include "relay/connection_auth.h"
#include "relay/event_policy.h"
#include "relay/nip42.h"
#include "relay/relay.h"
#include "relay_doubles.h"
#include "telemetry/metrics.h"
#include "test_events.h"

namespace {

using test_support::make_event;
using test_support::test_key;

const std::string kRelayUrl = "wss://relay.example.com";

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.rfind(prefix, 0) == 0;
}

class AuthSessionTest : public ::testing::Test {
  protected:
    void start(relay::AuthConfig auth = {}) {
        relay::RelayConfig config;
        config.info.relay_url = kRelayUrl;
        config.auth = std::move(auth);
        relay_ = std::make_unique<relay::Relay>(config, backend_, bus_, metrics_);
        session_ = relay_->open_session(out_, "test");
        ASSERT_EQ(out_->frames.size(), 1u);
        const std::string& frame = out_->frames[0];
        ASSERT_TRUE(starts_with(frame, R"(["AUTH",")")) << frame;
        challenge_ = frame.substr(9, frame.size() - 11);
    }

    std::vector<std::string> send(std::string_view message) {
        size_t first = out_->frames.size();
        session_->on_text(message);
        return {out_->frames.begin() + static_cast<std::ptrdiff_t>(first), out_->frames.end()};
    }

    nostr::Event auth_event(const nostr::KeyPair& key, std::string challenge = {}) {
        return make_event(
            key, relay::kAuthEventKind, relay::unix_now(),
            {{"relay", kRelayUrl}, {"challenge", challenge.empty() ? challenge_ : challenge}});
    }
    // AUTH as `key`; returns the OK frame.
    std::string authenticate(const nostr::KeyPair& key, std::string challenge = {}) {
        auto answer = send("[\"AUTH\"," + auth_event(key, std::move(challenge)).json + "]");
        EXPECT_EQ(answer.size(), 1u);
        return answer.empty() ? "" : answer[0];
    }
    std::string publish(const nostr::Event& event) {
        auto answer = send(test_support::event_message(event));
        EXPECT_EQ(answer.size(), 1u);
        return answer.empty() ? "" : answer[0];
    }
    std::vector<std::string> publish_live(const nostr::Event& event) {
        size_t first = out_->frames.size();
        bus_.publish(bus::LiveEvent{std::make_shared<const nostr::Event>(event), 5}, {});
        return {out_->frames.begin() + static_cast<std::ptrdiff_t>(first), out_->frames.end()};
    }
    uint64_t auth_count(relay::AuthCheck check) {
        return metrics_
            .counter("nostpp_auth_total", "", {{"outcome", relay::auth_check_name(check)}})
            .value();
    }

    telemetry::MetricsRegistry metrics_;
    test_support::InstantBackend backend_;
    test_support::DirectBus bus_;
    std::shared_ptr<test_support::RecordingOutbound> out_ =
        std::make_shared<test_support::RecordingOutbound>();
    std::unique_ptr<relay::Relay> relay_;
    std::unique_ptr<relay::ClientSession> session_;
    std::string challenge_;
    nostr::KeyPair alice_ = test_key(1), bob_ = test_key(2), mallory_ = test_key(3);
};

std::string ok_true(const nostr::Event& event) {
    return R"(["OK",")" + nostr::to_hex(event.id) + R"(",true,""])";
}

TEST_F(AuthSessionTest, EachConnectionGetsItsOwnChallenge) {
    start();
    std::string first = challenge_;
    EXPECT_EQ(first.size(), 32u);
    auto other = std::make_shared<test_support::RecordingOutbound>();
    auto session = relay_->open_session(other, "other");
    ASSERT_EQ(other->frames.size(), 1u);
    EXPECT_NE(other->frames[0], out_->frames[0]);
}

TEST_F(AuthSessionTest, AuthAnswersOkAndIsNeitherStoredNorPublished) {
    start();
    send(R"(["REQ","all",{}])");
    nostr::Event event = auth_event(alice_);
    size_t first = out_->frames.size();
    EXPECT_EQ(send("[\"AUTH\"," + event.json + "]"), std::vector<std::string>{ok_true(event)});
    EXPECT_EQ(out_->frames.size(), first + 1);  // no EVENT on the open subscription
    EXPECT_EQ(auth_count(relay::AuthCheck::ok), 1u);
}

TEST_F(AuthSessionTest, AWrongChallengeIsRefusedAndCounted) {
    start();
    std::string answer = authenticate(alice_, std::string(32, '0'));
    EXPECT_NE(answer.find(R"(",false,"invalid: the AUTH event's challenge tag)"), std::string::npos)
        << answer;
    EXPECT_EQ(auth_count(relay::AuthCheck::challenge), 1u);
    EXPECT_EQ(auth_count(relay::AuthCheck::ok), 0u);
    // Still unauthenticated: a protected event is refused auth-required.
    EXPECT_NE(publish(make_event(alice_, 1, relay::unix_now(), {{"-"}})).find("auth-required: "),
              std::string::npos);
}

TEST_F(AuthSessionTest, ProtectedEventsNeedTheirAuthorAuthenticated) {
    start();
    nostr::Event protected_event = make_event(alice_, 1, relay::unix_now(), {{"-"}}, "mine");
    EXPECT_NE(publish(protected_event).find(R"(",false,"auth-required: )"), std::string::npos);
    ASSERT_NE(authenticate(bob_).find(R"(",true,)"), std::string::npos);
    EXPECT_NE(publish(protected_event).find(R"(",false,"restricted: )"), std::string::npos);
    EXPECT_EQ(backend_.authenticated_submits, 0);
    // Several pubkeys on one connection: Bob stays, Alice joins.
    ASSERT_NE(authenticate(alice_).find(R"(",true,)"), std::string::npos);
    EXPECT_EQ(publish(protected_event), ok_true(protected_event));
    EXPECT_EQ(backend_.authenticated_submits, 1);  // the event handler must be told
    nostr::Event bobs = make_event(bob_, 1, relay::unix_now(), {{"-"}}, "bob's");
    EXPECT_EQ(publish(bobs), ok_true(bobs));
    // An unprotected event goes the ordinary way.
    EXPECT_NE(publish(make_event(alice_, 1, relay::unix_now())).find(R"(",true,)"),
              std::string::npos);
    EXPECT_EQ(backend_.authenticated_submits, 2);
}

TEST_F(AuthSessionTest, TooManyPubkeysOnOneConnectionAreRefused) {
    start();
    for (uint64_t n = 1; n <= relay::ConnectionAuth::kMaxPubkeys; ++n)
        ASSERT_NE(authenticate(test_key(n)).find(R"(",true,)"), std::string::npos);
    EXPECT_NE(authenticate(test_key(99)).find(R"(",false,"restricted: )"), std::string::npos);
    EXPECT_EQ(auth_count(relay::AuthCheck::too_many), 1u);
}

TEST_F(AuthSessionTest, AuthRequiredRefusesEventReqAndCountUntilAuthenticated) {
    relay::AuthConfig auth;
    auth.required = true;
    start(auth);
    nostr::Event event = make_event(alice_, 1, relay::unix_now());
    EXPECT_NE(publish(event).find(R"(",false,"auth-required: )"), std::string::npos);
    auto req = send(R"(["REQ","r",{"kinds":[1]}])");
    ASSERT_EQ(req.size(), 1u);
    EXPECT_TRUE(starts_with(req[0], R"(["CLOSED","r","auth-required: )")) << req[0];
    EXPECT_EQ(relay_->live_subscriptions(), 0u);
    auto count = send(R"(["COUNT","c",{"kinds":[1]}])");
    ASSERT_EQ(count.size(), 1u);
    EXPECT_TRUE(starts_with(count[0], R"(["CLOSED","c","auth-required: )")) << count[0];
    EXPECT_NE(relay_->nip11_document().find(R"("auth_required":true)"), std::string::npos);

    ASSERT_NE(authenticate(mallory_).find(R"(",true,)"), std::string::npos);
    EXPECT_EQ(publish(event), ok_true(event));  // any authenticated pubkey may write
    EXPECT_EQ(send(R"(["REQ","r",{"kinds":[1]}])"), std::vector<std::string>{R"(["EOSE","r"])"});
    EXPECT_EQ(send(R"(["COUNT","c",{"kinds":[1]}])"),
              std::vector<std::string>{R"(["COUNT","c",{"count":0}])"});
}

TEST_F(AuthSessionTest, Nip11AdvertisesNip42AndNoAuthRequirementByDefault) {
    start();
    std::string doc = relay_->nip11_document();
    EXPECT_NE(doc.find("42,"), std::string::npos) << doc;
    EXPECT_NE(doc.find(R"("auth_required":false)"), std::string::npos) << doc;
}

class ReadKindsTest : public AuthSessionTest {
  protected:
    void SetUp() override {
        relay::AuthConfig auth;
        auth.read_kinds = {1059, 4};
        start(auth);
        now_ = relay::unix_now();
        to_bob_ = make_event(alice_, 4, now_, {{"p", nostr::to_hex(bob_.pubkey)}}, "to bob");
        from_bob_ = make_event(bob_, 4, now_ - 1, {}, "bob's note to self");
        public_ = make_event(alice_, 1, now_ - 2, {}, "public");
        backend_.stored = {to_bob_.json, from_bob_.json, public_.json};
    }
    // The ids a REQ got before EOSE, in order.
    std::vector<std::string> req_ids(std::string_view message) {
        std::vector<std::string> ids;
        for (const std::string& frame : send(message)) {
            size_t at = frame.find(R"("id":")");
            if (starts_with(frame, R"(["EVENT",)") && at != std::string::npos)
                ids.push_back(frame.substr(at + 6, 64));
        }
        return ids;
    }
    static std::string id(const nostr::Event& event) { return nostr::to_hex(event.id); }

    int64_t now_ = 0;
    nostr::Event to_bob_, from_bob_, public_;
};

TEST_F(ReadKindsTest, AReqNamingARestrictedKindNeedsAuthentication) {
    auto answer = send(R"(["REQ","dm",{"kinds":[4]}])");
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_TRUE(starts_with(answer[0], R"(["CLOSED","dm","auth-required: )")) << answer[0];
    EXPECT_EQ(relay_->live_subscriptions(), 0u);
}

TEST_F(ReadKindsTest, StoredEventsWithoutKindsFilterAreWithheldFromNonParticipants) {
    EXPECT_EQ(req_ids(R"(["REQ","any",{}])"), std::vector<std::string>{id(public_)});
    ASSERT_NE(authenticate(mallory_).find(R"(",true,)"), std::string::npos);
    backend_.stored = {to_bob_.json, from_bob_.json};  // what a kinds [4] query finds
    EXPECT_EQ(req_ids(R"(["REQ","dm",{"kinds":[4]}])"), std::vector<std::string>{});
}

TEST_F(ReadKindsTest, ParticipantsGetTheirStoredEvents) {
    ASSERT_NE(authenticate(bob_).find(R"(",true,)"), std::string::npos);
    EXPECT_EQ(req_ids(R"(["REQ","any",{}])"),
              (std::vector<std::string>{id(to_bob_), id(from_bob_), id(public_)}));
    backend_.stored = {to_bob_.json, from_bob_.json};  // what a kinds [4] query finds
    EXPECT_EQ(req_ids(R"(["REQ","dm",{"kinds":[4]}])"),
              (std::vector<std::string>{id(to_bob_), id(from_bob_)}));
}

TEST_F(ReadKindsTest, LiveEventsReachParticipantsOnly) {
    send(R"(["REQ","any",{}])");
    EXPECT_EQ(publish_live(to_bob_), std::vector<std::string>{});
    EXPECT_EQ(publish_live(public_).size(), 1u);
    // Authenticating later opens the same subscription to Bob's events.
    ASSERT_NE(authenticate(bob_).find(R"(",true,)"), std::string::npos);
    EXPECT_EQ(publish_live(to_bob_).size(), 1u);
    nostr::Event to_carol =
        make_event(alice_, 1059, now_, {{"p", nostr::to_hex(test_key(9).pubkey)}}, "wrap");
    EXPECT_EQ(publish_live(to_carol), std::vector<std::string>{});
}

TEST_F(ReadKindsTest, SubscriptionsThatCannotMatchARestrictedKindAreNotFiltered) {
    // kinds [1]: the store could not return a kind 4, so nothing is checked (or dropped).
    EXPECT_EQ(req_ids(R"(["REQ","notes",{"kinds":[1]}])"),
              (std::vector<std::string>{id(to_bob_), id(from_bob_), id(public_)}));
}

TEST_F(ReadKindsTest, CountIsNarrowedToParticipantsOrRefused) {
    auto unauthenticated = send(R"(["COUNT","c",{"kinds":[4]}])");
    ASSERT_EQ(unauthenticated.size(), 1u);
    EXPECT_TRUE(starts_with(unauthenticated[0], R"(["CLOSED","c","auth-required: )"));
    // Without kinds there is no filter for "every kind but the restricted ones".
    auto any = send(R"(["COUNT","c",{"authors":[")" + nostr::to_hex(alice_.pubkey) + R"("]}])");
    ASSERT_EQ(any.size(), 1u);
    EXPECT_TRUE(starts_with(any[0], R"(["CLOSED","c","restricted: )")) << any[0];
    ASSERT_NE(authenticate(bob_).find(R"(",true,)"), std::string::npos);
    EXPECT_EQ(send(R"(["COUNT","c",{"kinds":[4,1]}])"),
              std::vector<std::string>{R"(["COUNT","c",{"count":0}])"});
    // Narrowed into three filters each: over --max-filters (10) is refused.
    std::string many = R"(["COUNT","c")";
    for (int i = 0; i < 4; ++i) many += R"(,{"kinds":[1,4],"since":)" + std::to_string(i) + "}";
    auto refused = send(many + "]");
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_TRUE(starts_with(refused[0], R"(["CLOSED","c","restricted: too many filters)"));
}


}  // namespace
