// `nostpp relay`: the all-in-one relay. Wires store (LMDB, or PostgreSQL with DATABASE_URL)
// -> bus (in-process, or Redis with REDIS_URL so several relays share live events) -> local
// backend -> relay logic -> network server, and takes them down in an order that lets
// in-flight work finish.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "app/otel_options.h"
#include "app/redis_options.h"
#include "app/relay_options.h"
#include "app/serve.h"
#include "app/store_options.h"
#include "net/server.h"
#include "relay/local_backend.h"
#include "relay/relay.h"
#include "telemetry/metrics.h"

namespace app {
namespace {

struct RelaySettings {
    net::ServerOptions server;
    StoreSettings store;
    RedisSettings redis;
    relay::RelayConfig relay;
    unsigned query_threads = 2;
    std::string log_level = "info";
};

void run_relay(const RelaySettings& settings) {
    spdlog::set_level(spdlog::level::from_str(settings.log_level));
    const bool postgres = !effective_database_url(settings.store).empty();
    // Live events carry the commit sequence of the store that made them durable; processes
    // sharing them must share that store, or a subscription would compare unrelated numbers.
    if (!settings.redis.url.empty() && !postgres)
        throw std::runtime_error(
            "--redis-url shares live events between relay processes, which must then share "
            "one store: give --database-url (PostgreSQL) too, or drop --redis-url");
    spdlog::info("nostpp {} starting; store: {}", NOSTPP_VERSION, describe_store(settings.store));
    auto metrics = std::make_unique<telemetry::MetricsRegistry>();
    auto otel = start_opentelemetry("relay", *metrics);

    std::unique_ptr<store::Store> store =
        with_query_cache(open_store(settings.store), settings.redis, postgres);
    std::unique_ptr<bus::Bus> bus = make_bus(settings.redis, BusRole::relay);
    auto backend = std::make_unique<relay::LocalBackend>(
        *store, *bus,
        relay::LocalBackendOptions{settings.query_threads,
                                   settings.relay.expiration_purge_seconds});
    backend->start();
    auto relay = std::make_unique<relay::Relay>(settings.relay, *backend, *bus);
    auto server = std::make_unique<net::Server>(*relay, settings.server);

    // The server has stopped running when this is called; its io_context is still alive, so
    // answers produced while the backend finishes its queued writes and queries (and the bus
    // its queued deliveries) land in queues that are simply discarded, not in freed memory.
    auto teardown = [&] {
        backend->stop();
        stop_bus(*bus);
        // No thread ends spans any more; the last metrics export may still read the store's
        // and the bus's statistics, so it goes before they are destroyed.
        otel.reset();
        bus.reset();
        server.reset();
        relay.reset();
        backend.reset();
        store.reset();
    };
    serve(*server, "relay (ws:// and http://)", teardown);
}

}  // namespace

void add_relay_command(CLI::App& app) {
    auto settings = std::make_shared<RelaySettings>();
    CLI::App* command = app.add_subcommand("relay",
                                           "Run the all-in-one relay (WebSocket + NIP-11) on "
                                           "the embedded LMDB store or PostgreSQL");
    add_server_options(*command, settings->server);
    add_store_options(*command, settings->store);
    add_redis_options(*command, settings->redis, true);
    add_log_level_option(*command, settings->log_level);
    add_relay_info_options(*command, settings->relay.info);
    add_limits_options(*command, settings->relay);
    add_opentelemetry_help(*command);
    command
        ->add_option("--query-threads", settings->query_threads,
                     "Threads running REQ and COUNT queries against the store")
        ->envname("QUERY_THREADS")
        ->check(CLI::PositiveNumber);
    command->callback([settings] { run_relay(*settings); });
}

}  // namespace app
