// simdjson's DOM API (runtime-dispatched SIMD; its On-Demand API would be compiled for the
// baseline CPU here). Events inside a body are re-serialized with simdjson::to_string, whose
// escaping is JSON.stringify's, so a stored event's canonical JSON comes out byte for byte.
#include "services/api_json.h"

#include <simdjson.h>

#include "nostr/canonical.h"
#include "nostr/filter_json.h"

namespace services::api {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kOutcomeNames[] = {"stored",    "duplicate", "superseded", "deleted",
                                              "ephemeral", "invalid",   "blocked",    "error"};

simdjson::dom::parser& thread_parser() {
    thread_local simdjson::dom::parser parser;
    return parser;
}

bool parse(std::string_view body, element& root) {
    return !thread_parser().parse(body.data(), body.size()).get(root);
}

bool starts_with_array(std::string_view body) {
    size_t start = body.find_first_not_of(" \t\r\n");
    return start != std::string_view::npos && body[start] == '[';
}

// Reads one reply object; false with `error` set when it is not one.
bool read_event_reply(element value, EventReply& reply, std::string& error) {
    object fields;
    std::string_view message, outcome_text;
    if (value.get_object().get(fields) || fields["accepted"].get_bool().get(reply.accepted) ||
        fields["outcome"].get_string().get(outcome_text)) {
        error = "an event answer needs 'accepted' and 'outcome'";
        return false;
    }
    auto outcome = outcome_from_name(outcome_text);
    if (!outcome) {
        error = "unknown outcome '" + std::string(outcome_text) + "'";
        return false;
    }
    reply.outcome = *outcome;
    if (!fields["message"].get_string().get(message)) reply.message.assign(message);
    uint64_t seq = 0;
    if (!fields["seq"].get_uint64().get(seq)) reply.seq = seq;
    return true;
}

}  // namespace

std::string_view outcome_name(Outcome outcome) {
    return kOutcomeNames[static_cast<size_t>(outcome)];
}

std::optional<Outcome> outcome_from_name(std::string_view name) {
    for (size_t i = 0; i < std::size(kOutcomeNames); ++i)
        if (kOutcomeNames[i] == name) return static_cast<Outcome>(i);
    return std::nullopt;
}

void append_event_reply(std::string& out, const EventReply& reply) {
    out += reply.accepted ? R"({"accepted":true,"message":)" : R"({"accepted":false,"message":)";
    nostr::append_json_string(out, reply.message);
    out += R"(,"outcome":")";
    out += outcome_name(reply.outcome);
    out.push_back('"');
    if (reply.outcome == Outcome::stored) out += ",\"seq\":" + std::to_string(reply.seq);
    out.push_back('}');
}

bool decode_batch_request(std::string_view body, BatchRequest& out, std::string& error) {
    out = {};
    out.batch = starts_with_array(body);
    if (!out.batch) {
        // One object: its own parser checks it (and reports malformed JSON).
        out.items.emplace_back(body);
        return true;
    }
    element root;
    array items;
    if (!parse(body, root) || root.get_array().get(items)) {
        error = "invalid: malformed JSON";
        return false;
    }
    out.items.reserve(items.size());
    out.traceparents.resize(items.size());
    for (element item : items) {
        if (item.is_object()) {
            std::string_view traceparent;
            if (!item["traceparent"].get_string().get(traceparent))
                out.traceparents[out.items.size()] = traceparent;
            out.items.push_back(simdjson::to_string(item));
        } else {
            out.items.emplace_back();  // answered as invalid by the route
        }
    }
    return true;
}

void append_with_traceparent(std::string& out, std::string_view object,
                             std::string_view traceparent) {
    size_t close = object.find_last_of('}');
    if (close == std::string_view::npos) return out.append(object), void();
    out.append(object.substr(0, close));
    // "{}" takes no comma before the new member.
    if (object.find_last_not_of(" \t\r\n", close - 1) != object.find('{')) out.push_back(',');
    out += "\"traceparent\":";
    nostr::append_json_string(out, traceparent);
    out.append(object.substr(close));
}

bool decode_event_replies(std::string_view body, bool batch, std::vector<EventReply>& out,
                          std::string& error) {
    out.clear();
    element root;
    array items;
    if (!parse(body, root)) {
        error = "bad answer to POST /event: malformed JSON";
        return false;
    }
    if (!batch) {
        if (read_event_reply(root, out.emplace_back(), error)) return true;
    } else if (!root.get_array().get(items)) {
        bool ok = true;
        for (element item : items)
            if (!(ok = read_event_reply(item, out.emplace_back(), error))) break;
        if (ok) return true;
    } else {
        error = "expected an array";
    }
    out.clear();
    error = "bad answer to POST /event: " + error;
    return false;
}

