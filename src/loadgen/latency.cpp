#include "loadgen/latency.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace loadgen {
namespace {

// Nearest-rank percentile of sorted samples.
int64_t percentile(const std::vector<int64_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
    rank = std::clamp<size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

}  // namespace

LatencySummary summarize(std::vector<int64_t>& samples) {
    LatencySummary s;
    if (samples.empty()) return s;
    std::sort(samples.begin(), samples.end());
    s.count = samples.size();
    s.mean_us = static_cast<double>(std::accumulate(samples.begin(), samples.end(), int64_t{0})) /
                static_cast<double>(samples.size());
    s.p50_us = percentile(samples, 50);
    s.p90_us = percentile(samples, 90);
    s.p99_us = percentile(samples, 99);
    s.p999_us = percentile(samples, 99.9);
    s.max_us = samples.back();
    return s;
}

void append_samples(std::vector<int64_t>& to, const std::vector<int64_t>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

std::string format_us(double us) {
    char buf[32];
    if (us < 1000)
        std::snprintf(buf, sizeof buf, "%.0fus", us);
    else if (us < 1e6)
        std::snprintf(buf, sizeof buf, "%.2fms", us / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.2fs", us / 1e6);
    return buf;
}

std::string LatencySummary::brief() const {
    if (count == 0) return "no samples";
    return "p50 " + format_us(static_cast<double>(p50_us)) + " p99 " +
           format_us(static_cast<double>(p99_us)) + " max " +
           format_us(static_cast<double>(max_us));
}

JsonObject LatencySummary::json() const {
    JsonObject o;
    o.add("count", count);
    o.add("mean_us", mean_us);
    o.add("p50_us", p50_us);
    o.add("p90_us", p90_us);
    o.add("p99_us", p99_us);
    o.add("p999_us", p999_us);
    o.add("max_us", max_us);
    return o;
}

}  // namespace loadgen
