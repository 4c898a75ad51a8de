// The write policy of issue 7: NIP-13 proof of work, the pubkey allow/deny lists, the order
// of the checks in check_incoming_event, and the --max-event-age bound (created_at_past).
#include <gtest/gtest.h>

#include <atomic>

#include "relay/event_policy.h"
#include "relay/proof_of_work.h"
#include "relay/pubkey_lists.h"
#include "test_events.h"

namespace {

using test_support::bytes32_from_hex;
using test_support::make_event;
using test_support::test_key;

constexpr int64_t kNow = 1'700'000'000;

// An event whose id is set by hand: the policy checks read the id, they do not recompute it.
nostr::Event event_with_id(std::string_view id_hex, std::vector<nostr::Tag> tags = {}) {
    nostr::Event event = make_event(test_key(1), 1, kNow, std::move(tags), "mined");
    event.id = bytes32_from_hex(id_hex);
    return event;
}

// 64 hex characters: `prefix` then 'f' (a nibble with no leading zero bit).
std::string id_hex(std::string_view prefix) {
    std::string hex(prefix);
    hex.resize(64, 'f');
    return hex;
}

TEST(ProofOfWork, CountsLeadingZeroBitsAcrossNibblesAndBytes) {
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(id_hex(""))), 0);
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(id_hex("7"))), 1);
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(id_hex("1"))), 3);
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(id_hex("0f"))), 4);
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(id_hex("08"))), 4);
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(id_hex("07"))), 5);
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(id_hex("007f"))), 9);
    // NIP-13's own example: 36 bits.
    EXPECT_EQ(relay::leading_zero_bits(bytes32_from_hex(
                  "000000000e9d97a1ab09fc381030b346cdd7a142ad57e6df0b46dc9bef6c7e2d")),
              36);
    EXPECT_EQ(relay::leading_zero_bits(nostr::Bytes32{}), 256);
}

TEST(ProofOfWork, DifficultyExactlyTheMinimumIsAccepted) {
    // 0x00 0x7f: 9 leading zero bits.
    nostr::Event event = event_with_id(id_hex("007f"));
    EXPECT_EQ(relay::check_proof_of_work(event, 9), "");
    EXPECT_EQ(relay::check_proof_of_work(event, 8), "");
    EXPECT_EQ(relay::check_proof_of_work(event, 10), "pow: difficulty 9 is less than 10");
}

TEST(ProofOfWork, OffWhenTheMinimumIsZero) {
    EXPECT_EQ(relay::check_proof_of_work(event_with_id(id_hex("")), 0), "");
    // Even a committed target of 0 is fine when nothing is required.
    EXPECT_EQ(relay::check_proof_of_work(event_with_id(id_hex(""), {{"nonce", "1", "0"}}), 0), "");
}

TEST(ProofOfWork, CommittedTargetBelowTheMinimumIsRefused) {
    // 16 bits of work, committed to 12: lucky spam mined for less than the relay wants.
    nostr::Event lucky = event_with_id(id_hex("0000"), {{"nonce", "42", "12"}});
    EXPECT_EQ(relay::check_proof_of_work(lucky, 16), "pow: committed target 12 is less than 16");
    EXPECT_EQ(relay::check_proof_of_work(lucky, 12), "");
}

TEST(ProofOfWork, CommittedTargetAtOrAboveTheMinimumIsAccepted) {
    EXPECT_EQ(relay::check_proof_of_work(event_with_id(id_hex("0000"), {{"nonce", "1", "16"}}), 16),
              "");
    EXPECT_EQ(relay::check_proof_of_work(event_with_id(id_hex("0000"), {{"nonce", "1", "40"}}), 16),
              "");
}

TEST(ProofOfWork, TheIdMustStillMeetTheMinimumWhateverTheCommitment) {
    nostr::Event bragging = event_with_id(id_hex("0f"), {{"nonce", "1", "30"}});
    EXPECT_EQ(relay::check_proof_of_work(bragging, 8), "pow: difficulty 4 is less than 8");
}

