#include "telemetry/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace telemetry {
namespace {

bool is_name_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

void check_name(std::string_view name) {
    bool ok = !name.empty();
    for (size_t i = 0; ok && i < name.size(); ++i) ok = is_name_char(name[i], i == 0);
    if (!ok) throw std::logic_error("invalid metric name '" + std::string(name) + "'");
}

// Label values escape backslash, double quote and newline; help text backslash and newline.
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out.push_back(c);
    }
}

std::string render_labels(const Labels& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (size_t i = 0; i < labels.size(); ++i) {
        check_name(labels[i].first);
        if (i) out.push_back(',');
        out += labels[i].first;
        out += "=\"";
        append_escaped(out, labels[i].second, true);
        out.push_back('"');
    }
    out.push_back('}');
    return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
    for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
    size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    if (value > 0) sum_micros_.fetch_add(uint64_t(value * 1e6 + 0.5), std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::bucket_counts() const {
    std::vector<uint64_t> out(bounds_.size() + 1);
    for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
    return out;
}

double Histogram::sum() const {
    return double(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

const std::vector<double>& latency_buckets_seconds() {
    static const std::vector<double> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10};
    return bounds;
}

std::vector<double> exponential_buckets(double start, double factor, size_t count) {
    std::vector<double> bounds;
    bounds.reserve(count);
    for (double bound = start; bounds.size() < count; bound *= factor) bounds.push_back(bound);
    return bounds;
}

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help,
                                                 MetricType type) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        check_name(name);
        it = families_.emplace(std::string(name), Family{}).first;
        it->second.help = std::string(help);
        it->second.type = type;
    } else if (it->second.type != type) {
        throw std::logic_error("metric '" + std::string(name) + "' registered with two types");
    }
    return it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
    std::string key = render_labels(labels);
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, MetricType::counter).counters[key];
    if (!slot.metric) slot = {labels, std::make_unique<Counter>()};
    return *slot.metric;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    std::string key = render_labels(labels);
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, MetricType::gauge).gauges[key];
    if (!slot.metric) slot = {labels, std::make_unique<Gauge>()};
    return *slot.metric;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const std::vector<double>& upper_bounds,
                                      const Labels& labels) {
    std::string key = render_labels(labels);
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, MetricType::histogram);
    if (f.bounds.empty()) f.bounds = upper_bounds;
    auto& slot = f.histograms[key];
    if (!slot.metric) slot = {labels, std::make_unique<Histogram>(f.bounds)};
    return *slot.metric;
}

void MetricsRegistry::sampled(std::string_view name, std::string_view help, MetricType type,
                              std::function<double()> read, const Labels& labels) {
    if (type == MetricType::histogram)
        throw std::logic_error("metric '" + std::string(name) + "': a histogram cannot be sampled");
    std::string key = render_labels(labels);
    std::lock_guard lock(mutex_);
    family(name, help, type).sampled[key] = {labels, std::move(read)};
}

void MetricsRegistry::add_collector(std::function<void(MetricsRegistry&)> refresh) {
    std::lock_guard lock(collectors_mutex_);
    collectors_.push_back(std::move(refresh));
}

void MetricsRegistry::run_collectors() const {
    // Collectors update series of this registry: logically a refresh before reading.
    std::lock_guard lock(collectors_mutex_);
    for (const auto& refresh : collectors_) refresh(const_cast<MetricsRegistry&>(*this));
}

namespace {

std::string format_number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(int64_t(v));
    // The shortest text that reads back as exactly `v`: a Unix time with a fraction keeps
    // every digit (a fixed precision such as %.9g rounded it by seconds).
    char buf[64];
    auto [end, error] = std::to_chars(buf, buf + sizeof buf, v);
    return error == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// `{a="b",le="0.5"}`: the series' labels plus the bucket bound.
std::string with_le(const std::string& labels, const std::string& le) {
    std::string bound = "le=\"" + le + "\"";
    if (labels.empty()) return "{" + bound + "}";
    return labels.substr(0, labels.size() - 1) + "," + bound + "}";
}

}  // namespace

std::string MetricsRegistry::prometheus_text() const {
    run_collectors();
    static constexpr const char* kTypeNames[] = {" counter\n", " gauge\n", " histogram\n"};
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + ' ';
        append_escaped(out, family.help, false);
        out += "\n# TYPE " + name + kTypeNames[int(family.type)];
        for (const auto& [labels, series] : family.counters)
            out += name + labels + ' ' + std::to_string(series.metric->value()) + '\n';
        for (const auto& [labels, series] : family.gauges)
            out += name + labels + ' ' + std::to_string(series.metric->value()) + '\n';
        for (const auto& [labels, series] : family.sampled)
            out += name + labels + ' ' + format_number(series.second()) + '\n';
        for (const auto& [labels, series] : family.histograms) {
            const Histogram& h = *series.metric;
            std::vector<uint64_t> counts = h.bucket_counts();
            uint64_t cumulative = 0;
            for (size_t i = 0; i < counts.size(); ++i) {
                cumulative += counts[i];
                std::string le =
                    i < family.bounds.size() ? format_number(family.bounds[i]) : "+Inf";
                out += name + "_bucket" + with_le(labels, le) + ' ' + std::to_string(cumulative) +
                       '\n';
            }
            out += name + "_sum" + labels + ' ' + format_number(h.sum()) + '\n';
            out += name + "_count" + labels + ' ' + std::to_string(h.count()) + '\n';
        }
    }
    return out;
}

std::vector<FamilySnapshot> MetricsRegistry::snapshot() const {
    run_collectors();
    std::vector<FamilySnapshot> out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
        FamilySnapshot& f = out.emplace_back();
        f.name = name;
        f.help = family.help;
        f.type = family.type;
        f.bounds = family.bounds;
        for (const auto& [key, series] : family.counters)
            f.series.push_back({series.labels, double(series.metric->value()), {}, 0, 0});
        for (const auto& [key, series] : family.gauges)
            f.series.push_back({series.labels, double(series.metric->value()), {}, 0, 0});
        for (const auto& [key, series] : family.sampled)
            f.series.push_back({series.first, series.second(), {}, 0, 0});
        for (const auto& [key, series] : family.histograms) {
            const Histogram& h = *series.metric;
            f.series.push_back({series.labels, 0, h.bucket_counts(), h.count(), h.sum()});
        }
    }
    return out;
}

}  // namespace telemetry
