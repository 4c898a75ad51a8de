// What one durable write costs on this machine's disk (docs/benchmarks.md): the floor under
// the relay's commit, and what a write-ahead log with one flush per group commit could save.
// Each round writes one 4 KiB page and makes it durable, then sleeps, as a relay committing
// 50 single-event transactions a second does; it prints the time each round took.
//   lmdb          as an LMDB commit: a data page and a branch page, fdatasync, then the meta
//                 page, fdatasync again (two flushes, MDB_NOMETASYNC off)
//   fdatasync     one page appended to a preallocated file, one fdatasync
//   dsync         the same page written through O_DSYNC (the flush is part of the write)
//   direct-dsync  the same through O_DIRECT | O_DSYNC (no page cache)
//   nostpp_flush_floor [--pattern lmdb|fdatasync|dsync|direct-dsync] [--writes N]
//                      [--interval-ms N] [--dir D]
// The file (nostpp-flush-floor.tmp in --dir, default the current directory) is removed at
// the end.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "exits.h"

namespace {

constexpr size_t kPage = 4096;
constexpr off_t kPreallocated = 16 << 20;

enum class Pattern { lmdb, fdatasync, dsync, direct_dsync };

struct Options {
    Pattern pattern = Pattern::lmdb;
    std::string pattern_name = "lmdb";
    int writes = 300, interval_ms = 20;
    std::string dir = ".";
};

Pattern parse_pattern(const std::string& name) {
    if (name == "lmdb") return Pattern::lmdb;
    if (name == "fdatasync") return Pattern::fdatasync;
    if (name == "dsync") return Pattern::dsync;
    if (name == "direct-dsync") return Pattern::direct_dsync;
    usage_error("--pattern takes lmdb, fdatasync, dsync or direct-dsync");
}

Options parse(int argc, char** argv) {
    Options o;
    if (argc % 2 == 0) usage_error("every option takes a value");
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--pattern") {
            o.pattern = parse_pattern(value);
            o.pattern_name = value;
        } else if (flag == "--dir") {
            o.dir = value;
        } else if (flag == "--writes" || flag == "--interval-ms") {
            int number = std::atoi(value.c_str());
            if (number <= 0) usage_error("--writes and --interval-ms take a positive number");
            (flag == "--writes" ? o.writes : o.interval_ms) = number;
        } else {
            usage_error("unknown option");
        }
    }
    return o;
}

void write_page(int fd, const char* page, off_t offset) {
    if (pwrite(fd, page, kPage, offset) != static_cast<ssize_t>(kPage)) die("pwrite");
}

void flush(int fd) {
    if (fdatasync(fd)) die("fdatasync");
}

// One durable write of round `i` in the given pattern.
void durable_write(Pattern pattern, int fd, const char* page, int i) {
    if (pattern == Pattern::lmdb) {
        // LMDB writes the transaction's dirty pages (a leaf here and a branch page further
        // on), syncs them, then writes and syncs the meta page at the file's start.
        write_page(fd, page, static_cast<off_t>(2 + i % 64) * kPage);
        write_page(fd, page, static_cast<off_t>(256 + i % 7) * kPage);
        flush(fd);
        write_page(fd, page, static_cast<off_t>(i % 2) * kPage);
        flush(fd);
        return;
    }
    // A log: each record goes to the next page of a preallocated file.
    write_page(fd, page, static_cast<off_t>(i) * kPage % kPreallocated);
    if (pattern == Pattern::fdatasync) flush(fd);
}

int open_file(const Options& o, const std::string& path) {
    // Written and flushed first, so no round pays for growing the file or for turning an
    // allocated-but-unwritten extent into a written one (as PostgreSQL zero-fills its WAL
    // segments, and as a settled LMDB file reuses pages it has written before).
    int fill = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fill < 0) die("open");
    std::vector<char> zeros(1 << 20, 0);
    for (off_t at = 0; at < kPreallocated; at += static_cast<off_t>(zeros.size()))
        if (write(fill, zeros.data(), zeros.size()) != static_cast<ssize_t>(zeros.size()))
            die("write");
    if (fsync(fill) || close(fill)) die("fsync");

    int flags = O_RDWR;
    if (o.pattern == Pattern::dsync || o.pattern == Pattern::direct_dsync) flags |= O_DSYNC;
    if (o.pattern == Pattern::direct_dsync) flags |= O_DIRECT;
    int fd = open(path.c_str(), flags);
    if (fd < 0) die("open");
    return fd;
}

double percentile(const std::vector<double>& sorted, double p) {
    size_t at = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[at];
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    std::string path = o.dir + "/nostpp-flush-floor.tmp";
    int fd = open_file(o, path);
    // O_DIRECT needs an aligned buffer.
    auto* page = static_cast<char*>(std::aligned_alloc(kPage, kPage));
    if (!page) die("aligned_alloc");
    std::memset(page, 'x', kPage);

    std::vector<double> took_us;
    for (int i = 0; i < o.writes; ++i) {
        auto start = std::chrono::steady_clock::now();
        durable_write(o.pattern, fd, page, i);
        took_us.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count());
        std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
    }
    close(fd);
    unlink(path.c_str());
    std::free(page);

    std::sort(took_us.begin(), took_us.end());
    std::printf(
        "flush floor: %s, %d writes %d ms apart in %s: p50 %.0f us, p90 %.0f us, "
        "p99 %.0f us, max %.0f us\n",
        o.pattern_name.c_str(), o.writes, o.interval_ms, o.dir.c_str(), percentile(took_us, 0.5),
        percentile(took_us, 0.9), percentile(took_us, 0.99), took_us.back());
    return 0;
}
