// An HTTP/1.1 client for one service (the websocket-handler's link to the event handler): a
// pool of keep-alive connections to one base URL, run on its own I/O thread. Requests queue
// when every connection is busy; a broken connection is dropped and replaced by the next
// request; when the service is unreachable, requests fail promptly instead of piling up.
// Beast stays behind the pimpl.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/http_headers.h"

namespace net {

struct HttpResponse {
    int status = 0;  // 0 when there is no response (see error)
    std::string body;
    std::string error;  // non-empty: the request failed before a complete response arrived
    std::string content_type = {};  // the Content-Type header, "" when absent
};

struct HttpClientOptions {
    std::string base_url = "http://127.0.0.1:8009";  // http://host[:port]
    unsigned connections = 16;                       // pool size
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds request_timeout{10000};  // from post() to the complete response
    size_t max_queued = 4096;                          // more waiting requests fail at once
    uint64_t max_response_bytes = uint64_t{1} << 30;
    // Sent with every request, before a request's own headers (e.g. Authorization).
    HttpHeaders headers = {};
};

class HttpClient {
  public:
    // Throws std::invalid_argument for a base URL that is not http://host[:port][/].
    explicit HttpClient(HttpClientOptions options);
    // Fails every queued and in-flight request ("client stopped"), then joins the I/O thread.
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Thread-safe. `done` runs exactly once, on the client's I/O thread; it must not block.
    // The body is sent as application/json.
    void post(std::string path, std::string body, std::function<void(HttpResponse)> done);
    void post(std::string path, std::string body, HttpHeaders headers,
              std::function<void(HttpResponse)> done);

    struct Stats {
        uint64_t connections_opened = 0;  // successful connects since the start
        uint64_t requests = 0;            // completed with a response
        uint64_t failures = 0;            // completed with an error
    };
    Stats stats() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Splits http://host[:port][/] into host and port (80 when absent). False for anything else
// (https, a path, user info, an empty host).
bool parse_http_base_url(const std::string& url, std::string& host, uint16_t& port);

}  // namespace net
