#include "net/detail/http_routes.h"

#include "telemetry/metrics.h"

namespace net::detail {
namespace {

// NIP-11: relays must accept CORS requests, so browser clients can read the document.
void add_cors(HttpReply& reply) {
    reply.headers.emplace_back("Access-Control-Allow-Origin", "*");
    reply.headers.emplace_back("Access-Control-Allow-Headers", "*");
    reply.headers.emplace_back("Access-Control-Allow-Methods", "GET, OPTIONS");
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find_first_of("?#"));
}

bool wants_nip11(std::string_view accept) {
    return accept.find("application/nostr+json") != std::string_view::npos;
}

HttpReply text(unsigned status, std::string body) {
    HttpReply reply;
    reply.status = status;
    reply.content_type = "text/plain; charset=utf-8";
    reply.body = std::move(body);
    return reply;
}

}  // namespace

HttpReply route_http(const HttpRequestInfo& request,
                     const std::function<std::string()>& nip11_document,
                     const std::function<std::string()>& metrics_text) {
    HttpReply reply;
    if (request.method == "OPTIONS") {
        reply.status = 204;
    } else if (request.method != "GET" && request.method != "HEAD") {
        reply = text(405, "method not allowed\n");
        reply.headers.emplace_back("Allow", "GET, HEAD, OPTIONS");
    } else if (path_of(request.target) == "/metrics") {
        if (!metrics_text) return text(404, "metrics are not served on this port\n");
        reply.content_type = std::string(telemetry::kPrometheusContentType);
        reply.body = metrics_text();
        return reply;  // for Prometheus, not for browsers: no CORS
    } else if (wants_nip11(request.accept)) {
        reply.content_type = "application/nostr+json";
        reply.body = nip11_document();
    } else if (path_of(request.target) == "/health") {
        reply.content_type = "application/json";
        reply.body = R"({"status":"ok"})";
    } else {
        reply = text(200,
                     "This is a Nostr relay (nostpp). Connect with a Nostr client over "
                     "WebSocket, or request this URL with 'Accept: application/nostr+json' for "
                     "the relay information document (NIP-11).\n");
    }
    add_cors(reply);
    return reply;
}

}  // namespace net::detail
