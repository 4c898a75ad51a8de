// The Store interface: durable event storage with the NIP-01/09/40 rules applied inside it,
// so every backend (LMDB, PostgreSQL) behaves identically and runs one shared test suite.
#pragma once
#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nostr/event.h"
#include "nostr/filter.h"

namespace store {

enum class PutOutcome {
    stored,      // new event, durable once put() returns
    duplicate,   // already stored (OK true, "duplicate:")
    superseded,  // replaceable/addressable event older than the stored version (OK false)
    deleted,     // deleted by a NIP-09 request from its author; cannot be re-submitted
    error,       // backend failure; nothing in the batch was stored
};

struct PutResult {
    PutOutcome outcome = PutOutcome::error;
    std::string message;  // NIP-01 OK message with its machine-readable prefix ("" if stored)
    bool accepted() const {
        return outcome == PutOutcome::stored || outcome == PutOutcome::duplicate;
    }
};

struct QueryOptions {
    // Each filter returns at most min(filter.limit, max_limit) events; filters without a
    // limit return at most min(default_limit, max_limit).
    uint64_t max_limit = 5000;
    uint64_t default_limit = 500;
    // Events whose NIP-40 expiration is <= now are hidden.
    int64_t now = 0;
};

// Store::put's hook: the batch's commit sequence number, once its outcomes are known.
using Decided = std::function<void(uint64_t commit_seq)>;

// Called with each event's JSON; return false to stop early.
using EventSink = std::function<bool(std::string_view event_json)>;

using HyperLogLog = std::array<uint8_t, 256>;  // NIP-45 registers

// One query of Store::query_batch: its filters (which must outlive the call) and sink in, its
// snapshot sequence or its failure out.
struct BatchQuery {
    const std::vector<nostr::Filter>* filters = nullptr;
    EventSink sink;
    uint64_t snapshot_seq = 0;
    std::exception_ptr error;  // what query() would have thrown; the others still run
};

class Store {
public:
    virtual ~Store() = default;

    // Stores a batch in one durable commit (group commit). results gets one entry per event,
    // in order. Rules: duplicates by id; replaceable (0, 3, 10000-19999) and addressable
    // (30000-39999, keyed by `d` tag) keep only the newest version per key, equal created_at
    // resolved to the lowest id; ephemeral kinds (20000-29999) must not be passed in; kind-5
    // events are stored and delete the referenced `e` events and `a` addresses (up to the
    // request's created_at) of the same author, and block their re-submission.
    // Returns the commit sequence number of this batch (see query()).
    //
    // `decided`, if given, runs once on the calling thread with that sequence number when
    // every result is known. LMDB runs it before the commit makes the batch durable, so live
    // subscribers need not wait for the disk; the other stores run it after their commit. If
    // the commit then fails, the results are errors all the same.
    virtual uint64_t put(std::span<const nostr::Event* const> batch,
                         std::vector<PutResult>& results, const Decided& decided) = 0;
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<PutResult>& results) {
        return put(batch, results, {});
    }

    // Streams events matching any filter, newest first (created_at desc, then lowest id),
    // each event once. Returns the sequence number of the last commit visible to this query:
    // an event committed with a higher number was not seen.
    virtual uint64_t query(const std::vector<nostr::Filter>& filters, const QueryOptions& options,
                           const EventSink& sink) = 0;

    // Runs each query as query() would, with the same options. A store that can share work
    // between them overrides it (the Redis cache looks them all up in one round trip).
    virtual void query_batch(std::span<BatchQuery> queries, const QueryOptions& options) {
        for (BatchQuery& query : queries) {
            try {
                query.snapshot_seq = this->query(*query.filters, options, query.sink);
            } catch (...) {
                query.error = std::current_exception();
            }
        }
    }

    // Number of distinct events matching any filter (limits ignored, expired hidden). When
    // `hll` is given, also fills NIP-45 HyperLogLog registers using `hll_offset`.
    virtual uint64_t count(const std::vector<nostr::Filter>& filters, int64_t now,
                           HyperLogLog* hll = nullptr, int hll_offset = 0) = 0;

    // Removes events whose expiration is <= now; returns how many.
    virtual size_t purge_expired(int64_t now) = 0;

    // Operator removal of one event by id; true when it existed.
    virtual bool erase(const nostr::Bytes32& id) = 0;

    // Number of stored events.
    virtual uint64_t size() = 0;

    // Small named values kept beside the events (the Web of Trust set), durable once
    // put_setting() returns and shared by every process using the store.
    virtual void put_setting(std::string_view name, std::string_view value) = 0;
    virtual std::optional<std::string> get_setting(std::string_view name) = 0;
};

}  // namespace store
