// OTLP/JSON bodies, read back with simdjson: field names, hex ids, 64-bit integers as strings,
// enums as numbers, and each metric type's shape.
#include "telemetry/otlp_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace {

using simdjson::dom::element;

element parse(simdjson::dom::parser& parser, const std::string& json) {
    element root;
    auto error = parser.parse(json).get(root);
    EXPECT_FALSE(error) << simdjson::error_message(error) << "\n" << json;
    return root;
}

std::string str(element e) {
    return std::string(std::string_view(e));
}

const telemetry::KeyValues kResource{{"service.name", "nostpp-test"}, {"k", "v\"q"}};

telemetry::SpanData sample_span() {
    telemetry::SpanData span;
    span.name = "nostr.EVENT";
    span.kind = telemetry::SpanKind::server;
    span.context.trace_id = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                             0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
    span.context.span_id = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};
    span.context.flags = telemetry::SpanContext::kSampledFlag;
    span.start_unix_ns = 1700000000123456789ull;
    span.end_unix_ns = 1700000000223456789ull;
    span.attributes = {{"nostr.event.kind", int64_t{30023}},
                       {"nostr.event.id", std::string("ab\"cd")},
                       {"nostr.ok.accepted", true},
                       {"ratio", 0.5}};
    return span;
}

