// The exporter thread: takes ended spans from the SpanQueue in batches (up to
// max_export_batch_size, or whatever is there every schedule_delay) and, every
// metric_interval, a snapshot of the role's MetricsRegistry, and POSTs them as OTLP/JSON.
// Nothing is retried: a batch the collector does not take is dropped and counted, so a
// collector that is down or hangs costs the relay only telemetry. Its own series live in the
// same registry:
//   nostpp_otel_spans_exported_total
//   nostpp_otel_spans_dropped_total{reason="queue_full"|"export_failed"}
//   nostpp_otel_export_errors_total{signal="traces"|"metrics"}
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/metrics.h"
#include "telemetry/otel_config.h"
#include "telemetry/span.h"

namespace telemetry {

class SpanQueue;

class OtlpExporter {
  public:
    // `spans` is null when traces are not exported. `registry` must outlive the exporter;
    // `version` is the instrumentation scope's version.
    OtlpExporter(OtelConfig config, std::shared_ptr<SpanQueue> spans, MetricsRegistry& registry,
                 std::string version);
    // Closes the queue, exports what it holds and a last metrics snapshot, and joins the
    // thread: within kShutdownTimeout however slow the collector is.
    ~OtlpExporter();
    OtlpExporter(const OtlpExporter&) = delete;
    OtlpExporter& operator=(const OtlpExporter&) = delete;

    static constexpr std::chrono::milliseconds kShutdownTimeout{2000};

  private:
    void run();
    void export_spans(std::vector<SpanData>& batch);
    void export_metrics();
    // True once the shutdown's time is up: cancels the POST in progress.
    bool shutdown_overdue() const;

    const OtelConfig config_;
    const std::string version_;
    std::shared_ptr<SpanQueue> spans_;
    MetricsRegistry& registry_;
    const uint64_t start_unix_ns_;
    Counter& spans_exported_;
    Counter& spans_failed_;
    Counter& trace_errors_;
    Counter& metric_errors_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::chrono::steady_clock::rep> stop_deadline_{0};
    std::string last_error_;  // logged once per change, not per failed export
    std::thread thread_;
};

}  // namespace telemetry
