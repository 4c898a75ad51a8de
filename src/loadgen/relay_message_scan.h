// Minimal reading of relay-to-client messages. The bench needs only the verb, the
// subscription or event id, OK's flag and an EVENT's id, and parsing full events for
// 250k deliveries per second would make the load generator the bottleneck.
#pragma once
#include <string_view>

namespace loadgen {

enum class Verb { unknown, event, ok, eose, closed, notice, other };

struct RelayMessage {
    Verb verb = Verb::unknown;
    std::string_view verb_text;
    // EVENT, EOSE, CLOSED: subscription id. OK: event id. Raw JSON string contents (escapes
    // are not decoded: the bench's own ids never contain any).
    std::string_view first;
    bool accepted = false;      // OK
    std::string_view text;      // OK, CLOSED, NOTICE: the message (raw)
    std::string_view event_id;  // EVENT: the event's "id"
};

// False when `raw` is not a JSON array starting with a string (verb unknown then).
bool scan_relay_message(std::string_view raw, RelayMessage& out);

}  // namespace loadgen
