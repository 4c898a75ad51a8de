// The life of a server role after wiring: listen (and start the metrics listener, if it has
// one of its own), serve until SIGINT/SIGTERM, then the role's teardown (also when listening
// fails), with the same log lines for every role.
#pragma once
#include <spdlog/spdlog.h>

#include <functional>
#include <string_view>

#include "app/observability.h"

namespace app {

// `Server` is net::Server or net::HttpServer (listen, local_address, stop_on_signals, run).
// The metrics listener stops before `teardown` runs: its collectors read what teardown frees.
template <class Server>
void serve(Server& server, std::string_view what, RoleTelemetry& role_telemetry,
           const std::function<void()>& role_teardown) {
    auto teardown = [&] {
        role_telemetry.stop_metrics_listener();
        role_teardown();
    };
    try {
        server.listen();
        role_telemetry.start_metrics_listener();
    } catch (...) {
        teardown();
        throw;
    }
    spdlog::info("{} listening on {}", what, server.local_address());
    server.stop_on_signals();
    server.run();
    spdlog::info("connections closed; finishing queued work");
    teardown();
    spdlog::info("stopped");
}

}  // namespace app
