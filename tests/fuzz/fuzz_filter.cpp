// libFuzzer harness for the filter parser (parse_filter_json / parse_filters_json, the code a
// REQ's filters and the event handler's /query bodies go through).
// Properties: a refusal carries a NIP-01 prefix; a parsed filter written back as JSON
// (filter_to_json, what the websocket-handler forwards) parses to an equal filter, and that
// JSON is a fixed point; an unsatisfiable filter matches no event.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "nostr/filter_json.h"

namespace {

// Events the parsed filters are matched against: their ids, authors, kinds and tag values are
// short repeating patterns the fuzzer finds easily (the dictionary has them too).
std::vector<nostr::Event> sample_events() {
    std::vector<nostr::Event> events;
    for (uint8_t i = 0; i < 4; ++i) {
        nostr::Event& event = events.emplace_back();
        event.id.fill(static_cast<uint8_t>(0x11 * (i + 1)));
        event.pubkey.fill(static_cast<uint8_t>(0xaa + i % 2));
        event.created_at = 1700000000 + i * 100;
        event.kind = i == 3 ? 30023 : i;
        event.tags = {
            {"e", std::string(64, static_cast<char>('0' + i))}, {"t", "nostr"}, {"d", ""}};
    }
    return events;
}

void check_round_trip(const nostr::Filter& filter) {
    static const std::vector<nostr::Event> events = sample_events();
    std::string json = nostr::filter_to_json(filter);
    nostr::Filter again;
    std::string error;
    FUZZ_CHECK(nostr::parse_filter_json(json, again, error), json + " -> " + error);
    FUZZ_CHECK(again == filter, json);
    FUZZ_CHECK(nostr::filter_to_json(again) == json, json);
    if (filter.is_unsatisfiable())
        for (const auto& event : events) FUZZ_CHECK(!filter.matches(event), json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);

    nostr::Filter filter;
    std::string error;
    if (nostr::parse_filter_json(input, filter, error))
        check_round_trip(filter);
    else
        FUZZ_CHECK(fuzz::has_known_prefix(error), error);

    std::vector<nostr::Filter> filters;
    error.clear();
    if (nostr::parse_filters_json(input, filters, error)) {
        for (const auto& each : filters) check_round_trip(each);
        std::string json = nostr::filters_to_json(filters);
        std::vector<nostr::Filter> again;
        FUZZ_CHECK(nostr::parse_filters_json(json, again, error), json + " -> " + error);
        FUZZ_CHECK(again == filters, json);
    } else {
        FUZZ_CHECK(fuzz::has_known_prefix(error), error);
    }
    return 0;
}
