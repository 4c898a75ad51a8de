// `nostpp websocket-handler`: the client-facing side of the scale-out deployment. The same
// relay logic and network server as `relay` (NIP-01/11/45, limits, live subscriptions), with
// a RemoteBackend that forwards EVENT/REQ/COUNT to the event handler over keep-alive HTTP.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
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
#include "app/wot_options.h"
#include "net/http_client.h"
#include "net/server.h"
#include "relay/relay.h"
#include "services/api_token.h"
#include "services/remote_backend.h"
#include "telemetry/metrics.h"

namespace app {
namespace {

constexpr const char* kDefaultEventHandlerUrl = "http://127.0.0.1:8009";

struct WebsocketHandlerSettings {
    net::ServerOptions server;
    net::IpAccessList ip_access;  // --ip-allow, --ip-deny
    net::IpAccessList trusted_proxies;
    relay::RelayConfig relay;
    wot::WotSettings wot;  // enforced by the event handler; here only for NIP-11
    std::string wot_enabled;
    RedisSettings redis;
    std::string event_handler_url;  // "" = EVENT_HANDLER_SVC/PORT, else the default
    std::string event_handler_token;  // sent with every request; "" = none
    unsigned event_handler_connections = 16;
    uint64_t max_request_bytes = 0;  // 0: four times --max-message-bytes
    size_t event_batch = 256;
    size_t query_batch = 32;
    ObservabilitySettings observability;
};

// --event-handler-url / EVENT_HANDLER_URL, else the reference deployment's
// EVENT_HANDLER_SVC (host) + EVENT_HANDLER_PORT, else the local default.
std::string event_handler_url(const WebsocketHandlerSettings& settings) {
    if (!settings.event_handler_url.empty()) return settings.event_handler_url;
    const char* service = std::getenv("EVENT_HANDLER_SVC");
    if (!service || !*service) return kDefaultEventHandlerUrl;
    const char* port = std::getenv("EVENT_HANDLER_PORT");
    return std::string("http://") + service + ":" + (port && *port ? port : "8009");
}

void run_websocket_handler(const WebsocketHandlerSettings& settings,
                           RoleTelemetry& role_telemetry) {
    telemetry::MetricsRegistry& metrics = role_telemetry.metrics();
    net::HttpClientOptions client_options;
    client_options.base_url = event_handler_url(settings);
    client_options.connections = settings.event_handler_connections;
    std::string host;
    uint16_t port = 0;
    if (!net::parse_http_base_url(client_options.base_url, host, port))
        throw std::runtime_error("--event-handler-url must be http://host[:port], not '" +
                                 client_options.base_url + "'");
    spdlog::info("nostpp {} websocket handler starting; event handler at {}", NOSTPP_VERSION,
                 client_options.base_url);
    if (!settings.event_handler_token.empty())
        client_options.headers.emplace_back(
            "Authorization", services::ApiToken::header_value(settings.event_handler_token));
    else
        spdlog::warn(
            "no EVENT_HANDLER_TOKEN: requests to the event handler carry no token (an event "
            "handler that has one refuses them)");

    // Half the pool for event requests and a quarter for query requests, so each kind always
    // finds a connection and what waits for a free slot leaves in the next batch. Without
    // batching (a batch size of 1) each kind may use the whole pool.
    services::RemoteBackendOptions remote;
    const unsigned pool = settings.event_handler_connections;
    remote.events.max_in_flight = settings.event_batch > 1 ? std::max(1u, pool / 2) : pool;
    remote.queries.max_in_flight = settings.query_batch > 1 ? std::max(1u, pool / 4) : pool;
    remote.events.max_items = settings.event_batch;
    remote.queries.max_items = settings.query_batch;
    remote.events.max_bytes = remote.queries.max_bytes =
        settings.max_request_bytes ? settings.max_request_bytes
                                   : 4 * settings.relay.limits.max_message_bytes;

    auto otel = start_opentelemetry("websocket-handler", metrics);
    auto client = std::make_unique<net::HttpClient>(client_options);
    // Delivers events from Redis (published by the event handler for every websocket
    // handler) and, at once, those of this handler's own clients.
    std::unique_ptr<bus::Bus> bus = make_bus(settings.redis, BusRole::websocket_handler);
    add_bus_metrics(metrics, *bus);
    auto backend = std::make_unique<services::RemoteBackend>(*client, *bus, metrics, remote);
    // The event handler enforces the Web of Trust; NIP-11 served here must say so too.
    relay::RelayConfig relay_config = settings.relay;
    relay_config.limits.restricted_writes =
        resolve_and_log_wot(settings.wot, settings.wot_enabled, settings.relay.info.admin_pubkey)
            .enabled;
    relay_config.info.relay_url = resolve_relay_url(relay_config.info.relay_url);
    // Connections are counted here; the event budget is the event handler's (it verifies the
    // signatures, so only the author can spend it).
    RateLimiting rate_limiting =
        start_rate_limiting(relay_config.limits.rate, settings.redis, metrics, true, false);
    auto relay = std::make_unique<relay::Relay>(relay_config, *backend, *bus, metrics);
    auto server = std::make_unique<net::Server>(*relay, settings.server);
    server->refuse_connections(settings.ip_access);
    server->trust_proxies(settings.trusted_proxies);
    server->limit_connections(rate_limiting.connections);
    if (role_telemetry.metrics_on_main_port())
        server->serve_metrics([&metrics] { return metrics.prometheus_text(); });

    // The client goes first: requests still in flight fail ("client stopped") while the bus
    // and the server's io_context are alive to take their answers.
    auto teardown = [&] {
        client.reset();
        stop_bus(*bus);
        // No thread ends spans any more (the client's thread has joined); the last metrics
        // export may still read the bus's statistics, so it goes before the bus is destroyed.
        otel.reset();
        bus.reset();
        server.reset();
        relay.reset();
        backend.reset();
    };
    serve(*server, "websocket handler (ws:// and http://)", role_telemetry, teardown);
}

}  // namespace

void add_websocket_handler_command(CLI::App& app) {
    auto settings = std::make_shared<WebsocketHandlerSettings>();
    CLI::App* command = app.add_subcommand(
        "websocket-handler",
        "Run the websocket handler of the scale-out deployment: client connections, NIP "
        "protocol and live subscriptions; writes and queries go to the event handler");
    add_server_options(*command, settings->server);
    add_ip_access_options(*command, settings->ip_access);
    add_trusted_proxy_options(*command, settings->trusted_proxies);
    add_observability_options(*command, settings->observability);
    add_relay_info_options(*command, settings->relay.info);
    add_limits_options(*command, settings->relay);
    add_auth_options(*command, settings->relay.auth);
    add_wot_options(*command, settings->wot, settings->wot_enabled);
    add_redis_options(*command, settings->redis, false);
    add_opentelemetry_help(*command);
    command
        ->add_option("--event-handler-url", settings->event_handler_url,
                     std::string("Base URL of the event handler [default: ") +
                         kDefaultEventHandlerUrl +
                         ", or http://$EVENT_HANDLER_SVC:$EVENT_HANDLER_PORT when those are set]")
        ->envname("EVENT_HANDLER_URL")
        ->default_str("");
    add_event_handler_token_option(
        *command, settings->event_handler_token,
        "Secret sent to the event handler with every request (Authorization: Bearer); the "
        "event handler's own EVENT_HANDLER_TOKEN");
    command
        ->add_option("--event-handler-connections", settings->event_handler_connections,
                     "Keep-alive HTTP connections to the event handler")
        ->envname("EVENT_HANDLER_CONNECTIONS")
        ->check(CLI::Range(1u, 1024u));
    command
        ->add_option("--event-batch", settings->event_batch,
                     "Most events sent to the event handler in one request (1 = each alone)")
        ->envname("EVENT_BATCH")
        ->check(CLI::Range(size_t{1}, size_t{4096}));
    command
        ->add_option("--query-batch", settings->query_batch,
                     "Most REQ queries sent to the event handler in one request (1 = each "
                     "alone)")
        ->envname("QUERY_BATCH")
        ->check(CLI::Range(size_t{1}, size_t{1024}));
    command
        ->add_option("--max-request-bytes", settings->max_request_bytes,
                     "Largest request body sent to the event handler (keep it within the "
                     "event handler's own limit); 0 = four times --max-message-bytes")
        ->envname("MAX_REQUEST_BYTES")
        ->transform(CLI::AsSizeValue(false));
    command->callback([settings] {
        run_role(settings->observability, "websocket-handler", [&](RoleTelemetry& role_telemetry) {
            run_websocket_handler(*settings, role_telemetry);
        });
    });
}

}  // namespace app
