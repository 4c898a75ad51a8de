// What one durable write costs on this machine's disk (docs/benchmarks.md): the floor under
// the relay's commit, and what a write-ahead log with one flush per group commit could save.
// Each round makes a small write durable, one round every --interval-ms (a relay committing
// 50 single-event transactions a second), and the time each round took is reported.
//   lmdb          a minimal LMDB commit as the relay's store makes it (no MDB_WRITEMAP):
//                 a leaf and a branch page written, fdatasync, then the meta page's changed
//                 part written through a second descriptor opened O_DSYNC (LMDB's me_mfd)
//   fdatasync     one 4 KiB page written at the end of a log, one fdatasync
//   dsync         the same page written through O_DSYNC (the flush is part of the write)
//   direct-dsync  the same through O_DIRECT | O_DSYNC (no page cache)
//   nostpp_flush_floor [--pattern lmdb|fdatasync|dsync|direct-dsync] [--writes N]
//                      [--interval-ms N] [--dir D]
// The file is a fresh temporary one in --dir (default: the current directory), zero-filled,
// and unlinked as soon as it is open, so nothing is left behind.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "exits.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kPage = 4096;
constexpr off_t kFileBytes = 16 << 20;
constexpr size_t kMetaBytes = 128;  // sizeof(MDB_meta) from mm_mapsize on, rounded up
constexpr off_t kMetaOffset = 32;   // past the page header, as LMDB writes it

enum class Pattern { lmdb, fdatasync, dsync, direct_dsync };
const char* const kPatternNames[] = {"lmdb", "fdatasync", "dsync", "direct-dsync"};

struct Options {
    Pattern pattern = Pattern::lmdb;
    int writes = 300, interval_ms = 20;
    std::string dir = ".";
};

Pattern parse_pattern(const std::string& name) {
    for (int p = 0; p < 4; ++p)
        if (name == kPatternNames[p]) return static_cast<Pattern>(p);
    usage_error("--pattern takes lmdb, fdatasync, dsync or direct-dsync");
}

int parse_count(const std::string& text, int minimum) {
    char* end = nullptr;
    errno = 0;
    long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno || value < minimum || value > INT_MAX)
        usage_error("--writes takes a number from 1, --interval-ms a number from 0");
    return static_cast<int>(value);
}

Options parse(int argc, char** argv) {
    Options o;
    if (argc % 2 == 0) usage_error("every option takes a value");
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--pattern")
            o.pattern = parse_pattern(value);
        else if (flag == "--dir")
            o.dir = value;
        else if (flag == "--writes")
            o.writes = parse_count(value, 1);
        else if (flag == "--interval-ms")
            o.interval_ms = parse_count(value, 0);
        else
            usage_error("unknown option");
    }
    return o;
}

void write_at(int fd, const char* data, size_t bytes, off_t offset) {
    if (pwrite(fd, data, bytes, offset) != static_cast<ssize_t>(bytes)) die("pwrite");
}

void flush(int fd) {
    if (fdatasync(fd)) die("fdatasync");
}

// The descriptors a pattern writes through: `data`, and for lmdb the O_DSYNC `meta` one.
struct Files {
    int data = -1, meta = -1;
};

// Round `i`, made durable. The offsets stay inside the zero-filled file for any round.
void durable_write(Pattern pattern, const Files& files, const char* page, int i) {
    if (pattern == Pattern::lmdb) {
        write_at(files.data, page, kPage, static_cast<off_t>(2 + i % 64) * kPage);
        write_at(files.data, page, kPage, static_cast<off_t>(256 + i % 7) * kPage);
        flush(files.data);
        write_at(files.meta, page, kMetaBytes, static_cast<off_t>(i % 2) * kPage + kMetaOffset);
        return;
    }
    write_at(files.data, page, kPage, static_cast<off_t>(i) * kPage % kFileBytes);
    if (pattern == Pattern::fdatasync) flush(files.data);
}

// A temporary file, written through and flushed first, so no round pays for growing it or
// for turning an allocated-but-unwritten extent into a written one (as PostgreSQL
// zero-fills its WAL segments, and as a settled LMDB file reuses pages it has written).
std::string make_filled_file(const std::string& dir) {
    std::string path = dir + "/nostpp-flush-floor.XXXXXX";
    int fd = mkstemp(path.data());
    if (fd < 0) die(("mkstemp in " + dir).c_str());
    auto fail = [&path](const char* what) {
        int error = errno;
        unlink(path.c_str());
        errno = error;
        die(what);
    };
    std::vector<char> zeros(1 << 20, 0);
    for (off_t at = 0; at < kFileBytes; at += static_cast<off_t>(zeros.size()))
        if (write(fd, zeros.data(), zeros.size()) != static_cast<ssize_t>(zeros.size()))
            fail("write");
    if (fsync(fd)) fail("fsync");
    // Out of the page cache, so the O_DIRECT writes meet no cached copy to invalidate.
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (close(fd)) fail("close");
    return path;
}

Files open_files(const Options& o, const std::string& path) {
    int flags = O_RDWR;
    if (o.pattern == Pattern::dsync || o.pattern == Pattern::direct_dsync) flags |= O_DSYNC;
    if (o.pattern == Pattern::direct_dsync) flags |= O_DIRECT;
    Files files;
    files.data = open(path.c_str(), flags);
    int data_errno = errno;
    if (files.data >= 0 && o.pattern == Pattern::lmdb)
        files.meta = open(path.c_str(), O_WRONLY | O_DSYNC);
    int meta_errno = errno;
    unlink(path.c_str());  // the descriptors keep the file until they close
    if (files.data < 0 && data_errno == EINVAL && o.pattern == Pattern::direct_dsync) {
        std::fprintf(stderr, "nostpp_flush_floor: %s does not support O_DIRECT (tmpfs?)\n",
                     o.dir.c_str());
        std::exit(1);
    }
    errno = files.data < 0 ? data_errno : meta_errno;
    if (files.data < 0 || (o.pattern == Pattern::lmdb && files.meta < 0)) die("open");
    return files;
}

// The same rank as nostpp_fanout_floor's percentiles.
double percentile(const std::vector<double>& sorted, double p) {
    return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    Files files = open_files(o, make_filled_file(o.dir));
    // O_DIRECT needs an aligned buffer.
    auto* page = static_cast<char*>(std::aligned_alloc(kPage, kPage));
    if (!page) die("aligned_alloc");
    std::memset(page, 'x', kPage);

    std::vector<double> took_us;
    const auto interval = std::chrono::milliseconds(o.interval_ms);
    const auto start = Clock::now();
    for (int i = 0; i < o.writes; ++i) {
        std::this_thread::sleep_until(start + i * interval);
        auto begin = Clock::now();
        durable_write(o.pattern, files, page, i);
        took_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
    }
    if (close(files.data) || (files.meta >= 0 && close(files.meta))) die("close");
    std::free(page);

    std::sort(took_us.begin(), took_us.end());
    std::printf(
        "flush floor: %s, %d writes %d ms apart in %s: p50 %.0f us, p90 %.0f us, "
        "p99 %.0f us, max %.0f us\n",
        kPatternNames[static_cast<int>(o.pattern)], o.writes, o.interval_ms, o.dir.c_str(),
        percentile(took_us, 0.5), percentile(took_us, 0.9), percentile(took_us, 0.99),
        took_us.back());
    return 0;
}
