// fanout: S subscribers wait on {"kinds":[1],"#t":["fanout"]}; one publisher sends events
// at a fixed rate; every subscriber timestamps every delivery. Reports publish→receive
// latency over all (event, subscriber) pairs and the deliveries that never arrived. The
// subscribers read with LeanSubscribers unless --subscriber-client beast asks for WsClient.
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "loadgen/connect_many.h"
#include "loadgen/event_loop.h"
#include "loadgen/latency.h"
#include "loadgen/lean_subscribers.h"
#include "loadgen/relay_message_scan.h"
#include "loadgen/workloads.h"

namespace loadgen {
namespace {

constexpr const char* kSubscription = "fanout";
// After the last publish, deliveries may still trickle in for this long (or the phase
// duration, if longer) before they count as missed: a relay that lags must show up as
// latency, and only deliveries that never come as missed.
constexpr auto kMinDrain = std::chrono::seconds(5);

// Touched only by the thread reading its connection (a strand, or a lean reader thread).
struct Subscriber {
    std::vector<uint32_t> received_at;  // per event: µs since phase start + 1; 0 = not yet
    bool ready = false;                 // EOSE seen: the live subscription is in place
    bool dropped = false;
    uint64_t duplicates = 0, unknown = 0;
};

struct Shared {
    Shared(const std::vector<SignedEvent>& events, std::string req, uint32_t subscribers)
        : events(events),
          ids(index_by_id(events)),
          req(std::move(req)),
          ready(subscribers),
          ok_state(events.size(), 0) {}

