// req: C connections, each keeping `window` REQs in flight (unique subscription ids, CLOSE
// after EOSE), measuring REQs per second, events received and send→EOSE latency.
#include <array>
#include <atomic>
#include <cstdio>
#include <unordered_map>

#include "loadgen/connect_many.h"
#include "loadgen/event_loop.h"
#include "loadgen/latency.h"
#include "loadgen/relay_message_scan.h"
#include "loadgen/req_mix.h"
#include "loadgen/workloads.h"

namespace loadgen {
namespace {

struct TypeStats {
    uint64_t completed = 0, events = 0;
    uint64_t expected = 0, found = 0;  // ids queries: events asked for vs returned
    std::vector<int64_t> latencies;
};

struct Pending {
    QueryType type;
    int64_t sent_at;
    uint32_t expected;
    uint64_t events = 0;
};

// One connection's REQ stream. Touched only on its strand.
struct Requester {
    std::shared_ptr<WsClient> client;
    uint32_t index = 0;
    uint64_t budget = 0, issued = 0;
    bool finished = false;
    std::unordered_map<std::string, Pending> pending;  // by subscription id
    std::array<TypeStats, kQueryTypes> stats;
    uint64_t closed_by_relay = 0, notices = 0, stray = 0;
};

struct Shared {
    Shared(const QueryMix& mix, uint64_t seed, uint32_t window, uint32_t connections)
        : mix(mix), seed(seed), window(window), finished(connections) {}

