// `nostpp wot status|check <pubkey>|rebuild`: the operator's view of the Web of Trust, on
// the same store (and with the same WOT_* settings) as the running relay or event handler.
// A rebuild here is persisted; running processes pick it up within seconds.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <memory>

#include "app/commands.h"
#include "app/relay_options.h"
#include "app/store_options.h"
#include "app/wot_options.h"
#include "wot/persisted_set.h"
#include "wot/wot_service.h"

namespace app {
namespace {

struct WotCommandSettings {
    StoreSettings store;
    relay::RelayInfo info;  // only --admin-pubkey is used
    wot::WotSettings wot;
    std::string wot_enabled;
    std::string pubkey;  // for `check`
};

std::string format_time(int64_t unix_seconds) {
    std::time_t t = unix_seconds;
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return text;
}

wot::WotConfig enabled_config(const WotCommandSettings& settings) {
    wot::WotConfig config =
        resolve_and_log_wot(settings.wot, settings.wot_enabled, settings.info.admin_pubkey);
    if (!config.enabled)
        throw std::runtime_error("the web of trust is off: set ADMIN_PUBKEY (and WOT_ENABLED)");
    return config;
}

bool same_rules(const wot::PersistedSet& set, const wot::WotConfig& config) {
    return set.admin == config.admin && set.depth == config.depth &&
           set.min_followers == config.min_followers;
}

void run_status(const WotCommandSettings& settings) {
    wot::WotConfig config = enabled_config(settings);
    auto store = open_store(settings.store);
    std::printf("rules: %s\n", wot::describe(config).c_str());
    auto set = wot::load_persisted_set(*store);
    if (!set) {
        std::printf("set: none built yet (before the first build: %s)\n",
                    config.open_before_first_build ? "everyone may write"
                                                   : "only the admin and the allow list may write");
        return;
    }
    std::printf("set: %zu pubkeys, built %s in %.3f s from %llu follow lists%s\n",
                set->members.size(), format_time(set->built_at).c_str(),
                double(set->build_micros) / 1e6, static_cast<unsigned long long>(set->follow_lists),
                same_rules(*set, config) ? "" : " (with other rules: the next build replaces it)");
}

void run_check(const WotCommandSettings& settings) {
    wot::WotConfig config = enabled_config(settings);
    nostr::Bytes32 pubkey;
    if (!nostr::decode_lower_hex(settings.pubkey, pubkey))
        throw std::runtime_error("the pubkey must be 64 lowercase hex characters");
    auto store = open_store(settings.store);
    auto set = wot::load_persisted_set(*store);
    const bool built = set && same_rules(*set, config);
    const char* verdict;
    bool trusted = true;
    if (pubkey == config.admin) {
        verdict = "trusted: the admin";
    } else if (config.deny.count(pubkey)) {
        verdict = "not trusted: on the deny list";
        trusted = false;
    } else if (config.allow.count(pubkey)) {
        verdict = "trusted: on the allow list";
    } else if (!built) {
        trusted = config.open_before_first_build;
        verdict = trusted ? "trusted: no set built yet and WOT_BEFORE_FIRST_BUILD=open"
                          : "not trusted: no set built yet (only the admin and the allow list)";
    } else if (std::binary_search(set->members.begin(), set->members.end(), pubkey)) {
        verdict = "trusted: in the web of trust";
    } else {
        verdict = "not trusted: not in the web of trust";
        trusted = false;
    }
    std::printf("%s\n", verdict);
    if (!trusted) throw CLI::RuntimeError(1);
}

void run_rebuild(const WotCommandSettings& settings) {
    wot::WotConfig config = enabled_config(settings);
    auto store = open_store(settings.store);
    wot::WotService service(config, *store);
    wot::BuildReport report = service.rebuild(true);
    for (const auto& error : report.fetch_errors)
        std::fprintf(stderr, "seed relay %s\n", error.c_str());
    std::printf(
        "built %zu pubkeys from %zu follow lists in %.3f s (%zu fetched from seed relays, "
        "%zu new); running relays use it within %lld s\n",
        report.members, report.follow_lists, report.seconds, report.fetched, report.stored,
        static_cast<long long>(config.reload_poll.count() / 1000));
}

}  // namespace

void add_wot_command(CLI::App& app) {
    auto settings = std::make_shared<WotCommandSettings>();
    CLI::App* command = app.add_subcommand("wot", "Inspect or rebuild the Web of Trust");
    command->require_subcommand(1);
    auto shared = [&](CLI::App& sub) {
        add_store_options(sub, settings->store);
        add_relay_info_options(sub, settings->info);
        add_wot_options(sub, settings->wot, settings->wot_enabled);
    };
    CLI::App* status = command->add_subcommand("status", "Rules in force and the stored set");
    shared(*status);
    status->callback([settings] { run_status(*settings); });
    CLI::App* check = command->add_subcommand(
        "check", "Whether a pubkey may write (exit status 0) or not (exit status 1)");
    shared(*check);
    check->add_option("pubkey", settings->pubkey, "Public key, 64 lowercase hex characters")
        ->required();
    check->callback([settings] { run_check(*settings); });
    CLI::App* rebuild = command->add_subcommand(
        "rebuild", "Fetch from the seed relays, rebuild the set from the store and persist it");
    shared(*rebuild);
    rebuild->callback([settings] { run_rebuild(*settings); });
}

}  // namespace app
