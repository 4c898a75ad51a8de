// The JSON of the event handler's HTTP API (docs/event-handler-api.md), both directions: the
// event handler decodes requests and encodes answers, RemoteBackend (websocket-handler) does
// the reverse. One codec for both sides keeps them in step. No simdjson in this header.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nostr/filter.h"

namespace services::api {

// What became of a submitted event; the "outcome" field of POST /event.
enum class Outcome { stored, duplicate, superseded, deleted, ephemeral, invalid, blocked, error };
std::string_view outcome_name(Outcome outcome);
std::optional<Outcome> outcome_from_name(std::string_view name);

// One event's answer: {"accepted":bool,"message":"...","outcome":"...","seq":N}.
struct EventReply {
    bool accepted = false;
    std::string message;  // the NIP-01 OK message, with its prefix ("" when stored)
    Outcome outcome = Outcome::error;
    uint64_t seq = 0;  // the commit's sequence number; sent only when outcome is stored
};
void append_event_reply(std::string& out, const EventReply& reply);

// A POST /event or /query body: one object, or a JSON array of them (a batch).
struct BatchRequest {
    bool batch = false;
    // Each object's JSON text; in a batch, "" for an element that is not an object. A body
    // that is not an array is passed on as the one item, unchecked.
    std::vector<std::string> items;
    // In a batch, each element's "traceparent" member ("" when it has none): the trace
    // context of each item (docs/event-handler-api.md, "Tracing"). Empty for a single item.
    std::vector<std::string> traceparents;
};
// Appends `object` (a JSON object's text) with a "traceparent" member added, as a batch
// element carries its trace context.
void append_with_traceparent(std::string& out, std::string_view object,
                             std::string_view traceparent);
// The bytes append_with_traceparent adds to an object, for a version-00 traceparent.
inline constexpr size_t kTraceparentMemberBytes = 17 + 55;
// False (with "invalid: malformed JSON") when an array body is not valid JSON.
bool decode_batch_request(std::string_view body, BatchRequest& out, std::string& error);
// Answers to an event request: one reply object, or an array in the order of the batch.
bool decode_event_replies(std::string_view body, bool batch, std::vector<EventReply>& out,
                          std::string& error);

// {"filters":[...]}, the body of POST /query and POST /count.
std::string encode_filters_request(const std::vector<nostr::Filter>& filters);
// False with an "invalid: ..." (or "unsupported: ...") message.
bool decode_filters_request(std::string_view body, std::vector<nostr::Filter>& out,
                            std::string& error);

// One query's answer: {"events":[...],"snapshot_seq":N} (the events spliced in verbatim), or
// in a batch {"error":"..."} for a query that failed.
struct QueryReply {
    std::vector<std::string> events;
    uint64_t snapshot_seq = 0;
    std::string error;
};
void append_query_reply(std::string& out, const std::vector<std::string>& events,
                        uint64_t snapshot_seq);
std::string encode_query_reply(const std::vector<std::string>& events, uint64_t snapshot_seq);
// One answer object, or (batch) an array of them in the order of the queries.
bool decode_query_replies(std::string_view body, bool batch, std::vector<QueryReply>& out,
                          std::string& error);

// {"count":N} or {"count":N,"hll":"<hex>"}.
std::string encode_count_reply(uint64_t count, std::string_view hll_hex);
bool decode_count_reply(std::string_view body, uint64_t& count, std::string& hll_hex,
                        std::string& error);

// {"error":"..."}, the body of every error status.
std::string encode_error(std::string_view message);
// The "error" string of such a body, or "" when the body is not one.
std::string decode_error(std::string_view body);

}  // namespace services::api
