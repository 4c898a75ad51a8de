#include "services/api_tracing.h"

#include "relay/tracing.h"

namespace services {

telemetry::Span start_server_span(std::string_view name, std::string_view route,
                                  std::string_view traceparent, size_t batch_size) {
    if (!telemetry::tracing_enabled()) return {};
    std::optional<telemetry::SpanContext> parent = telemetry::parse_traceparent(traceparent);
    telemetry::Span span = telemetry::start_span(name, telemetry::SpanKind::server,
                                                 parent.value_or(telemetry::SpanContext{}));
    span.set_attribute("http.request.method", "POST");
    span.set_attribute("http.route", route);
    span.set_attribute("nostpp.batch.size", batch_size);
    return span;
}

ItemSpans start_item_spans(std::string_view name, std::string_view route,
                           const api::BatchRequest& request, std::string_view header) {
    if (!telemetry::tracing_enabled()) return nullptr;
    auto spans = std::make_shared<std::vector<telemetry::Span>>();
    spans->reserve(request.items.size());
    for (size_t i = 0; i < request.items.size(); ++i) {
        std::string_view own;
        if (i < request.traceparents.size()) own = request.traceparents[i];
        spans->push_back(start_server_span(name, route, own.empty() && i == 0 ? header : own,
                                           request.items.size()));
    }
    return spans;
}

telemetry::SpanContext item_context(const ItemSpans& spans, size_t index) {
    return spans ? (*spans)[index].context() : telemetry::SpanContext{};
}

void end_event_span(telemetry::Span& span, const api::EventReply& reply) {
    span.set_attribute("nostpp.event.outcome", api::outcome_name(reply.outcome));
    relay::tracing::set_ok(span, reply.accepted, reply.message);
    span.end();
}

}  // namespace services
