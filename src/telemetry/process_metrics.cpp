#include "telemetry/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace telemetry {
namespace {

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ProcessStat read_self_stat() {
    ProcessStat stat;
    parse_proc_stat(read_file("/proc/self/stat"), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE),
                    stat);
    return stat;
}

// Seconds since the epoch at which the machine booted (/proc/stat "btime").
double boot_time_seconds() {
    std::istringstream in(read_file("/proc/stat"));
    std::string key;
    double value = 0;
    while (in >> key) {
        if (key == "btime" && in >> value) return value;
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return 0;
}

double open_fds() {
    std::error_code ec;
    double count = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++count;
    return count;
}

double max_fds() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return -1;
    return double(limit.rlim_cur);
}

}  // namespace

bool parse_proc_stat(std::string_view text, long ticks_per_second, long page_size,
                     ProcessStat& out) {
    // "pid (comm) state ppid ...": the fields after the last ')' start with field 3 (state).
    size_t close = text.rfind(')');
    if (close == std::string_view::npos || ticks_per_second <= 0 || page_size <= 0) return false;
    std::vector<std::string_view> fields;
    for (size_t i = close + 1; i < text.size();) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
        size_t end = text.find_first_of(" \n", i);
        if (end == std::string_view::npos) end = text.size();
        if (end > i) fields.push_back(text.substr(i, end - i));
        i = end;
    }
    // proc(5) numbers fields from 1: utime 14, stime 15, starttime 22, vsize 23, rss 24.
    auto field = [&](size_t number, uint64_t& value) {
        size_t index = number - 3;
        if (index >= fields.size()) return false;
        std::string_view f = fields[index];
        return std::from_chars(f.data(), f.data() + f.size(), value).ec == std::errc();
    };
    uint64_t utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
    if (!field(14, utime) || !field(15, stime) || !field(22, start) || !field(23, vsize) ||
        !field(24, rss))
        return false;
    out.cpu_seconds = double(utime + stime) / double(ticks_per_second);
    out.start_seconds = double(start) / double(ticks_per_second);
    out.virtual_bytes = vsize;
    out.resident_bytes = rss * uint64_t(page_size);
    return true;
}

void add_process_metrics(MetricsRegistry& registry) {
    constexpr MetricType counter = MetricType::counter, gauge = MetricType::gauge;
    registry.sampled("process_cpu_seconds_total", "Total user and system CPU time spent in seconds",
                     counter, [] { return read_self_stat().cpu_seconds; });
    registry.sampled("process_resident_memory_bytes", "Resident memory size in bytes", gauge,
                     [] { return double(read_self_stat().resident_bytes); });
    registry.sampled("process_virtual_memory_bytes", "Virtual memory size in bytes", gauge,
                     [] { return double(read_self_stat().virtual_bytes); });
    registry.sampled("process_open_fds", "Number of open file descriptors", gauge, open_fds);
    registry.sampled("process_max_fds", "Maximum number of open file descriptors", gauge, max_fds);
    // Fixed for the life of the process: computed once.
    const double start = boot_time_seconds() + read_self_stat().start_seconds;
    registry.sampled("process_start_time_seconds",
                     "Start time of the process since unix epoch in seconds", gauge,
                     [start] { return start; });
}

void add_build_info(MetricsRegistry& registry, std::string_view version, std::string_view role) {
    registry
        .gauge("nostpp_build_info", "Always 1: the version and role this process runs",
               {{"version", std::string(version)}, {"role", std::string(role)}})
        .set(1);
}

}  // namespace telemetry