TEST(ProofOfWork, MalformedNonceTagsCommitToNothing) {
    for (const nostr::Tag& tag : std::vector<nostr::Tag>{{"nonce"},
                                                         {"nonce", "1"},
                                                         {"nonce", "1", ""},
                                                         {"nonce", "1", "abc"},
                                                         {"nonce", "1", "-5"},
                                                         {"nonce", "1", "4x"},
                                                         {"nonce", "1", " 4"},
                                                         {"nonce", "1", "99999999999999999999999"},
                                                         {"Nonce", "1", "4"}}) {
        nostr::Event event = event_with_id(id_hex("00"), {tag});
        EXPECT_EQ(relay::check_proof_of_work(event, 8), "") << ::testing::PrintToString(tag);
        EXPECT_EQ(relay::check_proof_of_work(event, 9), "pow: difficulty 8 is less than 9");
    }
}

TEST(ProofOfWork, EveryNonceTagCommits) {
    nostr::Event two = event_with_id(id_hex("00"), {{"nonce", "1", "20"}, {"nonce", "2", "3"}});
    EXPECT_EQ(relay::check_proof_of_work(two, 8), "pow: committed target 3 is less than 8");
}

TEST(ProofOfWork, IsPartOfTheEventPolicy) {
    relay::Limits limits;
    limits.min_pow_difficulty = 5;
    EXPECT_EQ(relay::check_event_policy(event_with_id(id_hex("0f")), limits, kNow),
              "pow: difficulty 4 is less than 5");
    EXPECT_EQ(relay::check_event_policy(event_with_id(id_hex("07")), limits, kNow), "");
}

