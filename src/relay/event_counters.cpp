#include "relay/event_counters.h"

#include <string>

#include "bus/bus.h"

namespace relay {

EventCounters::EventCounters(telemetry::MetricsRegistry& registry)
    : received_(registry.counter("nostpp_events_received_total",
                                 "EVENT messages received (events submitted to the API)")) {
    for (size_t i = 0; i < kAcceptedOutcomes.size(); ++i)
        accepted_[i] =
            &registry.counter("nostpp_events_accepted_total", "Events answered OK true, by outcome",
                              {{"outcome", std::string(kAcceptedOutcomes[i])}});
    for (size_t i = 0; i <= kPrefixes.size(); ++i)
        rejected_[i] = &registry.counter(
            "nostpp_events_rejected_total", "Events answered OK false, by message prefix",
            {{"prefix", i < kPrefixes.size() ? std::string(kPrefixes[i]) : "other"}});
}

void EventCounters::settled(const store::PutResult& result, uint64_t commit_seq) {
    if (!result.accepted()) return rejected(result.message);
    if (result.outcome == store::PutOutcome::duplicate) return accepted(Accepted::duplicate);
    accepted(commit_seq == bus::kEphemeralSeq ? Accepted::ephemeral : Accepted::stored);
}

size_t EventCounters::prefix_index(std::string_view message) {
    size_t colon = message.find(':');
    if (colon != std::string_view::npos)
        for (size_t i = 0; i < kPrefixes.size(); ++i)
            if (message.substr(0, colon) == kPrefixes[i]) return i;
    return kPrefixes.size();
}

std::string_view EventCounters::prefix_of(std::string_view message) {
    size_t i = prefix_index(message);
    return i < kPrefixes.size() ? kPrefixes[i] : "other";
}

}  // namespace relay
