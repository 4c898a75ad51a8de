// The metrics registry: text format and collectors that refresh values counted elsewhere.
#include "telemetry/metrics.h"

#include <gtest/gtest.h>

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

}  // namespace
