// Counts per key in fixed windows of wall-clock time (window n covers
// [n * window, (n + 1) * window) in Unix seconds, so every process agrees on the boundaries),
// optionally shared between processes: a sync thread (RedisRateSync) periodically adds each
// key's new local counts to a shared total and reads the total back. The hot path never waits
// on the network: try_add() decides from the last known shared total plus what was counted
// here since. Without a sync (or while Redis is unreachable) the counts are simply local.
// Thread-safe.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ratelimit {

class WindowCounts {
  public:
    explicit WindowCounts(int64_t window_seconds);

    int64_t window_seconds() const { return window_seconds_; }
    int64_t window_of(int64_t unix_seconds) const { return unix_seconds / window_seconds_; }

    // Counts one for `key` in the window of `now` unless its count there (shared total known
    // from the last sync plus local counts not yet in it) has reached `limit`. True when
    // counted.
    bool try_add(std::string_view key, uint64_t limit, int64_t now);

    // The count of `key` in the window of `now`, as try_add() sees it.
    uint64_t count(std::string_view key, int64_t now) const;

    // For the sync. Each key of the current window used since the last sync or at half its
    // limit or more (other processes may be spending the rest), with the local counts to add
    // to its shared total (0: only read the total). Keys of past windows are dropped. Until
    // finish_sync() or abandon_sync(), the delta still counts locally.
    struct Pending {
        std::string key;
        int64_t window;
        uint64_t delta;
    };
    std::vector<Pending> begin_sync(int64_t now);
    // The shared totals after adding the deltas, in the order of `pending`.
    void finish_sync(const std::vector<Pending>& pending, const std::vector<uint64_t>& totals);
    // The sync failed: the deltas stay local and go with the next one.
    void abandon_sync(const std::vector<Pending>& pending);

    size_t size() const;

  private:
    struct Entry {
        int64_t window = 0;
        uint64_t shared = 0;     // total from the last sync (ours included)
        uint64_t in_flight = 0;  // local counts being added to the shared total right now
        uint64_t unsynced = 0;   // local counts since
        uint64_t limit = 0;      // as last asked
        bool used = false;       // asked about since the last sync
        uint64_t total() const { return shared + in_flight + unsynced; }
    };
    Entry& entry(std::string_view key, int64_t window);

    const int64_t window_seconds_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ratelimit
