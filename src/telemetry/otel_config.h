// The OpenTelemetry SDK environment variables nostpp honours (docs/opentelemetry.md), read
// into one value: where traces and metrics go (OTLP/HTTP with JSON), with which headers and
// timeout, the sampler, the resource, and the batching of the exporter.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/sampler.h"

namespace telemetry {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Where one signal is sent: a parsed http:// URL.
struct OtlpEndpoint {
    std::string url;  // as configured, for logs ("" = this signal is not exported)
    std::string host;
    uint16_t port = 80;
    std::string target;  // path and query, "/v1/traces"
    KeyValues headers;   // OTEL_EXPORTER_OTLP_[SIGNAL_]HEADERS: secrets, never logged
};

struct OtelConfig {
    OtlpEndpoint traces;
    OtlpEndpoint metrics;
    std::chrono::milliseconds timeout{10000};          // OTEL_EXPORTER_OTLP_TIMEOUT
    std::chrono::milliseconds metric_interval{60000};  // OTEL_METRIC_EXPORT_INTERVAL
    std::chrono::milliseconds schedule_delay{1000};    // OTEL_BSP_SCHEDULE_DELAY
    size_t max_queue_size = 2048;                      // OTEL_BSP_MAX_QUEUE_SIZE
    size_t max_export_batch_size = 512;                // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
    Sampler sampler;                                   // OTEL_TRACES_SAMPLER[_ARG]
    KeyValues resource;  // service.name first, then service.version, ...

    bool traces_enabled() const { return !traces.url.empty(); }
    bool metrics_enabled() const { return !metrics.url.empty(); }
    const std::string& service_name() const { return resource.front().second; }
};

// Reads one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_environment();

// The configuration the variables describe. `default_service_name` ("nostpp-relay") applies
// when neither OTEL_SERVICE_NAME nor a service.name resource attribute is given; `version`
// becomes service.version. An invalid value falls back to its default, with a line in
// `warnings` (which never quotes a header value). Without an endpoint, or with
// OTEL_SDK_DISABLED=true, neither signal is enabled.
OtelConfig read_otel_config(const EnvLookup& env, std::string_view default_service_name,
                            std::string_view version, std::vector<std::string>& warnings);

// `k1=v1,k2=v2` with values (and keys) percent-decoded and surrounding blanks trimmed, as
// OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS are written. nullopt when any entry
// is malformed (no '=', an empty key, a bad %-escape, a control character).
std::optional<KeyValues> parse_key_value_list(std::string_view text);
std::optional<std::string> percent_decode(std::string_view text);

// http://host[:port][/path]: false for any other scheme or a malformed URL.
bool parse_http_url(std::string_view url, std::string& host, uint16_t& port, std::string& target);

}  // namespace telemetry
