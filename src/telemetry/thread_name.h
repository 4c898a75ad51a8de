// Names the calling thread (15 characters at most, the kernel's limit), so `top -H`,
// `ps -L`, perf and /proc/<pid>/task/*/comm tell the relay's threads apart: the
// benchmarks split CPU time by thread with it (scripts/bench-budget.sh).
#pragma once
#include <pthread.h>

namespace telemetry {

inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace telemetry
