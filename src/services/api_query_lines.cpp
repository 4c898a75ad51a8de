// The header lines are DOM-parsed and checked for their exact keys, so an event line can never
// pass for a header: a wrong count misaligns the lines and fails the decoding.
#include "services/api_query_lines.h"

#include <simdjson.h>

#include <algorithm>

namespace services::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

simdjson::dom::parser& thread_parser() {
    thread_local simdjson::dom::parser parser;
    return parser;
}

// Reads a header line into `reply`: {"snapshot_seq":N,"events":K} or {"error":"..."}.
bool read_header(std::string_view line, QueryReply& reply, uint64_t& events) {
    element root;
    object fields;
    if (thread_parser().parse(line.data(), line.size()).get(root) || root.get_object().get(fields))
        return false;
    std::string_view message;
    if (fields.size() == 1 && !fields["error"].get_string().get(message)) {
        reply.error.assign(message);
        events = 0;
        return true;
    }
    return fields.size() == 2 && !fields["snapshot_seq"].get_uint64().get(reply.snapshot_seq) &&
           !fields["events"].get_uint64().get(events);
}

}  // namespace

bool accepts_query_lines(std::string_view accept) {
    return accept.find(kQueryLinesMediaType) != std::string_view::npos;
}

void append_query_lines(std::string& out, const std::vector<std::string>& events,
                        uint64_t snapshot_seq) {
    size_t size = out.size() + 64;
    for (const auto& event : events) size += event.size() + 1;
    out.reserve(size);
    out += "{\"snapshot_seq\":" + std::to_string(snapshot_seq) +
           ",\"events\":" + std::to_string(events.size()) + "}\n";
    for (const auto& event : events) {
        out += event;
        out.push_back('\n');
    }
}

void append_query_error_line(std::string& out, std::string_view message) {
    out += encode_error(message);
    out.push_back('\n');
}

bool decode_query_lines(std::string_view body, size_t queries, std::vector<QueryReply>& out,
                        std::string& error) {
    out.clear();
    size_t position = 0;
    // The next '\n'-terminated line; false at the end of the body or on a cut-off last line.
    auto next_line = [&](std::string_view& line) {
        size_t end = body.find('\n', position);
        if (end == std::string_view::npos) {
            if (position < body.size()) error = "truncated: the last line has no newline";
            return false;
        }
        line = body.substr(position, end - position);
        position = end + 1;
        return true;
    };
    auto fail = [&](std::string why) {
        out.clear();
        error = "bad answer to POST /query: " + (error.empty() ? why : error);
        return false;
    };
    error.clear();
    out.reserve(queries);
    std::string_view line;
    for (size_t q = 0; q < queries; ++q) {
        if (!next_line(line))
            return fail("answers " + std::to_string(q) + " of " + std::to_string(queries) +
                        " queries");
        QueryReply& reply = out.emplace_back();
        uint64_t events = 0;
        if (!read_header(line, reply, events))
            return fail(
                R"(expected a header line {"snapshot_seq":N,"events":K} or {"error":"..."})");
        // The count is the sender's word: reserve no more than the body can hold (an event
        // line is at least "{}\n"), so a wrong count fails as truncated instead of throwing.
        reply.events.reserve(std::min<uint64_t>(events, (body.size() - position) / 3));
        for (uint64_t i = 0; i < events; ++i) {
            if (!next_line(line))
                return fail("truncated: " + std::to_string(events) + " events announced, " +
                            std::to_string(i) + " sent");
            element root;
            if (thread_parser().parse(line.data(), line.size()).get(root) || !root.is_object())
                return fail("an event line is not a JSON object");
            reply.events.emplace_back(line);
        }
    }
    if (position != body.size())
        return fail("lines left after the answers to " + std::to_string(queries) + " queries");
    return true;
}

}  // namespace services::api
