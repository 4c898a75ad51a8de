// A Store decorator that caches query() results in Redis and is never stale: an event whose
// put() returned "stored" before a query starts is in that query's answer.
//
// How:
//  - Version counters in Redis (cached_store_versions.h): `epoch`, `any` (bumped by every put
//    that stored something), one per kind and one per author (bumped for the kinds and
//    authors a put stored). A kind-5 deletion (or kind-62 vanish request), erase() and a purge
//    that removed events bump the epoch: the kinds and authors of what they removed are
//    unknown.
//  - put() bumps AFTER the inner put returned and BEFORE put() returns, so before the relay
//    can send OK true. A query reads the versions it depends on: the epoch plus its authors
//    when every filter lists authors (an author feed survives everyone else's writes), else
//    its kinds when every filter lists kinds, else `any`; in the same round trip
//    (cached_store_lookup.h) it reads the entry at prefix + "q:" + sha256(canonical query),
//    which is served only if it records those same versions. A put acknowledged before the query
//    started has already moved one of those versions, so no entry written before that put
//    can match. An entry is written only from an inner query that started after its versions
//    were read, so it holds every event acknowledged before those versions were current.
//  - query_batch() reads the versions and entries of all its queries in one round trip before
//    any of its inner queries starts, so the rules above hold for each query of the batch.
//    New entries are SET without waiting for the reply (a lost SET costs a later miss); the
//    connection drops those replies before its next command's (RedisConnection).
//  - A hit streams the cached events and returns the cached snapshot seq: the entry is
//    exactly the store's answer at that commit, so live subscriptions (which send held events
//    with a higher seq) neither miss nor repeat an event.
//  - NIP-40: an entry serves only `now` in [the now it was computed at, the earliest
//    expiration among its events) (cached_store_entry.h), and its Redis TTL never outlives
//    that expiration.
//  - Redis trouble never fails a query: it falls through to the inner store. If a put cannot
//    bump its versions (Redis down, timeout, error reply), or a connection breaks, or the
//    server's run_id changes (restart, failover, data restored from disk), the cache is
//    untrusted: queries bypass it until an epoch bump succeeds after that moment, so entries
//    written before the failure cannot be served again.
//
// Limit: the bump failure is known only to the process that saw it. In a deployment with
// several event-handler processes, one that is cut off from Redis while the others are not
// cannot invalidate the others' view; their entries can then miss its writes for at most
// ttl_seconds (or until it reaches Redis again and bumps the epoch). Keep ttl_seconds short.
//
// Requires a maxmemory-policy that does not evict keys without a TTL (noeviction or
// volatile-*), or counters may vanish; that is safe (they restart at a random value) but
// invalidates everything they guarded.
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "bus/redis_pool.h"
#include "store/cached_store_lookup.h"
#include "store/cached_store_versions.h"
#include "store/store.h"

namespace store {

struct CacheOptions {
    std::string url;  // redis://[[user]:password@]host[:port][/db] or unix:///path[?db=N]
    int ttl_seconds = 60;
    size_t max_entry_bytes = 1 << 20;  // larger results are not cached
    std::string key_prefix = "nostpp:qc:";
    // A query with more authors (kinds) than this does not use per-author (per-kind) versions.
    size_t max_version_keys = 32;
    bus::RedisTimeouts timeouts{std::chrono::milliseconds(200), std::chrono::milliseconds(200)};
};

struct CacheStats {
    uint64_t hits = 0;
    uint64_t misses = 0;         // answered by the inner store, result cached (if it fit)
    uint64_t errors = 0;         // Redis failures (connection lost, timeout, error reply)
    uint64_t bypassed = 0;       // answered by the inner store without the cache (Redis down,
                                 // cache untrusted, or an error on the way)
    uint64_t bump_failures = 0;  // writes whose versions could not be bumped
};

class CachedStore final : public Store {
public:
    // Does not connect yet (the first use does). Throws std::invalid_argument for a bad URL.
    CachedStore(std::unique_ptr<Store> inner, CacheOptions options);

    using Store::put;
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<PutResult>& results,
                 const Decided& decided) override;
    uint64_t query(const std::vector<nostr::Filter>& filters, const QueryOptions& options,
                   const EventSink& sink) override;
    // One Redis round trip looks up every query of the batch; hits are served from it, misses
    // run on the inner store one after another, and their entries leave in one pipeline
    // whose replies nobody waits for.
    void query_batch(std::span<BatchQuery> queries, const QueryOptions& options) override;
    uint64_t count(const std::vector<nostr::Filter>& filters, int64_t now, HyperLogLog* hll,
                   int hll_offset) override {
        return inner_->count(filters, now, hll, hll_offset);
    }
    size_t purge_expired(int64_t now) override;
    bool erase(const nostr::Bytes32& id) override;
    uint64_t size() override { return inner_->size(); }
    // Settings are not events: no cached answer depends on them.
    void put_setting(std::string_view name, std::string_view value) override {
        inner_->put_setting(name, value);
    }
    std::optional<std::string> get_setting(std::string_view name) override {
        return inner_->get_setting(name);
    }

    CacheStats stats() const;
    Store& inner() { return *inner_; }

private:
    struct EntryWrite {  // a SET of a new entry, waiting for the end of its batch
        std::string key, value;
        int64_t ttl_seconds;
    };
    std::unique_ptr<bus::RedisConnection> trusted_connection();
    void release(std::unique_ptr<bus::RedisConnection> connection);
    std::vector<std::string> version_keys(const std::vector<nostr::Filter>& filters);
    bool bump(const std::vector<std::string>& keys);
    void record_failure() { ++failures_; }
    uint64_t failure_count() const { return failures_.load() + pool_.disruptions(); }
    bool serve_hit(BatchQuery& query, const CacheLookup& found, const QueryOptions& options);
    uint64_t query_inner(const BatchQuery& query, const QueryOptions& options,
                         const CacheLookupKeys& keys, const std::string& versions,
                         std::vector<EntryWrite>& writes);
    void store_entries(const std::vector<EntryWrite>& writes);

    std::unique_ptr<Store> inner_;
    CacheOptions options_;
    bus::RedisPool pool_;
    CacheVersions versions_;
    // Trusted while trusted_through_ == failure_count(): an epoch bump that started after
    // every failure counted so far has succeeded. Starts untrusted (failures_ = 1), so the
    // first use bumps the epoch: nothing cached before this process started is trusted.
    std::atomic<uint64_t> failures_{1};
    std::atomic<uint64_t> trusted_through_{0};
    std::atomic<uint64_t> hits_{0}, misses_{0}, errors_{0}, bypassed_{0}, bump_failures_{0};
};

}  // namespace store
