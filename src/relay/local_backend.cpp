#include "relay/local_backend.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "relay/group_commit_writer.h"
#include "relay/hyperloglog.h"
#include "relay/tracing.h"
#include "relay/worker_pool.h"
#include "telemetry/thread_name.h"

namespace relay {

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

LocalBackend::LocalBackend(store::Store& store, bus::Bus& bus, telemetry::MetricsRegistry& metrics,
                           LocalBackendOptions options)
    : store_(store), bus_(bus), options_(options), metrics_(metrics) {}

LocalBackend::~LocalBackend() { stop(); }

void LocalBackend::start() {
    writer_ = std::make_unique<GroupCommitWriter>(
        store_, metrics_,
        [this](const std::shared_ptr<const nostr::Event>& event, uint64_t seq) {
            bus_.publish({event, seq});
        },
        options_.announce_before_durable);
    queries_ = std::make_unique<WorkerPool>(options_.query_threads, "nostpp-query");
    if (options_.expiration_purge_seconds > 0) purger_ = std::thread([this] { purge_loop(); });
}

void LocalBackend::stop() {
    {
        std::lock_guard lock(purge_mutex_);
        stopping_ = true;
    }
    purge_wake_.notify_all();
    if (purger_.joinable()) purger_.join();
    // The writer first: reads waiting for its last commit still go to the pool.
    writer_.reset();
    queries_.reset();
}

void LocalBackend::post_read(std::function<void()> read) {
    // Live subscribers get a stored event before its commit is durable (the writer announces
    // it early), so a read started after that must wait for the commit: else a REQ made in
    // between would miss the event both live and in its stored answer.
    const uint64_t batch = writer_->announced();
    if (writer_->settled() >= batch) return queries_->post(std::move(read));
    writer_->when_settled(
        batch, [this, read = std::move(read)]() mutable { queries_->post(std::move(read)); });
}

void LocalBackend::submit(std::shared_ptr<const nostr::Event> event, SubmitDone done) {
    if (nostr::classify_kind(event->kind) == nostr::KindClass::ephemeral) {
        // OK only once current subscribers have it: a REQ sent after the OK must not
        // receive an ephemeral event published before it.
        bus_.publish({std::move(event), bus::kEphemeralSeq}, [done = std::move(done)] {
            done({store::PutOutcome::stored, ""}, bus::kEphemeralSeq);
        });
        return;
    }
    writer_->submit(
        event, [this, event, done = std::move(done)](const store::PutResult& result, uint64_t seq) {
            bool stored = result.outcome == store::PutOutcome::stored;
            if (result.outcome == store::PutOutcome::error)
                health_.failed("write", result.message);
            else
                health_.succeeded();
            done(result, stored ? seq : 0);
        });
}

void LocalBackend::query(std::vector<nostr::Filter> filters, store::QueryOptions options,
                         std::function<void(QueryResult)> done) {
    post_read([this, filters = std::move(filters), options, done = std::move(done),
               start = std::chrono::steady_clock::now(), parent = telemetry::current_context()] {
        telemetry::Span span = tracing::start_child(tracing::kQuerySpan, parent);
        QueryResult result;
        std::exception_ptr error;
        try {
            result.snapshot_seq = store_.query(filters, options, [&](std::string_view json) {
                result.events.emplace_back(json);
                return true;
            });
        } catch (const std::exception&) {
            error = std::current_exception();
        }
        finish_query(std::move(result), error, span, filters.size(), start, done);
    });
}

void LocalBackend::query_batch(std::vector<QueryBatchItem> items, store::QueryOptions options) {
    post_read(
        [this, items = std::move(items), options, start = std::chrono::steady_clock::now()] {
            std::vector<telemetry::Span> spans;
            std::vector<QueryResult> results(items.size());
            std::vector<store::BatchQuery> queries(items.size());
            spans.reserve(items.size());
            for (size_t i = 0; i < items.size(); ++i) {
                spans.push_back(tracing::start_child(tracing::kQuerySpan, items[i].trace));
                queries[i].filters = &items[i].filters;
                queries[i].sink = [&events = results[i].events](std::string_view json) {
                    events.emplace_back(json);
                    return true;
                };
            }
            store_.query_batch(queries, options);
            for (size_t i = 0; i < items.size(); ++i) {
                results[i].snapshot_seq = queries[i].snapshot_seq;
                finish_query(std::move(results[i]), queries[i].error, spans[i],
                             items[i].filters.size(), start, items[i].done);
            }
        });
}

void LocalBackend::finish_query(QueryResult result, std::exception_ptr error, telemetry::Span& span,
                                size_t filters, std::chrono::steady_clock::time_point start,
                                const std::function<void(QueryResult)>& done) {
    if (error) {
        std::string what = "unknown error";
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        result.events.clear();
        result.error = "error: query failed: " + what;
        metrics_.query_errors.inc();
        health_.failed("query", what);
        span.set_error(result.error);
    } else {
        health_.succeeded();
    }
    metrics_.query_seconds.observe(seconds_since(start));
    span.set_attribute("nostr.filters", filters);
    span.set_attribute("nostpp.query.events", result.events.size());
    span.end();
    done(std::move(result));
}

void LocalBackend::count(std::vector<nostr::Filter> filters, int64_t now,
                         std::function<void(CountResult)> done) {
    post_read([this, filters = std::move(filters), now, done = std::move(done),
               start = std::chrono::steady_clock::now(), parent = telemetry::current_context()] {
        telemetry::Span span = tracing::start_child(tracing::kStoreCountSpan, parent);
        span.set_attribute("nostr.filters", filters.size());
        CountResult result;
        try {
            std::optional<int> offset = hyperloglog_offset(filters);
            store::HyperLogLog registers{};
            result.count = store_.count(filters, now, offset ? &registers : nullptr,
                                        offset.value_or(0));
            if (offset) result.hll_hex = nostr::to_hex(registers);
        } catch (const std::exception& e) {
            result.error = std::string("error: count failed: ") + e.what();
            metrics_.count_errors.inc();
            health_.failed("count", e.what());
            span.set_error(result.error);
        }
        if (result.error.empty()) health_.succeeded();
        metrics_.count_seconds.observe(seconds_since(start));
        span.end();
        done(std::move(result));
    });
}

void LocalBackend::purge_loop() {
    telemetry::name_this_thread("nostpp-purge");
    std::unique_lock lock(purge_mutex_);
    const auto period = std::chrono::seconds(options_.expiration_purge_seconds);
    while (!purge_wake_.wait_for(lock, period, [this] { return stopping_; })) {
        lock.unlock();
        try {
            int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
            size_t removed = store_.purge_expired(now);
            metrics_.expired_purged.inc(removed);
            if (removed) spdlog::debug("purged {} expired events", removed);
        } catch (const std::exception& e) {
            metrics_.purge_errors.inc();
            spdlog::warn("expiration purge failed: {}", e.what());
        }
        lock.lock();
    }
}

}  // namespace relay
