#include "services/api_metrics.h"

namespace services {

ApiMetrics::ApiMetrics(telemetry::MetricsRegistry& registry)
    : registry_(registry),
      in_flight_(registry.gauge("nostpp_http_requests_in_flight",
                                "HTTP requests received and not yet answered")),
      events_(registry) {}

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
    using Accepted = relay::EventCounters::Accepted;
    events_.received();
    if (!reply.accepted) return events_.rejected(reply.message);
    switch (reply.outcome) {
        case api::Outcome::stored:
            return events_.accepted(Accepted::stored);
        case api::Outcome::duplicate:
            return events_.accepted(Accepted::duplicate);
        case api::Outcome::ephemeral:
            return events_.accepted(Accepted::ephemeral);
        default:
            break;
    }
}

std::string ApiMetrics::text() const {
    return registry_.prometheus_text();
}

}  // namespace services
