#include "net/detail/message_limits.h"

#include <fmt/format.h>

#include <algorithm>

#include "nostr/client_message.h"
#include "nostr/relay_message.h"

namespace net::detail {

uint64_t hard_message_cap(uint64_t max_message_bytes) {
    constexpr uint64_t kMinCap = 1 << 20;
    // Saturate instead of overflowing for absurd configured limits.
    uint64_t four_times = max_message_bytes > UINT64_MAX / 4 ? UINT64_MAX : max_message_bytes * 4;
    return std::max(four_times, kMinCap);
}

nostr::RejectedMessage too_large_reply(std::string_view message, uint64_t max_message_bytes) {
    std::string reason = fmt::format("invalid: message too large ({} bytes, max {})",
                                     message.size(), max_message_bytes);
    std::string id = nostr::event_id_of_event_message(message);
    if (!id.empty()) return {nostr::relay_message::ok(id, false, reason), nostr::Verb::event};
    return {nostr::relay_message::notice(reason), nostr::Verb::unknown};
}

std::string slow_reader_notice(uint64_t max_outbound_bytes) {
    return nostr::relay_message::notice(
        fmt::format("error: connection closed: more than {} bytes waiting to be sent (slow reader)",
                    max_outbound_bytes));
}

}  // namespace net::detail
