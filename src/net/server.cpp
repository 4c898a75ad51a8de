// net::Server: the listening socket, the I/O threads, and the orderly shutdown. Connections
// themselves live in http_session.cpp and ws_session.cpp.
#include "net/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/client_address.h"
#include "net/detail/listen.h"
#include "net/detail/server_context.h"
#include "net/detail/sessions.h"

namespace net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// How long stop() waits for connections to close before dropping them.
constexpr auto kStopGrace = std::chrono::seconds(8);
// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

using detail::format_endpoint;

}  // namespace

struct Server::Impl {
    Impl(relay::Relay& relay, ServerOptions options)
        : context(relay),
          options(std::move(options)),
          threads(detail::io_thread_count(this->options.threads)),
          io(static_cast<int>(threads)),
          control(asio::make_strand(io)),
          acceptor(control),
          signals(control),
          stop_grace(control),
          accept_retry(control) {}

    void listen();
    void accept_next();
    void on_accept(error_code ec, detail::ConnectionSocket socket);
    // The IP allow/deny lists, once per connection: a refused socket is closed before any byte
    // is read, so a blocked client costs no HTTP parsing, WebSocket handshake or session.
    bool admits(detail::ConnectionSocket& socket);
    void begin_stop();  // control strand only
    void run_io();

    // Declared first so it is destroyed last: sessions still queued in the io_context
    // when it is destroyed unregister themselves from it.
    detail::ServerContext context;
    ServerOptions options;
    unsigned threads;
    asio::io_context io;
    // Serializes the acceptor, the signal set, the timers and the stop sequence.
    asio::strand<asio::io_context::executor_type> control;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    asio::steady_timer stop_grace;
    asio::steady_timer accept_retry;
    tcp::endpoint local_endpoint;
    bool listening = false;
    bool stopping = false;  // control strand only
};

void Server::Impl::listen() {
    detail::open_acceptor(acceptor, options.bind_address, options.port);
    error_code ec;
    local_endpoint = acceptor.local_endpoint(ec);
    listening = true;
    asio::post(control, [this] { accept_next(); });
}

void Server::Impl::accept_next() {
    // Each connection gets its own strand: its handlers never run concurrently, while
    // different connections run on all I/O threads.
    acceptor.async_accept(asio::make_strand(io), [this](error_code ec, detail::ConnectionSocket socket) {
        on_accept(ec, std::move(socket));
    });
}

void Server::Impl::on_accept(error_code ec, detail::ConnectionSocket socket) {
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) {
        spdlog::warn("accepting a connection failed: {}", ec.message());
        accept_retry.expires_after(kAcceptRetryDelay);
        accept_retry.async_wait([this](error_code wait_ec) {
            if (!wait_ec && !stopping) accept_next();
        });
        return;
    }
    if (admits(socket)) detail::start_http_session(std::move(socket), context);
    accept_next();
}

bool Server::Impl::admits(detail::ConnectionSocket& socket) {
    const IpAccessList& ip_access = context.ip_access;
    if (ip_access.empty()) return true;
    error_code ec;
    auto remote = socket.remote_endpoint(ec);
    std::string refusal;
    if (ec) {
        refusal = "remote address unknown: " + ec.message();
    } else {
        Address16 bytes = detail::to_address16(remote.address());
        // A trusted proxy's requests are checked one by one, for the client they name.
        if (!is_trusted_proxy(bytes, context.trusted_proxies)) refusal = ip_access.check(bytes);
    }
    if (refusal.empty()) return true;
    spdlog::debug("{}: connection refused: {}", ec ? std::string("?") : format_endpoint(remote),
                  refusal);
    socket.close(ec);
    return false;
}

void Server::Impl::begin_stop() {
    if (stopping) return;
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    accept_retry.cancel();
    // Back to the default action: a second Ctrl-C during the grace period ends the process.
    signals.clear(ignored);
    signals.cancel(ignored);
    spdlog::info("stopping: closing {} connection(s)", context.connections.size());
    stop_grace.expires_after(kStopGrace);
    stop_grace.async_wait([this](error_code ec) {
        if (ec) return;
        spdlog::warn("connections still open after {}s; dropping them", kStopGrace.count());
        io.stop();
    });
    // The last connection to go cancels the grace timer; then the io_context runs out of
    // work and run() returns.
    context.connections.shutdown_all(
        [this] { asio::post(control, [this] { stop_grace.cancel(); }); });
}

void Server::Impl::run_io() {
    for (;;) {
        try {
            io.run();
            return;
        } catch (const std::exception& e) {
            // Handlers catch their own errors; this is the last line of defence for the thread.
            spdlog::error("unhandled exception on an I/O thread: {}", e.what());
        }
    }
}

Server::Server(relay::Relay& relay, ServerOptions options)
    : impl_(std::make_unique<Impl>(relay, std::move(options))) {}

Server::~Server() {
    // Sessions still queued in the io_context (after a forced stop) are destroyed with it,
    // after the strand and timers the on_empty callback would use: don't let it run.
    impl_->context.connections.forget_on_empty();
    impl_->io.stop();
}

void Server::serve_metrics(std::function<std::string()> render) {
    impl_->context.metrics_text = std::move(render);
}

void Server::refuse_connections(IpAccessList lists) {
    impl_->context.ip_access = std::move(lists);
}

void Server::trust_proxies(IpAccessList proxies) {
    impl_->context.trusted_proxies = std::move(proxies);
}

void Server::limit_connections(std::shared_ptr<ratelimit::ConnectionCounts> counts) {
    impl_->context.connection_counts = std::move(counts);
}

void Server::listen() {
    impl_->listen();
}

std::string Server::local_address() const {
    return format_endpoint(impl_->local_endpoint);
}

uint16_t Server::local_port() const {
    return impl_->local_endpoint.port();
}

void Server::stop_on_signals() {
    Impl& impl = *impl_;
    detail::stop_on_signals(impl.signals, [&impl] { impl.begin_stop(); });
}

void Server::run() {
    if (!impl_->listening) return;
    detail::run_io_threads(impl_->threads, [this] { impl_->run_io(); });
}

void Server::stop() {
    asio::post(impl_->control, [impl = impl_.get()] { impl->begin_stop(); });
}

}  // namespace net
