// Private to the nostr/ parsers: simdjson DOM helpers. Kept out of public headers because
// simdjson.h is expensive to compile.
#pragma once
#include <simdjson.h>

#include <string>

#include "nostr/event.h"
#include "nostr/filter.h"

namespace nostr::json_internal {

// One reusable parser per thread (simdjson parsers are not thread-safe, and reusing one
// avoids reallocating its buffers for every message).
simdjson::dom::parser& thread_parser();

// Reads an event object's fields and checks their shapes (not id or signature).
// On failure returns false with an "invalid: ..." message in `error`.
bool read_event(simdjson::dom::element element, Event& out, std::string& error);

// The "id" string of an event-shaped object, or "" when there is none (for OK answers to
// events that fail validation).
std::string event_id_string(simdjson::dom::element element);

// Reads a filter object; on failure returns false with a prefixed message in `error`.
bool read_filter(simdjson::dom::element element, Filter& out, std::string& error);

}  // namespace nostr::json_internal
