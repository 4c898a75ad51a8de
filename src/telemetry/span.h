// A span being recorded (Span, a cheap copyable handle) and what the exporter gets when it ends
// (SpanData). Tracer::start_span makes them; a Span that is not recording (tracing off, or
// not sampled) ignores every call, so instrumented code needs no checks of its own except to
// skip computing costly attribute values (`if (span.recording())`).
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "telemetry/trace_context.h"

namespace telemetry {

class SpanQueue;

// OTLP's SpanKind numbers.
enum class SpanKind : uint8_t { internal = 1, server = 2, client = 3 };

using AttributeValue = std::variant<std::string, int64_t, bool, double>;
struct Attribute {
    std::string_view key;  // a string literal: keys are never copied
    AttributeValue value;
};

struct SpanData {
    std::string name;
    SpanKind kind = SpanKind::internal;
    SpanContext context;
    SpanId parent_span_id{};  // all zero for a root span
    uint64_t start_unix_ns = 0;
    uint64_t end_unix_ns = 0;
    std::vector<Attribute> attributes;
    bool error = false;  // OTLP status ERROR (else UNSET)
    std::string status_message;
};

uint64_t unix_now_ns();

// Copies share one recording. Not thread-safe: one thread at a time uses a span (start it,
// hand it to a callback, end it there).
class Span {
  public:
    Span() = default;  // not recording, invalid context

    const SpanContext& context() const { return context_; }
    bool recording() const { return record_ != nullptr; }

    void set_attribute(std::string_view key, std::string_view value);
    void set_attribute(std::string_view key, const char* value) {
        set_attribute(key, std::string_view(value));
    }
    void set_attribute(std::string_view key, int64_t value);
    void set_attribute(std::string_view key, uint64_t value) {
        set_attribute(key, static_cast<int64_t>(value));
    }
    void set_attribute(std::string_view key, int value) {
        set_attribute(key, static_cast<int64_t>(value));
    }
    void set_attribute(std::string_view key, bool value);
    void set_error(std::string_view message);
    // Hands the span to the exporter's queue (dropped and counted if it is full). Later
    // calls, on this handle or a copy, do nothing.
    void end(uint64_t end_unix_ns = unix_now_ns());

  private:
    friend class Tracer;
    struct Record {
        SpanData data;
        std::shared_ptr<SpanQueue> queue;
        bool ended = false;
    };
    void set(std::string_view key, AttributeValue value);

    std::shared_ptr<Record> record_;
    SpanContext context_;
};

}  // namespace telemetry
