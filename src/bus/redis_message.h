// The bus message on the Redis channel: "<commit_seq decimal> <event json>". The seq travels
// with the event so a subscriber in another process can tell whether its initial query
// already saw it (kEphemeralSeq for ephemeral events).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "bus/bus.h"

namespace bus {

std::string encode_bus_message(const LiveEvent& event);

// nullopt when the message is malformed. The event's structure is checked but not its
// signature: only relay processes publish on the channel.
std::optional<LiveEvent> decode_bus_message(std::string_view message);

}  // namespace bus
