// OpenTelemetry for the server roles: configured only by the standard OTEL_* environment
// variables (docs/opentelemetry.md), which `nostpp ROLE --help` lists.
#pragma once
#include <memory>
#include <string_view>

#include "telemetry/metrics.h"
#include "telemetry/open_telemetry.h"

namespace CLI {
class App;
}

namespace app {

// Reads the variables, logs where traces and metrics go (never the headers) and any invalid
// value, and starts the exporter when an endpoint is set. `role` names the default
// service.name ("nostpp-<role>"). Keep the result until the role's threads have stopped.
std::unique_ptr<telemetry::OpenTelemetry> start_opentelemetry(std::string_view role,
                                                              telemetry::MetricsRegistry& metrics);

// Adds the list of OTEL_* variables read to the command's help.
void add_opentelemetry_help(CLI::App& command);

}  // namespace app
