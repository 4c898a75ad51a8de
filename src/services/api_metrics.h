// The event handler API's metrics (GET /metrics): requests by route and status, requests in
// flight, events accepted by outcome and rejected by message prefix. The per-event counters
// are looked up once, so counting an event takes no lock.
#pragma once
#include <array>
#include <string>
#include <string_view>

#include "services/api_json.h"
#include "telemetry/metrics.h"

namespace services {

class ApiMetrics {
  public:
    explicit ApiMetrics(telemetry::MetricsRegistry& registry);

    void request_started();
    void request_answered(std::string_view route, unsigned status);
    void event(const api::EventReply& reply);
    // Everything in the registry, in the Prometheus text format.
    std::string text() const;

    // Prefixes counted on their own in nostpp_events_rejected_total; others are "other".
    static constexpr std::array<std::string_view, 10> kPrefixes = {
        "invalid",    "blocked", "duplicate", "pow",           "rate-limited",
        "restricted", "mute",    "error",     "auth-required", "unsupported"};
    static constexpr std::array<api::Outcome, 3> kAcceptedOutcomes = {
        api::Outcome::stored, api::Outcome::duplicate, api::Outcome::ephemeral};

  private:
    telemetry::MetricsRegistry& registry_;
    telemetry::Gauge& in_flight_;
    std::array<telemetry::Counter*, kAcceptedOutcomes.size()> accepted_{};
    std::array<telemetry::Counter*, kPrefixes.size() + 1> rejected_{};  // + "other"
};

}  // namespace services
