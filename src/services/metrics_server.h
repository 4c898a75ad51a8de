// GET /metrics on an address of its own (--metrics-bind), for operators who keep metrics off
// the public port: a one-thread net::HttpServer answering the registry's Prometheus text;
// every other path is a 404.
#pragma once
#include <memory>
#include <string>
#include <thread>

#include "net/http_server.h"
#include "telemetry/metrics.h"

namespace services {

// "host:port" or "[ipv6]:port", the port required (1-65535).
bool parse_bind_address(const std::string& text, std::string& host, uint16_t& port);

class MetricsServer {
  public:
    // Listens on `bind_address` and serves from its own thread. `registry` must outlive the
    // server. Throws std::runtime_error for a malformed address or one that cannot be bound.
    MetricsServer(const std::string& bind_address, telemetry::MetricsRegistry& registry);
    ~MetricsServer();  // stop()
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // Closes the listener and its connections and joins the thread; idempotent. After it, no
    // collector of the registry runs on behalf of this server.
    void stop();
    std::string local_address() const { return server_->local_address(); }

  private:
    std::unique_ptr<net::HttpServer> server_;
    std::thread thread_;
};

}  // namespace services
