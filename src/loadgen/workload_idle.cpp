// idle: opens N connections that do nothing and reads the relay's RSS before and after,
// giving the relay's memory cost per idle connection.
#include <atomic>
#include <cstdio>
#include <optional>
#include <thread>

#include "loadgen/connect_many.h"
#include "loadgen/event_loop.h"
#include "loadgen/relay_process.h"
#include "loadgen/workloads.h"

namespace loadgen {
namespace {

// Lets the relay finish per-connection setup (session objects, buffers) and the kernel
// settle before RSS is read.
constexpr auto kSettle = std::chrono::seconds(2);

}  // namespace

PhaseReport run_idle(const PhaseContext& ctx, const IdleParams& params) {
    PhaseReport report;
    report.name = "idle";
    std::string error;
    std::optional<int> pid = params.relay_pid;
    if (!pid) pid = find_listening_pid(ctx.endpoint.port, error);
    auto rss_before = pid ? read_rss_kib(*pid) : std::nullopt;
    if (!rss_before) {
        report.clean = false;
        report.summary = "idle: skipped: " +
                         (pid ? "cannot read /proc/" + std::to_string(*pid) + "/status" : error);
        report.json.add("skipped", report.summary);
        return report;
    }

    EventLoop loop(ctx.threads);
    std::atomic<uint64_t> dropped{0};
    MessageLog problems;
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(ctx.duration);
    auto connected = connect_many(
        loop, ctx.endpoint, params.connections,
        [&](uint32_t) {
            return WsClient::Handlers{.on_message = [](std::string_view) {},
                                      .on_error =
                                          [&](const std::string& e) {
                                              ++dropped;
                                              problems.add(e);
                                          }};
        },
        deadline);
    uint64_t opened = params.connections - connected.failed;
    std::this_thread::sleep_until(std::min(deadline, Clock::now() + kSettle));
    auto rss_open = read_rss_kib(*pid);
    uint64_t still_open = opened - dropped.load();

    close_all(connected.clients);
    loop.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto rss_closed = read_rss_kib(*pid);

    double per_conn = rss_open && opened
                          ? (static_cast<double>(*rss_open) - static_cast<double>(*rss_before)) /
                                static_cast<double>(opened)
                          : 0;
    report.clean = connected.failed == 0 && dropped == 0 && rss_open.has_value();
    char line[512];
    std::snprintf(line, sizeof line,
                  "idle: %llu/%u connections open (%.2fs to open), relay pid %d RSS %llu -> %llu "
                  "KiB = %.1f KiB/connection, %llu KiB after close",
                  static_cast<unsigned long long>(still_open), params.connections,
                  connected.seconds, *pid, static_cast<unsigned long long>(*rss_before),
                  static_cast<unsigned long long>(rss_open.value_or(0)), per_conn,
                  static_cast<unsigned long long>(rss_closed.value_or(0)));
    report.summary = line;
    if (connected.failed)
        report.summary +=
            " | " + std::to_string(connected.failed) + " failed: " + connected.first_error;

    JsonObject& j = report.json;
    j.add("connections", params.connections);
    j.add("opened", opened);
    j.add("still_open", still_open);
    j.add("connect_seconds", connected.seconds);
    j.add("relay_pid", *pid);
    j.add("rss_before_kib", *rss_before);
    j.add("rss_open_kib", rss_open.value_or(0));
    j.add("rss_after_close_kib", rss_closed.value_or(0));
    j.add("kib_per_connection", per_conn);
    j.add("connect_failures", connected.failed);
    j.add("dropped", dropped.load());
    j.add("problems", problems.take());
    return report;
}

}  // namespace loadgen
