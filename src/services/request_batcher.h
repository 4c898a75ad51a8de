// Turns many small requests into few HTTP requests: items queue, at most `max_in_flight`
// requests are outstanding, and whenever one finishes, everything queued meanwhile (up to
// max_items / max_bytes) leaves together in the next. With little traffic each item goes at
// once, alone; under load the batches grow by themselves. RemoteBackend uses one for events
// (POST /event with an array) and one for queries (POST /query with an array).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace services {

struct BatchLimits {
    unsigned max_in_flight = 8;
    size_t max_items = 256;
    uint64_t max_bytes = 512 * 1024;  // a single larger item still goes, alone
    size_t max_queued = 16384;        // items waiting for a slot; more are refused
};

template <class Item>
class RequestBatcher {
  public:
    // Sends one batch; must call `finished` exactly once when its request is over (from any
    // thread), which frees the slot for the next batch.
    using Send = std::function<void(std::vector<Item> batch, std::function<void()> finished)>;
    using Size = std::function<uint64_t(const Item&)>;

    // The batcher must outlive every batch it sends (`finished` refers to it).
    RequestBatcher(BatchLimits limits, Size size, Send send)
        : limits_(limits), size_(std::move(size)), send_(std::move(send)) {
        if (limits_.max_in_flight == 0) limits_.max_in_flight = 1;
        if (limits_.max_items == 0) limits_.max_items = 1;
    }

    // Thread-safe. False (and `item` untouched) when too many items are waiting already.
    bool add(Item& item) {
        {
            std::lock_guard lock(mutex_);
            if (queue_.size() >= limits_.max_queued) return false;
            queue_.push_back(std::move(item));
        }
        pump();
        return true;
    }

  private:
    void pump() {
        for (;;) {
            std::vector<Item> batch;
            {
                std::lock_guard lock(mutex_);
                if (queue_.empty() || in_flight_ >= limits_.max_in_flight) return;
                ++in_flight_;
                uint64_t bytes = 0;
                while (!queue_.empty() && batch.size() < limits_.max_items) {
                    uint64_t size = size_(queue_.front()) + 1;
                    if (!batch.empty() && bytes + size > limits_.max_bytes) break;
                    bytes += size;
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            send_(std::move(batch), [this] {
                {
                    std::lock_guard lock(mutex_);
                    --in_flight_;
                }
                pump();
            });
        }
    }

    BatchLimits limits_;
    Size size_;
    Send send_;
    std::mutex mutex_;
    std::deque<Item> queue_;
    unsigned in_flight_ = 0;
};

}  // namespace services
