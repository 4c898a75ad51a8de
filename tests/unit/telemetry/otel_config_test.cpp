// OTEL_* environment variables into OtelConfig: endpoints per signal, headers (never shown in
// warnings), resource, sampler, intervals and their fallbacks.
#include "telemetry/otel_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace {

using telemetry::KeyValues;
using ::testing::HasSubstr;
using ::testing::Not;

struct Env {
    std::map<std::string, std::string> values;
    std::vector<std::string> warnings;

    telemetry::OtelConfig read() {
        warnings.clear();
        return telemetry::read_otel_config(
            [this](const char* name) -> std::optional<std::string> {
                auto it = values.find(name);
                if (it == values.end()) return std::nullopt;
                return it->second;
            },
            "nostpp-relay", "1.2.3", warnings);
    }
    std::string all_warnings() const {
        std::string out;
        for (const auto& w : warnings) out += w + "\n";
        return out;
    }
};

std::string attribute(const KeyValues& list, const std::string& key) {
    for (const auto& [k, v] : list)
        if (k == key) return v;
    return "<absent>";
}

TEST(OtelConfig, NothingIsExportedWithoutAnEndpoint) {
    Env env;
    auto config = env.read();
    EXPECT_FALSE(config.traces_enabled());
    EXPECT_FALSE(config.metrics_enabled());
    EXPECT_TRUE(env.warnings.empty());
    EXPECT_EQ(config.service_name(), "nostpp-relay");
    EXPECT_EQ(config.timeout.count(), 10000);
    EXPECT_EQ(config.metric_interval.count(), 60000);
    EXPECT_EQ(config.schedule_delay.count(), 1000);
    EXPECT_EQ(config.max_queue_size, 2048u);
    EXPECT_EQ(config.max_export_batch_size, 512u);
}

TEST(OtelConfig, BaseEndpointGetsTheSignalPaths) {
    Env env;
    env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318";
    auto config = env.read();
    ASSERT_TRUE(config.traces_enabled());
    EXPECT_EQ(config.traces.url, "http://collector:4318/v1/traces");
    EXPECT_EQ(config.traces.host, "collector");
    EXPECT_EQ(config.traces.port, 4318);
    EXPECT_EQ(config.traces.target, "/v1/traces");
    EXPECT_EQ(config.metrics.url, "http://collector:4318/v1/metrics");
    EXPECT_EQ(config.metrics.target, "/v1/metrics");

    env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://10.0.0.1/otel/";
    config = env.read();
    EXPECT_EQ(config.traces.target, "/otel/v1/traces");
    EXPECT_EQ(config.traces.port, 80);
    env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://[::1]:4318/otel";
    config = env.read();
    EXPECT_EQ(config.metrics.target, "/otel/v1/metrics");
    EXPECT_EQ(config.metrics.host, "::1");
}

