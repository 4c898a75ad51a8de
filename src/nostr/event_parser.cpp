#include "nostr/event_parser.h"

#include "nostr/canonical.h"
#include "nostr/json_internal.h"
#include "nostr/signature.h"

namespace nostr {
namespace json_internal {

simdjson::dom::parser& thread_parser() {
    thread_local simdjson::dom::parser parser;
    return parser;
}

namespace {
bool read_hex_field(simdjson::dom::object object, const char* name, uint8_t* out, size_t size,
                    std::string& error) {
    std::string_view text;
    if (object[name].get_string().get(text)) {
        error = std::string("invalid: missing or non-string field '") + name + "'";
        return false;
    }
    if (!decode_lower_hex(text, out, size)) {
        error = std::string("invalid: '") + name + "' must be " + std::to_string(size * 2) +
                " lowercase hex characters";
        return false;
    }
    return true;
}

bool read_tags(simdjson::dom::element element, std::vector<Tag>& out, std::string& error) {
    simdjson::dom::array tags;
    if (element.get_array().get(tags)) {
        error = "invalid: 'tags' must be an array of arrays of strings";
        return false;
    }
    out.clear();
    out.reserve(tags.size());
    for (simdjson::dom::element tag_element : tags) {
        simdjson::dom::array tag_array;
        if (tag_element.get_array().get(tag_array)) {
            error = "invalid: every tag must be an array of strings";
            return false;
        }
        Tag& tag = out.emplace_back();
        tag.reserve(tag_array.size());
        for (simdjson::dom::element value : tag_array) {
            std::string_view text;
            if (value.get_string().get(text)) {
                error = "invalid: tag values must be strings";
                return false;
            }
            tag.emplace_back(text);
        }
    }
    return true;
}
}  // namespace

bool read_event(simdjson::dom::element element, Event& out, std::string& error) {
    simdjson::dom::object object;
    if (element.get_object().get(object)) {
        error = "invalid: event must be a JSON object";
        return false;
    }
    if (!read_hex_field(object, "id", out.id.data(), 32, error) ||
        !read_hex_field(object, "pubkey", out.pubkey.data(), 32, error) ||
        !read_hex_field(object, "sig", out.sig.data(), 64, error))
        return false;

    int64_t created_at = 0;
    if (object["created_at"].get_int64().get(created_at) || created_at < 0) {
        error = "invalid: 'created_at' must be a non-negative integer";
        return false;
    }
    int64_t kind = 0;
    if (object["kind"].get_int64().get(kind) || kind < 0 || kind > kMaxKind) {
        error = "invalid: 'kind' must be an integer between 0 and 65535";
        return false;
    }
    out.created_at = created_at;
    out.kind = static_cast<uint32_t>(kind);

    simdjson::dom::element tags;
    if (object["tags"].get(tags)) {
        error = "invalid: missing field 'tags'";
        return false;
    }
    if (!read_tags(tags, out.tags, error)) return false;

    std::string_view content;
    if (object["content"].get_string().get(content)) {
        error = "invalid: missing or non-string field 'content'";
        return false;
    }
    out.content.assign(content);
    out.json = serialize_event(out);
    return true;
}

std::string event_id_string(simdjson::dom::element element) {
    std::string_view id;
    if (element["id"].get_string().get(id)) return {};
    return std::string(id);
}

}  // namespace json_internal

bool parse_event_json(std::string_view json, Event& out, std::string& error) {
    simdjson::dom::element element;
    auto& parser = json_internal::thread_parser();
    if (parser.parse(json.data(), json.size()).get(element)) {
        error = "invalid: malformed JSON";
        return false;
    }
    return json_internal::read_event(element, out, error);
}

bool read_event_kind(std::string_view json, uint32_t& kind) {
    simdjson::dom::element element;
    int64_t value = 0;
    if (json_internal::thread_parser().parse(json.data(), json.size()).get(element) ||
        element["kind"].get_int64().get(value) || value < 0 || value > kMaxKind)
        return false;
    kind = static_cast<uint32_t>(value);
    return true;
}

std::string verify_event(const Event& event) {
    if (compute_event_id(event) != event.id)
        return "invalid: event id does not match the hash of its canonical serialization";
    if (!verify_schnorr(event.pubkey, event.id, event.sig))
        return "invalid: signature verification failed";
    return {};
}

}  // namespace nostr
