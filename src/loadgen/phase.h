// What every workload phase shares: where the relay is, how long a phase may run, the clock
// latencies are measured with, and the shape of a phase's report.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "loadgen/endpoint.h"
#include "loadgen/json_writer.h"

namespace loadgen {

using Clock = std::chrono::steady_clock;

struct PhaseContext {
    Endpoint endpoint;
    Endpoint publish_endpoint;  // fanout publisher (same as endpoint unless --publish-url)
    std::chrono::duration<double> duration{20};  // measurement limit of each phase
    uint32_t threads = 2;                        // event-loop threads
};

struct PhaseReport {
    std::string name;
    bool clean = true;    // false when the phase saw errors worth a non-zero exit
    std::string summary;  // the single human-readable line
    JsonObject json;
};

// Microseconds since a phase's start; all latencies of a phase share it.
class PhaseClock {
  public:
    PhaseClock() : epoch_(Clock::now()) {}
    int64_t now_us() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - epoch_).count();
    }
    Clock::time_point epoch() const { return epoch_; }

  private:
    Clock::time_point epoch_;
};

// Counts finished participants (connections) and lets the main thread wait for all of
// them or a deadline, whichever comes first.
class Countdown {
  public:
    explicit Countdown(uint64_t total) : remaining_(total) {}
    void done() {
        std::lock_guard lock(mutex_);
        if (remaining_ > 0 && --remaining_ == 0) cv_.notify_all();
    }
    // True when everything finished before the deadline.
    bool wait_until(Clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return cv_.wait_until(lock, deadline, [&] { return remaining_ == 0; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    uint64_t remaining_;
};

// The first few distinct problem messages (OK false, CLOSED, NOTICE, connection errors),
// shared by all connections of a phase.
class MessageLog {
  public:
    void add(std::string message) {
        std::lock_guard lock(mutex_);
        if (messages_.size() < keep_) messages_.push_back(std::move(message));
    }
    std::vector<std::string> take() {
        std::lock_guard lock(mutex_);
        return messages_;
    }

  private:
    std::mutex mutex_;
    size_t keep_ = 5;
    std::vector<std::string> messages_;
};

}  // namespace loadgen
