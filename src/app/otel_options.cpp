#include "app/otel_options.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "telemetry/otel_config.h"

namespace app {

std::unique_ptr<telemetry::OpenTelemetry> start_opentelemetry(std::string_view role,
                                                              telemetry::MetricsRegistry& metrics) {
    std::vector<std::string> warnings;
    telemetry::OtelConfig config = telemetry::read_otel_config(
        telemetry::process_environment(), "nostpp-" + std::string(role), NOSTPP_VERSION, warnings);
    for (const auto& warning : warnings) spdlog::warn("OpenTelemetry: {}", warning);
    if (config.traces_enabled())
        spdlog::info("OpenTelemetry: traces to {} (sampler {}) as service {}", config.traces.url,
                     config.sampler.describe(), config.service_name());
    if (config.metrics_enabled())
        spdlog::info("OpenTelemetry: metrics to {} every {} ms", config.metrics.url,
                     config.metric_interval.count());
    return std::make_unique<telemetry::OpenTelemetry>(config, metrics, NOSTPP_VERSION);
}

void add_opentelemetry_help(CLI::App& command) {
    command.footer(
        "OpenTelemetry (OTLP/HTTP with JSON; off unless an endpoint is set), from the "
        "environment only:\n"
        "  OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,\n"
        "  OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TRACES_HEADERS, "
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS,\n"
        "  OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_EXPORTER_OTLP_PROTOCOL (http/json), "
        "OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,\n"
        "  OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG, OTEL_TRACES_EXPORTER, "
        "OTEL_METRICS_EXPORTER,\n"
        "  OTEL_METRIC_EXPORT_INTERVAL, OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_QUEUE_SIZE, "
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE,\n"
        "  OTEL_SDK_DISABLED. See docs/opentelemetry.md.");
}

}  // namespace app
