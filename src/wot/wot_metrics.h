// The Web of Trust's series on /metrics: set size, rejects, rebuilds and their duration.
#pragma once

namespace telemetry {
class MetricsRegistry;
}

namespace wot {

class WotService;

void add_wot_metrics(telemetry::MetricsRegistry& registry, WotService& service);

}  // namespace wot
