// Latency samples (microseconds) and their summary. Samples are kept whole and sorted once
// at the end: exact percentiles, and a few million int64s cost nothing next to the run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/json_writer.h"

namespace loadgen {

struct LatencySummary {
    uint64_t count = 0;
    double mean_us = 0;
    int64_t p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;

    // "p50 1.23ms p99 4.56ms max 7.89ms"
    std::string brief() const;
    JsonObject json() const;
};

// Sorts `samples` in place.
LatencySummary summarize(std::vector<int64_t>& samples);

// Appends `from` to `to` (merging per-connection sample vectors after a phase).
void append_samples(std::vector<int64_t>& to, const std::vector<int64_t>& from);

// "1.23ms", "456us", "2.10s": human-scale rendering for summary lines.
std::string format_us(double us);

}  // namespace loadgen
