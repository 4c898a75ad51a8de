// The process series every Prometheus client library exports (resident memory, CPU time, file
// descriptors, start time), read from /proc/self when scraped, and nostpp_build_info, which
// says which version and role a target runs.
#pragma once
#include <cstdint>
#include <string_view>

#include "telemetry/metrics.h"

namespace telemetry {

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds.
void add_process_metrics(MetricsRegistry& registry);

// nostpp_build_info{version,role} 1.
void add_build_info(MetricsRegistry& registry, std::string_view version, std::string_view role);

// What /proc/<pid>/stat says about a process, in the units of the metrics.
struct ProcessStat {
    double cpu_seconds = 0;       // user + system
    uint64_t resident_bytes = 0;  // rss pages * page size
    uint64_t virtual_bytes = 0;
    double start_seconds = 0;  // seconds after boot
};

// Parses the text of /proc/<pid>/stat (the command name may hold spaces and parentheses).
bool parse_proc_stat(std::string_view text, long ticks_per_second, long page_size,
                     ProcessStat& out);

}  // namespace telemetry
