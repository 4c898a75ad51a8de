#include "services/metrics_server.h"

#include <stdexcept>

#include "net/http_client.h"

namespace services {

bool parse_bind_address(const std::string& text, std::string& host, uint16_t& port) {
    // The URL parser's rules for host and port, with the port required.
    size_t colon = text.rfind(':');
    bool has_port = colon != std::string::npos && text.find(']', colon) == std::string::npos;
    return has_port && net::parse_http_base_url("http://" + text, host, port);
}

MetricsServer::MetricsServer(const std::string& bind_address,
                             telemetry::MetricsRegistry& registry) {
    net::ServerOptions listen{"", 0, 1};
    if (!parse_bind_address(bind_address, listen.bind_address, listen.port))
        throw std::runtime_error("--metrics-bind must be host:port (e.g. 127.0.0.1:9100), not '" +
                                 bind_address + "'");
    net::HttpServerOptions options;
    options.max_body_bytes = 4096;
    server_ = std::make_unique<net::HttpServer>(
        listen, options, [&registry](net::HttpServerRequest request, net::HttpRespond respond) {
            std::string_view path = request.target;
            path = path.substr(0, path.find('?'));
            if (path != "/metrics" || (request.method != "GET" && request.method != "HEAD"))
                return respond({404, "text/plain; charset=utf-8", "only GET /metrics here\n"});
            respond(
                {200, std::string(telemetry::kPrometheusContentType), registry.prometheus_text()});
        });
    server_->listen();
    thread_ = std::thread([this] { server_->run(); });
}

MetricsServer::~MetricsServer() {
    stop();
}

void MetricsServer::stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
}

}  // namespace services
