#include "telemetry/otlp_json.h"

#include <charconv>
#include <cmath>

#include "nostr/canonical.h"
#include "nostr/hex.h"

namespace telemetry {
namespace {

// OTLP enum values.
constexpr int kStatusError = 2;
constexpr int kTemporalityCumulative = 2;

void append_string(std::string& out, std::string_view text) {
    nostr::append_json_string(out, text);
}

// Protobuf's JSON mapping writes a 64-bit integer as a decimal string.
template <class Int>
void append_int64(std::string& out, Int value) {
    out.push_back('"');
    out += std::to_string(value);
    out.push_back('"');
}

void append_double(std::string& out, double value) {
    if (std::isnan(value)) return out.append("\"NaN\""), void();
    if (std::isinf(value)) return out.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\""), void();
    char buffer[32];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, error == std::errc() ? end : buffer);
}

template <size_t N>
void append_hex_string(std::string& out, const std::array<uint8_t, N>& bytes) {
    out.push_back('"');
    nostr::append_hex(out, bytes.data(), N);
    out.push_back('"');
}

void append_value(std::string& out, const AttributeValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) {
        out += "{\"stringValue\":";
        append_string(out, *text);
    } else if (const auto* integer = std::get_if<int64_t>(&value)) {
        out += "{\"intValue\":";
        append_int64(out, *integer);
    } else if (const auto* flag = std::get_if<bool>(&value)) {
        out += *flag ? "{\"boolValue\":true" : "{\"boolValue\":false";
    } else {
        out += "{\"doubleValue\":";
        append_double(out, std::get<double>(value));
    }
    out.push_back('}');
}

void append_key_value(std::string& out, std::string_view key, const AttributeValue& value) {
    out += "{\"key\":";
    append_string(out, key);
    out += ",\"value\":";
    append_value(out, value);
    out.push_back('}');
}

// "attributes":[...] of string values (resource attributes, metric labels).
void append_string_attributes(std::string& out, const KeyValues& attributes) {
    out += "\"attributes\":[";
    for (size_t i = 0; i < attributes.size(); ++i) {
        if (i) out.push_back(',');
        append_key_value(out, attributes[i].first, attributes[i].second);
    }
    out.push_back(']');
}

// {"resource":{...},"scopeXxx":[{"scope":{...},"<items>":[ ... (the caller closes it)
void open_resource(std::string& out, const char* root, const char* scopes, const char* items,
                   const KeyValues& resource, std::string_view scope_version) {
    out += "{\"";
    out += root;
    out += "\":[{\"resource\":{";
    append_string_attributes(out, resource);
    out += "},\"";
    out += scopes;
    out += "\":[{\"scope\":{\"name\":";
    append_string(out, kScopeName);
    out += ",\"version\":";
    append_string(out, scope_version);
    out += "},\"";
    out += items;
    out += "\":[";
}

void append_span(std::string& out, const SpanData& span) {
    out += "{\"traceId\":";
    append_hex_string(out, span.context.trace_id);
    out += ",\"spanId\":";
    append_hex_string(out, span.context.span_id);
    if (span.parent_span_id != SpanId{}) {
        out += ",\"parentSpanId\":";
        append_hex_string(out, span.parent_span_id);
    }
    out += ",\"flags\":";
    out += std::to_string(span.context.flags & SpanContext::kSampledFlag);  // W3C trace flags
    out += ",\"name\":";
    append_string(out, span.name);
    out += ",\"kind\":";
    out += std::to_string(static_cast<int>(span.kind));
    out += ",\"startTimeUnixNano\":";
    append_int64(out, span.start_unix_ns);
    out += ",\"endTimeUnixNano\":";
    append_int64(out, span.end_unix_ns);
    out += ",\"attributes\":[";
    for (size_t i = 0; i < span.attributes.size(); ++i) {
        if (i) out.push_back(',');
        append_key_value(out, span.attributes[i].key, span.attributes[i].value);
    }
    out += "],\"status\":{";
    if (span.error) {
        out += "\"message\":";
        append_string(out, span.status_message);
        out += ",\"code\":" + std::to_string(kStatusError);
    }
    out += "}}";
}

