// NIP-42 AUTH event checks (relay/nip42.h): each check refuses on its own, the created_at
// window is inclusive at both edges, relay URLs compare after normalization, and the
// per-connection state (relay/connection_auth.h) holds several pubkeys, up to its cap.
#include "relay/nip42.h"

#include <gtest/gtest.h>

#include <set>

#include "nostr/filter_json.h"
#include "relay/connection_auth.h"
#include "relay/read_restriction.h"
#include "test_events.h"

namespace {

using test_support::make_event;
using test_support::test_key;

constexpr int64_t kNow = 1'700'000'000;
constexpr int64_t kWindow = 600;
const std::string kChallenge = "0123456789abcdef0123456789abcdef";
const std::string kRelay = "wss://relay.example.com";

nostr::Event auth_event(std::vector<nostr::Tag> tags, int64_t created_at = kNow,
                        uint32_t kind = relay::kAuthEventKind, uint64_t key = 1) {
    return make_event(test_key(key), kind, created_at, std::move(tags));
}

nostr::Event good_auth(int64_t created_at = kNow, const std::string& relay_url = kRelay) {
    return auth_event({{"relay", relay_url}, {"challenge", kChallenge}}, created_at);
}

relay::AuthCheck check(const nostr::Event& event, std::string_view relay_url = kRelay) {
    return relay::check_auth_event(event, kChallenge, relay_url, kNow, kWindow).check;
}

TEST(RelayUrl, NormalizesSchemeHostPortAndTrailingSlash) {
    EXPECT_EQ(relay::normalize_relay_url("wss://Relay.Example.COM/"),
              "wss://relay.example.com:443");
    EXPECT_EQ(relay::normalize_relay_url("WSS://relay.example.com:443"),
              "wss://relay.example.com:443");
    EXPECT_EQ(relay::normalize_relay_url("ws://127.0.0.1"), "ws://127.0.0.1:80");
    EXPECT_EQ(relay::normalize_relay_url("ws://127.0.0.1:8008//"), "ws://127.0.0.1:8008");
    EXPECT_EQ(relay::normalize_relay_url("wss://[::1]:7000/nostr/"), "wss://[::1]:7000/nostr");
    // The path keeps its case: only scheme and host are case-insensitive.
    EXPECT_EQ(relay::normalize_relay_url("wss://h/Path"), "wss://h:443/Path");
}

TEST(RelayUrl, RefusesWhatIsNotAWebSocketUrl) {
    for (const char* url : {"https://relay.example.com", "relay.example.com", "wss://",
                            "wss://:443", "wss://host:", "wss://host:0", "wss://host:65536",
                            "wss://host:80x", "wss://user@host", "wss://[::1", "wss://[::1]x"})
        EXPECT_EQ(relay::normalize_relay_url(url), std::nullopt) << url;
}

TEST(AuthEvent, AValidEventPasses) {
    relay::AuthVerdict verdict =
        relay::check_auth_event(good_auth(), kChallenge, kRelay, kNow, kWindow);
    EXPECT_EQ(verdict.check, relay::AuthCheck::ok);
    EXPECT_EQ(verdict.message, "");
}

TEST(AuthEvent, TheRelayTagMatchesAfterNormalization) {
    EXPECT_EQ(check(good_auth(kNow, "wss://RELAY.example.com:443/")), relay::AuthCheck::ok);
    EXPECT_EQ(check(good_auth(kNow, "wss://relay.example.com"), "wss://relay.example.com:443/"),
              relay::AuthCheck::ok);
    EXPECT_EQ(check(good_auth(kNow, "wss://other.example.com")), relay::AuthCheck::relay);
    EXPECT_EQ(check(good_auth(kNow, "ws://relay.example.com")), relay::AuthCheck::relay);
    EXPECT_EQ(check(good_auth(kNow, "wss://relay.example.com:8443")), relay::AuthCheck::relay);
    EXPECT_EQ(check(good_auth(kNow, "wss://relay.example.com/sub")), relay::AuthCheck::relay);
}

TEST(AuthEvent, WithoutAConfiguredUrlAnyWebSocketUrlIsAccepted) {
    EXPECT_EQ(check(good_auth(kNow, "wss://anything.example"), ""), relay::AuthCheck::ok);
    EXPECT_EQ(check(good_auth(kNow, "ws://127.0.0.1:9"), ""), relay::AuthCheck::ok);
    EXPECT_EQ(check(good_auth(kNow, "https://anything.example"), ""), relay::AuthCheck::relay);
    EXPECT_EQ(check(auth_event({{"challenge", kChallenge}}), ""), relay::AuthCheck::relay);
}

TEST(AuthEvent, EachCheckRefusesOnItsOwn) {
    EXPECT_EQ(check(auth_event({{"relay", kRelay}, {"challenge", kChallenge}}, kNow, 1)),
              relay::AuthCheck::kind);
    EXPECT_EQ(check(auth_event({{"relay", kRelay}, {"challenge", "x" + kChallenge}})),
              relay::AuthCheck::challenge);
    EXPECT_EQ(check(auth_event({{"relay", kRelay}})), relay::AuthCheck::challenge);
    EXPECT_EQ(check(auth_event({{"challenge", kChallenge}})), relay::AuthCheck::relay);
    nostr::Event forged = good_auth();
    forged.sig[0] ^= 1;
    EXPECT_EQ(check(forged), relay::AuthCheck::signature);
    nostr::Event wrong_id = good_auth();
    wrong_id.id[0] ^= 1;
    EXPECT_EQ(check(wrong_id), relay::AuthCheck::signature);
    // Every refusal is an OK false message with the invalid: prefix.
    for (const nostr::Event& event : {forged, auth_event({{"relay", kRelay}})})
        EXPECT_EQ(relay::check_auth_event(event, kChallenge, kRelay, kNow, kWindow)
                      .message.rfind("invalid: ", 0),
                  0u);
}

TEST(AuthEvent, CreatedAtWindowIsInclusiveAtBothEdges) {
    EXPECT_EQ(check(good_auth(kNow - kWindow)), relay::AuthCheck::ok);
    EXPECT_EQ(check(good_auth(kNow + kWindow)), relay::AuthCheck::ok);
    EXPECT_EQ(check(good_auth(kNow - kWindow - 1)), relay::AuthCheck::created_at);
    EXPECT_EQ(check(good_auth(kNow + kWindow + 1)), relay::AuthCheck::created_at);
    EXPECT_EQ(relay::check_auth_event(good_auth(kNow - 61), kChallenge, kRelay, kNow, 60).check,
              relay::AuthCheck::created_at);
}

TEST(ConnectionAuth, ChallengesAreRandomHex) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        relay::ConnectionAuth auth;
        EXPECT_EQ(auth.challenge().size(), 32u);
        EXPECT_EQ(auth.challenge().find_first_not_of("0123456789abcdef"), std::string::npos);
        seen.insert(auth.challenge());
    }
    EXPECT_EQ(seen.size(), 100u);
}

