#include "telemetry/sampler.h"

#include <array>
#include <utility>

namespace telemetry {
namespace {

constexpr std::array<std::pair<std::string_view, SamplerType>, 6> kNames = {{
    {"always_on", SamplerType::always_on},
    {"always_off", SamplerType::always_off},
    {"traceidratio", SamplerType::trace_id_ratio},
    {"parentbased_always_on", SamplerType::parent_based_always_on},
    {"parentbased_always_off", SamplerType::parent_based_always_off},
    {"parentbased_traceidratio", SamplerType::parent_based_trace_id_ratio},
}};

}  // namespace

bool trace_id_ratio_sample(const TraceId& trace_id, double ratio) {
    if (ratio >= 1.0) return true;
    if (!(ratio > 0.0)) return false;
    uint64_t value = 0;
    for (size_t i = 8; i < 16; ++i) value = (value << 8) | trace_id[i];
    // ratio < 1, so the bound fits in 64 bits.
    auto bound = static_cast<uint64_t>(ratio * 18446744073709551616.0);
    return value < bound;
}

bool Sampler::should_sample(const SpanContext& parent, const TraceId& trace_id) const {
    switch (type) {
        case SamplerType::always_on:
            return true;
        case SamplerType::always_off:
            return false;
        case SamplerType::trace_id_ratio:
            return trace_id_ratio_sample(trace_id, ratio);
        case SamplerType::parent_based_always_on:
            return parent.valid() ? parent.sampled() : true;
        case SamplerType::parent_based_always_off:
            return parent.valid() ? parent.sampled() : false;
        case SamplerType::parent_based_trace_id_ratio:
            return parent.valid() ? parent.sampled() : trace_id_ratio_sample(trace_id, ratio);
    }
    return false;
}

std::string Sampler::describe() const {
    for (const auto& [name, value] : kNames) {
        if (value != type) continue;
        std::string out(name);
        if (type == SamplerType::trace_id_ratio || type == SamplerType::parent_based_trace_id_ratio)
            out += " " + std::to_string(ratio);
        return out;
    }
    return "?";
}

std::optional<SamplerType> Sampler::type_from_name(std::string_view name) {
    for (const auto& [known, value] : kNames)
        if (known == name) return value;
    return std::nullopt;
}

}  // namespace telemetry
