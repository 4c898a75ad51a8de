// `nostpp bench`: the CLI face of the load generator in loadgen/. Options that several
// workloads share (--connections, --window, --events) are passed on only when given, so each
// workload keeps its own default otherwise.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "loadgen/loadgen.h"

namespace app {
namespace {

struct BenchArgs {
    loadgen::Options options;
    uint32_t connections = 0, window = 0;
    uint64_t events = 0, seed = 0;
    int relay_pid = 0;
    bool print_authors = false;
    CLI::Option *connections_opt = nullptr, *window_opt = nullptr, *events_opt = nullptr,
                *seed_opt = nullptr, *pid_opt = nullptr;
};

}  // namespace

void add_bench_command(CLI::App& app) {
    auto args = std::make_shared<BenchArgs>();
    loadgen::Options& o = args->options;
    CLI::App* cmd = app.add_subcommand(
        "bench", "Load-test a running relay over loopback WebSockets (never a remote host)");
    cmd->add_option("--url", o.url, "Relay WebSocket URL (localhost, 127.0.0.0/8 or [::1])")
        ->capture_default_str();
    cmd->add_option("--publish-url", o.publish_url,
                    "fanout: publish through this URL (another websocket-handler of the same "
                    "deployment) while subscribers use --url [default: --url]");
    cmd->add_option("--workload", o.workload, "ingest | req | fanout | idle | all")
        ->check(CLI::IsMember({"ingest", "req", "fanout", "idle", "all"}))
        ->capture_default_str();
    args->connections_opt = cmd->add_option("--connections", args->connections,
                                            "Connections for ingest and req [default: 8]")
                                ->check(CLI::Range(1u, 10000u));
    args->window_opt =
        cmd->add_option("--window", args->window,
                        "In flight per connection: EVENTs for ingest [64], REQs for req [8]")
            ->check(CLI::Range(1u, 100000u));
    args->events_opt = cmd->add_option("--events", args->events,
                                       "Events to publish: ingest [default: 50000], fanout [2000]");
    cmd->add_option("--created-at-rate", o.created_at_rate,
                    "ingest: created_at advances one second every N events, ending now, as a "
                    "relay receiving N events/s sees them; 0 = all events at the same second "
                    "(every index insert then lands at a random place)")
        ->capture_default_str();
    cmd->add_option("--requests", o.requests, "REQs to issue in the req workload")
        ->capture_default_str();
    cmd->add_option("--duration", o.duration, "Time limit of each phase, in seconds")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--preload", o.preload, "Events ingested before the req workload")
        ->capture_default_str();
    cmd->add_flag("--no-preload", o.no_preload,
                  "Skip the preload: the store already has it (same --seed as that run)");
    cmd->add_option("--subscribers", o.subscribers, "Subscriber connections for fanout")
        ->capture_default_str();
    cmd->add_option("--rate", o.rate, "Fanout publish rate, events per second")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--subscriber-client", o.subscriber_client,
                    "How fanout's subscribers read: lean (frames read off the sockets, less "
                    "of the shared CPU) or beast (Beast's WebSocket stream)")
        ->check(CLI::IsMember({"lean", "beast"}))
        ->capture_default_str();
    cmd->add_option("--subscriber-sched", o.subscriber_sched,
                    "Scheduling of the lean subscribers' reader threads: batch (SCHED_BATCH: "
                    "they do not preempt the relay on a shared machine) or normal")
        ->check(CLI::IsMember({"batch", "normal"}))
        ->capture_default_str();
    cmd->add_option("--idle-connections", o.idle_connections, "Connections for idle")
        ->capture_default_str();
    args->pid_opt = cmd->add_option(
        "--relay-pid", args->relay_pid,
        "Relay pid for the idle RSS measurement [default: owner of the listening port]");
    args->seed_opt = cmd->add_option("--seed", args->seed,
                                     "Seed for keys and events [default: random, printed]");
    cmd->add_flag("--print-authors", args->print_authors,
                  "Print the authors' public keys for --seed, comma separated, and exit");
    cmd->add_option("--threads", o.threads, "Event-loop threads of the load generator")
        ->check(CLI::Range(1u, 64u))
        ->capture_default_str();

    // These have no single default (or none at all): show the help text's, not the
    // placeholder value main()'s always_capture_default would print.
    for (CLI::Option* opt :
         {args->connections_opt, args->window_opt, args->events_opt, args->seed_opt, args->pid_opt})
        opt->default_str("");

    cmd->callback([args] {
        loadgen::Options o = args->options;
        if (args->connections_opt->count()) o.connections = args->connections;
        if (args->window_opt->count()) o.window = args->window;
        if (args->events_opt->count()) o.events = args->events;
        if (args->seed_opt->count()) o.seed = args->seed;
        if (args->pid_opt->count()) o.relay_pid = args->relay_pid;
        if (args->print_authors) {
            if (!o.seed) throw CLI::ValidationError("--print-authors needs --seed");
            std::string line;
            for (const auto& pubkey : loadgen::author_pubkeys(*o.seed))
                line += (line.empty() ? "" : ",") + pubkey;
            std::printf("%s\n", line.c_str());
            return;
        }
        int code = loadgen::run(o);
        if (code != 0) throw CLI::RuntimeError(code);
    });
}

}  // namespace app
