// Concurrent connections per client address (--max-connections-per-ip), optionally shared
// between processes. Each process counts its own connections exactly; a sync thread
// (RedisRateSync) publishes them and learns how many the other processes hold, so acquire()
// decides from local state and never waits on the network. Thread-safe. Shared ownership:
// each ConnectionSlot keeps the counts alive until it is released.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ratelimit/rate_limit_metrics.h"

namespace ratelimit {

class ConnectionCounts;

// One counted connection; the count drops when the slot is destroyed. Empty slots (limit
// off) count nothing.
class ConnectionSlot {
  public:
    ConnectionSlot() = default;
    ConnectionSlot(std::shared_ptr<ConnectionCounts> owner, std::string key)
        : owner_(std::move(owner)), key_(std::move(key)) {}
    ConnectionSlot(ConnectionSlot&&) noexcept = default;
    ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ~ConnectionSlot() { release(); }

  private:
    void release();
    std::shared_ptr<ConnectionCounts> owner_;
    std::string key_;
};

class ConnectionCounts : public std::enable_shared_from_this<ConnectionCounts> {
  public:
    // `max_per_key` 0 = no limit. Refusals are counted in `metrics` when given.
    static std::shared_ptr<ConnectionCounts> create(uint32_t max_per_key,
                                                    telemetry::MetricsRegistry* metrics = nullptr);

    // A slot for one more connection from `key` (a client address), or nullptr when `key`
    // already holds the maximum here and elsewhere (as of the last sync).
    std::unique_ptr<ConnectionSlot> acquire(const std::string& key);

    uint32_t max_per_key() const { return max_; }
    // Connections from `key`: this process's, plus the others' as of the last sync.
    uint64_t count(const std::string& key) const;

    // For the sync: every key this process holds connections for, or that changed since the
    // last sync (a count of 0 tells the others it is gone). Entries at 0 are forgotten.
    struct Local {
        std::string key;
        uint64_t connections;
    };
    std::vector<Local> begin_sync();
    // What the other processes hold for `key` (sum of their fresh entries).
    void set_others(const std::string& key, uint64_t connections);
    // The sync failed: the changes go with the next one, and the other processes' counts are
    // forgotten (each process counts alone while Redis is unreachable).
    void abandon_sync(const std::vector<Local>& pending);

  private:
    ConnectionCounts(uint32_t max_per_key, telemetry::MetricsRegistry* metrics);
    friend class ConnectionSlot;
    void release(const std::string& key);

    struct Entry {
        uint64_t local = 0;
        uint64_t others = 0;
        bool changed = false;
    };
    const uint32_t max_;
    std::unique_ptr<RateLimitMetrics> metrics_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ratelimit
