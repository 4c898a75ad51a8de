// Web of Trust options shared by the roles (WOT_* variables of the seed), and starting the
// WoT service for the roles that own the store (relay, event-handler).
#pragma once
#include <memory>
#include <string>

#include "bus/bus.h"
#include "store/store.h"
#include "wot/wot_config.h"

namespace CLI {
class App;
}
namespace telemetry {
class MetricsRegistry;
}
namespace wot {
class WotService;
}

namespace app {

// --wot-enabled, --wot-depth, --wot-min-followers, --wot-allow, --wot-deny,
// --wot-seed-relays, --wot-refresh-interval, --wot-before-first-build. The admin comes from
// --admin-pubkey / ADMIN_PUBKEY (add_relay_info_options).
void add_wot_options(CLI::App& command, wot::WotSettings& settings, std::string& enabled_text);

// Resolves the settings (with the admin pubkey) and logs one line saying whether the gate is
// on. Throws std::invalid_argument with what to set when they are inconsistent.
wot::WotConfig resolve_and_log_wot(wot::WotSettings settings, const std::string& enabled_text,
                                   const std::string& admin_pubkey);

// The running service when the Web of Trust is on (null when off): persisted set loaded,
// background builds started, new follow lists on `bus` trigger rebuilds, metrics in
// `registry` when given.
std::unique_ptr<wot::WotService> start_wot(const wot::WotConfig& config, store::Store& store,
                                           bus::Bus& bus, telemetry::MetricsRegistry* registry);

}  // namespace app