// "dataPoints":[...]: one point per series, its labels and times, then what `value` adds.
template <class Value>
void append_points(std::string& out, const FamilySnapshot& family, uint64_t start, uint64_t now,
                   Value value) {
    out += "\"dataPoints\":[";
    for (size_t i = 0; i < family.series.size(); ++i) {
        if (i) out.push_back(',');
        out.push_back('{');
        append_string_attributes(out, family.series[i].labels);  // Labels are KeyValues
        out += ",\"startTimeUnixNano\":";
        append_int64(out, start);
        out += ",\"timeUnixNano\":";
        append_int64(out, now);
        value(family.series[i]);
        out.push_back('}');
    }
    out.push_back(']');
}

void append_number_points(std::string& out, const FamilySnapshot& family, uint64_t start,
                          uint64_t now) {
    append_points(out, family, start, now, [&](const SeriesSnapshot& series) {
        // The registry's counters and gauges hold integers.
        out += ",\"asInt\":";
        append_int64(out, static_cast<int64_t>(std::llround(series.value)));
    });
}

void append_histogram_points(std::string& out, const FamilySnapshot& family, uint64_t start,
                             uint64_t now) {
    append_points(out, family, start, now, [&](const SeriesSnapshot& series) {
        out += ",\"count\":";
        append_int64(out, series.count);
        out += ",\"sum\":";
        append_double(out, series.sum);
        out += ",\"bucketCounts\":[";
        for (size_t b = 0; b < series.bucket_counts.size(); ++b) {
            if (b) out.push_back(',');
            append_int64(out, series.bucket_counts[b]);
        }
        out += "],\"explicitBounds\":[";
        for (size_t b = 0; b < family.bounds.size(); ++b) {
            if (b) out.push_back(',');
            append_double(out, family.bounds[b]);
        }
        out.push_back(']');
    });
}

void append_metric(std::string& out, const FamilySnapshot& family, uint64_t start, uint64_t now) {
    out += "{\"name\":";
    append_string(out, family.name);
    out += ",\"description\":";
    append_string(out, family.help);
    switch (family.type) {
        case MetricType::counter:
            out += ",\"sum\":{";
            append_number_points(out, family, start, now);
            out += ",\"aggregationTemporality\":" + std::to_string(kTemporalityCumulative) +
                   ",\"isMonotonic\":true}";
            break;
        case MetricType::gauge:
            out += ",\"gauge\":{";
            append_number_points(out, family, start, now);
            out.push_back('}');
            break;
        case MetricType::histogram:
            out += ",\"histogram\":{";
            append_histogram_points(out, family, start, now);
            out += ",\"aggregationTemporality\":" + std::to_string(kTemporalityCumulative) + "}";
            break;
    }
    out.push_back('}');
}

}  // namespace

std::string encode_spans(const KeyValues& resource, std::string_view scope_version,
                         const std::vector<SpanData>& spans) {
    std::string out;
    out.reserve(512 + spans.size() * 400);
    open_resource(out, "resourceSpans", "scopeSpans", "spans", resource, scope_version);
    for (size_t i = 0; i < spans.size(); ++i) {
        if (i) out.push_back(',');
        append_span(out, spans[i]);
    }
    out += "]}]}]}";
    return out;
}

std::string encode_metrics(const KeyValues& resource, std::string_view scope_version,
                           const std::vector<FamilySnapshot>& families, uint64_t start_unix_ns,
                           uint64_t now_unix_ns) {
    std::string out;
    out.reserve(512 + families.size() * 300);
    open_resource(out, "resourceMetrics", "scopeMetrics", "metrics", resource, scope_version);
    bool first = true;
    for (const FamilySnapshot& family : families) {
        if (family.series.empty()) continue;  // a metric needs at least one data point
        if (!first) out.push_back(',');
        first = false;
        append_metric(out, family, start_unix_ns, now_unix_ns);
    }
    out += "]}]}]}";
    return out;
}

}  // namespace telemetry
