// Canonical serialization (NIP-01) and the event id derived from it, byte-for-byte identical to
// nostr-tools' getEventHash (JSON.stringify): the seven named escapes, other C0 controls as
// \u00xx in lowercase hex, and '/', DEL and non-ASCII left verbatim.
#pragma once
#include <string>
#include <string_view>

#include "nostr/event.h"

namespace nostr {

// Appends `value` as a quoted JSON string with JSON.stringify's escaping.
void append_json_string(std::string& out, std::string_view value);

// [0,<pubkey>,<created_at>,<kind>,<tags>,<content>]
std::string canonical_serialization(const Event& event);

Bytes32 sha256(std::string_view data);

// SHA-256 of the canonical serialization.
Bytes32 compute_event_id(const Event& event);

// Compact JSON object with all seven fields; the form stored and sent to clients.
std::string serialize_event(const Event& event);

}  // namespace nostr
