// Shared by the service tests: a real local stack (LMDB store in a temporary directory,
// in-process bus, LocalBackend) and a way to call an HTTP handler and wait for its answer.
#pragma once
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "bus/local_bus.h"
#include "net/http_server.h"
#include "relay/local_backend.h"
#include "store/store.h"

namespace service_test {

class LocalStack {
  public:
    LocalStack();
    ~LocalStack();  // stops the backend, removes the directory
    store::Store& store() { return *store_; }
    bus::LocalBus& bus() { return *bus_; }
    relay::LocalBackend& backend() { return *backend_; }

  private:
    std::string dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<bus::LocalBus> bus_;
    std::unique_ptr<relay::LocalBackend> backend_;
};

// Calls handler(request, respond) and waits (bounded) for the answer, which may come from
// another thread. A handler that never answers yields status 0.
net::HttpServerResponse call(const net::HttpHandler& handler, std::string method,
                             std::string target, std::string body = {},
                             bool body_too_large = false);

}  // namespace service_test
