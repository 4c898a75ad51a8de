// The single writer thread: takes every event queued since the last commit and stores them
// in one transaction, so one fsync acknowledges the whole group. Callbacks run on the writer
// thread after the commit, i.e. only once the events are durable. Newly stored events are
// announced before those callbacks; with `announce_early`, as soon as the store has decided
// (Store::put's `decided`: for LMDB before the fsync), so live subscribers do not wait for
// the disk. A read that must see an announced event waits for its commit (when_settled()).
// Each commit's latency and size are observed in the backend's metrics. An event submitted
// under a trace context (telemetry::current_context()) gets a `store.commit` span of its
// own, child of that context, covering its group's transaction, with the group's size as an
// attribute.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "nostr/event.h"
#include "store/store.h"
#include "telemetry/trace_context.h"

namespace relay {

struct BackendMetrics;

class GroupCommitWriter {
public:
    // `done` gets the result and the commit sequence number of the batch.
    using Done = std::function<void(const store::PutResult&, uint64_t commit_seq)>;
    // Gets each newly stored event with its commit sequence number, on the writer thread.
    using Announce =
        std::function<void(const std::shared_ptr<const nostr::Event>&, uint64_t commit_seq)>;

    // `metrics` must outlive the writer. Without `announce_early`, events are announced once
    // put() has returned.
    GroupCommitWriter(store::Store& store, BackendMetrics& metrics, Announce announce,
                      bool announce_early, size_t max_batch = 4096);
    ~GroupCommitWriter();  // commits what is queued, then stops

    void submit(std::shared_ptr<const nostr::Event> event, Done done);
    uint64_t commits() const { return commits_; }

    // The writer's batches are numbered from 1; announced() is the last one whose events were
    // announced. when_settled(n, fn) runs `fn` once batch n's commit has succeeded or failed:
    // at once on the calling thread if it has, else on the writer thread right after. A read
    // started from `fn` sees every event announced with batch n that was stored.
    uint64_t announced() const { return announced_.load(); }
    uint64_t settled() const { return settled_.load(); }
    void when_settled(uint64_t batch, std::function<void()> fn);

private:
    struct Pending {
        std::shared_ptr<const nostr::Event> event;
        Done done;
        telemetry::SpanContext trace;  // the submitter's span, if any
    };
    void run();
    // Announces the batch's newly stored events; `number` is the batch's, `seq` its commit's.
    void announce(const std::vector<Pending>& batch, const std::vector<store::PutResult>& results,
                  uint64_t number, uint64_t seq);
    void settle(uint64_t batch);
    void trace_commit(const std::vector<Pending>& batch, uint64_t seq, uint64_t start_unix_ns,
                      uint64_t end_unix_ns);

    store::Store& store_;
    BackendMetrics& metrics_;
    Announce announce_;
    bool announce_early_;
    size_t max_batch_;
    std::atomic<uint64_t> announced_{0};
    std::atomic<uint64_t> settled_{0};  // written under settled_mutex_
    std::mutex settled_mutex_;
    std::vector<std::function<void()>> after_settled_;  // for the batch in flight
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::atomic<uint64_t> commits_{0};
    std::thread thread_;
};

}  // namespace relay
