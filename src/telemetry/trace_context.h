// W3C Trace Context (https://www.w3.org/TR/trace-context/): the identity of a span as the
// `traceparent` header carries it, and the random ids new spans get.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telemetry {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

struct SpanContext {
    static constexpr uint8_t kSampledFlag = 0x01;

    TraceId trace_id{};
    SpanId span_id{};
    uint8_t flags = 0;

    // Both ids non-zero: an all-zero id means "no span".
    bool valid() const;
    bool sampled() const { return (flags & kSampledFlag) != 0; }
};

inline constexpr size_t kTraceparentSize = 55;  // "00-" + 32 + "-" + 16 + "-" + 2

// The context a `traceparent` value names, or nullopt when the value must be ignored: wrong
// length or separators, anything but lowercase hex, version ff, an all-zero id. A version
// above 00 is read as 00 (its first 55 characters, then '-' or the end), as the spec asks.
std::optional<SpanContext> parse_traceparent(std::string_view value);
// Version 00, lowercase hex; only the sampled bit of `flags` is kept.
std::string format_traceparent(const SpanContext& context);

// Random non-zero ids from a per-thread generator seeded by std::random_device.
TraceId random_trace_id();
SpanId random_span_id();

}  // namespace telemetry
