// Where a session's writes and queries go: the local store (LocalBackend) or, in the
// scale-out deployment, the event handler over HTTP. Callbacks may run on any thread.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nostr/event.h"
#include "nostr/filter.h"
#include "store/store.h"
#include "telemetry/trace_context.h"

namespace relay {

struct QueryResult {
    std::vector<std::string> events;  // JSON, newest first, each once
    uint64_t snapshot_seq = 0;        // last commit the query saw (see Store::query)
    std::string error;                // non-empty: the query failed ("error: ...")
};

struct CountResult {
    uint64_t count = 0;
    std::string hll_hex;  // NIP-45 HyperLogLog, empty when not computed
    std::string error;
};

// One query of Backend::query_batch. Each carries its own trace parent: one call cannot make
// each item's context current the way a single query() reads current_context().
struct QueryBatchItem {
    std::vector<nostr::Filter> filters;
    std::function<void(QueryResult)> done;
    telemetry::SpanContext trace;
};

class Backend {
public:
    virtual ~Backend() = default;
    // `commit_seq` is the store commit that made a stored event durable, bus::kEphemeralSeq
    // for an accepted ephemeral event, 0 otherwise.
    using SubmitDone = std::function<void(store::PutResult, uint64_t commit_seq)>;
    // Validated event, verified unless verifies_events(). Stores it (or, if ephemeral, only
    // publishes it) and calls `done` once it is durable or refused. Accepted events are
    // published on the bus.
    virtual void submit(std::shared_ptr<const nostr::Event> event, SubmitDone done) = 0;
    // The same for a NIP-70 protected event whose author has authenticated (NIP-42) on the
    // connection that sent it, which the session has checked. A backend that re-checks events
    // elsewhere (the event handler behind RemoteBackend) must be told, or it refuses them.
    virtual void submit_authenticated(std::shared_ptr<const nostr::Event> event, SubmitDone done) {
        submit(std::move(event), std::move(done));
    }
    virtual void query(std::vector<nostr::Filter> filters, store::QueryOptions options,
                       std::function<void(QueryResult)> done) = 0;
    // Several queries with the same options, each answered through its own `done`, as
    // query() would. The default runs query() per item; LocalBackend hands them to the store
    // together, so the Redis cache looks them up in one round trip (the event handler's
    // POST /query batches).
    virtual void query_batch(std::vector<QueryBatchItem> items, store::QueryOptions options);
    virtual void count(std::vector<nostr::Filter> filters, int64_t now,
                       std::function<void(CountResult)> done) = 0;
    // True when submit() checks ids and signatures itself (a remote event handler), so the
    // session applies only the cheap policy checks before submitting.
    virtual bool verifies_events() const { return false; }
};

}  // namespace relay
