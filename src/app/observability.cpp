#include "app/observability.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "services/metrics_server.h"
#include "telemetry/logging.h"
#include "telemetry/process_metrics.h"

namespace app {

void add_observability_options(CLI::App& command, ObservabilitySettings& settings) {
    command.add_option("--log-level", settings.log_level, "Log level")
        ->envname("LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    command
        .add_option("--log-format", settings.log_format,
                    "Log lines as text, or as JSON objects (one per line: time, level, logger, "
                    "role, message)")
        ->envname("LOG_FORMAT")
        ->check(CLI::IsMember({"text", "json"}));
    command
        .add_option("--metrics", settings.metrics,
                    "Serve Prometheus metrics at GET /metrics (true/false)")
        ->envname("METRICS");
    command
        .add_option("--metrics-bind", settings.metrics_bind,
                    "Serve GET /metrics on this host:port instead of the role's own port "
                    "(e.g. 127.0.0.1:9100)")
        ->envname("METRICS_BIND");
}

RoleTelemetry::RoleTelemetry(const ObservabilitySettings& settings, std::string_view role)
    : settings_(settings) {
    telemetry::LogFormat format = telemetry::LogFormat::text;
    telemetry::parse_log_format(settings.log_format, format);
    telemetry::configure_logging(spdlog::level::from_str(settings.log_level), format, role);
    telemetry::add_process_metrics(metrics_);
    telemetry::add_build_info(metrics_, NOSTPP_VERSION, role);
}

RoleTelemetry::~RoleTelemetry() {
    stop_metrics_listener();
}

bool RoleTelemetry::metrics_on_main_port() const {
    return settings_.metrics && settings_.metrics_bind.empty();
}

void RoleTelemetry::start_metrics_listener() {
    if (!settings_.metrics || settings_.metrics_bind.empty()) return;
    listener_ = std::make_unique<services::MetricsServer>(settings_.metrics_bind, metrics_);
    spdlog::info("metrics on http://{}/metrics", listener_->local_address());
}

void RoleTelemetry::stop_metrics_listener() {
    if (listener_) listener_->stop();
}

void run_role(const ObservabilitySettings& settings, std::string_view role,
              const std::function<void(RoleTelemetry&)>& body) {
    try {
        RoleTelemetry telemetry(settings, role);
        body(telemetry);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        // Already reported: CLI11 exits with this status without printing anything.
        throw CLI::RuntimeError(1);
    }
}

}  // namespace app
