// Starting spans. One tracer per process, installed by the role's OpenTelemetry setup
// (open_telemetry.h) when traces are exported; until then, and without an endpoint,
// start_span returns a span that records nothing after one atomic load.
//
// The current span context is per thread (ContextScope): code that starts work for a span
// (a backend's submit or query) reads it with current_context() on the calling thread and
// carries it to wherever the work continues, so the Backend interfaces need no trace
// parameter.
#pragma once
#include <memory>
#include <string_view>

#include "telemetry/sampler.h"
#include "telemetry/span.h"

namespace telemetry {

class SpanQueue;

class Tracer {
  public:
    Tracer(Sampler sampler, std::shared_ptr<SpanQueue> queue);

    // A child of `parent` (a root span when it is invalid). Attributes reserve room for a few.
    Span start_span(std::string_view name, SpanKind kind, const SpanContext& parent,
                    uint64_t start_unix_ns = unix_now_ns()) const;

  private:
    Sampler sampler_;
    std::shared_ptr<SpanQueue> queue_;
};

// The process-wide tracer (nullptr: tracing off). Spans already started keep their queue.
void install_tracer(std::shared_ptr<const Tracer> tracer);
bool tracing_enabled();

// Through the installed tracer; not recording, with an invalid context, when there is none.
Span start_span(std::string_view name, SpanKind kind, const SpanContext& parent,
                uint64_t start_unix_ns = unix_now_ns());
// A child of current_context().
Span start_span(std::string_view name, SpanKind kind);

// This thread's current span context (invalid outside any ContextScope).
const SpanContext& current_context();

// Makes `context` current on this thread until the scope ends, then restores the previous one.
class ContextScope {
  public:
    explicit ContextScope(const SpanContext& context);
    ~ContextScope();
    ContextScope(const ContextScope&) = delete;
    ContextScope& operator=(const ContextScope&) = delete;

  private:
    SpanContext previous_;
};

}  // namespace telemetry
