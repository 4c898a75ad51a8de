// `nostpp event-handler`: the write and query side of the scale-out deployment. An HTTP API
// (services/event_handler_api.h) in front of the same LocalBackend the all-in-one relay uses:
// validation, group commit, queries, expiration purge; accepted events go out on the bus.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "app/auth_options.h"
#include "app/commands.h"
#include "app/event_handler_token_option.h"
#include "app/otel_options.h"
#include "app/observability.h"
#include "app/rate_limit_options.h"
#include "app/redis_options.h"
#include "app/relay_options.h"
#include "app/serve.h"
#include "app/store_options.h"
#include "app/wot_options.h"
#include "net/http_server.h"
#include "relay/local_backend.h"
#include "services/event_handler_api.h"
#include "telemetry/metrics.h"
#include "wot/wot_service.h"

namespace app {
namespace {

struct EventHandlerSettings {
    net::ServerOptions server{"0.0.0.0", 8009, 0};
    StoreSettings store;
    RedisSettings redis;
    relay::RelayConfig relay;
    wot::WotSettings wot;
    std::string wot_enabled;
    unsigned query_threads = 2;
    uint64_t max_request_bytes = 0;  // 0: four times --max-message-bytes
    std::string api_token;           // "" = the API is open (logged at start)
    ObservabilitySettings observability;
};

// Without a token the API stays open, as before the option existed, so a deployment that
// predates it keeps working; the warning says what that means.
void log_api_token(const std::string& token) {
    if (!token.empty())
        return spdlog::info(
            "POST /event, /query and /count need the event handler token "
            "(EVENT_HANDLER_TOKEN); GET /health and /metrics are open");
    spdlog::warn(
        "no EVENT_HANDLER_TOKEN: anyone who can reach this port may write events (bypassing "
        "the websocket handlers' limits) and vouch for NIP-70 authors; set the same "
        "EVENT_HANDLER_TOKEN on the event handler and every websocket handler");
}

void run_event_handler(const EventHandlerSettings& settings, RoleTelemetry& role_telemetry) {
    telemetry::MetricsRegistry& metrics = role_telemetry.metrics();
    spdlog::info("nostpp {} event handler starting; store: {}", NOSTPP_VERSION,
                 describe_store(settings.store));
    wot::WotConfig wot_config =
        resolve_and_log_wot(settings.wot, settings.wot_enabled, settings.relay.info.admin_pubkey);
    services::EventHandlerConfig config{settings.relay.limits, settings.max_request_bytes};
    if (config.max_request_bytes == 0)
        config.max_request_bytes = 4 * config.limits.max_message_bytes;
    config.serve_metrics = role_telemetry.metrics_on_main_port();
    config.api_token = settings.api_token;
    log_api_token(settings.api_token);

    auto otel = start_opentelemetry("event-handler", metrics);
    const bool postgres = !effective_database_url(settings.store).empty();
    std::unique_ptr<store::Store> store =
        with_query_cache(open_store(settings.store), settings.redis, postgres);
    // Publishes accepted events for the websocket handlers; nothing here subscribes.
    std::unique_ptr<bus::Bus> bus = make_bus(settings.redis, BusRole::event_handler);
    add_query_cache_metrics(metrics, *store);
    add_bus_metrics(metrics, *bus);
    auto backend = std::make_unique<relay::LocalBackend>(
        *store, *bus, metrics,
        relay::LocalBackendOptions{settings.query_threads, settings.relay.expiration_purge_seconds,
                                   // The websocket handlers' subscriptions are elsewhere.
                                   false});
    backend->start();
    std::unique_ptr<wot::WotService> wot = start_wot(wot_config, *store, *bus, &metrics);
    config.write_gate = wot.get();
    // Only the event budget: client connections and messages are the websocket handlers'.
    RateLimiting rate_limiting =
        start_rate_limiting(settings.relay.limits.rate, settings.redis, metrics, false, true);
    config.event_budget = rate_limiting.events.get();
    auto api = std::make_unique<services::EventHandlerApi>(*backend, config, metrics);
    telemetry::Counter& accepted = metrics.counter("nostpp_http_connections_total",
                                                   "TCP connections accepted by the HTTP API");
    telemetry::Gauge& open =
        metrics.gauge("nostpp_http_connections", "Open connections to the HTTP API");
    net::HttpServerOptions http;
    http.max_body_bytes = config.max_request_bytes;
    http.on_connection = [&accepted, &open] {
        accepted.inc();
        open.add(1);
    };
    http.on_disconnection = [&open] { open.add(-1); };
    auto server = std::make_unique<net::HttpServer>(
        settings.server, http, [&api](net::HttpServerRequest request, net::HttpRespond respond) {
            api->handle(std::move(request), std::move(respond));
        });

    // As in `relay`: the server's io_context outlives the backend's last answers, which land
    // in queues that are discarded with it, not in freed memory.
    auto teardown = [&] {
        backend->stop();
        stop_bus(*bus);
        // No thread ends spans any more; the last metrics export still reads the store's and
        // the bus's statistics (collectors), so it goes before they are destroyed.
        otel.reset();
        bus.reset();  // before the WoT service it delivers to
        server.reset();
        api.reset();
        backend.reset();
        wot.reset();
        store.reset();
    };
    serve(*server, "event handler API (http://)", role_telemetry, teardown);
}

}  // namespace

void add_event_handler_command(CLI::App& app) {
    auto settings = std::make_shared<EventHandlerSettings>();
    CLI::App* command = app.add_subcommand(
        "event-handler",
        "Run the event handler of the scale-out deployment: HTTP API (POST /event, /query, "
        "/count; GET /health, /metrics) on the store");
    add_server_options(*command, settings->server);
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
                     "Threads running queries and counts against the store")
        ->envname("QUERY_THREADS")
        ->check(CLI::PositiveNumber);
    command
        ->add_option("--max-request-bytes", settings->max_request_bytes,
                     "Largest request body accepted (413 above it); 0 = four times "
                     "--max-message-bytes")
        ->envname("MAX_REQUEST_BYTES")
        ->transform(CLI::AsSizeValue(false));
    add_event_handler_token_option(
        *command, settings->api_token,
        "Secret the websocket handlers must send (Authorization: Bearer) for POST /event, "
        "/query and /count (401 without it); GET /health and /metrics stay open. Empty: the "
        "API is open to anyone who can reach it");
    command->callback([settings] {
        run_role(settings->observability, "event-handler", [&](RoleTelemetry& role_telemetry) {
            run_event_handler(*settings, role_telemetry);
        });
    });
}

}  // namespace app
