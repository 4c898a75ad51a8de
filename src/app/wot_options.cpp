#include "app/wot_options.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "wot/wot_metrics.h"
#include "wot/wot_service.h"

namespace app {

void add_wot_options(CLI::App& command, wot::WotSettings& settings, std::string& enabled_text) {
    command
        .add_option("--wot-enabled", enabled_text,
                    "Web of Trust write gate: true/false (default: on when ADMIN_PUBKEY is set)")
        ->envname("WOT_ENABLED")
        ->check(CLI::IsMember({"", "true", "false", "1", "0", "yes", "no"}, CLI::ignore_case));
    command
        .add_option("--wot-depth", settings.depth,
                    "1: admin and the admin's follows; 2: also pubkeys followed by at least "
                    "--wot-min-followers of them")
        ->envname("WOT_DEPTH");
    command
        .add_option("--wot-min-followers", settings.min_followers,
                    "Depth 2: followers among {admin} + follows needed to be trusted")
        ->envname("WOT_MIN_FOLLOWERS");
    command
        .add_option("--wot-allow", settings.allow,
                    "Pubkeys (hex, comma separated) that may always write")
        ->envname("WOT_ALLOW");
    command
        .add_option("--wot-deny", settings.deny,
                    "Pubkeys (hex, comma separated) that may never write (the admin excepted)")
        ->envname("WOT_DENY");
    command
        .add_option("--wot-seed-relays", settings.seed_relays,
                    "ws:// or wss:// relays (comma separated) to fetch follow lists from")
        ->envname("WOT_SEED_RELAYS");
    command
        .add_option("--wot-refresh-interval", settings.refresh_interval_s,
                    "Seconds between full rebuilds of the trust set")
        ->envname("WOT_REFRESH_INTERVAL");
    command
        .add_option("--wot-before-first-build", settings.before_first_build,
                    "Who may write before any set was built: admin-only (admin and allow list) "
                    "or open (everyone)")
        ->envname("WOT_BEFORE_FIRST_BUILD")
        ->check(CLI::IsMember({"admin-only", "open"}));
}

wot::WotConfig resolve_and_log_wot(wot::WotSettings settings, const std::string& enabled_text,
                                   const std::string& admin_pubkey) {
    std::string text = enabled_text;
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!text.empty()) settings.enabled = text == "true" || text == "1" || text == "yes";
    settings.admin_pubkey = admin_pubkey;
    wot::WotConfig config = wot::resolve_wot_config(settings);
    if (config.enabled)
        spdlog::info("web of trust {}", wot::describe(config));
    else if (settings.enabled.has_value())
        spdlog::info("web of trust off (WOT_ENABLED=false): everyone may write");
    else
        spdlog::info("web of trust off: no ADMIN_PUBKEY is set, so everyone may write");
    return config;
}

std::unique_ptr<wot::WotService> start_wot(const wot::WotConfig& config, store::Store& store,
                                           bus::Bus& bus, telemetry::MetricsRegistry* registry) {
    if (!config.enabled) return nullptr;
    auto service = std::make_unique<wot::WotService>(config, store);
    if (registry) wot::add_wot_metrics(*registry, *service);
    bus.subscribe(
        [gate = service.get()](const bus::LiveEvent& live) { gate->on_event(*live.event); });
    service->start();
    return service;
}

}  // namespace app
