#include "relay/group_commit_writer.h"

#include <chrono>
#include <vector>

#include "relay/backend_metrics.h"

namespace relay {

GroupCommitWriter::GroupCommitWriter(store::Store& store, BackendMetrics& metrics, size_t max_batch)
    : store_(store), metrics_(metrics), max_batch_(max_batch), thread_([this] { run(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void GroupCommitWriter::submit(std::shared_ptr<const nostr::Event> event, Done done) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({std::move(event), std::move(done)});
    }
    wake_.notify_one();
}

void GroupCommitWriter::run() {
    std::vector<Pending> batch;
    std::vector<const nostr::Event*> events;
    std::vector<store::PutResult> results;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        batch.clear();
        while (!queue_.empty() && batch.size() < max_batch_) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        lock.unlock();

        events.clear();
        for (const auto& pending : batch) events.push_back(pending.event.get());
        auto start = std::chrono::steady_clock::now();
        uint64_t seq = store_.put(events, results);
        metrics_.commit_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        metrics_.commit_batch_size.observe(double(batch.size()));
        // A failed commit fails its whole batch.
        if (!results.empty() && results.front().outcome == store::PutOutcome::error)
            metrics_.put_errors.inc();
        commits_.fetch_add(1, std::memory_order_relaxed);
        for (size_t i = 0; i < batch.size(); ++i) batch[i].done(results[i], seq);

        lock.lock();
    }
}

}  // namespace relay
