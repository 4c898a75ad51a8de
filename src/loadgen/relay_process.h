// Looks at the relay process from outside, through /proc, for the idle-connection memory
// measurement.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace loadgen {

// VmRSS of `pid` in KiB, from /proc/<pid>/status.
std::optional<uint64_t> read_rss_kib(int pid);

// The pid of the process with a listening TCP socket on `port` (IPv4 or IPv6), found by
// matching the socket inode from /proc/net/tcp{,6} against /proc/*/fd. Only processes this
// user may inspect are seen; `error` says why nothing was found.
std::optional<int> find_listening_pid(uint16_t port, std::string& error);

}  // namespace loadgen
