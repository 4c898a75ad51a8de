// Shares rate-limit counts between processes through Redis (the scale-out deployment, and
// `relay` with --redis-url): a background thread, every --rate-limit-sync-ms,
//   - adds each pubkey budget's new local counts to a Redis counter per window
//     (INCRBY + EXPIRE, key <prefix>ev:<class>:<pubkey>:<window>, gone two windows later)
//     and reads the shared total back;
//   - publishes this process's connections per client address in a hash per address
//     (<prefix>conn:<address>, field = this process's random id, value "<count> <deadline>")
//     and sums the other processes' fields whose deadline has not passed. A killed process
//     stops refreshing its fields: they stop counting at their deadline (30 s) and are
//     deleted by the next process that reads them, so counts never drift.
// All of a round's commands go in one pipelined round trip. The I/O threads never wait on
// Redis; when it is unreachable every process counts alone until it is back (the sync
// reconnects each round, and logs once per outage).
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis_url.h"
#include "ratelimit/connection_counts.h"
#include "ratelimit/window_counts.h"
#include "telemetry/metrics.h"

namespace bus {
class RedisConnection;
class OutageLog;
}  // namespace bus

namespace ratelimit {

struct RedisRateSyncOptions {
    std::string url;  // redis://...
    std::chrono::milliseconds interval{500};
    std::chrono::seconds connection_ttl{30};  // how long a process's published counts stay valid
    std::string process_id;                   // "" = random
    // Keys start with this; processes count together when they share it (the app uses the
    // bus channel: deployments sharing a Redis server have different channels).
    std::string key_prefix = "nostpp:events:rl:";
};

class RedisRateSync {
  public:
    // Either pointer may be null (that count is not shared here); both must outlive this.
    // `start_thread` false: nothing runs until sync_once() is called (tests).
    RedisRateSync(RedisRateSyncOptions options, WindowCounts* events, ConnectionCounts* connections,
                  telemetry::MetricsRegistry& metrics, bool start_thread = true);
    ~RedisRateSync();  // stops the thread, then runs a last round (if it was started)
    RedisRateSync(const RedisRateSync&) = delete;
    RedisRateSync& operator=(const RedisRateSync&) = delete;

    // One round now (on the calling thread; don't mix with the background thread). False when
    // Redis could not be reached; the counts then stay local.
    bool sync_once();

    const std::string& process_id() const { return options_.process_id; }

  private:
    void run();
    void connect();  // throws bus::RedisError
    // One round: queue the commands, then read the replies in the same order.
    void append_events(const std::vector<WindowCounts::Pending>& events);
    void append_connections(const std::vector<ConnectionCounts::Local>& connections, int64_t now);
    std::vector<uint64_t> read_event_totals(size_t count);
    void read_connections(const std::vector<ConnectionCounts::Local>& connections, int64_t now);

    RedisRateSyncOptions options_;
    bus::RedisUrl url_;
    WindowCounts* events_;
    ConnectionCounts* connections_;
    telemetry::Counter& syncs_ok_;
    telemetry::Counter& syncs_failed_;
    telemetry::Histogram& sync_seconds_;
    std::unique_ptr<bus::RedisConnection> connection_;
    std::unique_ptr<bus::OutageLog> outage_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ratelimit
