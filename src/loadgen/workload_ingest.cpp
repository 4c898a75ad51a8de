// ingest: C connections, each keeping `window` EVENTs outstanding, measuring acknowledged
// events per second and send→OK latency per event.
#include <atomic>
#include <cstdio>

#include "loadgen/connect_many.h"
#include "loadgen/event_loop.h"
#include "loadgen/latency.h"
#include "loadgen/relay_message_scan.h"
#include "loadgen/workloads.h"

namespace loadgen {
namespace {

// One connection's share: events first, first+stride, ... Touched only on its strand.
struct Sender {
    std::shared_ptr<WsClient> client;
    uint64_t next = 0;  // next position in this sender's share
    uint64_t share = 0;
    uint32_t first = 0, stride = 1;
    uint32_t in_flight = 0;
    bool finished = false;
    uint64_t sent = 0, accepted = 0, duplicates = 0, rejected = 0, unmatched = 0, notices = 0;
    std::vector<int64_t> latencies;
};

struct Shared {
    Shared(const std::vector<SignedEvent>& events, uint32_t window, uint32_t connections)
        : events(events),
          ids(index_by_id(events)),
          sent_at(events.size(), -1),
          accepted(events.size(), 0),
          window(window),
          finished(connections) {}

    const std::vector<SignedEvent>& events;
    IdIndex ids;
    std::vector<int64_t> sent_at;  // per event; each written and read by one sender only
    std::vector<char> accepted;    // per event, same ownership (not vector<bool>: no sharing)
    uint32_t window;
    PhaseClock clock;
    std::atomic<bool> stopped{false};
    Countdown finished;
    MessageLog problems;
    std::atomic<uint64_t> connection_errors{0};
};

void finish(Shared& shared, Sender& s) {
    if (s.finished) return;
    s.finished = true;
    shared.finished.done();
}

void send_more(Shared& shared, Sender& s) {
    while (!shared.stopped.load(std::memory_order_relaxed) && s.in_flight < shared.window &&
           s.next < s.share) {
        uint32_t index = s.first + static_cast<uint32_t>(s.next++) * s.stride;
        shared.sent_at[index] = shared.clock.now_us();
        ++s.in_flight;
        ++s.sent;
        s.client->send(shared.events[index].frame);
    }
    if (s.in_flight == 0 && (s.next >= s.share || shared.stopped.load())) finish(shared, s);
}

void on_message(Shared& shared, Sender& s, std::string_view raw) {
    if (shared.stopped.load(std::memory_order_relaxed)) return;  // past the measured window
    RelayMessage m;
    scan_relay_message(raw, m);
    if (m.verb == Verb::notice) {
        ++s.notices;
        shared.problems.add("NOTICE " + std::string(m.text));
        return;
    }
    if (m.verb != Verb::ok) return;
    auto it = shared.ids.find(m.first);
    if (it == shared.ids.end() || shared.sent_at[it->second] < 0) {
        ++s.unmatched;
        return;
    }
    int64_t& sent_at = shared.sent_at[it->second];
    s.latencies.push_back(shared.clock.now_us() - sent_at);
    sent_at = -1;  // a second OK for the same id is not matched again
    --s.in_flight;
    if (m.accepted) {
        ++s.accepted;
        shared.accepted[it->second] = 1;
        if (m.text.substr(0, 10) == "duplicate:") ++s.duplicates;
    } else {
        ++s.rejected;
        shared.problems.add("OK false: " + std::string(m.text));
    }
    send_more(shared, s);
}

}  // namespace

PhaseReport run_ingest(const PhaseContext& ctx, const IngestParams& params,
                       const std::vector<SignedEvent>& events, const std::string& name,
                       std::vector<bool>* accepted) {
    uint32_t conns = std::max<uint32_t>(1, params.connections);
    Shared shared(events, std::max<uint32_t>(1, params.window), conns);
    std::vector<Sender> senders(conns);
    for (uint32_t c = 0; c < conns; ++c) {
        senders[c].first = c;
        senders[c].stride = conns;
        senders[c].share = events.size() > c ? (events.size() - c + conns - 1) / conns : 0;
    }

    EventLoop loop(ctx.threads);
    auto connect_deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(ctx.duration);
    auto connected = connect_many(
        loop, ctx.endpoint, conns,
        [&](uint32_t c) {
            Sender* s = &senders[c];
            return WsClient::Handlers{
                .on_message = [&shared, s](std::string_view raw) { on_message(shared, *s, raw); },
                .on_error =
                    [&shared, s](const std::string& error) {
                        ++shared.connection_errors;
                        shared.problems.add("connection: " + error);
                        finish(shared, *s);
                    }};
        },
        connect_deadline);

    // Measurement starts once every connection is open.
    auto start_us = shared.clock.now_us();
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(ctx.duration);
    for (uint32_t c = 0; c < conns; ++c) {
        Sender* s = &senders[c];
        s->client = connected.clients[c];
        if (!s->client) {
            finish(shared, *s);  // single-threaded here: the loop never saw this sender
            continue;
        }
        s->client->post([&shared, s] { send_more(shared, *s); });
    }
    bool completed = shared.finished.wait_until(deadline);
    shared.stopped = true;
    double seconds = static_cast<double>(shared.clock.now_us() - start_us) / 1e6;
    close_all(connected.clients);
    loop.stop();  // joins the loop threads: every sender's counters are now visible here
    // The clients must go before the loop that owns their sockets' io_context.
    for (auto& x : senders) x.client.reset();

    Sender total;
    std::vector<int64_t> latencies;
    for (auto& s : senders) {
        total.sent += s.sent;
        total.accepted += s.accepted;
        total.duplicates += s.duplicates;
        total.rejected += s.rejected;
        total.unmatched += s.unmatched;
        total.notices += s.notices;
        append_samples(latencies, s.latencies);
    }
    LatencySummary lat = summarize(latencies);
    if (accepted) accepted->assign(shared.accepted.begin(), shared.accepted.end());
    uint64_t unanswered = total.sent - total.accepted - total.rejected;
    double rate = seconds > 0 ? static_cast<double>(total.accepted) / seconds : 0;

    PhaseReport report;
    report.name = name;
    report.clean = total.rejected == 0 && connected.failed == 0 && shared.connection_errors == 0 &&
                   (completed ? unanswered == 0 : true);
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s: %llu/%llu events OK in %.2fs = %.0f ev/s (%llu rejected, %llu duplicate, "
                  "%llu unanswered%s) | OK latency %s | %u conns x window %u",
                  name.c_str(), static_cast<unsigned long long>(total.accepted),
                  static_cast<unsigned long long>(events.size()), seconds, rate,
                  static_cast<unsigned long long>(total.rejected),
                  static_cast<unsigned long long>(total.duplicates),
                  static_cast<unsigned long long>(unanswered),
                  completed ? "" : ", time limit reached", lat.brief().c_str(), conns,
                  shared.window);
    report.summary = line;
    if (connected.failed)
        report.summary += " | " + std::to_string(connected.failed) +
                          " connections failed: " + connected.first_error;
    if (shared.connection_errors)
        report.summary +=
            " | " + std::to_string(shared.connection_errors.load()) + " connections lost";

    JsonObject& j = report.json;
    j.add("connections", conns);
    j.add("window", shared.window);
    j.add("events", static_cast<uint64_t>(events.size()));
    j.add("sent", total.sent);
    j.add("accepted", total.accepted);
    j.add("duplicates", total.duplicates);
    j.add("rejected", total.rejected);
    j.add("unanswered", unanswered);
    j.add("unmatched_ok", total.unmatched);
    j.add("notices", total.notices);
    j.add("seconds", seconds);
    j.add("events_per_sec", rate);
    j.add("time_limit_reached", !completed);
    j.add("connect_failures", connected.failed);
    j.add("connection_errors", shared.connection_errors.load());
    j.add("connect_seconds", connected.seconds);
    j.add("ok_latency", lat.json());
    j.add("problems", shared.problems.take());
    return report;
}

}  // namespace loadgen
