// `nostpp relay`: the all-in-one relay on the embedded store. Wires LMDB store -> in-process
// bus -> local backend -> relay logic -> network server, and takes them down in an order that
// lets in-flight work finish.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "app/commands.h"
#include "app/relay_options.h"
#include "app/store_options.h"
#include "bus/local_bus.h"
#include "net/server.h"
#include "relay/local_backend.h"
#include "relay/relay.h"

namespace app {
namespace {

struct RelaySettings {
    net::ServerOptions server;
    StoreSettings store;
    relay::RelayConfig relay;
    unsigned query_threads = 2;
    std::string log_level = "info";
};

void run_relay(const RelaySettings& settings) {
    spdlog::set_level(spdlog::level::from_str(settings.log_level));
    spdlog::info("nostpp {} starting; store in {}", NOSTPP_VERSION, settings.store.data_dir);

    std::unique_ptr<store::Store> store = open_store(settings.store);
    auto bus = std::make_unique<bus::LocalBus>();
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
        bus.reset();
        server.reset();
        relay.reset();
        backend.reset();
        store.reset();
    };
    try {
        server->listen();
    } catch (...) {
        teardown();
        throw;
    }
    spdlog::info("listening on {} (ws:// and http://)", server->local_address());
    server->stop_on_signals();
    server->run();
    spdlog::info("connections closed; finishing queued writes");
    teardown();
    spdlog::info("stopped");
}

}  // namespace

void add_relay_command(CLI::App& app) {
    auto settings = std::make_shared<RelaySettings>();
    CLI::App* command = app.add_subcommand("relay",
                                           "Run the relay (WebSocket + NIP-11) on the "
                                           "embedded LMDB store");
    add_server_options(*command, settings->server);
    add_store_options(*command, settings->store);
    add_log_level_option(*command, settings->log_level);
    add_relay_info_options(*command, settings->relay.info);
    add_limits_options(*command, settings->relay);
    command
        ->add_option("--query-threads", settings->query_threads,
                     "Threads running REQ and COUNT queries against the store")
        ->envname("QUERY_THREADS")
        ->check(CLI::PositiveNumber);
    command->callback([settings] { run_relay(*settings); });
}

}  // namespace app
