#include "bus/redis_message.h"

#include <charconv>

#include "nostr/event_parser.h"

namespace bus {

std::string encode_bus_message(const LiveEvent& event) {
    std::string message = std::to_string(event.commit_seq);
    message += ' ';
    message += event.event->json;
    return message;
}

std::optional<LiveEvent> decode_bus_message(std::string_view message) {
    size_t space = message.find(' ');
    if (space == std::string_view::npos || space == 0) return std::nullopt;
    LiveEvent out;
    auto [end, ec] = std::from_chars(message.data(), message.data() + space, out.commit_seq);
    if (ec != std::errc() || end != message.data() + space) return std::nullopt;
    auto event = std::make_shared<nostr::Event>();
    std::string error;
    if (!nostr::parse_event_json(message.substr(space + 1), *event, error)) return std::nullopt;
    out.event = std::move(event);
    return out;
}

}  // namespace bus
