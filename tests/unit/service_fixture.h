// Shared by the service tests: a real local stack (LMDB store in a temporary directory,
// in-process bus, LocalBackend) and a way to call an HTTP handler and wait for its answer.
#pragma once
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/local_bus.h"
#include "net/http_server.h"
#include "relay/local_backend.h"
#include "relay/outbound.h"
#include "store/store.h"
#include "telemetry/metrics.h"

namespace service_test {

class LocalStack {
  public:
    LocalStack();
    ~LocalStack();  // stops the backend, removes the directory
    store::Store& store() { return *store_; }
    bus::LocalBus& bus() { return *bus_; }
    relay::LocalBackend& backend() { return *backend_; }
    // The backend's series (commit, query, store errors).
    telemetry::MetricsRegistry& metrics() { return metrics_; }

  private:
    telemetry::MetricsRegistry metrics_;
    std::string dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<bus::LocalBus> bus_;
    std::unique_ptr<relay::LocalBackend> backend_;
};

// Collects what the relay sends to one client connection.
class CaptureOutbound final : public relay::Outbound {
  public:
    void send(std::string text) override;
    void close(std::string_view) override {}
    // The next frame not taken yet, waiting (bounded) for it; "<nothing>" when none came.
    std::string next();

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> frames_;
    size_t taken_ = 0;
};

// Expects (gtest) the websocket handler's metrics to count one failed request to the event
// handler on each route (nostpp_event_handler_errors_total for /event, /query, /count).
void expect_one_error_per_route(const std::string& prometheus_text);

// Calls handler(request, respond) and waits (bounded) for the answer, which may come from
// another thread. A handler that never answers yields status 0.
net::HttpServerResponse call(const net::HttpHandler& handler, std::string method,
                             std::string target, std::string body = {},
                             bool body_too_large = false);

}  // namespace service_test
