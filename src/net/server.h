// The relay's network front end: accepts TCP connections, answers plain HTTP (NIP-11, health,
// metrics) and runs one relay::ClientSession per WebSocket connection. Boost.Beast/Asio stay
// behind this pimpl because they are slow to compile.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/ip_access_list.h"

namespace ratelimit {
class ConnectionCounts;
}

namespace relay {
class Relay;
}

namespace net {

struct ServerOptions {
    std::string bind_address = "0.0.0.0";
    uint16_t port = 8008;  // 0 picks a free port (see local_port())
    unsigned threads = 0;  // I/O threads; 0 = one per hardware thread
};

class Server {
  public:
    // `relay` must outlive the server.
    Server(relay::Relay& relay, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Makes GET /metrics answer `render()` (Prometheus text); without it /metrics is a 404.
    // Call before listen(); `render` runs on I/O threads.
    void serve_metrics(std::function<std::string()> render);

    // Connections from addresses `lists` refuses are closed as soon as they are accepted
    // (--ip-allow, --ip-deny). Call before listen().
    void refuse_connections(IpAccessList lists);

    // Connections from `proxies` (their allow list) are reverse proxies: the client address of
    // their requests is read from X-Forwarded-For (net/client_address.h), and the IP lists and
    // per-address limits apply to it, per request, instead of at accept. Call before listen().
    void trust_proxies(IpAccessList proxies);

    // WebSocket upgrades beyond `counts`' maximum per client address are answered HTTP 429.
    // Call before listen().
    void limit_connections(std::shared_ptr<ratelimit::ConnectionCounts> counts);

    // Binds and starts listening. Throws std::runtime_error naming the address on failure.
    void listen();
    // The bound address ("host:port") and port; valid after listen().
    std::string local_address() const;
    uint16_t local_port() const;

    // Makes SIGINT and SIGTERM call stop(). Call before run(); a second signal during the
    // shutdown grace period gets the default action (terminates the process).
    void stop_on_signals();

    // Runs the I/O threads (the calling thread is one of them) until stop() has closed every
    // connection. Returns at once if listen() was not called.
    void run();

    // Thread-safe and idempotent: stops accepting, closes every connection (WebSocket close
    // "going away" after flushing queued frames), and forces the stragglers down after a
    // grace period so run() returns.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace net
