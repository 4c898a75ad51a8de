#include "telemetry/otlp_exporter.h"

#include <spdlog/spdlog.h>

#include "telemetry/otlp_http.h"
#include "telemetry/otlp_json.h"
#include "telemetry/span_queue.h"

namespace telemetry {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kDroppedHelp = "Spans not exported, by reason";
constexpr std::string_view kErrorsHelp = "OTLP exports that failed, by signal";

}  // namespace

OtlpExporter::OtlpExporter(OtelConfig config, std::shared_ptr<SpanQueue> spans,
                           MetricsRegistry& registry, std::string version)
    : config_(std::move(config)),
      version_(std::move(version)),
      spans_(std::move(spans)),
      registry_(registry),
      start_unix_ns_(unix_now_ns()),
      spans_exported_(
          registry.counter("nostpp_otel_spans_exported_total", "Spans the OTLP endpoint accepted")),
      spans_failed_(registry.counter("nostpp_otel_spans_dropped_total", kDroppedHelp,
                                     {{"reason", "export_failed"}})),
      trace_errors_(
          registry.counter("nostpp_otel_export_errors_total", kErrorsHelp, {{"signal", "traces"}})),
      metric_errors_(registry.counter("nostpp_otel_export_errors_total", kErrorsHelp,
                                      {{"signal", "metrics"}})) {
    if (spans_) {
        // Counted by the queue on the pushing threads; copied in whenever the registry is read.
        Counter& queue_full = registry.counter("nostpp_otel_spans_dropped_total", kDroppedHelp,
                                               {{"reason", "queue_full"}});
        registry.add_collector([queue = spans_, &queue_full](MetricsRegistry&) {
            uint64_t total = queue->dropped();
            if (total > queue_full.value()) queue_full.inc(total - queue_full.value());
        });
    }
    thread_ = std::thread([this] { run(); });
}

OtlpExporter::~OtlpExporter() {
    stop_deadline_.store((Clock::now() + kShutdownTimeout).time_since_epoch().count());
    stopping_.store(true);
    if (spans_) spans_->close();
    thread_.join();
}

void OtlpExporter::run() {
    const bool metrics = config_.metrics_enabled();
    auto next_metrics = Clock::now() + config_.metric_interval;
    std::vector<SpanData> batch;
    batch.reserve(config_.max_export_batch_size);
    auto wait_until = [&] {
        auto deadline = Clock::now() + config_.schedule_delay;
        return metrics ? std::min(deadline, next_metrics) : deadline;
    };
    while (!stopping_.load()) {
        if (spans_) {
            spans_->take(batch, config_.max_export_batch_size, wait_until());
            if (!batch.empty()) export_spans(batch);
        } else {
            // Metrics only: sleep in short steps so shutdown is prompt.
            std::this_thread::sleep_for(std::min<Clock::duration>(
                std::chrono::milliseconds(100),
                std::max<Clock::duration>(next_metrics - Clock::now(), {})));
        }
        if (metrics && Clock::now() >= next_metrics) {
            export_metrics();
            next_metrics = Clock::now() + config_.metric_interval;
        }
    }
    // Shutdown: what is queued, then a last snapshot, until the shutdown's time is up.
    if (spans_) {
        spans_->take(batch, config_.max_queue_size, Clock::now());
        if (!batch.empty()) export_spans(batch);
    }
    if (metrics) export_metrics();
}

bool OtlpExporter::shutdown_overdue() const {
    return stopping_.load() && Clock::now().time_since_epoch().count() >= stop_deadline_.load();
}

void OtlpExporter::export_spans(std::vector<SpanData>& batch) {
    std::string body = encode_spans(config_.resource, version_, batch);
    OtlpPostResult result =
        post_otlp(config_.traces, body, config_.timeout, [this] { return shutdown_overdue(); });
    if (result.ok()) {
        spans_exported_.inc(batch.size());
    } else {
        spans_failed_.inc(batch.size());
        trace_errors_.inc();
        if (last_error_ != result.describe()) {
            last_error_ = result.describe();
            spdlog::warn("OpenTelemetry: exporting {} spans to {} failed: {}", batch.size(),
                         config_.traces.url, last_error_);
        }
    }
    batch.clear();
}

void OtlpExporter::export_metrics() {
    std::string body = encode_metrics(config_.resource, version_, registry_.snapshot(),
                                      start_unix_ns_, unix_now_ns());
    OtlpPostResult result =
        post_otlp(config_.metrics, body, config_.timeout, [this] { return shutdown_overdue(); });
    if (result.ok()) return;
    metric_errors_.inc();
    if (last_error_ != result.describe()) {
        last_error_ = result.describe();
        spdlog::warn("OpenTelemetry: exporting metrics to {} failed: {}", config_.metrics.url,
                     last_error_);
    }
}

}  // namespace telemetry
