#include "nostr/relay_message_parser.h"

#include "nostr/json_internal.h"

namespace nostr {
namespace {

bool string_at(simdjson::dom::array array, size_t index, std::string& out) {
    std::string_view value;
    if (array.at(index).get_string().get(value)) return false;
    out.assign(value);
    return true;
}

}  // namespace

RelayMessage parse_relay_message(std::string_view text) {
    simdjson::dom::element root;
    simdjson::dom::array array;
    std::string_view verb;
    auto& parser = json_internal::thread_parser();
    if (parser.parse(text.data(), text.size()).get(root) || root.get_array().get(array) ||
        array.at(0).get_string().get(verb))
        return RelayOtherMessage{"", "not a JSON array with a verb"};

    if (verb == "EVENT") {
        RelayEventMessage message;
        simdjson::dom::element event;
        std::string error;
        if (!string_at(array, 1, message.subscription_id) || array.at(2).get(event))
            return RelayOtherMessage{"EVENT", "expected [\"EVENT\", <subscription id>, <event>]"};
        if (!json_internal::read_event(event, message.event, error))
            return RelayOtherMessage{"EVENT", error};
        return message;
    }
    if (verb == "EOSE") {
        RelayEoseMessage message;
        if (!string_at(array, 1, message.subscription_id))
            return RelayOtherMessage{"EOSE", "expected [\"EOSE\", <subscription id>]"};
        return message;
    }
    if (verb == "CLOSED") {
        RelayClosedMessage message;
        if (!string_at(array, 1, message.subscription_id))
            return RelayOtherMessage{"CLOSED", "expected [\"CLOSED\", <subscription id>, ...]"};
        string_at(array, 2, message.message);  // optional
        return message;
    }
    if (verb == "NOTICE") {
        RelayNoticeMessage message;
        string_at(array, 1, message.message);
        return message;
    }
    return RelayOtherMessage{std::string(verb), ""};
}

}  // namespace nostr