    const std::vector<SignedEvent>& events;
    IdIndex ids;
    std::string req;
    PhaseClock clock;
    Countdown ready;
    std::atomic<uint64_t> ready_count{0};
    std::atomic<uint64_t> delivered{0};
    std::atomic<uint64_t> connection_errors{0};
    MessageLog problems;
    // Publisher side, touched on the publisher's strand.
    std::vector<int8_t> ok_state;  // per event: 0 no answer, 1 accepted, -1 rejected
};

void on_subscriber_message(Shared& shared, Subscriber& s, std::string_view raw) {
    RelayMessage m;
    scan_relay_message(raw, m);
    if (m.verb == Verb::event) {
        auto it = shared.ids.find(m.event_id);
        if (it == shared.ids.end()) {
            ++s.unknown;  // from an earlier run: not ours to time
            return;
        }
        uint32_t& slot = s.received_at[it->second];
        if (slot) {
            ++s.duplicates;
            return;
        }
        slot = static_cast<uint32_t>(shared.clock.now_us() + 1);
        shared.delivered.fetch_add(1, std::memory_order_relaxed);
    } else if (m.verb == Verb::eose) {
        if (!s.ready) {
            s.ready = true;
            shared.ready_count.fetch_add(1);
            shared.ready.done();
        }
    } else if (m.verb == Verb::closed) {
        shared.problems.add("subscriber CLOSED: " + std::string(m.text));
    } else if (m.verb == Verb::notice) {
        shared.problems.add("subscriber NOTICE: " + std::string(m.text));
    }
}

void on_publisher_message(Shared& shared, std::string_view raw) {
    RelayMessage m;
    scan_relay_message(raw, m);
    if (m.verb != Verb::ok) return;
    auto it = shared.ids.find(m.first);
    if (it == shared.ids.end()) return;
    shared.ok_state[it->second] = m.accepted ? 1 : -1;
    if (!m.accepted) shared.problems.add("publisher OK false: " + std::string(m.text));
}

}  // namespace

PhaseReport run_fanout(const PhaseContext& ctx, const FanoutParams& params,
                       const std::vector<SignedEvent>& events) {
    uint32_t subs = std::max<uint32_t>(1, params.subscribers);
    int64_t oldest = events.empty() ? 0 : events.front().created_at;
    for (const auto& e : events) oldest = std::min(oldest, e.created_at);
    // limit 0: no stored history, only live events; since: not even live stragglers from
    // earlier runs that happen to be re-broadcast.
    Shared shared(events,
                  "[\"REQ\",\"" + std::string(kSubscription) +
                      "\",{\"kinds\":[1],\"#t\":[\"fanout\"],\"since\":" + std::to_string(oldest) +
                      ",\"limit\":0}]",
                  subs);
    std::vector<Subscriber> subscribers(subs);
    for (auto& s : subscribers) s.received_at.assign(events.size(), 0);

    // Connection i's handlers, whichever client reads it; each runs on one thread at a time.
    auto on_message = [&](uint32_t i, std::string_view raw) {
        on_subscriber_message(shared, subscribers[i], raw);
    };
    auto on_error = [&](uint32_t i, const std::string& error) {
        Subscriber& s = subscribers[i];
        s.dropped = true;
        ++shared.connection_errors;
        shared.problems.add("subscriber: " + error);
        if (!s.ready) shared.ready.done();
    };

    EventLoop loop(ctx.threads);  // the publisher's, and the Beast subscribers'
    auto phase_duration = std::chrono::duration_cast<Clock::duration>(ctx.duration);
    std::unique_ptr<LeanSubscribers> lean;
    ConnectResult connected;  // Beast subscribers; for lean ones only the counts are used
    if (params.lean) {
        lean = std::make_unique<LeanSubscribers>(ctx.endpoint, subs,
                                                 LeanSubscribers::Handlers{on_message, on_error},
                                                 Clock::now() + phase_duration);
        connected.failed = lean->failed();
        connected.first_error = lean->first_error();
        connected.seconds = lean->connect_seconds();
        for (uint32_t i = 0; i < subs; ++i)
            if (!lean->connected(i)) shared.ready.done();  // else on_error counts a failure
        lean->start(shared.req, ctx.threads, params.lean_batch);
    } else {
        connected = connect_many(
            loop, ctx.endpoint, subs,
            [&](uint32_t i) {
                return WsClient::Handlers{
                    .on_message = [&on_message, i](std::string_view raw) { on_message(i, raw); },
                    .on_error = [&on_error, i](const std::string& error) { on_error(i, error); }};
            },
            Clock::now() + phase_duration);
        for (uint32_t i = 0; i < subs; ++i) {
            if (connected.clients[i])
                connected.clients[i]->send(shared.req);
            else
                shared.ready.done();
        }
    }
    bool all_ready = shared.ready.wait_until(Clock::now() + phase_duration);

    auto publisher_result = connect_many(
        loop, ctx.publish_endpoint, 1,
        [&](uint32_t) {
            return WsClient::Handlers{
                .on_message =
                    [&shared](std::string_view raw) { on_publisher_message(shared, raw); },
                .on_error =
                    [&shared](const std::string& error) {
                        ++shared.connection_errors;
                        shared.problems.add("publisher: " + error);
                    }};
        },
        Clock::now() + phase_duration);
    auto publisher = publisher_result.clients[0];

    // Publish on a fixed schedule from this thread; send() hands each frame to the loop.
    std::vector<int64_t> sent_at(events.size(), 0);
    uint64_t published = 0;
    auto start = Clock::now();
    auto deadline = start + phase_duration;
    auto interval = std::chrono::duration<double>(1.0 / std::max(0.001, params.rate));
    while (publisher && published < events.size()) {
        auto due = start + std::chrono::duration_cast<Clock::duration>(
                               interval * static_cast<double>(published));
        if (due > deadline) break;
        std::this_thread::sleep_until(due);
        sent_at[published] = shared.clock.now_us();
        publisher->send(events[published].frame);
        ++published;
    }
    double publish_seconds = std::chrono::duration<double>(Clock::now() - start).count();

    // Wait for the deliveries still in flight: until every ready subscriber has every event,
    // or the grace period ends.
    uint64_t wanted = published * shared.ready_count.load();
    auto drain_deadline = Clock::now() + std::max<Clock::duration>(kMinDrain, phase_duration);
    while (shared.delivered.load(std::memory_order_relaxed) < wanted &&
           Clock::now() < drain_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    double drain_seconds =
        std::chrono::duration<double>(Clock::now() - start).count() - publish_seconds;

    auto all_clients = connected.clients;
    all_clients.push_back(publisher);
    close_all(all_clients);
    if (lean) lean->stop();  // joins its readers, as loop.stop() joins the loop's threads
    loop.stop();             // subscriber and publisher state is now visible

    uint64_t accepted = 0, rejected = 0, unanswered = 0;
    for (uint64_t e = 0; e < published; ++e) {
        accepted += shared.ok_state[e] == 1;
        rejected += shared.ok_state[e] == -1;
        unanswered += shared.ok_state[e] == 0;
    }
    // A delivery is expected for every published event the relay did not reject, on every
    // subscriber whose subscription was in place (EOSE seen) before publishing began.
    std::vector<int64_t> latencies;
    latencies.reserve(published * subs);
    // Per event, its first and last delivery: the first is the relay's pipeline (receive,
    // verify, commit, dispatch) and the last adds the spread of its 500 writes and reads.
    std::vector<int64_t> first(published, INT64_MAX), last(published, INT64_MIN);
    uint64_t missed = 0, duplicates = 0, unknown = 0, not_ready = 0, dropped = 0;
    for (uint32_t i = 0; i < subs; ++i) {
        const Subscriber& s = subscribers[i];
        duplicates += s.duplicates;
        unknown += s.unknown;
        dropped += s.dropped;
        if (!s.ready) {
            ++not_ready;
            continue;
        }
        for (uint64_t e = 0; e < published; ++e) {
            if (shared.ok_state[e] == -1) continue;
            if (s.received_at[e] == 0) {
                ++missed;
                continue;
            }
            int64_t latency = static_cast<int64_t>(s.received_at[e]) - 1 - sent_at[e];
            latencies.push_back(latency);
            first[e] = std::min(first[e], latency);
            last[e] = std::max(last[e], latency);
        }
    }
    std::erase(first, INT64_MAX);  // events nobody received
    std::erase(last, INT64_MIN);
    LatencySummary first_lat = summarize(first), last_lat = summarize(last);
    LatencySummary lat = summarize(latencies);
    uint64_t ready_count = subs - not_ready;

    PhaseReport report;
    report.name = "fanout";
    report.clean = missed == 0 && rejected == 0 && not_ready == 0 && dropped == 0 && publisher &&
                   duplicates == 0;
    char line[512];
    std::snprintf(
        line, sizeof line,
        "fanout: %llu events x %llu subscribers at %.0f/s in %.2fs: %llu deliveries, "
        "%llu missed, %llu duplicate, %llu rejected | delivery latency %s",
        static_cast<unsigned long long>(published), static_cast<unsigned long long>(ready_count),
        publish_seconds > 0 ? static_cast<double>(published) / publish_seconds : 0.0,
        publish_seconds, static_cast<unsigned long long>(lat.count),
        static_cast<unsigned long long>(missed), static_cast<unsigned long long>(duplicates),
        static_cast<unsigned long long>(rejected), lat.brief().c_str());
    report.summary = line;
    report.summary +=
        " | per event: first delivery " + first_lat.brief() + ", last delivery " + last_lat.brief();
    if (published < events.size())
        report.summary += " | time limit reached after " + std::to_string(published) + " events";
    if (!all_ready)
        report.summary += " | " + std::to_string(not_ready) + " subscribers never saw EOSE";
    if (connected.failed)
        report.summary += " | " + std::to_string(connected.failed) +
                          " subscribers failed to connect: " + connected.first_error;
    if (!publisher) report.summary += " | publisher failed: " + publisher_result.first_error;
    report.summary += !params.lean        ? " | Beast subscribers"
                      : params.lean_batch ? " | lean subscribers (SCHED_BATCH)"
                                          : " | lean subscribers";

    JsonObject& j = report.json;
    j.add("subscribers", subs);
    j.add("subscribers_ready", ready_count);
    j.add("subscriber_client", params.lean ? "lean" : "beast");
    if (params.lean) j.add("subscriber_sched", params.lean_batch ? "batch" : "normal");
    j.add("events", static_cast<uint64_t>(events.size()));
    j.add("published", published);
    j.add("time_limit_reached", published < events.size());
    j.add("target_rate", params.rate);
    j.add("publish_seconds", publish_seconds);
    j.add("drain_seconds", drain_seconds);
    j.add("accepted", accepted);
    j.add("rejected", rejected);
    j.add("unanswered", unanswered);
    j.add("deliveries", lat.count);
    j.add("missed", missed);
    j.add("duplicates", duplicates);
    j.add("unknown_events", unknown);
    j.add("dropped_subscribers", dropped);
    j.add("connect_failures", connected.failed);
    j.add("connect_seconds", connected.seconds);
    j.add("delivery_latency", lat.json());
    j.add("first_delivery_latency", first_lat.json());
    j.add("last_delivery_latency", last_lat.json());
    j.add("problems", shared.problems.take());
    return report;
}

}  // namespace loadgen
