#include "loadgen/relay_process.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace loadgen {
namespace {

constexpr const char* kListenState = "0A";  // TCP_LISTEN in /proc/net/tcp's `st` column

// Inodes of sockets listening on `port` listed in one /proc/net/tcp-format file.
void listening_inodes(const char* path, uint16_t port, std::set<std::string>& out) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
        if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
              timeout >> inode))
            continue;
        size_t colon = local.rfind(':');
        if (colon == std::string::npos || state != kListenState) continue;
        if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) == port) out.insert(inode);
    }
}

std::optional<int> pid_owning(const std::set<std::string>& inodes) {
    DIR* proc = opendir("/proc");
    if (!proc) return std::nullopt;
    std::optional<int> found;
    while (dirent* entry = readdir(proc)) {
        char* end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        std::string fd_dir = std::string("/proc/") + entry->d_name + "/fd";
        DIR* fds = opendir(fd_dir.c_str());
        if (!fds) continue;  // another user's process
        while (dirent* fd = readdir(fds)) {
            char target[128];
            std::string link = fd_dir + "/" + fd->d_name;
            ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
            if (n <= 0) continue;
            std::string_view t(target, static_cast<size_t>(n));
            // "socket:[12345]"
            if (t.size() > 9 && t.substr(0, 8) == "socket:[" &&
                inodes.count(std::string(t.substr(8, t.size() - 9)))) {
                found = static_cast<int>(pid);
                break;
            }
        }
        closedir(fds);
        if (found) break;
    }
    closedir(proc);
    return found;
}

}  // namespace

std::optional<uint64_t> read_rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
    }
    return std::nullopt;
}

std::optional<int> find_listening_pid(uint16_t port, std::string& error) {
    std::set<std::string> inodes;
    listening_inodes("/proc/net/tcp", port, inodes);
    listening_inodes("/proc/net/tcp6", port, inodes);
    if (inodes.empty()) {
        error = "no socket is listening on port " + std::to_string(port);
        return std::nullopt;
    }
    auto pid = pid_owning(inodes);
    if (!pid)
        error = "the process listening on port " + std::to_string(port) +
                " is not visible to this user; pass --relay-pid";
    return pid;
}

}  // namespace loadgen
