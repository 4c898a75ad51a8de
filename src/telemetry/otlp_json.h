// OTLP/JSON request bodies (ExportTraceServiceRequest, ExportMetricsServiceRequest) as the
// OTLP specification maps protobuf to JSON: lowerCamelCase field names, trace and span ids in
// lowercase hex, 64-bit integers as decimal strings, enums as their numbers.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/metrics.h"
#include "telemetry/otel_config.h"
#include "telemetry/span.h"

namespace telemetry {

// The instrumentation scope every span and metric is reported under.
inline constexpr std::string_view kScopeName = "nostpp";

// One resourceSpans holding `spans`, with `resource` as string attributes.
std::string encode_spans(const KeyValues& resource, std::string_view scope_version,
                         const std::vector<SpanData>& spans);

// One resourceMetrics: counters as cumulative monotonic sums, gauges as gauges, histograms
// as explicit-bucket histograms with cumulative temporality. `start_unix_ns` is when the
// cumulative series started counting (the process start).
std::string encode_metrics(const KeyValues& resource, std::string_view scope_version,
                           const std::vector<FamilySnapshot>& families, uint64_t start_unix_ns,
                           uint64_t now_unix_ns);

}  // namespace telemetry
