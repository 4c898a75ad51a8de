// net::HttpServer: the listening socket, the I/O threads and the orderly shutdown. The
// connections live in detail/http_server_session.cpp.
#include "net/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include "net/detail/http_server_session.h"
#include "net/detail/listen.h"

namespace net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// How long stop() waits for requests in progress before dropping their connections.
constexpr auto kStopGrace = std::chrono::seconds(8);
// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

}  // namespace

struct HttpServer::Impl {
    Impl(ServerOptions listen, HttpServerOptions options, HttpHandler handler)
        : shared{std::move(options), std::move(handler), {}},
          listen_options(std::move(listen)),
          threads(detail::io_thread_count(listen_options.threads)),
          io(static_cast<int>(threads)),
          control(asio::make_strand(io)),
          acceptor(control),
          signals(control),
          stop_grace(control),
          accept_retry(control) {}

    void accept_next() {
        // One strand per connection: its handlers never run concurrently, while different
        // connections use every I/O thread.
        acceptor.async_accept(asio::make_strand(io), [this](error_code ec, tcp::socket socket) {
            if (stopping || ec == asio::error::operation_aborted) return;
            if (ec) {
                spdlog::warn("accepting a connection failed: {}", ec.message());
                accept_retry.expires_after(kAcceptRetryDelay);
                accept_retry.async_wait([this](error_code wait_ec) {
                    if (!wait_ec && !stopping) accept_next();
                });
                return;
            }
            detail::start_http_server_session(std::move(socket), shared);
            accept_next();
        });
    }

    void begin_stop() {  // control strand only
        if (stopping) return;
        stopping = true;
        error_code ignored;
        acceptor.close(ignored);
        accept_retry.cancel();
        signals.clear(ignored);
        signals.cancel(ignored);
        spdlog::info("stopping: closing {} connection(s)", shared.connections.size());
        stop_grace.expires_after(kStopGrace);
        stop_grace.async_wait([this](error_code ec) {
            if (ec) return;
            spdlog::warn("requests still in progress after {}s; dropping them", kStopGrace.count());
            io.stop();
        });
        shared.connections.shutdown_all(
            [this] { asio::post(control, [this] { stop_grace.cancel(); }); });
    }

    void run_io() {
        for (;;) {
            try {
                io.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("unhandled exception on an I/O thread: {}", e.what());
            }
        }
    }

    // Declared first so it is destroyed last: sessions destroyed with the io_context
    // unregister themselves from it.
    detail::HttpServerShared shared;
    ServerOptions listen_options;
    unsigned threads;
    asio::io_context io;
    asio::strand<asio::io_context::executor_type> control;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    asio::steady_timer stop_grace;
    asio::steady_timer accept_retry;
    tcp::endpoint local_endpoint;
    bool listening = false;
    bool stopping = false;  // control strand only
};

HttpServer::HttpServer(ServerOptions listen, HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(listen), std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
    impl_->shared.connections.forget_on_empty();
    impl_->io.stop();
}

void HttpServer::listen() {
    detail::open_acceptor(impl_->acceptor, impl_->listen_options.bind_address,
                          impl_->listen_options.port);
    error_code ec;
    impl_->local_endpoint = impl_->acceptor.local_endpoint(ec);
    impl_->listening = true;
    asio::post(impl_->control, [impl = impl_.get()] { impl->accept_next(); });
}

std::string HttpServer::local_address() const {
    return detail::format_endpoint(impl_->local_endpoint);
}

uint16_t HttpServer::local_port() const {
    return impl_->local_endpoint.port();
}

void HttpServer::stop_on_signals() {
    Impl& impl = *impl_;
    detail::stop_on_signals(impl.signals, [&impl] { impl.begin_stop(); });
}

void HttpServer::run() {
    if (!impl_->listening) return;
    detail::run_io_threads(impl_->threads, [this] { impl_->run_io(); });
}

void HttpServer::stop() {
    asio::post(impl_->control, [impl = impl_.get()] { impl->begin_stop(); });
}

}  // namespace net
