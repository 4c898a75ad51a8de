// Orchestrates a bench run: check the relay answers, sign every event up front, then run
// the selected phases in order, one summary line each, and the BENCH_JSON line at the end.
#include "loadgen/loadgen.h"

#include <sys/resource.h>

#include <cstdio>
#include <ctime>
#include <thread>

#include "loadgen/connect_many.h"
#include "loadgen/event_loop.h"
#include "loadgen/options.h"

namespace loadgen {
namespace {

constexpr uint32_t kAuthors = 100;
// Preload events get fixed timestamps (one per second from here) so that the same --seed
// reproduces the same ids, which --no-preload relies on.
constexpr int64_t kPreloadFirstCreatedAt = 1700000000;

// Idle and fanout phases hold ~1000 sockets; the common soft limit of 1024 is not enough.
void raise_fd_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

// Fails fast, before minutes of signing, when nothing answers at the url.
bool probe(const Plan& plan, std::string& error) {
    EventLoop loop(1);
    auto result = connect_many(
        loop, plan.ctx.endpoint, 1, [](uint32_t) { return WsClient::Handlers{}; },
        Clock::now() + std::chrono::seconds(5));
    if (!result.clients[0]) {
        error = result.first_error;
        return false;
    }
    close_all(result.clients);
    result.clients.clear();
    return true;
}

void print_line(const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

struct Batches {
    std::vector<SignedEvent> ingest, preload, fanout;
};

Batches presign(const Plan& plan, const EventFactory& factory, JsonObject& json) {
    auto start = Clock::now();
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    Batches b;
    BatchSpec spec;
    if (plan.ingest) {
        spec = BatchSpec{};
        spec.label = "ingest";
        spec.count = plan.ingest_events;
        spec.first_created_at = now;
        if (uint64_t rate = plan.ingest_created_at_rate) {
            // The last run of events ends at `now`: never in the relay's future.
            spec.run_length = rate;
            spec.created_at_step = 1;
            spec.first_created_at = now - static_cast<int64_t>((spec.count - 1) / rate);
        }
        b.ingest = factory.make_batch(spec);
    }
    if (plan.req) {
        spec = BatchSpec{};
        spec.label = "preload";
        spec.count = plan.preload;
        spec.first_created_at = kPreloadFirstCreatedAt;
        spec.created_at_step = 1;
        spec.sign = !plan.no_preload;  // only the ids are needed then
        b.preload = factory.make_batch(spec);
    }
    if (plan.fanout) {
        spec = BatchSpec{};
        spec.label = "fanout";
        spec.count = plan.fanout_events;
        spec.first_created_at = now;
        spec.extra_t = {"fanout"};
        b.fanout = factory.make_batch(spec);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    uint64_t signed_count =
        b.ingest.size() + b.fanout.size() + (plan.no_preload ? 0 : b.preload.size());
    char line[256];
    std::snprintf(line, sizeof line,
                  "presign: %llu events signed in %.2fs (%.0f/s on %u threads), seed %llu",
                  static_cast<unsigned long long>(signed_count), seconds,
                  seconds > 0 ? static_cast<double>(signed_count) / seconds : 0.0,
                  std::max(1u, std::thread::hardware_concurrency()),
                  static_cast<unsigned long long>(plan.seed));
    print_line(line);  // also with nothing to sign: scripts/bench-budget.sh waits for it
    json.add("events", signed_count);
    json.add("seconds", seconds);
    return b;
}

}  // namespace

std::vector<std::string> author_pubkeys(uint64_t seed) {
    return EventFactory(seed, kAuthors).pubkeys();
}

int run(const Options& options) {
    std::string error;
    auto plan = make_plan(options, error);
    if (!plan) {
        std::fprintf(stderr, "bench: %s\n", error.c_str());
        return 2;
    }
    raise_fd_limit();
    if (!probe(*plan, error)) {
        std::fprintf(stderr, "bench: cannot open a WebSocket to %s: %s\n", options.url.c_str(),
                     error.c_str());
        return 1;
    }

    JsonObject result;
    result.add("tool", "nostpp-bench");
    result.add("settings", plan_json(*plan));

    EventFactory factory(plan->seed, kAuthors);
    JsonObject presign_json;
    Batches batches = presign(*plan, factory, presign_json);
    result.add("presign", presign_json);

    JsonObject phases;
    bool clean = true;
    auto record = [&](PhaseReport report) {
        print_line(report.summary);
        report.json.add("clean", report.clean);
        phases.add(report.name, report.json);
        clean = clean && report.clean;
    };

    if (plan->ingest) record(run_ingest(plan->ctx, plan->ingest_params, batches.ingest, "ingest"));
    if (plan->req) {
        std::vector<SignedEvent> queryable;
        if (!plan->no_preload) {
            // Preload uses the ingest machinery with the REQ phase's connection count; its
            // throughput is reported like ingest's.
            IngestParams preload_params = plan->ingest_params;
            preload_params.connections = plan->req_params.connections;
            preload_params.window = options.window.value_or(64);
            std::vector<bool> accepted;
            record(run_ingest(plan->ctx, preload_params, batches.preload, "preload", &accepted));
            // Query only what the relay took, so ids queries have a definite answer even
            // when the preload ran out of time.
            for (size_t i = 0; i < batches.preload.size(); ++i)
                if (accepted[i]) queryable.push_back(batches.preload[i]);
        } else {
            queryable = std::move(batches.preload);
        }
        if (queryable.empty()) {
            print_line("req: skipped: the preload stored nothing");
            clean = false;
        } else {
            ReqDataset data{.events = &queryable, .authors = &factory.pubkeys()};
            record(run_req(plan->ctx, plan->req_params, data));
        }
    }
    if (plan->fanout) record(run_fanout(plan->ctx, plan->fanout_params, batches.fanout));
    if (plan->idle) record(run_idle(plan->ctx, plan->idle_params));

    result.add("phases", phases);
    result.add("clean", clean);
    print_line("BENCH_JSON " + result.str());
    return clean ? 0 : 1;
}

}  // namespace loadgen
