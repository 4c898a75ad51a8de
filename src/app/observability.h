// What every server role (relay, event-handler, websocket-handler) sets up the same way:
// logging (--log-level, --log-format) and metrics (--metrics, --metrics-bind). The registry
// holds the process and build series from the start; the role adds its own.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "telemetry/metrics.h"

namespace CLI {
class App;
}
namespace services {
class MetricsServer;
}

namespace app {

struct ObservabilitySettings {
    std::string log_level = "info";
    std::string log_format = "text";
    bool metrics = true;       // GET /metrics at all
    std::string metrics_bind;  // "" = on the role's own port, else host:port of its own
};

// --log-level / LOG_LEVEL, --log-format / LOG_FORMAT, --metrics / METRICS,
// --metrics-bind / METRICS_BIND.
void add_observability_options(CLI::App& command, ObservabilitySettings& settings);

class RoleTelemetry {
  public:
    // Configures logging for `role` and makes the registry.
    RoleTelemetry(const ObservabilitySettings& settings, std::string_view role);
    ~RoleTelemetry();

    telemetry::MetricsRegistry& metrics() { return metrics_; }
    // True when the role's own port answers GET /metrics.
    bool metrics_on_main_port() const;
    // With --metrics-bind: starts the metrics listener. Call once the role is wired (its
    // collectors registered). Throws std::runtime_error when it cannot listen.
    void start_metrics_listener();
    // Call first in the role's teardown: collectors read parts that teardown destroys.
    void stop_metrics_listener();

  private:
    const ObservabilitySettings& settings_;
    telemetry::MetricsRegistry metrics_;
    std::unique_ptr<services::MetricsServer> listener_;
};

// Runs a server role: logging configured, then `body`. An exception is logged (in the
// configured format, so JSON logs stay JSON) and makes the process exit with status 1.
void run_role(const ObservabilitySettings& settings, std::string_view role,
              const std::function<void(RoleTelemetry&)>& body);

}  // namespace app
