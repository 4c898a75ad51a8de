#include "telemetry/otel_config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace telemetry {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A set, non-empty variable (blank counts as unset, as the specification asks).
std::optional<std::string> read(const EnvLookup& env, const char* name) {
    std::optional<std::string> value = env(name);
    if (!value || trim(*value).empty()) return std::nullopt;
    return std::string(trim(*value));
}

// A positive integer variable, else `fallback` (with a warning when set but invalid).
template <class T>
T read_positive(const EnvLookup& env, const char* name, T fallback,
                std::vector<std::string>& warnings) {
    std::optional<std::string> text = read(env, name);
    if (!text) return fallback;
    uint64_t value = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size() || value == 0) {
        warnings.push_back(std::string(name) + "='" + *text +
                           "' is not a positive integer; using the default");
        return fallback;
    }
    return static_cast<T>(value);
}

std::chrono::milliseconds read_millis(const EnvLookup& env, const char* name,
                                      std::chrono::milliseconds fallback,
                                      std::vector<std::string>& warnings) {
    return std::chrono::milliseconds(read_positive<int64_t>(env, name, fallback.count(), warnings));
}

// `base` + "v1/<signal>" with exactly one slash between them.
std::string signal_url(std::string base, std::string_view signal) {
    if (base.empty() || base.back() != '/') base.push_back('/');
    return base + "v1/" + std::string(signal);
}

// OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT as it is, else OTEL_EXPORTER_OTLP_ENDPOINT +
// /v1/<signal>; headers are the general ones overridden key by key by the signal's own.
OtlpEndpoint read_endpoint(const EnvLookup& env, std::string_view signal, const char* url_name,
                           const char* headers_name, const char* exporter_name,
                           const KeyValues& general_headers, std::vector<std::string>& warnings) {
    OtlpEndpoint endpoint;
    if (std::optional<std::string> exporter = read(env, exporter_name)) {
        std::string value = lower(*exporter);
        if (value == "none") return endpoint;
        if (value != "otlp")
            warnings.push_back(std::string(exporter_name) + "='" + *exporter +
                               "': only 'otlp' and 'none' are supported; using otlp");
    }
    std::string url;
    if (std::optional<std::string> own = read(env, url_name))
        url = *own;
    else if (std::optional<std::string> base = read(env, "OTEL_EXPORTER_OTLP_ENDPOINT"))
        url = signal_url(*base, signal);
    if (url.empty()) return endpoint;
    if (!parse_http_url(url, endpoint.host, endpoint.port, endpoint.target)) {
        warnings.push_back("the OTLP " + std::string(signal) + " endpoint '" + url +
                           "' is not an http://host[:port][/path] URL (https is not "
                           "supported: use a collector on the private network); " +
                           std::string(signal) + " are not exported");
        return endpoint;
    }
    endpoint.url = url;
    endpoint.headers = general_headers;
    if (std::optional<std::string> text = read(env, headers_name)) {
        std::optional<KeyValues> own = parse_key_value_list(*text);
        if (!own) {
            warnings.push_back(std::string(headers_name) +
                               " is malformed (expected key=value,...; values not shown); ignored");
        } else {
            for (auto& [key, value] : *own) {
                // Named, not the binding: clang 14 (the fuzz build) cannot capture bindings.
                const std::string wanted = lower(key);
                auto same = [&wanted](const auto& kv) { return lower(kv.first) == wanted; };
                std::erase_if(endpoint.headers, same);
                endpoint.headers.emplace_back(std::move(key), std::move(value));
            }
        }
    }
    return endpoint;
}

Sampler read_sampler(const EnvLookup& env, std::vector<std::string>& warnings) {
    Sampler sampler;
    if (std::optional<std::string> name = read(env, "OTEL_TRACES_SAMPLER")) {
        if (std::optional<SamplerType> type = Sampler::type_from_name(lower(*name)))
            sampler.type = *type;
        else
            warnings.push_back("OTEL_TRACES_SAMPLER='" + *name +
                               "' is not a supported sampler; using parentbased_always_on");
    }
    bool uses_ratio = sampler.type == SamplerType::trace_id_ratio ||
                      sampler.type == SamplerType::parent_based_trace_id_ratio;
    std::optional<std::string> arg = read(env, "OTEL_TRACES_SAMPLER_ARG");
    if (uses_ratio && arg) {
        char* end = nullptr;
        double ratio = std::strtod(arg->c_str(), &end);
        if (end != arg->c_str() + arg->size() || !(ratio >= 0.0 && ratio <= 1.0))
            warnings.push_back("OTEL_TRACES_SAMPLER_ARG='" + *arg +
                               "' is not a ratio between 0 and 1; using 1.0");
        else
            sampler.ratio = ratio;
    }
    return sampler;
}

