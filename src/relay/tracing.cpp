#include "relay/tracing.h"

#include "nostr/hex.h"

namespace relay::tracing {

void set_event(telemetry::Span& span, const nostr::Event& event) {
    if (!span.recording()) return;
    span.set_attribute("nostr.event.id", nostr::to_hex(event.id));
    span.set_attribute("nostr.event.kind", static_cast<int64_t>(event.kind));
}

std::string_view reason_prefix(std::string_view message) {
    size_t colon = message.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon > 20) return "other";
    std::string_view prefix = message.substr(0, colon);
    for (char c : prefix)
        if (!(c >= 'a' && c <= 'z') && c != '-') return "other";
    return prefix;
}

void set_ok(telemetry::Span& span, bool accepted, std::string_view message) {
    if (!span.recording()) return;
    span.set_attribute("nostr.ok.accepted", accepted);
    if (message.empty()) return;
    std::string_view prefix = reason_prefix(message);
    span.set_attribute("nostr.ok.reason", prefix);
    if (prefix == "error") span.set_error(message);
}

void set_closed(telemetry::Span& span, std::string_view message) {
    if (!span.recording()) return;
    std::string_view prefix = reason_prefix(message);
    span.set_attribute("nostr.closed.reason", prefix);
    if (prefix == "error") span.set_error(message);
}

telemetry::Span start_child(std::string_view name, const telemetry::SpanContext& parent,
                            uint64_t start_unix_ns) {
    if (!parent.valid()) return {};
    return telemetry::start_span(name, telemetry::SpanKind::internal, parent, start_unix_ns);
}

}  // namespace relay::tracing
