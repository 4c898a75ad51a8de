// The bounded queue between the threads that end spans and the exporter thread. A push takes
// a mutex for a vector push_back into reserved space, never waits for the exporter, and when
// the queue is full the span is dropped and counted: a slow or dead collector costs only
// telemetry.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "telemetry/span.h"

namespace telemetry {

class SpanQueue {
  public:
    // `wake_at` spans queued wake the exporter before its delay is up.
    SpanQueue(size_t capacity, size_t wake_at);

    // Any thread. False (span dropped and counted) when full or closed.
    bool try_push(SpanData&& span);
    // Exporter thread: waits until `wake_at` spans are queued, `deadline` passes or close(),
    // then moves up to `max` spans into `out`. Returns false once closed and empty.
    bool take(std::vector<SpanData>& out, size_t max,
              std::chrono::steady_clock::time_point deadline);
    // Wakes take() for good; pushes after this are dropped.
    void close();

    size_t size() const;
    uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  private:
    const size_t capacity_;
    const size_t wake_at_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<SpanData> spans_;
    bool closed_ = false;
    std::atomic<uint64_t> dropped_{0};
};

}  // namespace telemetry
