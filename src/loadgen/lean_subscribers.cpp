#include "loadgen/lean_subscribers.h"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// How long one connection's TCP connect and handshake may take.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// How long a reader sleeps in epoll_wait before it looks at the stop flag again.
constexpr int kPollMs = 50;

// TCP connect and Beast's synchronous client handshake; returns the socket, taken from
// asio, or -1 with `error` set.
int open_connection(asio::io_context& io, const Endpoint& endpoint, std::string& error) {
    beast::error_code ec;
    auto address = asio::ip::make_address(endpoint.address, ec);
    if (ec || !address.is_loopback()) {  // endpoint.cpp refused non-loopback already
        error = "refusing address " + endpoint.address;
        return -1;
    }
    websocket::stream<tcp::socket> ws(io);
    ws.next_layer().connect(tcp::endpoint(address, endpoint.port), ec);
    if (ec) {
        error = "connect: " + ec.message();
        return -1;
    }
    ws.next_layer().set_option(tcp::no_delay(true), ec);
    // A relay that accepts but never answers must not hang the bench: a receive timeout
    // bounds the handshake's blocking reads.
    timeval timeout{std::chrono::seconds(kHandshakeTimeout).count(), 0};
    setsockopt(ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string host =
        endpoint.host.find(':') == std::string::npos ? endpoint.host : "[" + endpoint.host + "]";
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
        request.set(beast::http::field::user_agent, "nostpp-bench");
    }));
    ws.handshake(host + ":" + std::to_string(endpoint.port), endpoint.target, ec);
    if (ec) {
        error = "handshake: " + ec.message();
        return -1;
    }
    // The relay sends nothing before the REQ, so Beast has read nothing past the handshake.
    int fd = ws.next_layer().release(ec);
    if (ec) {
        error = "release: " + ec.message();
        return -1;
    }
    return fd;
}

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 1000);
            continue;
        }
        if (sent <= 0) return false;
        bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
}

}  // namespace

LeanSubscribers::LeanSubscribers(const Endpoint& endpoint, uint32_t count, Handlers handlers,
                                 std::chrono::steady_clock::time_point deadline)
    : connections_(count), handlers_(std::move(handlers)), mask_(std::random_device{}()) {
    auto started = std::chrono::steady_clock::now();
    asio::io_context io;
    for (auto& connection : connections_) {
        std::string error;
        if (std::chrono::steady_clock::now() >= deadline)
            error = "deadline passed while connecting";
        else
            connection.fd = open_connection(io, endpoint, error);
        if (connection.fd < 0 && failed_++ == 0) first_error_ = error;
    }
    connect_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

LeanSubscribers::~LeanSubscribers() {
    stop();
}

void LeanSubscribers::start(const std::string& text, uint32_t threads, bool batch) {
    auto frame = masked_client_frame(Opcode::text, text, mask_);
    for (uint32_t i = 0; i < connections_.size(); ++i)
        if (is_open(i) && !send_all(connections_[i].fd, frame)) fail(i, "sending the REQ failed");
    threads = std::max<uint32_t>(1, threads);
    for (uint32_t t = 0; t < threads; ++t) {
        int epoll = epoll_create1(EPOLL_CLOEXEC);
        epolls_.push_back(epoll);
        for (uint32_t i = t; i < connections_.size(); i += threads) {
            if (!is_open(i)) continue;
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.u32 = i;
            epoll_ctl(epoll, EPOLL_CTL_ADD, connections_[i].fd, &event);
        }
    }
    for (uint32_t t = 0; t < threads; ++t)
        threads_.emplace_back([this, t, batch] { read_loop(t, batch); });
}

void LeanSubscribers::read_loop(uint32_t thread, bool batch) {
    if (batch) {
        sched_param priority{};  // SCHED_BATCH has only priority 0; no privilege needed
        if (int error = pthread_setschedparam(pthread_self(), SCHED_BATCH, &priority))
            std::fprintf(stderr, "fanout: SCHED_BATCH for a reader thread failed: %s\n",
                         std::strerror(error));
    }
    int epoll = epolls_[thread];
    std::vector<char> buffer(64 * 1024);
    epoll_event ready[64];
    while (!stopping_.load(std::memory_order_relaxed)) {
        int n = epoll_wait(epoll, ready, 64, kPollMs);
        for (int k = 0; k < n; ++k) {
            uint32_t index = ready[k].data.u32;
            if (!read_ready(index, buffer))
                epoll_ctl(epoll, EPOLL_CTL_DEL, connections_[index].fd, nullptr);
        }
    }
}

bool LeanSubscribers::read_ready(uint32_t index, std::vector<char>& buffer) {
    Connection& connection = connections_[index];
    ssize_t got = ::recv(connection.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
        fail(index, std::string("receive: ") + std::strerror(errno));
        return false;
    }
    if (got == 0) {
        fail(index, "the relay closed the connection");
        return false;
    }
    bool closed = false;
    auto error = connection.frames.feed(
        std::string_view(buffer.data(), static_cast<size_t>(got)),
        [&](Opcode opcode, std::string_view payload) {
            if (closed) return;
            if (opcode == Opcode::text)
                handlers_.on_message(index, payload);
            else if (opcode == Opcode::ping)
                send_all(connection.fd, masked_client_frame(Opcode::pong, payload, mask_));
            else if (opcode == Opcode::close)
                closed = true;
            // Binary messages and pongs mean nothing to the bench.
        });
    if (!error.empty()) {
        fail(index, "protocol: " + std::string(error));
        return false;
    }
    if (closed) {
        fail(index, "the relay sent a close frame");
        return false;
    }
    return true;
}

void LeanSubscribers::fail(uint32_t index, const std::string& error) {
    handlers_.on_error(index, error);
    ::close(connections_[index].fd);
    connections_[index].fd = -1;
}

void LeanSubscribers::stop(std::chrono::milliseconds grace) {
    stopping_ = true;
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    for (int epoll : epolls_) ::close(epoll);
    epolls_.clear();
    // Orderly closes, as the Beast client makes them: a close frame each, then wait for the
    // relay to end the TCP connection after its own close frame.
    const std::string close_frame = masked_client_frame(Opcode::close, "\x03\xE8", mask_);  // 1000
    std::vector<pollfd> waiting;
    for (auto& connection : connections_) {
        if (connection.fd < 0) continue;
        if (send_all(connection.fd, close_frame))
            waiting.push_back({connection.fd, POLLIN, 0});
        else
            ::close(connection.fd);
    }
    auto deadline = std::chrono::steady_clock::now() + grace;
    std::vector<char> buffer(64 * 1024);
    while (!waiting.empty()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || ::poll(waiting.data(), waiting.size(), left.count()) <= 0) break;
        std::erase_if(waiting, [&](const pollfd& p) {
            if (!p.revents) return false;
            ssize_t got = ::recv(p.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
            if (got > 0 || (got < 0 && (errno == EAGAIN || errno == EINTR))) return false;
            ::close(p.fd);  // end of stream (or an error): this close is over
            return true;
        });
    }
    for (const auto& p : waiting) ::close(p.fd);
    for (auto& connection : connections_) connection.fd = -1;
}

}  // namespace loadgen
