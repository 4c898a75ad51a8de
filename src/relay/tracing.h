// The Nostr side of the spans (docs/opentelemetry.md): names and attributes that the relay's
// sessions and the event handler's routes share, so a trace reads the same in both services.
// Attribute values stay low in cardinality where it matters (reasons are NIP-01 prefixes).
#pragma once
#include <string_view>

#include "nostr/event.h"
#include "telemetry/tracer.h"

namespace relay::tracing {

inline constexpr std::string_view kEventSpan = "nostr.EVENT";
inline constexpr std::string_view kReqSpan = "nostr.REQ";
inline constexpr std::string_view kCountSpan = "nostr.COUNT";
inline constexpr std::string_view kCommitSpan = "store.commit";
inline constexpr std::string_view kQuerySpan = "store.query";
inline constexpr std::string_view kStoreCountSpan = "store.count";

// nostr.event.id, nostr.event.kind.
void set_event(telemetry::Span& span, const nostr::Event& event);
// nostr.ok.accepted and, for a message, nostr.ok.reason (its prefix); an `error:` refusal
// marks the span as failed.
void set_ok(telemetry::Span& span, bool accepted, std::string_view message);
// nostr.closed.reason: the prefix of a CLOSED message; `error:` marks the span as failed.
void set_closed(telemetry::Span& span, std::string_view message);

// The NIP-01 prefix of a message ("invalid" for "invalid: ..."), "other" when it has none.
std::string_view reason_prefix(std::string_view message);

// A child span of `parent` for work done elsewhere on its behalf (a commit, a store query),
// or a span that records nothing when there is no parent: untraced work makes no root spans.
telemetry::Span start_child(std::string_view name, const telemetry::SpanContext& parent,
                            uint64_t start_unix_ns = telemetry::unix_now_ns());

}  // namespace relay::tracing
