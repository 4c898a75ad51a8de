// The process series: /proc/<pid>/stat parsing, and live values read from this test process.
#include "telemetry/process_metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace {

// The value of an unlabelled series in a Prometheus text, or -1 when it is missing.
double value_of(const std::string& text, const std::string& name) {
    size_t at = text.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + name.size() + 2));
}

TEST(ProcessMetrics, ParsesProcStatWithAnAwkwardCommandName) {
    // Fields 14/15 (utime/stime) = 250/150 ticks, 22 (starttime) = 1000, 23 (vsize), 24 (rss).
    std::string stat =
        "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 9 0 1000 "
        "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n";
    telemetry::ProcessStat out;
    ASSERT_TRUE(telemetry::parse_proc_stat(stat, 100, 4096, out));
    EXPECT_DOUBLE_EQ(out.cpu_seconds, 4.0);
    EXPECT_DOUBLE_EQ(out.start_seconds, 10.0);
    EXPECT_EQ(out.virtual_bytes, 123456789u);
    EXPECT_EQ(out.resident_bytes, 2048u * 4096u);
}

TEST(ProcessMetrics, RejectsTruncatedStat) {
    telemetry::ProcessStat out;
    EXPECT_FALSE(telemetry::parse_proc_stat("4242 (x) S 1 2 3", 100, 4096, out));
    EXPECT_FALSE(telemetry::parse_proc_stat("no parenthesis", 100, 4096, out));
}

TEST(ProcessMetrics, ReportsThisProcess) {
    telemetry::MetricsRegistry registry;
    telemetry::add_process_metrics(registry);
    // Burn a little CPU so the counter has something to show.
    volatile double sink = 0;
    for (int i = 0; i < 20'000'000; ++i) sink = sink + i * 0.5;
    std::string text = registry.prometheus_text();
    EXPECT_GT(value_of(text, "process_resident_memory_bytes"), 1 << 20) << text;
    EXPECT_GT(value_of(text, "process_virtual_memory_bytes"), 1 << 20) << text;
    EXPECT_GT(value_of(text, "process_open_fds"), 2) << text;
    EXPECT_GT(value_of(text, "process_max_fds"), 2) << text;
    EXPECT_GT(value_of(text, "process_cpu_seconds_total"), 0) << text;
    EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
    // Started within the last hour (this test run), per the wall clock.
    double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    double start = value_of(text, "process_start_time_seconds");
    EXPECT_LE(start, now + 2) << text;
    EXPECT_GT(start, now - 3600) << text;
}

TEST(ProcessMetrics, BuildInfoNamesVersionAndRole) {
    telemetry::MetricsRegistry registry;
    telemetry::add_build_info(registry, "1.2.3", "relay");
    EXPECT_NE(
        registry.prometheus_text().find("nostpp_build_info{version=\"1.2.3\",role=\"relay\"} 1\n"),
        std::string::npos)
        << registry.prometheus_text();
}

}  // namespace
