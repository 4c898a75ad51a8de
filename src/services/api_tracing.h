// The event handler's server spans: one per item of a request (an event or a query of a
// batch), each the child of the websocket-handler's client span for that item, so each
// event's trace runs through both services (docs/event-handler-api.md, "Tracing").
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "services/api_json.h"
#include "telemetry/tracer.h"

namespace services {

using ItemSpans = std::shared_ptr<std::vector<telemetry::Span>>;

// A server span under `traceparent` (a W3C header value; none when malformed or empty), or a
// span that records nothing when tracing is off.
telemetry::Span start_server_span(std::string_view name, std::string_view route,
                                  std::string_view traceparent, size_t batch_size);

// A server span per item of `request`, named `name` ("POST /event"), under the item's
// "traceparent" member or, for the first item, the request's `traceparent` header. Null when
// tracing is off.
ItemSpans start_item_spans(std::string_view name, std::string_view route,
                           const api::BatchRequest& request, std::string_view header);

// The current context for the work on item `index` (empty when not traced).
telemetry::SpanContext item_context(const ItemSpans& spans, size_t index);

// Ends an event's span with its answer (outcome, OK prefix).
void end_event_span(telemetry::Span& span, const api::EventReply& reply);

}  // namespace services
