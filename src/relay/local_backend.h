// The backend of `nostpp relay` on the embedded store: writes through the group-commit
// writer, queries on a worker pool, stored events published on the bus as soon as the
// store has decided on them (before LMDB's fsync), and a background purge of expired events
// (NIP-40).
#pragma once
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "bus/bus.h"
#include "relay/backend.h"
#include "relay/backend_metrics.h"
#include "relay/store_health_log.h"
#include "telemetry/span.h"

namespace relay {

class GroupCommitWriter;
class WorkerPool;

struct LocalBackendOptions {
    unsigned query_threads = 2;
    uint32_t expiration_purge_seconds = 60;
    // Publish stored events before their commit is durable where the store can (LMDB).
    // Only for a bus that stays in this process: the reads that must wait for such a
    // commit are this backend's own (see post_read()).
    bool announce_before_durable = false;
};

class LocalBackend final : public Backend {
public:
    // `metrics` gets the commit, query and store-error series (backend_metrics.h) and must
    // outlive the backend.
    LocalBackend(store::Store& store, bus::Bus& bus, telemetry::MetricsRegistry& metrics,
                 LocalBackendOptions options);
    ~LocalBackend() override;

    void start();
    // Finishes queued writes and queries, then stops the threads.
    void stop();

    void submit(std::shared_ptr<const nostr::Event> event, SubmitDone done) override;
    void query(std::vector<nostr::Filter> filters, store::QueryOptions options,
               std::function<void(QueryResult)> done) override;
    // One job on the query pool for the whole batch (Store::query_batch).
    void query_batch(std::vector<QueryBatchItem> items, store::QueryOptions options) override;
    void count(std::vector<nostr::Filter> filters, int64_t now,
               std::function<void(CountResult)> done) override;

private:
    // Runs `read` on the query pool once it can see every stored event announced so far.
    void post_read(std::function<void()> read);
    // Counts, logs and traces a finished query, then answers it.
    void finish_query(QueryResult result, std::exception_ptr error, telemetry::Span& span,
                      size_t filters, std::chrono::steady_clock::time_point start,
                      const std::function<void(QueryResult)>& done);
    void purge_loop();

    store::Store& store_;
    bus::Bus& bus_;
    LocalBackendOptions options_;
    BackendMetrics metrics_;
    StoreHealthLog health_;
    std::unique_ptr<GroupCommitWriter> writer_;
    std::unique_ptr<WorkerPool> queries_;
    std::thread purger_;
    std::mutex purge_mutex_;
    std::condition_variable purge_wake_;
    bool stopping_ = false;
};

}  // namespace relay
