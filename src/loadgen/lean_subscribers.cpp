#include "loadgen/lean_subscribers.h"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

#include "loadgen/ws_upgrade.h"

namespace loadgen {
namespace {

// How long one connection's TCP connect and handshake may take.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// How long a reader sleeps in epoll_wait before it looks at the stop flag again.
constexpr int kPollMs = 50;

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
    try {
        open_all(endpoint, deadline);
    } catch (...) {  // no destructor runs for a constructor that throws
        for (auto& connection : connections_)
            if (connection.fd >= 0) ::close(connection.fd);
        throw;
    }
    connect_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

void LeanSubscribers::open_all(const Endpoint& endpoint,
                               std::chrono::steady_clock::time_point deadline) {
    for (uint32_t i = 0; i < connections_.size(); ++i) {
        Upgraded upgraded;
        if (std::chrono::steady_clock::now() >= deadline)
            upgraded.error = "deadline passed while connecting";
        else
            upgraded = upgrade_to_websocket(endpoint, kHandshakeTimeout);
        if (upgraded.fd < 0) {
            if (failed_++ == 0) first_error_ = upgraded.error;
            continue;
        }
        connections_[i].fd = upgraded.fd;
        connections_[i].connected = true;
        // The relay's first frames (its AUTH challenge) may have come with the 101.
        if (!upgraded.leftover.empty()) consume(i, upgraded.leftover);
    }
}

LeanSubscribers::~LeanSubscribers() {
    stop();
}

void LeanSubscribers::start(const std::string& text, uint32_t threads, bool batch) {
    auto frame = masked_client_frame(Opcode::text, text, mask_);
    for (uint32_t i = 0; i < connections_.size(); ++i)
        if (connections_[i].fd >= 0 && !send_all(connections_[i].fd, frame))
            fail(i, "sending the REQ failed");
    threads = std::max<uint32_t>(1, threads);
    for (uint32_t t = 0; t < threads; ++t) {
        int epoll = epoll_create1(EPOLL_CLOEXEC);
        if (epoll < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
        epolls_.push_back(epoll);
        for (uint32_t i = t; i < connections_.size(); i += threads) {
            if (connections_[i].fd < 0) continue;
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.u32 = i;
            if (epoll_ctl(epoll, EPOLL_CTL_ADD, connections_[i].fd, &event) != 0)
                fail(i, std::string("epoll_ctl: ") + std::strerror(errno));
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
            // A finished connection's socket is closed, which also takes it out of the set.
            read_ready(ready[k].data.u32, buffer);
        }
    }
}

bool LeanSubscribers::read_ready(uint32_t index, std::vector<char>& buffer) {
    Connection& connection = connections_[index];
    if (connection.fd < 0) return false;
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
    return consume(index, std::string_view(buffer.data(), static_cast<size_t>(got)));
}

bool LeanSubscribers::consume(uint32_t index, std::string_view bytes) {
    Connection& connection = connections_[index];
    bool closed = false;
    auto error = connection.frames.feed(bytes, [&](Opcode opcode, std::string_view payload) {
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
