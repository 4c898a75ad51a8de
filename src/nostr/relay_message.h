// Encoders for relay-to-client messages (NIP-01, NIP-42, NIP-45). Each returns one JSON text frame.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "nostr/hex.h"

namespace nostr::relay_message {

std::string ok(std::string_view event_id_hex, bool accepted, std::string_view message);
std::string ok(const Bytes32& event_id, bool accepted, std::string_view message);
// `event_json` is spliced in verbatim: it must be a serialized event.
std::string event(std::string_view subscription_id, std::string_view event_json);
std::string eose(std::string_view subscription_id);
std::string closed(std::string_view subscription_id, std::string_view message);
std::string notice(std::string_view message);
// NIP-42 ["AUTH", <challenge>].
std::string auth(std::string_view challenge);
// `hll_hex` is the NIP-45 HyperLogLog value, omitted when empty.
std::string count(std::string_view subscription_id, uint64_t count, std::string_view hll_hex = {});

}  // namespace nostr::relay_message
