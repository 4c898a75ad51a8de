#include "telemetry/otlp_http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace telemetry {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kAbortPollPeriod = std::chrono::milliseconds(50);
// An answer body is only read for its status and error message; a collector sends little.
constexpr uint64_t kMaxAnswerBytes = 64 * 1024;

std::string host_header(const OtlpEndpoint& endpoint) {
    std::string host =
        endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]" : endpoint.host;
    return endpoint.port == 80 ? host : host + ":" + std::to_string(endpoint.port);
}

// One exchange; the handlers run inside post_otlp's io_context.run_for calls.
struct Exchange {
    Exchange(asio::io_context& io, const OtlpEndpoint& endpoint, const std::string& body)
        : resolver(io), stream(io) {
        request.method(http::verb::post);
        request.target(endpoint.target);
        request.version(11);
        request.set(http::field::host, host_header(endpoint));
        request.set(http::field::content_type, "application/json");
        request.set(http::field::user_agent, "nostpp-otlp");
        for (const auto& [name, value] : endpoint.headers) request.set(name, value);
        request.keep_alive(false);
        request.body() = body;
        request.prepare_payload();
        parser.body_limit(kMaxAnswerBytes);
    }

    void start(const OtlpEndpoint& endpoint) {
        resolver.async_resolve(
            endpoint.host, std::to_string(endpoint.port),
            [this](beast::error_code ec, tcp::resolver::results_type results) {
                if (done) return;
                if (ec) return finish("cannot resolve host: " + ec.message());
                stream.async_connect(results, [this](beast::error_code ec2, const tcp::endpoint&) {
                    if (done) return;
                    if (ec2) return finish("cannot connect: " + ec2.message());
                    send();
                });
            });
    }

    void send() {
        http::async_write(stream, request, [this](beast::error_code ec, size_t) {
            if (done) return;
            if (ec) return finish("sending failed: " + ec.message());
            http::async_read(stream, buffer, parser, [this](beast::error_code ec2, size_t) {
                if (done) return;
                if (ec2) return finish("no answer: " + ec2.message());
                result.status = static_cast<int>(parser.get().result_int());
                finish({});
            });
        });
    }

    void finish(std::string error) {
        if (done) return;
        result.error = std::move(error);
        done = true;
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.close();
    }

    tcp::resolver resolver;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response_parser<http::string_body> parser;
    OtlpPostResult result;
    bool done = false;
};

}  // namespace

std::string OtlpPostResult::describe() const {
    if (!error.empty()) return error;
    return "HTTP " + std::to_string(status);
}

OtlpPostResult post_otlp(const OtlpEndpoint& endpoint, const std::string& body,
                         std::chrono::milliseconds timeout,
                         const std::function<bool()>& cancelled) {
    asio::io_context io;
    std::optional<Exchange> exchange;
    try {
        exchange.emplace(io, endpoint, body);
    } catch (const std::exception& e) {  // a header Beast refuses
        OtlpPostResult result;
        result.error = std::string("bad request: ") + e.what();
        return result;
    }
    exchange->start(endpoint);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exchange->done) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline || (cancelled && cancelled())) {
            exchange->resolver.cancel();
            exchange->finish(now >= deadline ? "timed out" : "cancelled at shutdown");
            break;
        }
        io.run_for(std::min<std::chrono::steady_clock::duration>(kAbortPollPeriod, deadline - now));
        if (io.stopped() && !exchange->done) exchange->finish("no answer");  // out of work
    }
    OtlpPostResult result = exchange->result;
    // Handlers of the cancelled operations run now, while `exchange` is still alive.
    io.restart();
    io.poll();
    return result;
}

}  // namespace telemetry
