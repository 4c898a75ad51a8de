// `nostpp event-handler`: the write and query side of the scale-out deployment. An HTTP API
// (services/event_handler_api.h) in front of the same LocalBackend the all-in-one relay uses:
// validation, group commit, queries, expiration purge; accepted events go out on the bus.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "app/otel_options.h"
#include "app/redis_options.h"
#include "app/relay_options.h"
#include "app/serve.h"
#include "app/store_options.h"
#include "net/http_server.h"
#include "relay/local_backend.h"
#include "services/event_handler_api.h"
#include "telemetry/metrics.h"

namespace app {
namespace {

struct EventHandlerSettings {
    net::ServerOptions server{"0.0.0.0", 8009, 0};
    StoreSettings store;
    RedisSettings redis;
    relay::RelayConfig relay;
    unsigned query_threads = 2;
    uint64_t max_request_bytes = 0;  // 0: four times --max-message-bytes
    std::string log_level = "info";
};

void run_event_handler(const EventHandlerSettings& settings) {
    spdlog::set_level(spdlog::level::from_str(settings.log_level));
    spdlog::info("nostpp {} event handler starting; store: {}", NOSTPP_VERSION,
                 describe_store(settings.store));
    services::EventHandlerConfig config{settings.relay.limits, settings.max_request_bytes};
    if (config.max_request_bytes == 0)
        config.max_request_bytes = 4 * config.limits.max_message_bytes;

    auto metrics = std::make_unique<telemetry::MetricsRegistry>();
    auto otel = start_opentelemetry("event-handler", *metrics);
    const bool postgres = !effective_database_url(settings.store).empty();
    std::unique_ptr<store::Store> store =
        with_query_cache(open_store(settings.store), settings.redis, postgres);
    // Publishes accepted events for the websocket handlers; nothing here subscribes.
    std::unique_ptr<bus::Bus> bus = make_bus(settings.redis, BusRole::event_handler);
    auto backend = std::make_unique<relay::LocalBackend>(
        *store, *bus,
        relay::LocalBackendOptions{settings.query_threads,
                                   settings.relay.expiration_purge_seconds});
    backend->start();
    add_redis_metrics(*metrics, *store, *bus);
    auto api = std::make_unique<services::EventHandlerApi>(*backend, config, *metrics);
    telemetry::Counter& connections = metrics->counter("nostpp_http_connections_total",
                                                       "TCP connections accepted by the HTTP API");
    net::HttpServerOptions http;
    http.max_body_bytes = config.max_request_bytes;
    http.on_connection = [&connections] { connections.inc(); };
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
        bus.reset();
        server.reset();
        api.reset();
        backend.reset();
        store.reset();
    };
    serve(*server, "event handler API (http://)", teardown);
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
    add_log_level_option(*command, settings->log_level);
    add_relay_info_options(*command, settings->relay.info);
    add_limits_options(*command, settings->relay);
    add_opentelemetry_help(*command);
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
    command->callback([settings] { run_event_handler(*settings); });
}

}  // namespace app