TEST(OtelConfig, SignalEndpointsAreUsedAsTheyAre) {
    Env env;
    env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318";
    env.values["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://traces:9999/custom";
    auto config = env.read();
    EXPECT_EQ(config.traces.target, "/custom");
    EXPECT_EQ(config.traces.host, "traces");
    EXPECT_EQ(config.metrics.url, "http://collector:4318/v1/metrics");

    Env only_metrics;
    only_metrics.values["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = "http://m:1/x";
    config = only_metrics.read();
    EXPECT_FALSE(config.traces_enabled());
    EXPECT_EQ(config.metrics.target, "/x");
}

TEST(OtelConfig, ExporterNoneTurnsASignalOff) {
    Env env;
    env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318";
    env.values["OTEL_METRICS_EXPORTER"] = "none";
    auto config = env.read();
    EXPECT_TRUE(config.traces_enabled());
    EXPECT_FALSE(config.metrics_enabled());
}

TEST(OtelConfig, SdkDisabledTurnsEverythingOff) {
    Env env;
    env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318";
    env.values["OTEL_SDK_DISABLED"] = "TRUE";
    auto config = env.read();
    EXPECT_FALSE(config.traces_enabled());
    EXPECT_FALSE(config.metrics_enabled());
    env.values["OTEL_SDK_DISABLED"] = "false";
    EXPECT_TRUE(env.read().traces_enabled());
}

TEST(OtelConfig, HttpsAndMalformedEndpointsAreRefusedWithAWarning) {
    for (const char* url : {"https://collector:4318", "collector:4318", "http://:4318",
                            "http://host:99999", "http://user@host:1"}) {
        Env env;
        env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = url;
        auto config = env.read();
        EXPECT_FALSE(config.traces_enabled()) << url;
        EXPECT_FALSE(config.metrics_enabled()) << url;
        EXPECT_THAT(env.all_warnings(), HasSubstr("not an http://")) << url;
    }
}

TEST(OtelConfig, HeadersArePercentDecodedAndNeverShownInWarnings) {
    Env env;
    env.values["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318";
    env.values["OTEL_EXPORTER_OTLP_HEADERS"] = " dd-api-key = s3cr%20et , x-team=relay";
    env.values["OTEL_EXPORTER_OTLP_METRICS_HEADERS"] = "X-Team=metrics";
    auto config = env.read();
    EXPECT_EQ(attribute(config.traces.headers, "dd-api-key"), "s3cr et");
    EXPECT_EQ(attribute(config.traces.headers, "x-team"), "relay");
    // The signal's own headers win, key by key (names are case-insensitive).
    EXPECT_EQ(attribute(config.metrics.headers, "dd-api-key"), "s3cr et");
    EXPECT_EQ(attribute(config.metrics.headers, "X-Team"), "metrics");
    EXPECT_EQ(attribute(config.metrics.headers, "x-team"), "<absent>");

    env.values["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key=TOPSECRET,broken";
    config = env.read();
    EXPECT_TRUE(config.traces.headers.empty());
    EXPECT_THAT(env.all_warnings(), HasSubstr("OTEL_EXPORTER_OTLP_HEADERS is malformed"));
    EXPECT_THAT(env.all_warnings(), Not(HasSubstr("TOPSECRET")));
    // A decoded control character would split the HTTP header: refused.
    env.values["OTEL_EXPORTER_OTLP_HEADERS"] = "a=b%0d%0aInjected: yes";
    config = env.read();
    EXPECT_TRUE(config.traces.headers.empty());
}

TEST(OtelConfig, ResourceAttributesAndServiceName) {
    Env env;
    env.values["OTEL_RESOURCE_ATTRIBUTES"] =
        "deployment.environment=prod%20eu, host.name = relay-1,service.version=9";
    auto config = env.read();
    EXPECT_EQ(config.resource.front().first, "service.name");
    EXPECT_EQ(config.service_name(), "nostpp-relay");
    EXPECT_EQ(attribute(config.resource, "deployment.environment"), "prod eu");
    EXPECT_EQ(attribute(config.resource, "host.name"), "relay-1");
    EXPECT_EQ(attribute(config.resource, "service.version"), "9");
    EXPECT_EQ(attribute(config.resource, "telemetry.sdk.name"), "nostpp");

    env.values["OTEL_RESOURCE_ATTRIBUTES"] = "service.name=from-attributes";
    config = env.read();
    EXPECT_EQ(config.service_name(), "from-attributes");
    EXPECT_EQ(attribute(config.resource, "service.version"), "1.2.3");
    env.values["OTEL_SERVICE_NAME"] = "from-variable";
    EXPECT_EQ(env.read().service_name(), "from-variable");
}

TEST(OtelConfig, AMalformedResourceListIsDiscardedWhole) {
    for (const char* text : {"a=1,b", "a=1,=2", "a=%zz", "a=%4"}) {
        Env env;
        env.values["OTEL_RESOURCE_ATTRIBUTES"] = text;
        auto config = env.read();
        EXPECT_EQ(attribute(config.resource, "a"), "<absent>") << text;
        EXPECT_THAT(env.all_warnings(), HasSubstr("OTEL_RESOURCE_ATTRIBUTES")) << text;
    }
}

TEST(OtelConfig, SamplerAndRatio) {
    Env env;
    env.values["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
    env.values["OTEL_TRACES_SAMPLER_ARG"] = "0.25";
    auto config = env.read();
    EXPECT_EQ(config.sampler.type, telemetry::SamplerType::parent_based_trace_id_ratio);
    EXPECT_DOUBLE_EQ(config.sampler.ratio, 0.25);

    env.values["OTEL_TRACES_SAMPLER_ARG"] = "1.5";
    config = env.read();
    EXPECT_DOUBLE_EQ(config.sampler.ratio, 1.0);
    EXPECT_THAT(env.all_warnings(), HasSubstr("OTEL_TRACES_SAMPLER_ARG"));

    env.values["OTEL_TRACES_SAMPLER"] = "jaeger_remote";
    config = env.read();
    EXPECT_EQ(config.sampler.type, telemetry::SamplerType::parent_based_always_on);
    EXPECT_THAT(env.all_warnings(), HasSubstr("OTEL_TRACES_SAMPLER"));
}

TEST(OtelConfig, IntervalsTimeoutAndBatching) {
    Env env;
    env.values["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2500";
    env.values["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
    env.values["OTEL_BSP_SCHEDULE_DELAY"] = "200";
    env.values["OTEL_BSP_MAX_QUEUE_SIZE"] = "100";
    env.values["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = "1000";
    auto config = env.read();
    EXPECT_EQ(config.timeout.count(), 2500);
    EXPECT_EQ(config.metric_interval.count(), 500);
    EXPECT_EQ(config.schedule_delay.count(), 200);
    EXPECT_EQ(config.max_queue_size, 100u);
    EXPECT_EQ(config.max_export_batch_size, 100u);  // never above the queue
    EXPECT_THAT(env.all_warnings(), HasSubstr("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"));

    for (const char* bad : {"0", "-5", "10s", "abc"}) {
        env.values["OTEL_EXPORTER_OTLP_TIMEOUT"] = bad;
        EXPECT_EQ(env.read().timeout.count(), 10000) << bad;
        EXPECT_THAT(env.all_warnings(), HasSubstr("OTEL_EXPORTER_OTLP_TIMEOUT")) << bad;
    }
}

TEST(OtelConfig, ProtocolsOtherThanHttpJsonAreReported) {
    Env env;
    env.values["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json";
    env.read();
    EXPECT_TRUE(env.warnings.empty());
    env.values["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
    env.read();
    EXPECT_THAT(env.all_warnings(), HasSubstr("http/json"));
}

TEST(PercentDecode, Cases) {
    EXPECT_EQ(telemetry::percent_decode("a%2Cb%3d"), "a,b=");
    EXPECT_EQ(telemetry::percent_decode("plain"), "plain");
    EXPECT_FALSE(telemetry::percent_decode("bad%"));
    EXPECT_FALSE(telemetry::percent_decode("bad%2"));
    EXPECT_FALSE(telemetry::percent_decode("bad%g1"));
    EXPECT_FALSE(telemetry::percent_decode("nul%00"));
}

TEST(ParseHttpUrl, Cases) {
    std::string host, target;
    uint16_t port = 0;
    ASSERT_TRUE(telemetry::parse_http_url("http://h:1234/a/b?c=d", host, port, target));
    EXPECT_EQ(host, "h");
    EXPECT_EQ(port, 1234);
    EXPECT_EQ(target, "/a/b?c=d");
    ASSERT_TRUE(telemetry::parse_http_url("http://h", host, port, target));
    EXPECT_EQ(port, 80);
    EXPECT_EQ(target, "/");
    EXPECT_FALSE(telemetry::parse_http_url("http://h:", host, port, target));
    EXPECT_FALSE(telemetry::parse_http_url("http://h:0", host, port, target));
    EXPECT_FALSE(telemetry::parse_http_url("http://[::1", host, port, target));
    EXPECT_FALSE(telemetry::parse_http_url("ftp://h", host, port, target));
}

}  // namespace