TEST(ProofOfWork, MinedSignedEventPassesTheFullCheck) {
    relay::Limits limits;
    limits.min_pow_difficulty = 6;
    nostr::KeyPair key = test_key(7);
    nostr::Event event = make_event(key, 1, kNow, {{"nonce", "0", "6"}}, "work");
    for (uint64_t nonce = 1; relay::leading_zero_bits(event.id) < 6; ++nonce) {
        ASSERT_LT(nonce, 100'000u);
        event.tags[0][1] = std::to_string(nonce);
        test_support::sign_event(event, key);
    }
    EXPECT_EQ(relay::check_incoming_event(event, limits, kNow, true), "");
}

const std::string kAlice = std::string(64, 'a');
const std::string kBob = std::string(64, 'b');
const std::string kCarol = std::string(64, 'c');

TEST(PubkeyLists, EmptyListsLetEveryoneWrite) {
    relay::PubkeyLists lists;
    EXPECT_TRUE(lists.empty());
    EXPECT_FALSE(lists.has_allow_list());
    EXPECT_EQ(lists.check(bytes32_from_hex(kAlice)), "");
}

TEST(PubkeyLists, AllowListAdmitsOnlyItsKeys) {
    relay::PubkeyLists lists;
    lists.allow(kAlice + ", " + kBob);
    EXPECT_TRUE(lists.has_allow_list());
    EXPECT_EQ(lists.check(bytes32_from_hex(kAlice)), "");
    EXPECT_EQ(lists.check(bytes32_from_hex(kBob)), "");
    EXPECT_EQ(lists.check(bytes32_from_hex(kCarol)),
              "blocked: pubkey is not on this relay's allow list");
}

TEST(PubkeyLists, DenyWinsOverAllow) {
    relay::PubkeyLists lists;
    lists.allow(kAlice + " " + kBob);
    lists.deny(kBob);
    EXPECT_EQ(lists.check(bytes32_from_hex(kAlice)), "");
    EXPECT_EQ(lists.check(bytes32_from_hex(kBob)), "blocked: pubkey is on this relay's deny list");
    relay::PubkeyLists deny_only;
    deny_only.deny(kCarol);
    EXPECT_FALSE(deny_only.has_allow_list());
    EXPECT_EQ(deny_only.check(bytes32_from_hex(kAlice)), "");
    EXPECT_EQ(deny_only.check(bytes32_from_hex(kCarol)),
              "blocked: pubkey is on this relay's deny list");
}

TEST(PubkeyLists, ReadsSeparatorsAndUppercaseAndRefusesJunk) {
    relay::PubkeyLists lists;
    lists.allow(" ,\n" + std::string(64, 'A') + ",,\t" + kBob + " ");
    EXPECT_EQ(lists.check(bytes32_from_hex(kAlice)), "");
    EXPECT_EQ(lists.check(bytes32_from_hex(kBob)), "");
    EXPECT_THROW(lists.allow(kAlice.substr(1)), std::invalid_argument);
    EXPECT_THROW(lists.deny(kAlice + "aa"), std::invalid_argument);
    EXPECT_THROW(lists.deny(std::string(63, 'a') + "g"), std::invalid_argument);
    EXPECT_THROW(lists.deny("npub1xyz"), std::invalid_argument);
}

// Counts the calls so a test can see whether a check ran.
class CountingGate final : public relay::WriteGate {
  public:
    std::string check_author(const nostr::Bytes32&) const override {
        ++calls;
        return "blocked: not in the web of trust";
    }
    mutable std::atomic<int> calls{0};
};

TEST(CheckOrder, LimitsThenListsThenGateThenSignature) {
    nostr::KeyPair key = test_key(2);
    nostr::Event event = make_event(key, 1, kNow, {}, "hello");
    relay::Limits limits;
    limits.pubkeys.deny(nostr::to_hex(event.pubkey));
    CountingGate gate;

    // Limits first: a proof-of-work refusal hides the deny list.
    limits.min_pow_difficulty = 256;
    EXPECT_EQ(relay::check_incoming_event(event, limits, kNow, true, &gate).rfind("pow:", 0), 0u);
    limits.min_pow_difficulty = 0;

    // Lists before the gate: the gate is not even asked about a denied author.
    EXPECT_EQ(relay::check_incoming_event(event, limits, kNow, true, &gate),
              "blocked: pubkey is on this relay's deny list");
    EXPECT_EQ(gate.calls.load(), 0);

    // Lists before the signature: a denied author's forged event costs no verification and
    // is answered with the list, not "invalid:".
    nostr::Event forged = event;
    forged.sig[0] ^= 1;
    EXPECT_EQ(relay::check_incoming_event(forged, limits, kNow, true),
              "blocked: pubkey is on this relay's deny list");

    // With the author allowed, the gate decides next.
    relay::Limits allowing;
    allowing.pubkeys.allow(nostr::to_hex(event.pubkey));
    EXPECT_EQ(relay::check_incoming_event(event, allowing, kNow, true, &gate),
              "blocked: not in the web of trust");
    EXPECT_EQ(gate.calls.load(), 1);
    EXPECT_EQ(relay::check_incoming_event(event, allowing, kNow, true), "");
    EXPECT_EQ(relay::check_incoming_event(forged, allowing, kNow, true).rfind("invalid:", 0), 0u);
}

TEST(MaxEventAge, CreatedAtPastIsTheMaxEventAge) {
    relay::Limits limits;
    limits.created_at_past_seconds = 3600;
    nostr::KeyPair key = test_key(3);
    EXPECT_EQ(relay::check_event_policy(make_event(key, 1, kNow - 3600), limits, kNow), "");
    EXPECT_EQ(relay::check_event_policy(make_event(key, 1, kNow - 3601), limits, kNow),
              "invalid: created_at is more than 3600 seconds in the past");
    limits.created_at_past_seconds = 0;  // off
    EXPECT_EQ(relay::check_event_policy(make_event(key, 1, 0), limits, kNow), "");
}

}  // namespace

// Events per pubkey are counted last, after the signature: a forged event naming someone's
// pubkey must not spend that pubkey's budget, and without verification nothing is counted.
TEST(CheckOrder, ThePubkeyBudgetIsSpentOnlyByVerifiedEvents) {
    telemetry::MetricsRegistry metrics;
    ratelimit::PubkeyBudget budget({1, 0, 0, 0}, metrics);
    relay::Limits limits;
    nostr::Event good = make_event(test_key(1), 1, kNow, {}, "signed");
    nostr::Event forged = good;
    forged.sig[0] ^= 1;
    EXPECT_EQ(relay::check_incoming_event(forged, limits, kNow, true, nullptr, &budget)
                  .rfind("invalid:", 0),
              0u);
    EXPECT_EQ(relay::check_incoming_event(good, limits, kNow, false, nullptr, &budget), "");
    EXPECT_EQ(relay::check_incoming_event(good, limits, kNow, true, nullptr, &budget), "");
    EXPECT_EQ(relay::check_incoming_event(good, limits, kNow, true, nullptr, &budget)
                  .rfind("rate-limited: ", 0),
              0u);
}
