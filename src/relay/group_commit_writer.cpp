#include "relay/group_commit_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "relay/backend_metrics.h"
#include "relay/tracing.h"
#include "telemetry/thread_name.h"

namespace relay {

GroupCommitWriter::GroupCommitWriter(store::Store& store, BackendMetrics& metrics,
                                     Announce announce, bool announce_early, size_t max_batch)
    : store_(store),
      metrics_(metrics),
      announce_(std::move(announce)),
      announce_early_(announce_early),
      max_batch_(max_batch),
      thread_([this] { run(); }) {}

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
        queue_.push_back({std::move(event), std::move(done), telemetry::current_context()});
    }
    wake_.notify_one();
}

void GroupCommitWriter::run() {
    telemetry::name_this_thread("nostpp-writer");
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
        const bool traced = telemetry::tracing_enabled();
        const uint64_t started = traced ? telemetry::unix_now_ns() : 0;
        auto start = std::chrono::steady_clock::now();
        const uint64_t number = settled_.load() + 1;
        bool announced = false;
        auto announce_batch = [&](uint64_t decided_seq) {
            announced = true;
            announce(batch, results, number, decided_seq);
        };
        uint64_t seq =
            store_.put(events, results, announce_early_ ? store::Decided(announce_batch) : nullptr);
        if (!announced) announce_batch(seq);  // not early, or a store that does not decide
        settle(number);
        const uint64_t committed = traced ? telemetry::unix_now_ns() : 0;
        metrics_.commit_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        metrics_.commit_batch_size.observe(double(batch.size()));
        // A failed commit fails its whole batch.
        if (!results.empty() && results.front().outcome == store::PutOutcome::error)
            metrics_.put_errors.inc();
        commits_.fetch_add(1, std::memory_order_relaxed);
        for (size_t i = 0; i < batch.size(); ++i) batch[i].done(results[i], seq);
        // After the callbacks: the OKs do not wait for the spans.
        if (traced) trace_commit(batch, seq, started, committed);

        lock.lock();
    }
}

void GroupCommitWriter::announce(const std::vector<Pending>& batch,
                                 const std::vector<store::PutResult>& results, uint64_t number,
                                 uint64_t seq) {
    const size_t decided = std::min(batch.size(), results.size());
    auto stored = [&](size_t i) { return results[i].outcome == store::PutOutcome::stored; };
    // Before the announcements: a read that follows one must wait for this commit. A batch
    // that stores nothing (duplicates, refusals) announces nothing, and holds no read back.
    bool any = false;
    for (size_t i = 0; i < decided && !any; ++i) any = stored(i);
    if (!any) return;
    announced_.store(number);
    for (size_t i = 0; i < decided; ++i) {
        if (!stored(i)) continue;
        try {
            announce_(batch[i].event, seq);
        } catch (const std::exception& e) {
            // Live delivery is best effort; the write it rides on must not fail for it.
            spdlog::warn("could not announce a stored event to live subscribers: {}", e.what());
        }
    }
}

void GroupCommitWriter::settle(uint64_t batch) {
    std::vector<std::function<void()>> ready;
    {
        std::lock_guard lock(settled_mutex_);
        settled_.store(batch);
        ready.swap(after_settled_);  // each waited for a batch <= announced() <= this one
    }
    for (auto& fn : ready) fn();
}

void GroupCommitWriter::when_settled(uint64_t batch, std::function<void()> fn) {
    if (settled_.load() < batch) {
        std::lock_guard lock(settled_mutex_);
        if (settled_.load() < batch) {
            after_settled_.push_back(std::move(fn));
            return;
        }
    }
    fn();  // the usual case: no announced commit in flight
}

void GroupCommitWriter::trace_commit(const std::vector<Pending>& batch, uint64_t seq,
                                     uint64_t start_unix_ns, uint64_t end_unix_ns) {
    for (const auto& pending : batch) {
        telemetry::Span span =
            tracing::start_child(tracing::kCommitSpan, pending.trace, start_unix_ns);
        span.set_attribute("nostpp.commit.batch_size", batch.size());
        span.set_attribute("nostpp.commit.seq", seq);
        span.end(end_unix_ns);
    }
}

}  // namespace relay
