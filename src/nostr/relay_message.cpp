#include "nostr/relay_message.h"

#include "nostr/canonical.h"

namespace nostr::relay_message {

std::string ok(std::string_view event_id_hex, bool accepted, std::string_view message) {
    std::string out = "[\"OK\",";
    append_json_string(out, event_id_hex);
    out += accepted ? ",true," : ",false,";
    append_json_string(out, message);
    out.push_back(']');
    return out;
}

std::string ok(const Bytes32& event_id, bool accepted, std::string_view message) {
    return ok(to_hex(event_id), accepted, message);
}

std::string event(std::string_view subscription_id, std::string_view event_json) {
    std::string out;
    out.reserve(event_json.size() + subscription_id.size() + 16);
    out += "[\"EVENT\",";
    append_json_string(out, subscription_id);
    out.push_back(',');
    out += event_json;
    out.push_back(']');
    return out;
}

std::string eose(std::string_view subscription_id) {
    std::string out = "[\"EOSE\",";
    append_json_string(out, subscription_id);
    out.push_back(']');
    return out;
}

std::string closed(std::string_view subscription_id, std::string_view message) {
    std::string out = "[\"CLOSED\",";
    append_json_string(out, subscription_id);
    out.push_back(',');
    append_json_string(out, message);
    out.push_back(']');
    return out;
}

std::string notice(std::string_view message) {
    std::string out = "[\"NOTICE\",";
    append_json_string(out, message);
    out.push_back(']');
    return out;
}

std::string auth(std::string_view challenge) {
    std::string out = "[\"AUTH\",";
    append_json_string(out, challenge);
    out.push_back(']');
    return out;
}

std::string count(std::string_view subscription_id, uint64_t count, std::string_view hll_hex) {
    std::string out = "[\"COUNT\",";
    append_json_string(out, subscription_id);
    out += ",{\"count\":" + std::to_string(count);
    if (!hll_hex.empty()) {
        out += ",\"hll\":\"";
        out += hll_hex;
        out.push_back('"');
    }
    out += "}]";
    return out;
}

}  // namespace nostr::relay_message
