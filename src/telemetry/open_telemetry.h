// A role's OpenTelemetry: when the configuration names an endpoint, the process-wide tracer
// (traces) and the exporter thread (traces and the role's metrics). Without one, nothing is
// started and instrumented code pays one atomic load per span.
#pragma once
#include <memory>
#include <string>

#include "telemetry/metrics.h"
#include "telemetry/otel_config.h"

namespace telemetry {

class OtlpExporter;
class SpanQueue;

class OpenTelemetry {
  public:
    // Installs the tracer and starts exporting. `registry` must outlive this object.
    OpenTelemetry(const OtelConfig& config, MetricsRegistry& registry, std::string version);
    // Uninstalls the tracer, then flushes and stops the exporter (bounded: see OtlpExporter).
    // Destroy it after the threads that end spans have stopped (or their last spans are lost)
    // and before whatever the registry's collectors read (the last export runs them).
    ~OpenTelemetry();
    OpenTelemetry(const OpenTelemetry&) = delete;
    OpenTelemetry& operator=(const OpenTelemetry&) = delete;

    bool active() const { return exporter_ != nullptr; }

  private:
    std::shared_ptr<SpanQueue> spans_;
    std::unique_ptr<OtlpExporter> exporter_;
};

}  // namespace telemetry
