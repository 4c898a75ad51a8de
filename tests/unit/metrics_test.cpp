// The metrics registry: text format and collectors that refresh values counted elsewhere.
#include "telemetry/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

TEST(Metrics, RendersCountersWithLabelsInPrometheusTextFormat) {
    telemetry::MetricsRegistry registry;
    registry.counter("nostpp_things_total", "Things", {{"kind", "a"}}).inc(3);
    std::string text = registry.prometheus_text();
    EXPECT_NE(text.find("# HELP nostpp_things_total Things\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE nostpp_things_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("nostpp_things_total{kind=\"a\"} 3\n"), std::string::npos) << text;
}

TEST(Metrics, CollectorsRefreshSeriesBeforeEachRendering) {
    telemetry::MetricsRegistry registry;
    uint64_t outside = 5;
    registry.add_collector([&outside](telemetry::MetricsRegistry& m) {
        telemetry::Counter& c = m.counter("nostpp_outside_total", "Counted elsewhere");
        c.inc(outside - c.value());
    });
    EXPECT_NE(registry.prometheus_text().find("nostpp_outside_total 5\n"), std::string::npos);
    outside = 9;
    EXPECT_NE(registry.prometheus_text().find("nostpp_outside_total 9\n"), std::string::npos);
}

TEST(Metrics, HistogramsRenderCumulativeBucketsSumAndCount) {
    telemetry::MetricsRegistry registry;
    auto& h = registry.histogram("nostpp_wait_seconds", "Wait", {0.1, 1}, {{"op", "x"}});
    h.observe(0.05);
    h.observe(0.1);  // a bound is inclusive (le)
    h.observe(0.5);
    h.observe(7);
    std::string text = registry.prometheus_text();
    EXPECT_NE(text.find("# TYPE nostpp_wait_seconds histogram\n"), std::string::npos) << text;
    EXPECT_NE(text.find("nostpp_wait_seconds_bucket{op=\"x\",le=\"0.1\"} 2\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("nostpp_wait_seconds_bucket{op=\"x\",le=\"1\"} 3\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("nostpp_wait_seconds_bucket{op=\"x\",le=\"+Inf\"} 4\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("nostpp_wait_seconds_sum{op=\"x\"} 7.65\n"), std::string::npos) << text;
    EXPECT_NE(text.find("nostpp_wait_seconds_count{op=\"x\"} 4\n"), std::string::npos) << text;
}

TEST(Metrics, FractionalValuesKeepEveryDigit) {
    telemetry::MetricsRegistry registry;
    registry.histogram("nostpp_t_seconds", "T", {1}).observe(1795501866.25);
    std::string text = registry.prometheus_text();
    EXPECT_NE(text.find("nostpp_t_seconds_sum 1795501866.25\n"), std::string::npos) << text;
}

TEST(Metrics, SnapshotCarriesTypesLabelsAndValues) {
    telemetry::MetricsRegistry registry;
    registry.counter("nostpp_a_total", "A", {{"k", "v"}}).inc(2);
    registry.gauge("nostpp_b", "B").set(-3);
    registry.histogram("nostpp_c_seconds", "C", {1}).observe(2);
    auto families = registry.snapshot();
    ASSERT_EQ(families.size(), 3u);
    EXPECT_EQ(families[0].name, "nostpp_a_total");
    EXPECT_EQ(families[0].type, telemetry::MetricType::counter);
    ASSERT_EQ(families[0].series.size(), 1u);
    EXPECT_EQ(families[0].series[0].labels, (telemetry::Labels{{"k", "v"}}));
    EXPECT_EQ(families[0].series[0].value, 2);
    EXPECT_EQ(families[1].type, telemetry::MetricType::gauge);
    EXPECT_EQ(families[1].series[0].value, -3);
    EXPECT_EQ(families[2].type, telemetry::MetricType::histogram);
    EXPECT_EQ(families[2].series[0].bucket_counts, (std::vector<uint64_t>{0, 1}));
    EXPECT_EQ(families[2].series[0].count, 1u);
    EXPECT_EQ(families[2].series[0].sum, 2);
}

TEST(Metrics, SampledSeriesAreReadAtEachRenderingAndSnapshot) {
    telemetry::MetricsRegistry registry;
    double seconds = 1.25;
    registry.sampled("nostpp_cpu_seconds_total", "CPU", telemetry::MetricType::counter,
                     [&seconds] { return seconds; });
    registry.sampled("nostpp_live", "Live", telemetry::MetricType::gauge, [] { return 7.0; },
                     {{"k", "v"}});
    std::string text = registry.prometheus_text();
    EXPECT_NE(text.find("# TYPE nostpp_cpu_seconds_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("nostpp_cpu_seconds_total 1.25\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE nostpp_live gauge\n"), std::string::npos) << text;
    EXPECT_NE(text.find("nostpp_live{k=\"v\"} 7\n"), std::string::npos) << text;
    seconds = 2.5;
    EXPECT_NE(registry.prometheus_text().find("nostpp_cpu_seconds_total 2.5\n"), std::string::npos);
    auto families = registry.snapshot();
    ASSERT_EQ(families.size(), 2u);
    EXPECT_EQ(families[0].type, telemetry::MetricType::counter);
    EXPECT_EQ(families[0].series[0].value, 2.5);
    EXPECT_EQ(families[1].series[0].labels, (telemetry::Labels{{"k", "v"}}));
    EXPECT_EQ(families[1].series[0].value, 7);
}

TEST(Metrics, SampledSeriesFollowTheTypeRules) {
    telemetry::MetricsRegistry registry;
    registry.counter("nostpp_x_total", "X");
    auto read = [] { return 1.0; };
    EXPECT_THROW(registry.sampled("nostpp_x_total", "X", telemetry::MetricType::gauge, read),
                 std::logic_error);
    EXPECT_THROW(registry.sampled("nostpp_h", "H", telemetry::MetricType::histogram, read),
                 std::logic_error);
    registry.sampled("nostpp_nan", "N", telemetry::MetricType::gauge, [] { return std::nan(""); });
    EXPECT_NE(registry.prometheus_text().find("nostpp_nan NaN\n"), std::string::npos);
}

TEST(Metrics, ExponentialBuckets) {
    EXPECT_EQ(telemetry::exponential_buckets(1, 2, 5), (std::vector<double>{1, 2, 4, 8, 16}));
    EXPECT_EQ(telemetry::exponential_buckets(0.5, 10, 2), (std::vector<double>{0.5, 5}));
}

TEST(Metrics, OneNameCannotHaveTwoTypes) {
    telemetry::MetricsRegistry registry;
    registry.counter("nostpp_x", "X");
    EXPECT_THROW(registry.gauge("nostpp_x", "X"), std::logic_error);
    EXPECT_THROW(registry.histogram("nostpp_x", "X", {1}), std::logic_error);
}

}  // namespace
