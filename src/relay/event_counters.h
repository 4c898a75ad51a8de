// Events received, accepted (by outcome) and rejected (by the machine-readable prefix of their
// OK message): the same series whether a relay's client session or the event handler's API
// answered. The counters are looked up once; counting an event is one relaxed atomic add.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "store/store.h"
#include "telemetry/metrics.h"

namespace relay {

class EventCounters {
  public:
    enum class Accepted { stored, duplicate, ephemeral };

    explicit EventCounters(telemetry::MetricsRegistry& registry);

    void received() { received_.inc(); }
    void accepted(Accepted outcome) { accepted_[size_t(outcome)]->inc(); }
    // `message` is the OK false message ("blocked: ...").
    void rejected(std::string_view message) { rejected_[prefix_index(message)]->inc(); }
    // What a backend answered: accepted (ephemeral when `commit_seq` is bus::kEphemeralSeq)
    // or rejected by its message's prefix.
    void settled(const store::PutResult& result, uint64_t commit_seq);

    // The message's prefix when it is one counted on its own, else "other".
    static std::string_view prefix_of(std::string_view message);

    // Prefixes counted on their own in nostpp_events_rejected_total (NIP-01 and common
    // relay practice); any other is counted as "other".
    static constexpr std::array<std::string_view, 10> kPrefixes = {
        "invalid",    "blocked", "duplicate", "pow",           "rate-limited",
        "restricted", "mute",    "error",     "auth-required", "unsupported"};
    static constexpr std::array<std::string_view, 3> kAcceptedOutcomes = {"stored", "duplicate",
                                                                          "ephemeral"};

  private:
    static size_t prefix_index(std::string_view message);

    telemetry::Counter& received_;
    std::array<telemetry::Counter*, kAcceptedOutcomes.size()> accepted_{};
    std::array<telemetry::Counter*, kPrefixes.size() + 1> rejected_{};  // + "other"
};

}  // namespace relay
