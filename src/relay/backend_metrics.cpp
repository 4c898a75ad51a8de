#include "relay/backend_metrics.h"

namespace relay {
namespace {

constexpr const char* kQueryHelp =
    "Time from a query or count being submitted to its answer (queueing included), seconds";
constexpr const char* kErrorsHelp = "Store operations that failed, by operation";

telemetry::Counter& store_errors(telemetry::MetricsRegistry& registry, const char* operation) {
    return registry.counter("nostpp_store_errors_total", kErrorsHelp, {{"operation", operation}});
}

}  // namespace

BackendMetrics::BackendMetrics(telemetry::MetricsRegistry& registry)
    : commit_seconds(registry.histogram("nostpp_commit_duration_seconds",
                                        "Time one group commit (a batch of events) took, seconds",
                                        telemetry::latency_buckets_seconds())),
      // 1, 2, 4 ... 4096: the writer's largest batch.
      commit_batch_size(registry.histogram("nostpp_commit_batch_size",
                                           "Events written by one group commit",
                                           telemetry::exponential_buckets(1, 2, 13))),
      query_seconds(registry.histogram("nostpp_query_duration_seconds", kQueryHelp,
                                       telemetry::latency_buckets_seconds(),
                                       {{"operation", "query"}})),
      count_seconds(registry.histogram("nostpp_query_duration_seconds", kQueryHelp,
                                       telemetry::latency_buckets_seconds(),
                                       {{"operation", "count"}})),
      put_errors(store_errors(registry, "put")),
      query_errors(store_errors(registry, "query")),
      count_errors(store_errors(registry, "count")),
      purge_errors(store_errors(registry, "purge")),
      expired_purged(registry.counter("nostpp_expired_events_purged_total",
                                      "Expired events removed by the NIP-40 purge")) {}

}  // namespace relay
