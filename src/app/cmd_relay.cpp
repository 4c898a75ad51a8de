// `nostpp relay`: the all-in-one relay. Wires store (LMDB, or PostgreSQL with DATABASE_URL)
// -> bus (in-process, or Redis with REDIS_URL so several relays share live events) -> local
// backend -> relay logic -> network server, and takes them down in an order that lets
// in-flight work finish.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "app/auth_options.h"
#include "app/commands.h"
#include "app/otel_options.h"
#include "app/observability.h"
#include "app/rate_limit_options.h"
#include "app/redis_options.h"
#include "app/relay_options.h"
#include "app/serve.h"
#include "app/store_options.h"
#include "app/wot_options.h"
#include "net/server.h"
#include "relay/local_backend.h"
#include "relay/relay.h"
#include "wot/wot_service.h"
#include "telemetry/metrics.h"

namespace app {
namespace {

struct RelaySettings {
    net::ServerOptions server;
    net::IpAccessList ip_access;  // --ip-allow, --ip-deny
    net::IpAccessList trusted_proxies;
    StoreSettings store;
    RedisSettings redis;
    relay::RelayConfig relay;
    wot::WotSettings wot;
    std::string wot_enabled;
    unsigned query_threads = 2;
    ObservabilitySettings observability;
};

void run_relay(const RelaySettings& settings, RoleTelemetry& role_telemetry) {
    telemetry::MetricsRegistry& metrics = role_telemetry.metrics();
    const bool postgres = !effective_database_url(settings.store).empty();
    // Live events carry the commit sequence of the store that made them durable; processes
    // sharing them must share that store, or a subscription would compare unrelated numbers.
    if (!settings.redis.url.empty() && !postgres)
        throw std::runtime_error(
            "--redis-url shares live events between relay processes, which must then share "
            "one store: give --database-url (PostgreSQL) too, or drop --redis-url");
    spdlog::info("nostpp {} starting; store: {}", NOSTPP_VERSION, describe_store(settings.store));
    const std::string relay_url = resolve_relay_url(settings.relay.info.relay_url);
    wot::WotConfig wot_config =
        resolve_and_log_wot(settings.wot, settings.wot_enabled, settings.relay.info.admin_pubkey);
    auto otel = start_opentelemetry("relay", metrics);

    std::unique_ptr<store::Store> store =
        with_query_cache(open_store(settings.store), settings.redis, postgres);
    std::unique_ptr<bus::Bus> bus = make_bus(settings.redis, BusRole::relay);
    add_query_cache_metrics(metrics, *store);
    add_bus_metrics(metrics, *bus);
    auto backend = std::make_unique<relay::LocalBackend>(
        *store, *bus, metrics,
        relay::LocalBackendOptions{settings.query_threads, settings.relay.expiration_purge_seconds,
                                   // Without Redis the bus is in-process (LocalBus).
                                   settings.redis.url.empty()});
    backend->start();
    std::unique_ptr<wot::WotService> wot = start_wot(wot_config, *store, *bus, &metrics);
    relay::RelayConfig relay_config = settings.relay;
    relay_config.limits.restricted_writes = wot != nullptr;
    relay_config.info.relay_url = relay_url;
    RateLimiting rate_limiting =
        start_rate_limiting(relay_config.limits.rate, settings.redis, metrics, true, true);
    auto relay = std::make_unique<relay::Relay>(relay_config, *backend, *bus, metrics, wot.get(),
                                                rate_limiting.events.get());
    auto server = std::make_unique<net::Server>(*relay, settings.server);
    server->refuse_connections(settings.ip_access);
    server->trust_proxies(settings.trusted_proxies);
    server->limit_connections(rate_limiting.connections);
    if (role_telemetry.metrics_on_main_port())
        server->serve_metrics([&metrics] { return metrics.prometheus_text(); });

    // The server has stopped running when this is called; its io_context is still alive, so
    // answers produced while the backend finishes its queued writes and queries (and the bus
    // its queued deliveries) land in queues that are simply discarded, not in freed memory.
    auto teardown = [&] {
        backend->stop();
        stop_bus(*bus);
        // No thread ends spans any more; the last metrics export still reads the store's and
        // the bus's statistics (collectors), so it goes before they are destroyed.
        otel.reset();
        bus.reset();  // before the WoT service it delivers to
        server.reset();
        relay.reset();
        backend.reset();
        wot.reset();
        store.reset();
    };
    serve(*server, "relay (ws:// and http://)", role_telemetry, teardown);
}

}  // namespace

void add_relay_command(CLI::App& app) {
    auto settings = std::make_shared<RelaySettings>();
    CLI::App* command = app.add_subcommand("relay",
                                           "Run the all-in-one relay (WebSocket + NIP-11) on "
                                           "the embedded LMDB store or PostgreSQL");
    add_server_options(*command, settings->server);
    add_ip_access_options(*command, settings->ip_access);
    add_trusted_proxy_options(*command, settings->trusted_proxies);
    add_store_options(*command, settings->store);
    add_redis_options(*command, settings->redis, true);
    add_observability_options(*command, settings->observability);
    add_relay_info_options(*command, settings->relay.info);
    add_limits_options(*command, settings->relay);
    add_auth_options(*command, settings->relay.auth);
    add_opentelemetry_help(*command);
    add_wot_options(*command, settings->wot, settings->wot_enabled);
    command
        ->add_option("--query-threads", settings->query_threads,
                     "Threads running REQ and COUNT queries against the store")
        ->envname("QUERY_THREADS")
        ->check(CLI::PositiveNumber);
    command->callback([settings] {
        run_role(settings->observability, "relay",
                 [&](RoleTelemetry& role_telemetry) { run_relay(*settings, role_telemetry); });
    });
}

}  // namespace app
