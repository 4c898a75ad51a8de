#include "services/api_metrics.h"

namespace services {
namespace {

constexpr std::string_view kRejectedHelp = "Events answered OK false, by message prefix";

// The index of the message's prefix in kPrefixes, or kPrefixes.size() for "other".
size_t prefix_index(std::string_view message) {
    size_t colon = message.find(':');
    if (colon != std::string_view::npos)
        for (size_t i = 0; i < ApiMetrics::kPrefixes.size(); ++i)
            if (message.substr(0, colon) == ApiMetrics::kPrefixes[i]) return i;
    return ApiMetrics::kPrefixes.size();
}

}  // namespace

ApiMetrics::ApiMetrics(telemetry::MetricsRegistry& registry)
    : registry_(registry),
      in_flight_(registry.gauge("nostpp_http_requests_in_flight",
                                "HTTP requests received and not yet answered")) {
    for (size_t i = 0; i < kAcceptedOutcomes.size(); ++i)
        accepted_[i] =
            &registry.counter("nostpp_events_accepted_total", "Events answered OK true, by outcome",
                              {{"outcome", std::string(api::outcome_name(kAcceptedOutcomes[i]))}});
    for (size_t i = 0; i <= kPrefixes.size(); ++i)
        rejected_[i] = &registry.counter(
            "nostpp_events_rejected_total", kRejectedHelp,
            {{"prefix", i < kPrefixes.size() ? std::string(kPrefixes[i]) : "other"}});
}

void ApiMetrics::request_started() {
    in_flight_.add(1);
}

void ApiMetrics::request_answered(std::string_view route, unsigned status) {
    in_flight_.add(-1);
    registry_
        .counter("nostpp_http_requests_total", "HTTP requests answered, by route and status",
                 {{"route", std::string(route)}, {"status", std::to_string(status)}})
        .inc();
}

void ApiMetrics::event(const api::EventReply& reply) {
    if (!reply.accepted) return rejected_[prefix_index(reply.message)]->inc();
    for (size_t i = 0; i < kAcceptedOutcomes.size(); ++i)
        if (kAcceptedOutcomes[i] == reply.outcome) accepted_[i]->inc();
}

std::string ApiMetrics::text() const {
    return registry_.prometheus_text();
}

}  // namespace services