KeyValues read_resource(const EnvLookup& env, std::string_view default_service_name,
                        std::string_view version, std::vector<std::string>& warnings) {
    KeyValues attributes{{"service.version", std::string(version)},
                         {"telemetry.sdk.name", "nostpp"},
                         {"telemetry.sdk.language", "cpp"},
                         {"telemetry.sdk.version", std::string(version)}};
    std::string service_name(default_service_name);
    if (std::optional<std::string> text = read(env, "OTEL_RESOURCE_ATTRIBUTES")) {
        // The specification: an invalid list is discarded as a whole.
        std::optional<KeyValues> given = parse_key_value_list(*text);
        if (!given) {
            warnings.push_back("OTEL_RESOURCE_ATTRIBUTES='" + *text +
                               "' is malformed (expected key=value,... percent-encoded); ignored");
        } else {
            for (auto& [key, value] : *given) {
                if (key == "service.name") {
                    service_name = value;
                    continue;
                }
                std::erase_if(attributes,
                              [&name = key](const auto& kv) { return kv.first == name; });
                attributes.emplace_back(std::move(key), std::move(value));
            }
        }
    }
    if (std::optional<std::string> name = read(env, "OTEL_SERVICE_NAME")) service_name = *name;
    attributes.insert(attributes.begin(), {"service.name", service_name});
    return attributes;
}

}  // namespace

EnvLookup process_environment() {
    return [](const char* name) -> std::optional<std::string> {
        const char* value = std::getenv(name);
        if (!value) return std::nullopt;
        return std::string(value);
    };
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            c = static_cast<char>(high * 16 + low);
            i += 2;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
        out.push_back(c);
    }
    return out;
}

std::optional<KeyValues> parse_key_value_list(std::string_view text) {
    KeyValues out;
    while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view entry = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        if (entry.empty()) continue;
        size_t equals = entry.find('=');
        if (equals == std::string_view::npos) return std::nullopt;
        std::optional<std::string> key = percent_decode(trim(entry.substr(0, equals)));
        std::optional<std::string> value = percent_decode(trim(entry.substr(equals + 1)));
        if (!key || key->empty() || !value) return std::nullopt;
        out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

bool parse_http_url(std::string_view url, std::string& host, uint16_t& port, std::string& target) {
    constexpr std::string_view kScheme = "http://";
    if (url.substr(0, kScheme.size()) != kScheme) return false;
    std::string_view rest = url.substr(kScheme.size());
    size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (target.front() == '?') target.insert(target.begin(), '/');
    if (authority.empty() || authority.find_first_of("@# ") != std::string_view::npos) return false;
    std::string_view port_text;
    if (authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return false;
        if (!after.empty()) port_text = after.substr(1);
        if (!after.empty() && port_text.empty()) return false;
    } else {
        size_t colon = authority.find(':');
        host = authority.substr(0, colon);
        if (host.empty()) return false;
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return false;
        }
    }
    port = 80;
    if (port_text.empty()) return true;
    unsigned value = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (error != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
        return false;
    port = static_cast<uint16_t>(value);
    return true;
}

OtelConfig read_otel_config(const EnvLookup& env, std::string_view default_service_name,
                            std::string_view version, std::vector<std::string>& warnings) {
    OtelConfig config;
    config.resource = read_resource(env, default_service_name, version, warnings);
    if (std::optional<std::string> disabled = read(env, "OTEL_SDK_DISABLED");
        disabled && lower(*disabled) == "true")
        return config;

    for (const char* name : {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                             "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"}) {
        std::optional<std::string> protocol = read(env, name);
        if (protocol && *protocol != "http/json")
            warnings.push_back(std::string(name) + "='" + *protocol +
                               "': nostpp sends OTLP/HTTP with JSON (http/json), which the "
                               "collector's OTLP HTTP receiver (port 4318) accepts");
    }
    KeyValues headers;
    if (std::optional<std::string> text = read(env, "OTEL_EXPORTER_OTLP_HEADERS")) {
        if (std::optional<KeyValues> parsed = parse_key_value_list(*text))
            headers = std::move(*parsed);
        else
            warnings.push_back(
                "OTEL_EXPORTER_OTLP_HEADERS is malformed (expected key=value,...; values not "
                "shown); ignored");
    }
    config.traces = read_endpoint(env, "traces", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                  "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_TRACES_EXPORTER",
                                  headers, warnings);
    config.metrics = read_endpoint(env, "metrics", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                                   "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "OTEL_METRICS_EXPORTER",
                                   headers, warnings);
    config.timeout = read_millis(env, "OTEL_EXPORTER_OTLP_TIMEOUT", config.timeout, warnings);
    config.metric_interval =
        read_millis(env, "OTEL_METRIC_EXPORT_INTERVAL", config.metric_interval, warnings);
    config.schedule_delay =
        read_millis(env, "OTEL_BSP_SCHEDULE_DELAY", config.schedule_delay, warnings);
    config.max_queue_size =
        read_positive<size_t>(env, "OTEL_BSP_MAX_QUEUE_SIZE", config.max_queue_size, warnings);
    config.max_export_batch_size = read_positive<size_t>(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
                                                         config.max_export_batch_size, warnings);
    if (config.max_export_batch_size > config.max_queue_size) {
        warnings.push_back(
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE is larger than OTEL_BSP_MAX_QUEUE_SIZE; using the "
            "queue size");
        config.max_export_batch_size = config.max_queue_size;
    }
    config.sampler = read_sampler(env, warnings);
    return config;
}

}  // namespace telemetry
