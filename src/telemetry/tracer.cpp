#include "telemetry/tracer.h"

#include <atomic>
#include <mutex>

#include "telemetry/span_queue.h"

namespace telemetry {
namespace {

// The fast path reads only `enabled`; the tracer itself is shared under a mutex so that a
// span started while another thread uninstalls it never sees a freed tracer.
std::atomic<bool> enabled{false};
std::mutex tracer_mutex;
std::shared_ptr<const Tracer> installed;

thread_local SpanContext current;

std::shared_ptr<const Tracer> installed_tracer() {
    if (!enabled.load(std::memory_order_acquire)) return nullptr;
    std::lock_guard lock(tracer_mutex);
    return installed;
}

}  // namespace

Tracer::Tracer(Sampler sampler, std::shared_ptr<SpanQueue> queue)
    : sampler_(sampler), queue_(std::move(queue)) {}

Span Tracer::start_span(std::string_view name, SpanKind kind, const SpanContext& parent,
                        uint64_t start_unix_ns) const {
    Span span;
    const bool has_parent = parent.valid();
    span.context_.trace_id = has_parent ? parent.trace_id : random_trace_id();
    span.context_.span_id = random_span_id();
    if (!sampler_.should_sample(parent, span.context_.trace_id)) return span;
    span.context_.flags = SpanContext::kSampledFlag;
    span.record_ = std::make_shared<Span::Record>();
    SpanData& data = span.record_->data;
    data.name = name;
    data.kind = kind;
    data.context = span.context_;
    if (has_parent) data.parent_span_id = parent.span_id;
    data.start_unix_ns = start_unix_ns;
    data.attributes.reserve(6);
    span.record_->queue = queue_;
    return span;
}

void install_tracer(std::shared_ptr<const Tracer> tracer) {
    std::lock_guard lock(tracer_mutex);
    enabled.store(tracer != nullptr, std::memory_order_release);
    installed = std::move(tracer);
}

bool tracing_enabled() {
    return enabled.load(std::memory_order_relaxed);
}

Span start_span(std::string_view name, SpanKind kind, const SpanContext& parent,
                uint64_t start_unix_ns) {
    auto tracer = installed_tracer();
    if (!tracer) return {};
    return tracer->start_span(name, kind, parent, start_unix_ns);
}

Span start_span(std::string_view name, SpanKind kind) {
    if (!tracing_enabled()) return {};
    return start_span(name, kind, current);
}

const SpanContext& current_context() {
    return current;
}

ContextScope::ContextScope(const SpanContext& context) : previous_(current) {
    current = context;
}

ContextScope::~ContextScope() {
    current = previous_;
}

}  // namespace telemetry
