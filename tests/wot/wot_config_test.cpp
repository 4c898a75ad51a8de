// Resolving WOT_* settings: defaults from ADMIN_PUBKEY, errors that say what to set.
#include "wot/wot_config.h"

#include <gtest/gtest.h>

#include "wot_fixtures.h"

namespace {

std::string admin_hex() {
    return nostr::to_hex(wot_test::pk(1));
}

std::string error_of(const wot::WotSettings& settings) {
    try {
        wot::resolve_wot_config(settings);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

TEST(WotConfig, OnByDefaultWhenAnAdminIsSetOffWithout) {
    wot::WotSettings settings;
    EXPECT_FALSE(wot::resolve_wot_config(settings).enabled);
    settings.admin_pubkey = admin_hex();
    auto config = wot::resolve_wot_config(settings);
    EXPECT_TRUE(config.enabled);
    EXPECT_EQ(config.admin, wot_test::pk(1));
    EXPECT_EQ(config.depth, 2);
    EXPECT_EQ(config.min_followers, 3u);
    EXPECT_EQ(config.refresh_interval, std::chrono::seconds(3600));
    EXPECT_FALSE(config.open_before_first_build);
    settings.enabled = false;
    EXPECT_FALSE(wot::resolve_wot_config(settings).enabled);
}

TEST(WotConfig, ExplicitlyOnWithoutAnAdminSaysWhatToSet) {
    wot::WotSettings settings;
    settings.enabled = true;
    EXPECT_NE(error_of(settings).find("ADMIN_PUBKEY"), std::string::npos) << error_of(settings);
}

TEST(WotConfig, RejectsBadValuesNamingTheSetting) {
    wot::WotSettings base;
    base.admin_pubkey = admin_hex();
    auto with = [&](auto change) {
        wot::WotSettings s = base;
        change(s);
        return error_of(s);
    };
    EXPECT_NE(with([](auto& s) { s.depth = 3; }).find("WOT_DEPTH"), std::string::npos);
    EXPECT_NE(with([](auto& s) { s.min_followers = 0; }).find("WOT_MIN_FOLLOWERS"),
              std::string::npos);
    EXPECT_NE(with([](auto& s) { s.allow = "abc"; }).find("WOT_ALLOW"), std::string::npos);
    EXPECT_NE(with([](auto& s) { s.deny = std::string(64, 'A'); }).find("WOT_DENY"),
              std::string::npos);
    EXPECT_NE(with([](auto& s) { s.seed_relays = "https://x"; }).find("WOT_SEED_RELAYS"),
              std::string::npos);
    EXPECT_NE(with([](auto& s) { s.before_first_build = "x"; }).find("WOT_BEFORE_FIRST_BUILD"),
              std::string::npos);
    EXPECT_NE(with([](auto& s) { s.admin_pubkey = "npub1xyz"; }).find("ADMIN_PUBKEY"),
              std::string::npos);
}

TEST(WotConfig, ListsAcceptCommasAndSpaces) {
    wot::WotSettings settings;
    settings.admin_pubkey = admin_hex();
    settings.allow = nostr::to_hex(wot_test::pk(2)) + ", " + nostr::to_hex(wot_test::pk(3));
    settings.seed_relays = "ws://127.0.0.1:1/,wss://relay.example";
    auto config = wot::resolve_wot_config(settings);
    EXPECT_EQ(config.allow.size(), 2u);
    EXPECT_TRUE(config.allow.count(wot_test::pk(3)));
    EXPECT_EQ(config.seed_relays,
              (std::vector<std::string>{"ws://127.0.0.1:1/", "wss://relay.example"}));
}

}  // namespace
