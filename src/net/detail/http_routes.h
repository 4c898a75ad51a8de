// What the relay answers to plain HTTP requests (everything that is not a WebSocket upgrade):
// the NIP-11 document, CORS preflight, a health check, the Prometheus metrics (GET /metrics,
// when served on this port) and a short page for browsers.
// Independent of Beast so the routing rules stay readable and testable.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net::detail {

struct HttpRequestInfo {
    std::string_view method;  // "GET", "OPTIONS", ...
    std::string_view target;  // path and query, e.g. "/health?x=1"
    std::string_view accept;  // the Accept header ("" when absent)
};

struct HttpReply {
    unsigned status = 200;
    std::string content_type;  // empty: no body
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

// `nip11_document` is called only when the document is asked for, `metrics_text` only for
// GET /metrics; an empty `metrics_text` makes /metrics a 404 (metrics off or on another port).
HttpReply route_http(const HttpRequestInfo& request,
                     const std::function<std::string()>& nip11_document,
                     const std::function<std::string()>& metrics_text = {});

}  // namespace net::detail
