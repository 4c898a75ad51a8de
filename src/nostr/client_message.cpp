#include "nostr/client_message.h"

#include <algorithm>
#include <type_traits>

#include "nostr/json_internal.h"
#include "nostr/relay_message.h"

namespace nostr {
namespace {
using simdjson::dom::array;
using simdjson::dom::element;

RejectedMessage notice(std::string_view message) {
    return {relay_message::notice(message)};
}

ClientMessage parse_event_message(array message, bool is_auth) {
    const char* verb = is_auth ? "AUTH" : "EVENT";
    if (message.size() != 2)
        return notice(std::string("invalid: ") + verb + " message must be [\"" + verb +
                      "\", <event>]");
    element event_element = message.at(1).value_unsafe();
    Event event;
    std::string error;
    if (!json_internal::read_event(event_element, event, error)) {
        std::string id = json_internal::event_id_string(event_element);
        if (id.empty()) return notice(error);
        return RejectedMessage{relay_message::ok(id, false, error), Verb::unknown, {}, id};
    }
    if (is_auth) return AuthMessage{std::move(event)};
    return EventMessage{std::move(event)};
}

// Reads the subscription id at index 1; on failure `reply` gets the answer.
bool read_subscription_id(array message, std::string_view verb, std::string& id,
                          std::string& reply) {
    std::string_view text;
    if (message.size() < 2 || message.at(1).get_string().get(text)) {
        reply = relay_message::notice("invalid: " + std::string(verb) +
                                      " needs a subscription id string");
        return false;
    }
    if (text.empty() || text.size() > kMaxSubscriptionIdLength) {
        reply = relay_message::closed(text, "invalid: subscription id must be 1 to 64 characters");
        return false;
    }
    id.assign(text);
    return true;
}

template <class Message>
ClientMessage parse_filters_message(array message, std::string_view verb) {
    Message out;
    std::string reply;
    if (!read_subscription_id(message, verb, out.subscription_id, reply))
        return RejectedMessage{reply};
    // A COUNT's id names no subscription: refusing it ends nothing.
    auto refuse = [&](std::string_view why) {
        std::string ends;
        if constexpr (std::is_same_v<Message, ReqMessage>) ends = out.subscription_id;
        return RejectedMessage{.reply = relay_message::closed(out.subscription_id, why),
                               .ends_subscription = std::move(ends)};
    };
    if (message.size() < 3)
        return refuse("invalid: " + std::string(verb) + " needs at least one filter");
    out.filters.reserve(message.size() - 2);
    size_t index = 0;
    for (element item : message) {
        if (index++ < 2) continue;
        std::string error;
        if (!json_internal::read_filter(item, out.filters.emplace_back(), error))
            return refuse(error);
    }
    return out;
}
// A rejected message keeps the verb it was sent with.
ClientMessage with_verb(ClientMessage message, Verb verb) {
    if (auto* rejected = std::get_if<RejectedMessage>(&message)) rejected->verb = verb;
    return message;
}
}  // namespace

ClientMessage parse_client_message(std::string_view text) {
    element root;
    if (json_internal::thread_parser().parse(text.data(), text.size()).get(root))
        return notice("invalid: malformed JSON");
    array message;
    std::string_view verb;
    if (root.get_array().get(message) || message.size() == 0 ||
        message.at(0).get_string().get(verb))
        return notice("invalid: a message must be a JSON array starting with a verb string");

    if (verb == "EVENT") return with_verb(parse_event_message(message, false), Verb::event);
    if (verb == "REQ")
        return with_verb(parse_filters_message<ReqMessage>(message, "REQ"), Verb::req);
    if (verb == "COUNT")
        return with_verb(parse_filters_message<CountMessage>(message, "COUNT"), Verb::count);
    if (verb == "CLOSE") {
        CloseMessage close;
        std::string reply;
        if (!read_subscription_id(message, "CLOSE", close.subscription_id, reply))
            return RejectedMessage{.reply = reply, .verb = Verb::close};
        return close;
    }
    if (verb == "AUTH") return with_verb(parse_event_message(message, true), Verb::auth);
    // Quote at most 32 bytes, cut on a character boundary so the NOTICE stays valid UTF-8.
    size_t cut = std::min<size_t>(verb.size(), 32);
    while (cut > 0 && cut < verb.size() && (static_cast<unsigned char>(verb[cut]) & 0xC0) == 0x80)
        --cut;
    std::string shown(verb.substr(0, cut));
    return notice("invalid: unknown message type '" + shown + "'");
}

std::string event_id_of_event_message(std::string_view text) {
    element root;
    if (json_internal::thread_parser().parse(text.data(), text.size()).get(root)) return {};
    array message;
    std::string_view verb;
    if (root.get_array().get(message) || message.size() != 2 ||
        message.at(0).get_string().get(verb) || verb != "EVENT")
        return {};
    std::string id = json_internal::event_id_string(message.at(1).value_unsafe());
    Bytes32 check;
    return decode_lower_hex(id, check) ? id : std::string();
}

}  // namespace nostr