TEST(OtlpJson, SpansFollowTheOtlpJsonMapping) {
    telemetry::SpanData root = sample_span();
    telemetry::SpanData child = sample_span();
    child.name = "store.commit";
    child.kind = telemetry::SpanKind::internal;
    child.parent_span_id = root.context.span_id;
    child.context.span_id = {1, 2, 3, 4, 5, 6, 7, 8};
    child.error = true;
    child.status_message = "error: disk full";
    child.attributes.clear();
    std::string json = telemetry::encode_spans(kResource, "1.2.3", {root, child});

    simdjson::dom::parser parser;
    element doc = parse(parser, json);
    element resource_spans = doc["resourceSpans"].at(0);
    element resource_attr = resource_spans["resource"]["attributes"].at(0);
    EXPECT_EQ(str(resource_attr["key"]), "service.name");
    EXPECT_EQ(str(resource_attr["value"]["stringValue"]), "nostpp-test");
    EXPECT_EQ(str(resource_spans["resource"]["attributes"].at(1)["value"]["stringValue"]), "v\"q");
    element scope_spans = resource_spans["scopeSpans"].at(0);
    EXPECT_EQ(str(scope_spans["scope"]["name"]), "nostpp");
    EXPECT_EQ(str(scope_spans["scope"]["version"]), "1.2.3");

    element span = scope_spans["spans"].at(0);
    EXPECT_EQ(str(span["traceId"]), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(str(span["spanId"]), "00f067aa0ba902b7");
    EXPECT_TRUE(span["parentSpanId"].error()) << "a root span has no parentSpanId";
    EXPECT_EQ(str(span["name"]), "nostr.EVENT");
    EXPECT_EQ(int64_t(span["kind"]), 2);
    EXPECT_EQ(int64_t(span["flags"]), 1);
    EXPECT_EQ(str(span["startTimeUnixNano"]), "1700000000123456789");
    EXPECT_EQ(str(span["endTimeUnixNano"]), "1700000000223456789");
    element attributes = span["attributes"];
    EXPECT_EQ(str(attributes.at(0)["key"]), "nostr.event.kind");
    EXPECT_EQ(str(attributes.at(0)["value"]["intValue"]), "30023");
    EXPECT_EQ(str(attributes.at(1)["value"]["stringValue"]), "ab\"cd");
    EXPECT_EQ(bool(attributes.at(2)["value"]["boolValue"]), true);
    EXPECT_EQ(double(attributes.at(3)["value"]["doubleValue"]), 0.5);
    EXPECT_TRUE(span["status"]["code"].error()) << "status UNSET is the empty object";

    element second = scope_spans["spans"].at(1);
    EXPECT_EQ(str(second["parentSpanId"]), "00f067aa0ba902b7");
    EXPECT_EQ(str(second["spanId"]), "0102030405060708");
    EXPECT_EQ(int64_t(second["kind"]), 1);
    EXPECT_EQ(int64_t(second["status"]["code"]), 2);
    EXPECT_EQ(str(second["status"]["message"]), "error: disk full");
    EXPECT_EQ(simdjson::dom::array(second["attributes"]).size(), 0u);
}

TEST(OtlpJson, MetricsOfEachType) {
    telemetry::MetricsRegistry registry;
    registry.counter("nostpp_events_total", "Events", {{"outcome", "stored"}}).inc(5);
    registry.counter("nostpp_events_total", "Events", {{"outcome", "duplicate"}}).inc(2);
    registry.gauge("nostpp_connections", "Open connections").set(-3);
    auto& histogram =
        registry.histogram("nostpp_commit_seconds", "Commit latency", {0.01, 0.1}, {});
    histogram.observe(0.005);
    histogram.observe(0.05);
    histogram.observe(0.05);
    histogram.observe(7);
    registry.counter("nostpp_big_total", "Large").inc(uint64_t{1} << 62);
    std::string json =
        telemetry::encode_metrics(kResource, "1.2.3", registry.snapshot(), 1000, 2000);

    simdjson::dom::parser parser;
    element doc = parse(parser, json);
    element scope = doc["resourceMetrics"].at(0)["scopeMetrics"].at(0);
    EXPECT_EQ(str(scope["scope"]["name"]), "nostpp");
    EXPECT_EQ(
        str(doc["resourceMetrics"].at(0)["resource"]["attributes"].at(0)["value"]["stringValue"]),
        "nostpp-test");
    std::map<std::string, element> metrics;
    for (element metric : simdjson::dom::array(scope["metrics"]))
        metrics[str(metric["name"])] = metric;
    ASSERT_EQ(metrics.size(), 4u);

    element sum = metrics["nostpp_events_total"]["sum"];
    EXPECT_EQ(str(metrics["nostpp_events_total"]["description"]), "Events");
    EXPECT_EQ(bool(sum["isMonotonic"]), true);
    EXPECT_EQ(int64_t(sum["aggregationTemporality"]), 2);
    std::map<std::string, std::string> by_outcome;
    for (element point : simdjson::dom::array(sum["dataPoints"])) {
        EXPECT_EQ(str(point["startTimeUnixNano"]), "1000");
        EXPECT_EQ(str(point["timeUnixNano"]), "2000");
        EXPECT_EQ(str(point["attributes"].at(0)["key"]), "outcome");
        by_outcome[str(point["attributes"].at(0)["value"]["stringValue"])] = str(point["asInt"]);
    }
    EXPECT_EQ(by_outcome["stored"], "5");
    EXPECT_EQ(by_outcome["duplicate"], "2");
    EXPECT_EQ(str(metrics["nostpp_big_total"]["sum"]["dataPoints"].at(0)["asInt"]),
              "4611686018427387904");

    element gauge = metrics["nostpp_connections"]["gauge"];
    EXPECT_EQ(str(gauge["dataPoints"].at(0)["asInt"]), "-3");
    EXPECT_EQ(simdjson::dom::array(gauge["dataPoints"].at(0)["attributes"]).size(), 0u);
    EXPECT_TRUE(gauge["aggregationTemporality"].error());

    element hist = metrics["nostpp_commit_seconds"]["histogram"];
    EXPECT_EQ(int64_t(hist["aggregationTemporality"]), 2);
    element point = hist["dataPoints"].at(0);
    EXPECT_EQ(str(point["count"]), "4");
    EXPECT_NEAR(double(point["sum"]), 7.105, 1e-6);
    std::vector<std::string> buckets;
    for (element b : simdjson::dom::array(point["bucketCounts"])) buckets.push_back(str(b));
    EXPECT_EQ(buckets, (std::vector<std::string>{"1", "2", "1"}));
    std::vector<double> bounds;
    for (element b : simdjson::dom::array(point["explicitBounds"])) bounds.push_back(double(b));
    EXPECT_EQ(bounds, (std::vector<double>{0.01, 0.1}));
}

TEST(OtlpJson, FamiliesWithoutSeriesAreLeftOut) {
    telemetry::FamilySnapshot empty;
    empty.name = "nothing";
    std::string json = telemetry::encode_metrics(kResource, "1", {empty}, 1, 2);
    simdjson::dom::parser parser;
    element doc = parse(parser, json);
    EXPECT_EQ(
        simdjson::dom::array(doc["resourceMetrics"].at(0)["scopeMetrics"].at(0)["metrics"]).size(),
        0u);
}

}  // namespace
