// The life of a server role after wiring: listen, serve until SIGINT/SIGTERM, then the role's
// teardown (also when listening fails), with the same log lines for every role.
#pragma once
#include <spdlog/spdlog.h>

#include <functional>
#include <string_view>

namespace app {

// `Server` is net::Server or net::HttpServer (listen, local_address, stop_on_signals, run).
template <class Server>
void serve(Server& server, std::string_view what, const std::function<void()>& teardown) {
    try {
        server.listen();
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
