// The relay's acceptance rules for an incoming event that are not about its validity as a
// Nostr event: configured limits, NIP-40 expiration on arrival, NIP-70 protected events.
#pragma once
#include <cstdint>
#include <string>

#include "nostr/event.h"
#include "relay/relay_config.h"

namespace relay {

// "" when acceptable, else the OK false message with its NIP-01 prefix.
std::string check_event_policy(const nostr::Event& event, const Limits& limits, int64_t now);

int64_t unix_now();

}  // namespace relay
