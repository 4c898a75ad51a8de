// A plain HTTP/1.1 server for an API (the event handler): keep-alive connections, several I/O
// threads, a request body limit, and a handler whose answer may come later from any thread
// (an event is answered only after its group commit, on the writer thread). Beast stays
// behind the pimpl.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/http_headers.h"
#include "net/server.h"

namespace net {

struct HttpServerRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, e.g. "/query"
    std::string body;
    // The body is larger than max_body_bytes and was not read (body is empty). The handler
    // should answer 413; the connection is closed after the answer.
    bool body_too_large = false;
    std::string traceparent;         // the W3C Trace Context header, "" when absent
    std::string authorization = {};  // the Authorization header, "" when absent
    std::string accept = {};         // the Accept header, "" when absent
};

struct HttpServerResponse {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    // Extra response headers, name and value (e.g. WWW-Authenticate with a 401).
    HttpHeaders headers = {};
};

// Must be called exactly once per request (later calls are ignored), from any thread.
using HttpRespond = std::function<void(HttpServerResponse)>;
// Called on an I/O thread; may answer at once or keep `respond` and answer later.
using HttpHandler = std::function<void(HttpServerRequest, HttpRespond)>;

struct HttpServerOptions {
    uint64_t max_body_bytes = 512 * 1024;
    // A keep-alive connection with no request for this long is closed.
    unsigned idle_timeout_seconds = 300;
    // Called for every accepted connection and, later, once it has closed (e.g. metrics);
    // any I/O thread.
    std::function<void()> on_connection;
    std::function<void()> on_disconnection;
};

class HttpServer {
  public:
    HttpServer(ServerOptions listen, HttpServerOptions options, HttpHandler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts listening. Throws std::runtime_error naming the address on failure.
    void listen();
    // The bound address ("host:port") and port; valid after listen().
    std::string local_address() const;
    uint16_t local_port() const;

    // Makes SIGINT and SIGTERM call stop(). Call before run().
    void stop_on_signals();
    // Runs the I/O threads (the calling thread is one of them) until stop() has closed every
    // connection. Returns at once if listen() was not called.
    void run();
    // Thread-safe and idempotent: stops accepting, closes idle connections, lets requests in
    // progress get their answers (then closes those connections), and forces the stragglers
    // down after a grace period so run() returns.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace net
