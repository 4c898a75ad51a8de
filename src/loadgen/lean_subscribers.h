// The fan-out's subscribers, read lean: N WebSocket connections whose frames a few epoll
// threads read straight off the sockets (ws_frames.h), with no asio strand, composed read or
// UTF-8 check per message. The load client shares the relay's two cores, so what it spends
// per delivery is taken from the relay and shows up in the latency it measures: with Beast's
// stream the bench cost ~6.7 µs of CPU per delivery, lean ~5.2, and ~4.0 with its readers
// under SCHED_BATCH (docs/benchmarks.md). Beast's HTTP layer makes the opening handshake
// (ws_upgrade.h); this reads, answers pings, and closes.
//
// Threading: connection i is read by thread i % threads only, so per-connection state in the
// handlers needs no locking; after stop() returns no handler runs and everything they wrote
// is visible to the caller.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "loadgen/endpoint.h"
#include "loadgen/ws_frames.h"

namespace loadgen {

class LeanSubscribers {
  public:
    struct Handlers {
        // One text message of connection `index`; the view is valid only during the call.
        std::function<void(uint32_t index, std::string_view message)> on_message;
        // Connection `index` failed or the relay closed it; nothing more comes from it.
        std::function<void(uint32_t index, const std::string& error)> on_error;
    };

    // Opens `count` connections one after another (so the relay's accept backlog never
    // overflows), giving up on the rest at `deadline`. Frames that came with a handshake
    // (the relay's AUTH challenge) go through the handlers here, on the calling thread.
    LeanSubscribers(const Endpoint& endpoint, uint32_t count, Handlers handlers,
                    std::chrono::steady_clock::time_point deadline);
    ~LeanSubscribers();  // stop()
    LeanSubscribers(const LeanSubscribers&) = delete;
    LeanSubscribers& operator=(const LeanSubscribers&) = delete;

    // True when connection `index` completed its handshake. It may have failed since, and
    // then its on_error has been called.
    bool connected(uint32_t index) const { return connections_[index].connected; }
    uint64_t failed() const { return failed_; }
    const std::string& first_error() const { return first_error_; }
    double connect_seconds() const { return connect_seconds_; }

    // Sends `text` on every connection still open, then starts `threads` reader threads. With
    // `batch`, the readers run under SCHED_BATCH: woken by a delivery, they do not preempt
    // the relay's thread that sent it, but wait for a free core or the scheduler's next
    // turn, and then read what has come meanwhile in one go. On a machine the client shares
    // with the relay that keeps it from taking the relay's core in the middle of a fan-out
    // (a switch there and back per few deliveries, docs/benchmarks.md).
    void start(const std::string& text, uint32_t threads, bool batch);
    // Joins the readers, then closes every connection with a close frame, waiting up to
    // `grace` in all for the relay to finish each closing handshake.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  private:
    struct Connection {
        int fd = -1;
        bool connected = false;
        ServerFrameReader frames;
    };
    void open_all(const Endpoint& endpoint, std::chrono::steady_clock::time_point deadline);
    void read_loop(uint32_t thread, bool batch);
    // Reads what connection `index` has; false once it is finished (failed or closed).
    bool read_ready(uint32_t index, std::vector<char>& buffer);
    // Runs the frames in `bytes` through the connection's handlers; false once it failed.
    bool consume(uint32_t index, std::string_view bytes);
    void fail(uint32_t index, const std::string& error);

    std::vector<Connection> connections_;
    Handlers handlers_;
    uint64_t failed_ = 0;
    std::string first_error_;
    double connect_seconds_ = 0;
    uint32_t mask_ = 0;  // the masking key of this run's client frames
    std::vector<int> epolls_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
};

}  // namespace loadgen
