// The exporter thread against receivers on 127.0.0.1: spans and metrics arrive as OTLP/JSON
// with the configured headers; a refused or hanging endpoint only costs dropped telemetry,
// counted; pushing never waits for the exporter; shutdown flushes and is bounded.
#include "telemetry/otlp_exporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "telemetry/open_telemetry.h"
#include "telemetry/span_queue.h"
#include "telemetry/tracer.h"
#include "test_http_server.h"

namespace {

using test_support::closed_port;
using test_support::TestServer;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Received {
    std::mutex mutex;
    std::vector<net::HttpServerRequest> requests;
    std::vector<net::HttpRespond> unanswered;  // hanging mode keeps these

    size_t count(const std::string& target) {
        std::lock_guard lock(mutex);
        size_t n = 0;
        for (const auto& r : requests) n += r.target == target;
        return n;
    }
    std::string bodies(const std::string& target) {
        std::lock_guard lock(mutex);
        std::string out;
        for (const auto& r : requests)
            if (r.target == target) out += r.body + "\n";
        return out;
    }
};

net::HttpHandler receiver(Received& received, bool answer) {
    return [&received, answer](net::HttpServerRequest request, net::HttpRespond respond) {
        std::lock_guard lock(received.mutex);
        received.requests.push_back(std::move(request));
        if (answer)
            respond({200, "application/json", "{}"});
        else
            received.unanswered.push_back(std::move(respond));
    };
}

telemetry::OtelConfig config_for(const std::string& base) {
    std::vector<std::string> warnings;
    std::map<std::string, std::string> env{
        {"OTEL_EXPORTER_OTLP_ENDPOINT", base},
        {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20t0ken"},
        {"OTEL_BSP_SCHEDULE_DELAY", "50"},
        {"OTEL_METRIC_EXPORT_INTERVAL", "100"},
        {"OTEL_EXPORTER_OTLP_TIMEOUT", "300"},
    };
    auto config = telemetry::read_otel_config(
        [&](const char* name) -> std::optional<std::string> {
            auto it = env.find(name);
            if (it == env.end()) return std::nullopt;
            return it->second;
        },
        "nostpp-test", "0.0.1", warnings);
    EXPECT_TRUE(warnings.empty());
    return config;
}

telemetry::SpanData span_named(const std::string& name) {
    telemetry::SpanData span;
    span.name = name;
    span.context.trace_id = telemetry::random_trace_id();
    span.context.span_id = telemetry::random_span_id();
    span.context.flags = 1;
    return span;
}

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 10s) {
    auto deadline = Clock::now() + limit;
    while (!predicate()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

uint64_t counter(telemetry::MetricsRegistry& registry, const std::string& name,
                 const telemetry::Labels& labels = {}) {
    registry.snapshot();  // runs the collectors
    return registry.counter(name, "", labels).value();
}

TEST(OtlpExporter, ExportsSpansAndMetricsWithTheConfiguredHeaders) {
    Received received;
    TestServer server(receiver(received, true), 0, 1 << 20);
    telemetry::MetricsRegistry registry;
    registry.counter("nostpp_test_total", "A test counter").inc(41);
    auto queue = std::make_shared<telemetry::SpanQueue>(100, 10);
    telemetry::OtlpExporter exporter(config_for(server.url()), queue, registry, "0.0.1");
    for (const char* name : {"a.span", "b.span", "c.span"}) queue->try_push(span_named(name));

    ASSERT_TRUE(
        eventually([&] { return counter(registry, "nostpp_otel_spans_exported_total") == 3; }));
    std::string traces = received.bodies("/v1/traces");
    EXPECT_THAT(traces, HasSubstr("\"name\":\"a.span\""));
    EXPECT_THAT(traces, HasSubstr("\"name\":\"c.span\""));
    EXPECT_THAT(traces, HasSubstr("\"stringValue\":\"nostpp-test\""));
    ASSERT_TRUE(eventually([&] { return received.count("/v1/metrics") > 0; }));
    EXPECT_THAT(received.bodies("/v1/metrics"), HasSubstr("\"name\":\"nostpp_test_total\""));
    std::lock_guard lock(received.mutex);
    for (const auto& request : received.requests) EXPECT_EQ(request.method, "POST");
}

TEST(OtlpExporter, ARefusedEndpointCountsErrorsAndLostSpans) {
    telemetry::MetricsRegistry registry;
    auto queue = std::make_shared<telemetry::SpanQueue>(100, 10);
    telemetry::OtlpExporter exporter(
        config_for("http://127.0.0.1:" + std::to_string(closed_port())), queue, registry, "1");
    for (int i = 0; i < 5; ++i) queue->try_push(span_named("lost"));
    EXPECT_TRUE(eventually([&] {
        return counter(registry, "nostpp_otel_spans_dropped_total",
                       {{"reason", "export_failed"}}) == 5 &&
               counter(registry, "nostpp_otel_export_errors_total", {{"signal", "metrics"}}) > 0;
    }));
    EXPECT_GE(counter(registry, "nostpp_otel_export_errors_total", {{"signal", "traces"}}), 1u);
    EXPECT_EQ(counter(registry, "nostpp_otel_spans_exported_total"), 0u);
}

TEST(OtlpExporter, AHangingEndpointOnlyFillsTheQueueAndShutdownStaysBounded) {
    Received received;
    TestServer server(receiver(received, false), 0, 1 << 20);
    telemetry::MetricsRegistry registry;
    auto queue = std::make_shared<telemetry::SpanQueue>(16, 4);
    auto exporter =
        std::make_unique<telemetry::OtlpExporter>(config_for(server.url()), queue, registry, "1");
    // The exporter is stuck in a POST that is never answered: pushes fail at once when full.
    ASSERT_TRUE(eventually([&] {
        queue->try_push(span_named("x"));
        return received.count("/v1/traces") > 0;
    }));
    size_t refused = 0;
    for (int i = 0; i < 1000; ++i) refused += !queue->try_push(span_named("x"));
    EXPECT_GE(refused, 1000u - 16u);
    EXPECT_GE(counter(registry, "nostpp_otel_spans_dropped_total", {{"reason", "queue_full"}}),
              refused);
    EXPECT_TRUE(eventually([&] {
        return counter(registry, "nostpp_otel_export_errors_total", {{"signal", "traces"}}) > 0;
    }));
    auto start = Clock::now();
    exporter.reset();
    // kShutdownTimeout (2 s) plus slack for a busy machine.
    EXPECT_LT(Clock::now() - start, 8s);
    std::lock_guard lock(received.mutex);
    for (auto& respond : received.unanswered) respond({503, "application/json", "{}"});
}

TEST(OtlpExporter, ShutdownFlushesWhatIsQueued) {
    Received received;
    TestServer server(receiver(received, true), 0, 1 << 20);
    telemetry::MetricsRegistry registry;
    auto config = config_for(server.url());
    config.schedule_delay = std::chrono::hours(1);
    config.metric_interval = std::chrono::hours(1);
    auto queue = std::make_shared<telemetry::SpanQueue>(100, 100);
    {
        telemetry::OtlpExporter exporter(config, queue, registry, "1");
        queue->try_push(span_named("flushed.span"));
    }
    EXPECT_THAT(received.bodies("/v1/traces"), HasSubstr("flushed.span"));
    EXPECT_EQ(received.count("/v1/metrics"), 1u) << "a last metrics snapshot";
}

TEST(OpenTelemetry, WithoutAnEndpointNothingRuns) {
    telemetry::MetricsRegistry registry;
    telemetry::OtelConfig config;  // no endpoint
    telemetry::OpenTelemetry otel(config, registry, "1");
    EXPECT_FALSE(otel.active());
    EXPECT_FALSE(telemetry::tracing_enabled());
    EXPECT_TRUE(registry.snapshot().empty()) << "not even the exporter's counters";
}

TEST(OpenTelemetry, InstallsTheTracerWhileItLives) {
    Received received;
    TestServer server(receiver(received, true), 0, 1 << 20);
    telemetry::MetricsRegistry registry;
    {
        telemetry::OpenTelemetry otel(config_for(server.url()), registry, "1");
        EXPECT_TRUE(otel.active());
        EXPECT_TRUE(telemetry::tracing_enabled());
        telemetry::Span span =
            telemetry::start_span("through.the.tracer", telemetry::SpanKind::internal, {});
        span.end();
    }
    EXPECT_FALSE(telemetry::tracing_enabled());
    EXPECT_THAT(received.bodies("/v1/traces"), HasSubstr("through.the.tracer"));
}

}  // namespace
