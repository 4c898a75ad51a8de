// Filters as JSON text outside a REQ: encoding a parsed filter back to NIP-01 JSON (the
// websocket-handler forwards REQ/COUNT filters to the event handler) and parsing a filter or a
// list of filters on its own (the event handler's /query and /count bodies).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "nostr/filter.h"

namespace nostr {

// Compact JSON object that parses back to an equal filter. A tag condition's first_value is
// written first so the NIP-45 HyperLogLog offset survives the round trip.
void append_filter_json(std::string& out, const Filter& filter);
std::string filter_to_json(const Filter& filter);
// A JSON array of filter objects.
std::string filters_to_json(const std::vector<Filter>& filters);

// One filter object. On failure returns false with a prefixed message ("invalid: ...",
// "unsupported: ...") in `error`, the same messages a REQ gets.
bool parse_filter_json(std::string_view json, Filter& out, std::string& error);
// A JSON array of filter objects (possibly empty).
bool parse_filters_json(std::string_view json, std::vector<Filter>& out, std::string& error);

}  // namespace nostr
