// LocalBackend::query_batch: the queries of a batch reach the store together, in one
// Store::query_batch call (where the Redis cache looks them all up in one round trip), and
// each gets its own answer, a failing one an error of its own.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "bus/local_bus.h"
#include "relay/local_backend.h"
#include "telemetry/metrics.h"

namespace {

// Answers each query with one "event": its first filter's first kind. Fails kind 666.
// Records the size of every query_batch call.
class KindEchoStore final : public store::Store {
  public:
    uint64_t put(std::span<const nostr::Event* const>, std::vector<store::PutResult>&,
                 const store::Decided&) override {
        return 0;
    }
    uint64_t query(const std::vector<nostr::Filter>& filters, const store::QueryOptions&,
                   const store::EventSink& sink) override {
        uint32_t kind = filters.at(0).kinds->at(0);
        if (kind == 666) throw std::runtime_error("kind 666 is cursed");
        sink(std::to_string(kind));
        return 42;
    }
    void query_batch(std::span<store::BatchQuery> queries,
                     const store::QueryOptions& options) override {
        {
            std::lock_guard lock(mutex);
            batch_sizes.push_back(queries.size());
        }
        Store::query_batch(queries, options);
    }
    uint64_t count(const std::vector<nostr::Filter>&, int64_t, store::HyperLogLog*, int) override {
        return 0;
    }
    size_t purge_expired(int64_t) override { return 0; }
    bool erase(const nostr::Bytes32&) override { return false; }
    uint64_t size() override { return 0; }
    void put_setting(std::string_view, std::string_view) override {}
    std::optional<std::string> get_setting(std::string_view) override { return std::nullopt; }

    std::mutex mutex;
    std::vector<size_t> batch_sizes;
};

std::vector<nostr::Filter> kind_filter(uint32_t kind) {
    nostr::Filter filter;
    filter.kinds = std::vector<uint32_t>{kind};
    return {filter};
}

TEST(LocalBackendBatch, HandsTheWholeBatchToTheStoreAndAnswersEachQuery) {
    KindEchoStore store;
    bus::LocalBus bus;
    telemetry::MetricsRegistry metrics;
    relay::LocalBackend backend(store, bus, metrics, {2, 0});
    backend.start();
    std::vector<std::promise<relay::QueryResult>> answers(3);
    std::vector<relay::QueryBatchItem> items;
    for (uint32_t i = 0; i < 3; ++i)
        items.push_back(
            {kind_filter(i == 1 ? 666 : i + 1),
             [&answers, i](relay::QueryResult result) { answers[i].set_value(std::move(result)); },
             {}});
    backend.query_batch(std::move(items), {5000, 500, 0});
    relay::QueryResult first = answers[0].get_future().get();
    relay::QueryResult failed = answers[1].get_future().get();
    relay::QueryResult third = answers[2].get_future().get();
    backend.stop();

    EXPECT_EQ(store.batch_sizes, std::vector<size_t>{3});
    EXPECT_EQ(first.events, std::vector<std::string>{"1"});
    EXPECT_EQ(first.snapshot_seq, 42u);
    EXPECT_TRUE(first.error.empty());
    EXPECT_EQ(third.events, std::vector<std::string>{"3"});
    EXPECT_TRUE(failed.events.empty());
    EXPECT_EQ(failed.error, "error: query failed: kind 666 is cursed");
    EXPECT_NE(metrics.prometheus_text().find("nostpp_store_errors_total{operation=\"query\"} 1"),
              std::string::npos);
}

}  // namespace
