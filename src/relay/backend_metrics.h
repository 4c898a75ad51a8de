// The storage side's series (relay, event-handler): group-commit latency and batch size,
// query latency (waiting for a query thread included), store failures by operation (on
// PostgreSQL, its errors), and expired events purged. Registered once by LocalBackend.
#pragma once
#include "telemetry/metrics.h"

namespace relay {

struct BackendMetrics {
    explicit BackendMetrics(telemetry::MetricsRegistry& registry);

    telemetry::Histogram& commit_seconds;
    telemetry::Histogram& commit_batch_size;
    telemetry::Histogram& query_seconds;
    telemetry::Histogram& count_seconds;
    telemetry::Counter& put_errors;
    telemetry::Counter& query_errors;
    telemetry::Counter& count_errors;
    telemetry::Counter& purge_errors;
    telemetry::Counter& expired_purged;
};

}  // namespace relay
