// The event handler API's metrics (GET /metrics): requests by route and status, requests in
// flight, and events received / accepted by outcome / rejected by message prefix (the same
// series as the relay's sessions, relay/event_counters.h). The per-event counters are looked
// up once, so counting an event takes no lock.
#pragma once
#include <string>
#include <string_view>

#include "relay/event_counters.h"
#include "services/api_json.h"
#include "telemetry/metrics.h"

namespace services {

class ApiMetrics {
  public:
    explicit ApiMetrics(telemetry::MetricsRegistry& registry);

    void request_started();
    void request_answered(std::string_view route, unsigned status);
    // One event of a POST /event answered: received, then accepted or rejected.
    void event(const api::EventReply& reply);
    // Everything in the registry, in the Prometheus text format.
    std::string text() const;

  private:
    telemetry::MetricsRegistry& registry_;
    telemetry::Gauge& in_flight_;
    relay::EventCounters events_;
};

}  // namespace services
