// The trace samplers of the OpenTelemetry SDK specification, chosen by OTEL_TRACES_SAMPLER
// and OTEL_TRACES_SAMPLER_ARG. A span that is not sampled still gets a context, so the
// decision travels downstream (flags 00) and the next service honours it.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/trace_context.h"

namespace telemetry {

enum class SamplerType {
    always_on,
    always_off,
    trace_id_ratio,
    parent_based_always_on,  // the specification's default
    parent_based_always_off,
    parent_based_trace_id_ratio,
};

struct Sampler {
    SamplerType type = SamplerType::parent_based_always_on;
    double ratio = 1.0;  // for the *trace_id_ratio types, in [0, 1]

    // Whether a new span with `trace_id` under `parent` (invalid for a root span) is sampled.
    // Parent-based samplers follow a valid parent's sampled flag and apply their root
    // sampler otherwise.
    bool should_sample(const SpanContext& parent, const TraceId& trace_id) const;
    // The OTEL_TRACES_SAMPLER value, with the ratio for the ratio types ("traceidratio 0.25").
    std::string describe() const;

    // `always_on`, `traceidratio`, `parentbased_always_off`, ... (the specification's names).
    static std::optional<SamplerType> type_from_name(std::string_view name);
};

// Deterministic in the trace id, so every service that sees a trace decides alike: the
// trace id's last 8 bytes, read as a big-endian integer, below ratio * 2^64.
bool trace_id_ratio_sample(const TraceId& trace_id, double ratio);

}  // namespace telemetry
