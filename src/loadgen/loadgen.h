// `nostpp bench`: drives a running relay over loopback WebSockets and reports throughput and
// latency per workload. The CLI (app/cmd_bench.cpp) fills Options and calls run().
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

struct Options {
    std::string url = "ws://127.0.0.1:8008";
    // fanout: where the publisher connects ("" = url). Another websocket-handler of the same
    // deployment measures live delivery across handlers (through Redis).
    std::string publish_url;
    std::string workload = "all";  // ingest | req | fanout | idle | all
    // Unset options take each workload's own default (see options.cpp).
    std::optional<uint32_t> connections;  // ingest 8, req 8
    std::optional<uint32_t> window;       // ingest 64 EVENTs in flight, req 8 REQs in flight
    std::optional<uint64_t> events;       // ingest 50000, fanout 2000
    // ingest: created_at advances one second every this many events, ending now, as a relay
    // receiving that many events per second sees them; 0 = every event at the same second.
    uint64_t created_at_rate = 0;
    uint64_t requests = 50000;            // req: REQs in total
    double duration = 20;                 // seconds, per phase
    uint64_t preload = 100000;            // req: events ingested first
    bool no_preload = false;
    uint32_t subscribers = 500;  // fanout
    double rate = 500;           // fanout: published events per second
    // fanout: how the subscribers read: "lean" (raw frames off the sockets, the default) or
    // "beast" (the WebSocket stream every other workload uses); lean_subscribers.h says why.
    std::string subscriber_client = "lean";
    // fanout, lean client: the readers' scheduling, "batch" (SCHED_BATCH) or "normal".
    std::string subscriber_sched = "batch";
    uint32_t idle_connections = 1000;
    std::optional<int> relay_pid;  // idle: found from the listening socket when unset
    std::optional<uint64_t> seed;  // random when unset; printed so a run can be repeated
    uint32_t threads = 2;          // event-loop threads
};

// Returns the process exit code: 0 when every phase ran clean, 1 when a phase saw errors
// (rejected events, missed deliveries, dropped connections), 2 for unusable options.
int run(const Options& options);

// The public keys (hex) of the authors a run with `seed` signs with: an operator can let
// exactly them write to a relay with a write gate (e.g. WOT_ALLOW) and bench it.
std::vector<std::string> author_pubkeys(uint64_t seed);

}  // namespace loadgen