TEST(ConnectionAuth, HoldsSeveralPubkeysUpToItsCap) {
    relay::ConnectionAuth auth;
    EXPECT_FALSE(auth.any());
    nostr::Bytes32 first = test_key(1).pubkey, second = test_key(2).pubkey;
    EXPECT_TRUE(auth.add(first));
    EXPECT_TRUE(auth.add(second));
    EXPECT_TRUE(auth.add(first));  // again: no-op
    EXPECT_TRUE(auth.any());
    EXPECT_TRUE(auth.has(first));
    EXPECT_TRUE(auth.has(second));
    EXPECT_FALSE(auth.has(test_key(3).pubkey));
    EXPECT_EQ(auth.pubkeys().size(), 2u);
    for (uint64_t n = 3; n <= relay::ConnectionAuth::kMaxPubkeys; ++n)
        EXPECT_TRUE(auth.add(test_key(n).pubkey));
    EXPECT_FALSE(auth.add(test_key(100).pubkey));
    EXPECT_TRUE(auth.add(first));  // already there: still fine
}

TEST(ConnectionAuth, ParticipantsAreTheAuthorAndPTaggedPubkeys) {
    relay::ConnectionAuth auth;
    nostr::KeyPair alice = test_key(1), bob = test_key(2), carol = test_key(3);
    auth.add(bob.pubkey);
    std::string bob_hex = nostr::to_hex(bob.pubkey);
    EXPECT_TRUE(auth.is_participant(make_event(bob, 4, kNow)));
    EXPECT_TRUE(auth.is_participant(make_event(alice, 4, kNow, {{"p", bob_hex}})));
    EXPECT_FALSE(auth.is_participant(make_event(alice, 4, kNow, {{"e", bob_hex}})));
    EXPECT_FALSE(
        auth.is_participant(make_event(alice, 4, kNow, {{"p", nostr::to_hex(carol.pubkey)}})));
    relay::ConnectionAuth nobody;
    EXPECT_FALSE(nobody.is_participant(make_event(bob, 4, kNow)));
}

// The filters a COUNT is narrowed to (--auth-read-kinds 4): they match exactly the events of
// the original filters that an authenticated participant may read.
TEST(ReadRestriction, CountFiltersAreNarrowedToAuthenticatedParticipants) {
    auto auth = std::make_shared<relay::ConnectionAuth>();
    nostr::KeyPair alice = test_key(1), bob = test_key(2), carol = test_key(3);
    auth->add(bob.pubkey);
    relay::ReadRestriction restriction(std::make_shared<const std::vector<uint32_t>>(
                                           std::vector<uint32_t>{4}),
                                       auth);
    auto filters = [](const std::string& json) {
        std::vector<nostr::Filter> out;
        std::string error;
        EXPECT_TRUE(nostr::parse_filters_json(json, out, error)) << error;
        return out;
    };
    std::string bob_hex = nostr::to_hex(bob.pubkey), carol_hex = nostr::to_hex(carol.pubkey);
    std::vector<nostr::Event> events = {
        make_event(alice, 4, kNow, {{"p", bob_hex}}),    // to Bob: counted
        make_event(bob, 4, kNow, {{"p", carol_hex}}),    // from Bob: counted
        make_event(alice, 4, kNow, {{"p", carol_hex}}),  // between others: not counted
        make_event(alice, 1, kNow, {{"p", carol_hex}}),  // open kind: counted
    };
    for (const std::string& json :
         {std::string(R"([{"kinds":[1,4]}])"), std::string(R"([{"kinds":[4],"#p":[")") +
                                                   carol_hex + R"("]},{"kinds":[1]}])",
          std::string(R"([{"kinds":[4,1],"authors":[")") + nostr::to_hex(alice.pubkey) +
              R"("]}])"}) {
        std::vector<nostr::Filter> original = filters(json);
        auto narrowed = restriction.narrow_to_participants(original);
        ASSERT_TRUE(narrowed) << json;
        for (const nostr::Event& event : events)
            EXPECT_EQ(nostr::matches_any(*narrowed, event),
                      nostr::matches_any(original, event) && restriction.readable(event))
                << json << " kind " << event.kind;
    }
    EXPECT_FALSE(restriction.narrow_to_participants(filters(R"([{"kinds":[1]},{}])")));
}

}  // namespace
