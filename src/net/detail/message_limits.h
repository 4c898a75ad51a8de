// Size limits for incoming WebSocket messages. Messages over the relay's limit but under the
// hard cap are still read so they can be answered: NIP-01 says every EVENT gets an OK. Only
// messages over the hard cap make the connection fail (Beast closes it with 1009).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "nostr/client_message.h"

namespace net::detail {

// The largest message read at all: four times the relay's limit, and at least 1 MiB.
uint64_t hard_message_cap(uint64_t max_message_bytes);

// The answer to a message over `max_message_bytes`: OK false when it is an EVENT whose id can
// be found, otherwise a NOTICE. Both carry the "invalid:" prefix and the sizes; the verb is
// `event` for the OK, `unknown` otherwise.
nostr::RejectedMessage too_large_reply(std::string_view message, uint64_t max_message_bytes);

// The NOTICE sent to a slow reader just before its connection is closed.
std::string slow_reader_notice(uint64_t max_outbound_bytes);

}  // namespace net::detail
