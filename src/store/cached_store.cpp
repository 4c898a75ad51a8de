#include "store/cached_store.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "bus/redis_url.h"
#include "nostr/canonical.h"
#include "store/cached_store_entry.h"
#include "store/cached_store_key.h"

namespace store {
namespace {

int64_t wall_clock_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

constexpr uint32_t kVanishKind = 62;  // NIP-62: removes all of an author's events

}  // namespace

CachedStore::CachedStore(std::unique_ptr<Store> inner, CacheOptions options)
    : inner_(std::move(inner)),
      options_(std::move(options)),
      pool_(bus::parse_redis_url(options_.url), bus::redact_redis_url(options_.url),
            options_.timeouts),
      versions_(options_.key_prefix) {}

CacheStats CachedStore::stats() const {
    return {hits_.load(), misses_.load(), errors_.load(), bypassed_.load(), bump_failures_.load()};
}

// A connection to use the cache with, or nullptr when the cache cannot be used now. Restores
// trust first if needed: the epoch bump must start after every failure it is to cover.
std::unique_ptr<bus::RedisConnection> CachedStore::trusted_connection() {
    auto connection = pool_.acquire();
    if (!connection) return nullptr;
    uint64_t failures = failure_count();  // includes a run_id change seen by acquire()
    if (trusted_through_.load() == failures) return connection;
    bool bumped = false;
    try {
        bumped = versions_.bump(*connection, {versions_.epoch_key()});
    } catch (const bus::RedisError&) {
        bumped = false;
    }
    if (bumped) {
        uint64_t through = trusted_through_.load();
        while (through < failures && !trusted_through_.compare_exchange_weak(through, failures)) {
        }
    } else {
        ++errors_;
    }
    bool trusted = bumped && trusted_through_.load() == failure_count();
    if (!trusted) {
        release(std::move(connection));
        return nullptr;
    }
    return connection;
}

// The counters a query's answer depends on: the epoch, plus the narrowest of its authors,
// its kinds, or `any`. Authors first: an author feed then survives everyone else's writes.
std::vector<std::string> CachedStore::version_keys(const std::vector<nostr::Filter>& filters) {
    std::vector<std::string> keys{versions_.epoch_key()};
    if (auto authors = query_authors(filters, options_.max_version_keys)) {
        for (const auto& author : *authors) keys.push_back(versions_.author_key(author));
    } else if (auto kinds = query_kinds(filters, options_.max_version_keys)) {
        for (uint32_t kind : *kinds) keys.push_back(versions_.kind_key(kind));
    } else {
        keys.push_back(versions_.any_key());
    }
    return keys;
}

uint64_t CachedStore::query(const std::vector<nostr::Filter>& filters, const QueryOptions& options,
                            const EventSink& sink) {
    BatchQuery one{&filters, sink, 0, nullptr};
    query_batch({&one, 1}, options);
    if (one.error) std::rethrow_exception(one.error);
    return one.snapshot_seq;
}

void CachedStore::query_batch(std::span<BatchQuery> queries, const QueryOptions& options) {
    auto connection = trusted_connection();
    if (!connection) {
        bypassed_ += queries.size();
        return inner_->query_batch(queries, options);
    }
    std::vector<CacheLookupKeys> keys;
    keys.reserve(queries.size());
    for (const BatchQuery& query : queries)
        keys.push_back(
            {version_keys(*query.filters),
             options_.key_prefix +
                 "q:" + nostr::to_hex(nostr::sha256(canonical_query(*query.filters, options)))});
    std::vector<std::optional<CacheLookup>> found;
    try {
        found = lookup_cache_entries(*connection, keys);
        // A counter did not exist: created now, so no entry can have been computed under it.
        for (size_t i = 0; i < found.size(); ++i)
            if (!found[i])
                found[i] = CacheLookup{versions_.read(*connection, keys[i].version_keys), nullptr,
                                       std::nullopt};
    } catch (const bus::RedisError&) {
        ++errors_;
        bypassed_ += queries.size();
        release(std::move(connection));
        return inner_->query_batch(queries, options);
    }
    release(std::move(connection));
    std::vector<EntryWrite> writes;
    for (size_t i = 0; i < queries.size(); ++i) {
        if (serve_hit(queries[i], *found[i], options)) continue;
        ++misses_;
        try {
            queries[i].snapshot_seq =
                query_inner(queries[i], options, keys[i], found[i]->versions, writes);
        } catch (...) {
            queries[i].error = std::current_exception();
        }
    }
    store_entries(writes);
}

bool CachedStore::serve_hit(BatchQuery& query, const CacheLookup& found,
                            const QueryOptions& options) {
    if (!found.entry) return false;
    auto entry = decode_cache_entry(*found.entry);
    if (!entry || !entry->serves(options.now)) return false;
    ++hits_;
    for (std::string_view json : entry->events)
        if (!query.sink(json)) break;
    query.snapshot_seq = entry->snapshot_seq;
    return true;
}

// Runs the inner query, streaming to the query's sink while recording the answer, which
// joins `writes` when it is whole, fits, and expires no sooner than now.
uint64_t CachedStore::query_inner(const BatchQuery& query, const QueryOptions& options,
                                  const CacheLookupKeys& keys, const std::string& versions,
                                  std::vector<EntryWrite>& writes) {
    CacheEntryWriter writer(options_.max_entry_bytes);
    bool complete = true;
    uint64_t seq = inner_->query(*query.filters, options, [&](std::string_view json) {
        writer.add(json);
        if (query.sink(json)) return true;
        complete = false;  // the caller stopped early: the answer is not whole
        return false;
    });
    if (!complete || writer.too_large()) return seq;
    int64_t ttl = options_.ttl_seconds;
    if (writer.min_expiration() != kNoExpiration)
        ttl = std::min(ttl, writer.min_expiration() - wall_clock_seconds());
    if (ttl > 0)  // else it would be expired on arrival
        writes.push_back({keys.entry_key,
                          versioned_cache_entry(versions, writer.finish(seq, options.now)), ttl});
    return seq;
}

// One pipeline, sent without waiting: a lost SET only costs a later miss, and the connection
// reads and drops the replies before its next use (RedisConnection::append_unawaited).
void CachedStore::store_entries(const std::vector<EntryWrite>& writes) {
    if (writes.empty()) return;
    auto connection = pool_.acquire();
    if (!connection) return;
    try {
        for (const EntryWrite& write : writes)
            connection->append_unawaited(
                {"SET", write.key, write.value, "EX", std::to_string(write.ttl_seconds)});
        connection->flush();
    } catch (const bus::RedisError&) {
        ++errors_;
    }
    release(std::move(connection));
}

// Back to the pool, counting the error replies its unawaited SETs got.
void CachedStore::release(std::unique_ptr<bus::RedisConnection> connection) {
    if (!connection) return;
    errors_ += connection->take_unawaited_errors();
    pool_.release(std::move(connection));
}

// False (and the cache untrusted) when the counters could not be bumped.
bool CachedStore::bump(const std::vector<std::string>& keys) {
    bool bumped = false;
    if (auto connection = pool_.acquire(/*wait_for_connect=*/true)) {
        try {
            bumped = versions_.bump(*connection, keys);
        } catch (const bus::RedisError&) {
            bumped = false;
        }
        release(std::move(connection));
    }
    if (!bumped) {
        ++errors_;
        ++bump_failures_;
        record_failure();
    }
    return bumped;
}

uint64_t CachedStore::put(std::span<const nostr::Event* const> batch,
                          std::vector<PutResult>& results, const Decided& decided) {
    uint64_t seq = 0;
    // Passed on only after the invalidation below: an event announced live before then could
    // meet a cached answer that misses it.
    bool inner_decided = false;
    try {
        seq = inner_->put(batch, results, [&](uint64_t) { inner_decided = true; });
    } catch (...) {
        record_failure();  // it may have stored part of the batch: stop trusting the cache
        throw;
    }
    std::set<uint32_t> kinds;
    std::set<nostr::Bytes32> authors;
    bool epoch = false;
    for (size_t i = 0; i < batch.size() && i < results.size(); ++i) {
        if (results[i].outcome != PutOutcome::stored) continue;
        uint32_t kind = batch[i]->kind;
        kinds.insert(kind);
        authors.insert(batch[i]->pubkey);
        if (kind == nostr::kDeletionKind || kind == kVanishKind) epoch = true;
    }
    if (!kinds.empty()) {
        std::vector<std::string> keys{versions_.any_key()};
        for (uint32_t kind : kinds) keys.push_back(versions_.kind_key(kind));
        for (const auto& author : authors) keys.push_back(versions_.author_key(author));
        if (epoch) keys.push_back(versions_.epoch_key());
        bump(keys);
    }
    if (inner_decided && decided) decided(seq);
    return seq;
}

size_t CachedStore::purge_expired(int64_t now) {
    size_t removed = inner_->purge_expired(now);
    if (removed > 0) bump({versions_.epoch_key()});
    return removed;
}

bool CachedStore::erase(const nostr::Bytes32& id) {
    bool erased = inner_->erase(id);
    if (erased) bump({versions_.epoch_key()});
    return erased;
}

}  // namespace store
