// libFuzzer harness for the client-message parser and the session that answers it: the input
// is up to 16 messages, one per line, sent on one relay::ClientSession (backend and bus doubles
// from tests/unit/relay_doubles.h); while each message's queries run, a few events are
// published, some committed before the queries' snapshot and some after.
// Properties: no message throws; every frame sent is a JSON array with a known verb, and every
// refusal has a NIP-01 prefix; each message gets the answer its type calls for (OK for EVENT and
// AUTH, EOSE or CLOSED for REQ, COUNT or CLOSED for COUNT, nothing for CLOSE, the parser's reply
// for a rejected one); the live events committed after the snapshot reach exactly the open
// subscriptions with a matching filter, once each, a new subscription's before its EOSE (the
// SubscriptionIndex and LiveSubscription's hold-until-EOSE against the plain Filter::matches),
// the others never, nor a subscription the relay answered CLOSED. And the id a too-large EVENT
// would be answered with is a valid one, the parser's.
#include <simdjson.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "fuzz_check.h"
#include "nostr/canonical.h"
#include "nostr/client_message.h"
#include "relay/relay.h"
#include "telemetry/metrics.h"
#include "relay_doubles.h"

namespace {

constexpr size_t kMaxMessages = 16;

// Short repeating ids, authors and tag values the fuzzer finds easily (the dictionary has them).
std::vector<std::shared_ptr<const nostr::Event>> live_events() {
    std::vector<std::shared_ptr<const nostr::Event>> events;
    for (uint8_t i = 0; i < 4; ++i) {
        nostr::Event event;
        event.id.fill(static_cast<uint8_t>(0x11 * (i + 1)));
        event.pubkey.fill(static_cast<uint8_t>(0xaa + i % 2));
        event.created_at = 1700000000 + i * 100;
        event.kind = i == 3 ? 30023 : i;
        event.tags = {{"e", std::string(64, static_cast<char>('0' + i))}, {"t", i ? "nostr" : "x"}};
        if (i == 2) event.tags.push_back({"d", ""});
        event.json = nostr::serialize_event(event);
        events.push_back(std::make_shared<const nostr::Event>(std::move(event)));
    }
    return events;
}

struct Frame {
    std::string text, verb, subscription_id, message, event_id;
    bool accepted = false;
};

Frame read_frame(simdjson::dom::parser& parser, const std::string& text) {
    simdjson::dom::array array;
    FUZZ_CHECK(!parser.parse(text).get_array().get(array) && array.size() >= 2, text);
    Frame frame;
    frame.text = text;
    std::string_view view;
    FUZZ_CHECK(!array.at(0).get_string().get(view), text);
    frame.verb = view;
    if (frame.verb == "NOTICE") {
        FUZZ_CHECK(array.size() == 2 && !array.at(1).get_string().get(view), text);
        frame.message = view;
        FUZZ_CHECK(fuzz::has_known_prefix(frame.message), text);
    } else if (frame.verb == "OK") {
        FUZZ_CHECK(array.size() == 4 && !array.at(1).get_string().get(view), text);
        frame.event_id = view;
        FUZZ_CHECK(!array.at(2).get_bool().get(frame.accepted), text);
        FUZZ_CHECK(!array.at(3).get_string().get(view), text);
        frame.message = view;
        FUZZ_CHECK(frame.accepted || fuzz::has_known_prefix(frame.message), text);
    } else {
        FUZZ_CHECK(!array.at(1).get_string().get(view), text);
        frame.subscription_id = view;
        if (frame.verb == "CLOSED") {
            FUZZ_CHECK(array.size() == 3 && !array.at(2).get_string().get(view), text);
            frame.message = view;
            FUZZ_CHECK(fuzz::has_known_prefix(frame.message), text);
        } else if (frame.verb == "EVENT") {
            FUZZ_CHECK(array.size() == 3 && !array.at(2)["id"].get_string().get(view), text);
            frame.event_id = view;
        } else {
            FUZZ_CHECK(frame.verb == "EOSE" || frame.verb == "COUNT", text);
        }
    }
    return frame;
}

// The subscriptions the session must have open after each message, with their filters. A
// subscription id the relay answered CLOSED is not open, whatever was open under it before:
// the client was told it ended.
using Subscriptions = std::map<std::string, std::vector<nostr::Filter>>;

// The verb of a message that is a JSON array starting with a string, else "".
std::string verb_of(simdjson::dom::parser& parser, std::string_view text) {
    std::string_view verb;
    simdjson::dom::array array;
    if (parser.parse(text.data(), text.size()).get_array().get(array) || array.size() == 0 ||
        array.at(0).get_string().get(verb))
        return {};
    return std::string(verb);
}

void check_answer(std::string_view text, nostr::ClientMessage& parsed,
                  const std::vector<Frame>& frames, simdjson::dom::parser& parser,
                  Subscriptions& subs) {
    std::string shown(text.substr(0, 2000));
    if (auto* rejected = std::get_if<nostr::RejectedMessage>(&parsed)) {
        FUZZ_CHECK(frames.size() == 1 && frames[0].text == rejected->reply, shown);
        if (frames[0].verb == "CLOSED" && verb_of(parser, text) == "REQ")
            subs.erase(frames[0].subscription_id);
    } else if (auto* event = std::get_if<nostr::EventMessage>(&parsed)) {
        FUZZ_CHECK(frames.size() == 1 && frames[0].verb == "OK", shown);
        FUZZ_CHECK(frames[0].event_id == nostr::to_hex(event->event.id), shown);
    } else if (auto* auth = std::get_if<nostr::AuthMessage>(&parsed)) {
        FUZZ_CHECK(frames.size() == 1 && frames[0].verb == "OK", shown);
        FUZZ_CHECK(frames[0].event_id == nostr::to_hex(auth->event.id), shown);
    } else if (auto* count = std::get_if<nostr::CountMessage>(&parsed)) {
        FUZZ_CHECK(frames.size() == 1 && frames[0].subscription_id == count->subscription_id,
                   shown);
        FUZZ_CHECK(frames[0].verb == "COUNT" || frames[0].verb == "CLOSED", shown);
    } else if (auto* close = std::get_if<nostr::CloseMessage>(&parsed)) {
        FUZZ_CHECK(frames.empty(), shown);
        subs.erase(close->subscription_id);
    } else {
        auto& req = std::get<nostr::ReqMessage>(parsed);
        FUZZ_CHECK(frames.size() == 1 && frames[0].subscription_id == req.subscription_id, shown);
        if (frames[0].verb == "EOSE") {
            subs[req.subscription_id] = req.filters;
        } else {
            FUZZ_CHECK(frames[0].verb == "CLOSED", shown);
            subs.erase(req.subscription_id);
        }
    }
}

// The id the relay quotes in OK false when this message is too large: none, or the valid id
// of an EVENT, the same the parser reads.
void check_id_for_too_large(std::string_view text, const nostr::ClientMessage& parsed) {
    std::string id = nostr::event_id_of_event_message(text);
    nostr::Bytes32 decoded;
    FUZZ_CHECK(id.empty() || nostr::decode_lower_hex(id, decoded), id);
    if (auto* event = std::get_if<nostr::EventMessage>(&parsed))
        FUZZ_CHECK(id == nostr::to_hex(event->event.id), std::string(text.substr(0, 2000)));
}

// The live events published while each message's queries run: even ones were committed before
// the queries' snapshot (the queries saw them: never sent live), odd ones after it.
constexpr uint64_t kSnapshotSeq = 2;
uint64_t commit_seq_of(size_t index) {
    return index % 2 ? kSnapshotSeq + 1 : kSnapshotSeq - 1;
}

// Every subscription open after the message gets each live event committed after the snapshot
// that matches one of its filters, exactly once; a new one gets them before its EOSE (they were
// held while its query ran). Nothing else is delivered.
void check_deliveries(const std::vector<Frame>& frames,
                      const std::vector<std::shared_ptr<const nostr::Event>>& events,
                      const Subscriptions& subs) {
    std::map<std::pair<std::string, std::string>, int> delivered;  // (subscription, event id)
    std::map<std::string, size_t> eose_at;
    for (size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].verb == "EOSE") eose_at[frames[i].subscription_id] = i;
        if (frames[i].verb != "EVENT") continue;
        const std::string& id = frames[i].subscription_id;
        FUZZ_CHECK(subs.count(id), "closed subscription " + id + " got " + frames[i].text);
        FUZZ_CHECK(!eose_at.count(id), "after its EOSE, in the same batch: " + frames[i].text);
        ++delivered[{id, frames[i].event_id}];
    }
    for (const auto& [id, filters] : subs)
        for (size_t i = 0; i < events.size(); ++i) {
            int expected =
                commit_seq_of(i) > kSnapshotSeq && nostr::matches_any(filters, *events[i]);
            int got = delivered[{id, nostr::to_hex(events[i]->id)}];
            FUZZ_CHECK(got == expected,
                       id + " got " + std::to_string(got) + " times " + events[i]->json);
        }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    static const auto events = live_events();
    test_support::InstantBackend backend;
    backend.hold_queries = true;
    test_support::DirectBus bus;
    telemetry::MetricsRegistry metrics;
    relay::Relay relay(relay::RelayConfig{}, backend, bus, metrics);
    auto out = std::make_shared<test_support::RecordingOutbound>();
    auto session = relay.open_session(out, "fuzz");
    simdjson::dom::parser parser;
    Subscriptions subs;

    for (size_t n = 0; n < kMaxMessages && !input.empty(); ++n) {
        size_t end = input.find('\n');
        std::string_view text = input.substr(0, end);
        input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);

        size_t first = out->frames.size();
        session->on_text(text);
        for (size_t i = 0; i < events.size(); ++i)
            bus.publish(bus::LiveEvent{events[i], commit_seq_of(i)}, {});
        backend.finish_queries(kSnapshotSeq);
        std::vector<Frame> frames, answers;
        for (size_t i = first; i < out->frames.size(); ++i) {
            frames.push_back(read_frame(parser, out->frames[i]));
            if (frames.back().verb != "EVENT") answers.push_back(frames.back());
        }
        nostr::ClientMessage parsed = nostr::parse_client_message(text);
        check_answer(text, parsed, answers, parser, subs);
        check_deliveries(frames, events, subs);
        check_id_for_too_large(text, parsed);
    }
    FUZZ_CHECK(relay.live_subscriptions() >= subs.size(), "subscriptions went missing");
    session.reset();
    FUZZ_CHECK(relay.live_subscriptions() == 0, "a closed session left subscriptions behind");
    return 0;
}
