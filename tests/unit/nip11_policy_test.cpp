// NIP-11 advertises the write policy: min_pow_difficulty, restricted_writes, NIP-13 support.
#include <gtest/gtest.h>

#include <string>

#include "relay/relay.h"
#include "service_fixture.h"

namespace {

std::string document(const relay::RelayConfig& config) {
    service_test::LocalStack stack;
    relay::Relay relay(config, stack.backend(), stack.bus(), stack.metrics());
    return relay.nip11_document();
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(Nip11Policy, OpenRelayAdvertisesNoPowAndUnrestrictedWrites) {
    std::string doc = document({});
    EXPECT_TRUE(has(doc, "\"min_pow_difficulty\":0,")) << doc;
    EXPECT_TRUE(has(doc, "\"restricted_writes\":false")) << doc;
    EXPECT_TRUE(has(doc, "\"supported_nips\":[1,9,11,13,")) << doc;
}

TEST(Nip11Policy, MinimumPowIsAdvertisedAndRestrictsWrites) {
    relay::RelayConfig config;
    config.limits.min_pow_difficulty = 21;
    std::string doc = document(config);
    EXPECT_TRUE(has(doc, "\"min_pow_difficulty\":21,")) << doc;
    EXPECT_TRUE(has(doc, "\"restricted_writes\":true")) << doc;
}

TEST(Nip11Policy, AllowListRestrictsWritesDenyListDoesNot) {
    relay::RelayConfig allowing;
    allowing.limits.pubkeys.allow(std::string(64, 'a'));
    EXPECT_TRUE(has(document(allowing), "\"restricted_writes\":true"));
    relay::RelayConfig denying;
    denying.limits.pubkeys.deny(std::string(64, 'a'));
    EXPECT_TRUE(has(document(denying), "\"restricted_writes\":false"));
}

TEST(Nip11Policy, MaxEventAgeIsTheCreatedAtLowerLimit) {
    relay::RelayConfig config;
    config.limits.created_at_past_seconds = 86400;
    EXPECT_TRUE(has(document(config), "\"created_at_lower_limit\":86400"));
}

}  // namespace