std::string encode_filters_request(const std::vector<nostr::Filter>& filters) {
    return "{\"filters\":" + nostr::filters_to_json(filters) + "}";
}

bool decode_filters_request(std::string_view body, std::vector<nostr::Filter>& out,
                            std::string& error) {
    element root;
    object fields;
    array filters;
    if (!parse(body, root)) {
        error = "invalid: malformed JSON";
        return false;
    }
    const std::string shape = R"(invalid: the body must be {"filters":[<filter>...]})";
    if (root.get_object().get(fields)) {
        error = shape;
        return false;
    }
    for (auto [key, value] : fields) {
        // A batch element's trace context (decode_batch_request reads it).
        if (key != "filters" && key != "traceparent") {
            error = "invalid: unknown field '" + std::string(key) + "'";
            return false;
        }
    }
    if (fields["filters"].get_array().get(filters)) {
        error = shape;
        return false;
    }
    // The filter parser works on text; filters are small, so printing them again is cheap.
    return nostr::parse_filters_json(simdjson::to_string(filters), out, error);
}

void append_query_reply(std::string& out, const std::vector<std::string>& events,
                        uint64_t snapshot_seq) {
    size_t size = out.size() + 48;
    for (const auto& event : events) size += event.size() + 1;
    out.reserve(size);
    out += "{\"events\":[";
    for (size_t i = 0; i < events.size(); ++i) {
        if (i) out.push_back(',');
        out += events[i];
    }
    out += "],\"snapshot_seq\":" + std::to_string(snapshot_seq) + "}";
}

std::string encode_query_reply(const std::vector<std::string>& events, uint64_t snapshot_seq) {
    std::string out;
    append_query_reply(out, events, snapshot_seq);
    return out;
}

namespace {
bool read_query_reply(element value, QueryReply& reply, bool allow_error, std::string& error) {
    object fields;
    array items;
    std::string_view message;
    if (value.get_object().get(fields)) {
        error = "expected an object";
        return false;
    }
    if (allow_error && !fields["error"].get_string().get(message)) {
        reply.error.assign(message);
        return true;
    }
    if (fields["events"].get_array().get(items) ||
        fields["snapshot_seq"].get_uint64().get(reply.snapshot_seq)) {
        error = R"(expected {"events":[...],"snapshot_seq":N})";
        return false;
    }
    reply.events.reserve(items.size());
    for (element item : items) {
        if (!item.is_object()) {
            error = "an event is not an object";
            return false;
        }
        reply.events.push_back(simdjson::to_string(item));
    }
    return true;
}
}  // namespace

bool decode_query_replies(std::string_view body, bool batch, std::vector<QueryReply>& out,
                          std::string& error) {
    out.clear();
    element root;
    array items;
    bool ok = false;
    if (!parse(body, root)) {
        error = "malformed JSON";
    } else if (!batch) {
        ok = read_query_reply(root, out.emplace_back(), false, error);
    } else if (root.get_array().get(items)) {
        error = "expected an array";
    } else {
        ok = true;
        for (element item : items)
            if (!(ok = read_query_reply(item, out.emplace_back(), true, error))) break;
    }
    if (ok) return true;
    out.clear();
    error = "bad answer to POST /query: " + error;
    return false;
}

std::string encode_count_reply(uint64_t count, std::string_view hll_hex) {
    std::string out = "{\"count\":" + std::to_string(count);
    if (!hll_hex.empty()) {
        out += ",\"hll\":";
        nostr::append_json_string(out, hll_hex);
    }
    out.push_back('}');
    return out;
}

bool decode_count_reply(std::string_view body, uint64_t& count, std::string& hll_hex,
                        std::string& error) {
    hll_hex.clear();
    element root;
    object fields;
    if (!parse(body, root) || root.get_object().get(fields) ||
        fields["count"].get_uint64().get(count)) {
        error = R"(bad answer to POST /count: expected {"count":N})";
        return false;
    }
    std::string_view hll;
    if (!fields["hll"].get_string().get(hll)) hll_hex.assign(hll);
    return true;
}

std::string encode_error(std::string_view message) {
    std::string out = "{\"error\":";
    nostr::append_json_string(out, message);
    out.push_back('}');
    return out;
}

std::string decode_error(std::string_view body) {
    element root;
    std::string_view message;
    if (!parse(body, root) || root["error"].get_string().get(message)) return {};
    return std::string(message);
}

}  // namespace services::api
