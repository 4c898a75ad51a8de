#include "telemetry/open_telemetry.h"

#include "telemetry/otlp_exporter.h"
#include "telemetry/span_queue.h"
#include "telemetry/tracer.h"

namespace telemetry {

OpenTelemetry::OpenTelemetry(const OtelConfig& config, MetricsRegistry& registry,
                             std::string version) {
    if (!config.traces_enabled() && !config.metrics_enabled()) return;
    if (config.traces_enabled())
        spans_ = std::make_shared<SpanQueue>(config.max_queue_size, config.max_export_batch_size);
    exporter_ = std::make_unique<OtlpExporter>(config, spans_, registry, std::move(version));
    if (spans_) install_tracer(std::make_shared<const Tracer>(config.sampler, spans_));
}

OpenTelemetry::~OpenTelemetry() {
    if (spans_) install_tracer(nullptr);
    exporter_.reset();
}

}  // namespace telemetry
