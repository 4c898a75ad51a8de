#include "telemetry/trace_context.h"

#include <algorithm>
#include <random>

#include "nostr/hex.h"

namespace telemetry {
namespace {

template <size_t N>
bool all_zero(const std::array<uint8_t, N>& bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::mt19937_64& generator() {
    thread_local std::mt19937_64 engine = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    return engine;
}

template <size_t N>
void fill_random(std::array<uint8_t, N>& out) {
    do {
        for (size_t i = 0; i < N; i += 8) {
            uint64_t value = generator()();
            for (size_t j = 0; j < 8 && i + j < N; ++j) out[i + j] = uint8_t(value >> (8 * j));
        }
    } while (all_zero(out));
}

}  // namespace

bool SpanContext::valid() const {
    return !all_zero(trace_id) && !all_zero(span_id);
}

std::optional<SpanContext> parse_traceparent(std::string_view value) {
    if (value.size() < kTraceparentSize) return std::nullopt;
    uint8_t version = 0;
    if (!nostr::decode_lower_hex(value.substr(0, 2), &version, 1) || version == 0xff)
        return std::nullopt;
    // Version 00 is exactly 55 characters; later versions may append "-<more>".
    if (version == 0 && value.size() != kTraceparentSize) return std::nullopt;
    if (value.size() > kTraceparentSize && value[kTraceparentSize] != '-') return std::nullopt;
    if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
    SpanContext context;
    if (!nostr::decode_lower_hex(value.substr(3, 32), context.trace_id) ||
        !nostr::decode_lower_hex(value.substr(36, 16), context.span_id) ||
        !nostr::decode_lower_hex(value.substr(53, 2), &context.flags, 1))
        return std::nullopt;
    if (!context.valid()) return std::nullopt;
    return context;
}

std::string format_traceparent(const SpanContext& context) {
    std::string out;
    out.reserve(kTraceparentSize);
    out += "00-";
    nostr::append_hex(out, context.trace_id.data(), context.trace_id.size());
    out.push_back('-');
    nostr::append_hex(out, context.span_id.data(), context.span_id.size());
    out += context.sampled() ? "-01" : "-00";
    return out;
}

TraceId random_trace_id() {
    TraceId id;
    fill_random(id);
    return id;
}

SpanId random_span_id() {
    SpanId id;
    fill_random(id);
    return id;
}

}  // namespace telemetry
