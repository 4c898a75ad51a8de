// POST /query's line answer (docs/event-handler-api.md, "Line answers"), sent only to a request
// whose Accept header names kQueryLinesMediaType. Per query, in order: a header line
// {"snapshot_seq":N,"events":K} followed by K lines of one event's JSON each, or one line
// {"error":"..."}. Every line ends with '\n'. The websocket-handler validates each event line on
// its own and keeps its bytes as they are, where the JSON answer must be re-serialized event by
// event (simdjson's DOM keeps no source positions). No simdjson in this header.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/api_json.h"

namespace services::api {

inline constexpr std::string_view kQueryLinesMediaType = "application/x-ndjson";
// True when an Accept header's value names the line answer.
bool accepts_query_lines(std::string_view accept);

// One query's answer. Each event must be compact JSON with no raw newline, as stored events
// are (nostr::Event::json).
void append_query_lines(std::string& out, const std::vector<std::string>& events,
                        uint64_t snapshot_seq);
// A query of a batch that failed.
void append_query_error_line(std::string& out, std::string_view message);
// The answers to `queries` queries. False with "bad answer to POST /query: ..." when the body is
// truncated, has lines left over, a header that is not one of the two shapes, an event line that
// is not a JSON object, or answers a different number of queries.
bool decode_query_lines(std::string_view body, size_t queries, std::vector<QueryReply>& out,
                        std::string& error);

}  // namespace services::api
