// A small metrics registry: named counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format for GET /metrics and read as a snapshot by other exporters
// (OTLP). Updating a metric is one atomic operation; looking
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

// Fixed upper bounds chosen at registration; observe() is a bucket search plus three relaxed
// atomic adds, so it is cheap enough for per-event paths.
class Histogram {
  public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);
    const std::vector<double>& upper_bounds() const { return bounds_; }
    // Non-cumulative count per bucket; the last entry counts values above every bound.
    std::vector<uint64_t> bucket_counts() const;
    uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    double sum() const;

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_micros_{0};  // sum in millionths: atomic without a CAS loop
};

// Latency buckets in seconds, 100 µs to 10 s.
const std::vector<double>& latency_buckets_seconds();

// `count` bounds: start, start * factor, start * factor^2, ... (e.g. batch sizes 1, 2, 4...).
std::vector<double> exponential_buckets(double start, double factor, size_t count);

enum class MetricType { counter, gauge, histogram };

// One series at the moment of a snapshot.
struct SeriesSnapshot {
    Labels labels;
    double value = 0;                     // counter or gauge
    std::vector<uint64_t> bucket_counts;  // histogram: non-cumulative, bounds.size() + 1
    uint64_t count = 0;                   // histogram
    double sum = 0;                       // histogram
};

struct FamilySnapshot {
    std::string name;
    std::string help;
    MetricType type = MetricType::counter;
    std::vector<double> bounds;  // histogram upper bounds
    std::vector<SeriesSnapshot> series;
};

class MetricsRegistry {
  public:
    // The series `name{labels}`, created at zero on first use. `help` is kept from the first
    // call. Throws std::logic_error when `name` is already registered as the other type or
    // is not a valid Prometheus metric name.
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    // `upper_bounds` is kept from the first call for the family.
    Histogram& histogram(std::string_view name, std::string_view help,
                         const std::vector<double>& upper_bounds, const Labels& labels = {});

    // A counter or gauge whose value `read` returns when the registry is rendered or
    // snapshotted: for values kept elsewhere that are not whole numbers (CPU seconds) or that
    // cost nothing until asked for (live subscriptions). `read` runs under the registry's
    // lock, so it must not call the registry; it must stay callable for the registry's
    // lifetime. Throws std::logic_error for a histogram type or a type clash, like counter().
    void sampled(std::string_view name, std::string_view help, MetricType type,
                 std::function<double()> read, const Labels& labels = {});

    // Runs `refresh` before every rendering: for values counted elsewhere (the query cache,
    // the Redis bus), copied into gauges/counters of this registry when scraped.
    void add_collector(std::function<void(MetricsRegistry&)> refresh);

    // Every series, families sorted by name, in the text format (version 0.0.4).
    std::string prometheus_text() const;

    // Every family with its series' current values, after running the collectors.
    std::vector<FamilySnapshot> snapshot() const;

  private:
    template <typename T>
    struct Series {
        Labels labels;
        std::unique_ptr<T> metric;
    };
    struct Family {
        std::string help;
        MetricType type = MetricType::counter;
        std::vector<double> bounds;
        // Rendered label set ("" or `{a="b"}`) -> series.
        std::map<std::string, Series<Counter>> counters;
        std::map<std::string, Series<Gauge>> gauges;
        std::map<std::string, Series<Histogram>> histograms;
        std::map<std::string, std::pair<Labels, std::function<double()>>> sampled;
    };
    Family& family(std::string_view name, std::string_view help, MetricType type);
    void run_collectors() const;

    mutable std::mutex mutex_;
    mutable std::mutex collectors_mutex_;  // held while collectors run (they take mutex_)
    std::vector<std::function<void(MetricsRegistry&)>> collectors_;
    std::map<std::string, Family, std::less<>> families_;
};

// The content type of prometheus_text().
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace telemetry
