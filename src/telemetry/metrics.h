// A small metrics registry: named counters and gauges with labels, rendered in the Prometheus
// text exposition format for GET /metrics. Updating a metric is one atomic operation; looking
// one up takes a mutex, so hot paths keep the returned reference (it stays valid for the
// registry's lifetime).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telemetry {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
  public:
    void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> value_{0};
};

class Gauge {
  public:
    void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
    void set(int64_t n) { value_.store(n, std::memory_order_relaxed); }
    int64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<int64_t> value_{0};
};

class MetricsRegistry {
  public:
    // The series `name{labels}`, created at zero on first use. `help` is kept from the first
    // call. Throws std::logic_error when `name` is already registered as the other type or
    // is not a valid Prometheus metric name.
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});

    // Runs `refresh` before every rendering: for values counted elsewhere (the query cache,
    // the Redis bus), copied into gauges/counters of this registry when scraped.
    void add_collector(std::function<void(MetricsRegistry&)> refresh);

    // Every series, families sorted by name, in the text format (version 0.0.4).
    std::string prometheus_text() const;

  private:
    struct Family {
        std::string help;
        bool is_counter = true;
        // Rendered label set ("" or `{a="b"}`) -> series.
        std::map<std::string, std::unique_ptr<Counter>> counters;
        std::map<std::string, std::unique_ptr<Gauge>> gauges;
    };
    Family& family(std::string_view name, std::string_view help, bool is_counter);

    mutable std::mutex mutex_;
    mutable std::mutex collectors_mutex_;  // held while collectors run (they take mutex_)
    std::vector<std::function<void(MetricsRegistry&)>> collectors_;
    std::map<std::string, Family, std::less<>> families_;
};

// The content type of prometheus_text().
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace telemetry
