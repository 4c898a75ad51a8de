// Turning JSON into validated events: structure (types, hex lengths, ranges) and crypto
// (id recomputed from the canonical serialization, BIP-340 signature).
#pragma once
#include <string>
#include <string_view>

#include "nostr/event.h"

namespace nostr {

// Parses one event object from JSON and checks its structure. Fills `out` (including
// out.json in canonical field order). On failure returns false and sets `error` to an
// "invalid: ..." message.
bool parse_event_json(std::string_view json, Event& out, std::string& error);

// Only the kind of an event's JSON (no other checks, nothing copied): for filters over
// stored events that need the rest only for some kinds. False when there is no valid kind.
bool read_event_kind(std::string_view json, uint32_t& kind);

// Recomputes the id and verifies the signature. Returns "" when valid, otherwise the
// "invalid: ..." reason.
std::string verify_event(const Event& event);

}  // namespace nostr