    const QueryMix& mix;
    uint64_t seed;
    uint32_t window;
    PhaseClock clock;
    std::atomic<bool> stopped{false};
    Countdown finished;
    MessageLog problems;
    std::atomic<uint64_t> connection_errors{0};
};

void finish(Shared& shared, Requester& r) {
    if (r.finished) return;
    r.finished = true;
    shared.finished.done();
}

void issue_more(Shared& shared, Requester& r) {
    while (!shared.stopped.load(std::memory_order_relaxed) && r.pending.size() < shared.window &&
           r.issued < r.budget) {
        uint64_t n = r.issued++;
        auto query = shared.mix.make(shared.seed + r.index, n);
        std::string sub = "b" + std::to_string(r.index) + "_" + std::to_string(n);
        r.client->send("[\"REQ\",\"" + sub + "\"," + query.filter + "]");
        r.pending.emplace(std::move(sub),
                          Pending{query.type, shared.clock.now_us(), query.expected});
    }
    if (r.pending.empty() && (r.issued >= r.budget || shared.stopped.load())) finish(shared, r);
}

void on_message(Shared& shared, Requester& r, std::string_view raw) {
    if (shared.stopped.load(std::memory_order_relaxed)) return;
    RelayMessage m;
    scan_relay_message(raw, m);
    if (m.verb == Verb::notice) {
        ++r.notices;
        shared.problems.add("NOTICE " + std::string(m.text));
        return;
    }
    if (m.verb != Verb::event && m.verb != Verb::eose && m.verb != Verb::closed) return;
    auto it = r.pending.find(std::string(m.first));
    if (it == r.pending.end()) {
        ++r.stray;
        return;
    }
    Pending& p = it->second;
    if (m.verb == Verb::event) {
        ++p.events;
        return;
    }
    if (m.verb == Verb::eose) {
        TypeStats& t = r.stats[static_cast<size_t>(p.type)];
        ++t.completed;
        t.events += p.events;
        t.expected += p.expected;
        t.found += p.expected ? p.events : 0;
        t.latencies.push_back(shared.clock.now_us() - p.sent_at);
        r.client->send("[\"CLOSE\",\"" + it->first + "\"]");
    } else {
        // CLOSED ends the subscription on the relay's side; no CLOSE needed.
        ++r.closed_by_relay;
        shared.problems.add("CLOSED " + std::string(query_name(p.type)) + ": " +
                            std::string(m.text));
    }
    r.pending.erase(it);
    issue_more(shared, r);
}

}  // namespace

PhaseReport run_req(const PhaseContext& ctx, const ReqParams& params, const ReqDataset& data) {
    uint32_t conns = std::max<uint32_t>(1, params.connections);
    QueryMix mix(*data.events, *data.authors);
    Shared shared(mix, params.seed, std::max<uint32_t>(1, params.window), conns);
    std::vector<Requester> requesters(conns);
    for (uint32_t c = 0; c < conns; ++c) {
        requesters[c].index = c;
        requesters[c].budget = params.requests / conns + (c < params.requests % conns ? 1 : 0);
    }

    EventLoop loop(ctx.threads);
    auto connect_deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(ctx.duration);
    auto connected = connect_many(
        loop, ctx.endpoint, conns,
        [&](uint32_t c) {
            Requester* r = &requesters[c];
            return WsClient::Handlers{
                .on_message = [&shared, r](std::string_view raw) { on_message(shared, *r, raw); },
                .on_error =
                    [&shared, r](const std::string& error) {
                        ++shared.connection_errors;
                        shared.problems.add("connection: " + error);
                        finish(shared, *r);
                    }};
        },
        connect_deadline);

    auto start_us = shared.clock.now_us();
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(ctx.duration);
    for (uint32_t c = 0; c < conns; ++c) {
        Requester* r = &requesters[c];
        r->client = connected.clients[c];
        if (!r->client) {
            finish(shared, *r);
            continue;
        }
        r->client->post([&shared, r] { issue_more(shared, *r); });
    }
    bool completed = shared.finished.wait_until(deadline);
    shared.stopped = true;
    double seconds = static_cast<double>(shared.clock.now_us() - start_us) / 1e6;
    close_all(connected.clients);
    loop.stop();  // joins the loop threads: every requester's counters are now visible here
    // The clients must go before the loop that owns their sockets' io_context.
    for (auto& x : requesters) x.client.reset();

    std::array<TypeStats, kQueryTypes> types;
    uint64_t completed_reqs = 0, events = 0, closed = 0, notices = 0, stray = 0, unanswered = 0;
    std::vector<int64_t> all_latencies;
    for (auto& r : requesters) {
        for (size_t t = 0; t < kQueryTypes; ++t) {
            types[t].completed += r.stats[t].completed;
            types[t].events += r.stats[t].events;
            types[t].expected += r.stats[t].expected;
            types[t].found += r.stats[t].found;
            append_samples(types[t].latencies, r.stats[t].latencies);
            append_samples(all_latencies, r.stats[t].latencies);
        }
        closed += r.closed_by_relay;
        notices += r.notices;
        stray += r.stray;
        unanswered += r.pending.size();
    }
    std::vector<JsonObject> per_type;
    for (size_t t = 0; t < kQueryTypes; ++t) {
        completed_reqs += types[t].completed;
        events += types[t].events;
        JsonObject o;
        o.add("type", query_name(static_cast<QueryType>(t)));
        o.add("completed", types[t].completed);
        o.add("events", types[t].events);
        o.add("events_per_req", types[t].completed ? static_cast<double>(types[t].events) /
                                                         static_cast<double>(types[t].completed)
                                                   : 0.0);
        if (types[t].expected) {
            o.add("ids_expected", types[t].expected);
            o.add("ids_found", types[t].found);
        }
        o.add("latency", summarize(types[t].latencies).json());
        per_type.push_back(std::move(o));
    }
    LatencySummary lat = summarize(all_latencies);
    double req_rate = seconds > 0 ? static_cast<double>(completed_reqs) / seconds : 0;
    double event_rate = seconds > 0 ? static_cast<double>(events) / seconds : 0;
    const TypeStats& ids = types[static_cast<size_t>(QueryType::ids)];

    PhaseReport report;
    report.name = "req";
    report.clean = connected.failed == 0 && shared.connection_errors == 0 && closed == 0 &&
                   ids.found == ids.expected;
    char line[512];
    std::snprintf(
        line, sizeof line,
        "req: %llu/%llu REQs in %.2fs = %.0f REQ/s, %.0f events/s (%.1f events/REQ, "
        "%llu CLOSED, ids %llu/%llu found%s) | EOSE latency %s | %u conns x window %u",
        static_cast<unsigned long long>(completed_reqs),
        static_cast<unsigned long long>(params.requests), seconds, req_rate, event_rate,
        completed_reqs ? static_cast<double>(events) / static_cast<double>(completed_reqs) : 0.0,
        static_cast<unsigned long long>(closed), static_cast<unsigned long long>(ids.found),
        static_cast<unsigned long long>(ids.expected), completed ? "" : ", time limit reached",
        lat.brief().c_str(), conns, shared.window);
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
    j.add("requests", params.requests);
    j.add("completed", completed_reqs);
    j.add("events", events);
    j.add("seconds", seconds);
    j.add("reqs_per_sec", req_rate);
    j.add("events_per_sec", event_rate);
    j.add("closed_by_relay", closed);
    j.add("notices", notices);
    j.add("stray_messages", stray);
    j.add("unanswered_at_end", unanswered);
    j.add("time_limit_reached", !completed);
    j.add("connect_failures", connected.failed);
    j.add("connection_errors", shared.connection_errors.load());
    j.add("eose_latency", lat.json());
    j.add("by_type", per_type);
    j.add("problems", shared.problems.take());
    return report;
}

}  // namespace loadgen
