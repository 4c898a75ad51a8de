#include "loadgen/options.h"

#include <random>

namespace loadgen {

std::optional<Plan> make_plan(const Options& o, std::string& error) {
    Plan plan;
    auto endpoint = parse_loopback_url(o.url, error);
    if (!endpoint) return std::nullopt;
    plan.ctx.endpoint = *endpoint;
    plan.ctx.publish_endpoint = *endpoint;
    if (!o.publish_url.empty()) {
        auto publish = parse_loopback_url(o.publish_url, error);
        if (!publish) return std::nullopt;
        plan.ctx.publish_endpoint = *publish;
    }
    if (!(o.duration > 0)) {
        error = "--duration must be positive";
        return std::nullopt;
    }
    plan.ctx.duration = std::chrono::duration<double>(o.duration);
    plan.ctx.threads = std::max<uint32_t>(1, o.threads);
    // A fresh seed per run keeps ingest events new to the relay; printing it lets a run
    // (and its preload dataset, for --no-preload) be repeated.
    // Random seeds stay below 2^53 so JSON readers that use doubles print them exactly.
    std::random_device random;
    plan.seed = o.seed ? *o.seed : ((uint64_t{random()} << 32) | random()) & ((1ULL << 53) - 1);

    const std::string& w = o.workload;
    bool all = w == "all";
    plan.ingest = all || w == "ingest";
    plan.req = all || w == "req";
    plan.fanout = all || w == "fanout";
    plan.idle = all || w == "idle";
    if (!plan.ingest && !plan.req && !plan.fanout && !plan.idle) {
        error = "--workload must be one of ingest, req, fanout, idle, all";
        return std::nullopt;
    }

    // --connections, --window and --events apply to every workload that has them; unset,
    // each workload uses its own default (the REQ window is smaller than the EVENT window).
    plan.ingest_params.connections = o.connections.value_or(8);
    plan.ingest_params.window = o.window.value_or(64);
    plan.ingest_events = o.events.value_or(50000);
    plan.ingest_created_at_rate = o.created_at_rate;
    plan.req_params.connections = o.connections.value_or(8);
    plan.req_params.window = o.window.value_or(8);
    plan.req_params.requests = o.requests;
    plan.req_params.seed = plan.seed;
    plan.preload = o.preload;
    plan.no_preload = o.no_preload;
    plan.fanout_params.subscribers = o.subscribers;
    plan.fanout_params.rate = o.rate;
    plan.fanout_params.lean = o.subscriber_client == "lean";
    plan.fanout_params.lean_batch = o.subscriber_sched == "batch";
    plan.fanout_events = o.events.value_or(2000);
    plan.idle_params.connections = o.idle_connections;
    plan.idle_params.relay_pid = o.relay_pid;

    if (plan.ingest_params.connections == 0 || plan.ingest_params.window == 0) {
        error = "--connections and --window must be at least 1";
        return std::nullopt;
    }
    if (plan.req && plan.preload == 0) {
        error = "req needs a dataset: --preload must be at least 1";
        return std::nullopt;
    }
    if (o.subscriber_client != "lean" && o.subscriber_client != "beast") {
        error = "--subscriber-client must be lean or beast";
        return std::nullopt;
    }
    if (o.subscriber_sched != "batch" && o.subscriber_sched != "normal") {
        error = "--subscriber-sched must be batch or normal";
        return std::nullopt;
    }
    if (!(o.rate > 0)) {
        error = "--rate must be positive";
        return std::nullopt;
    }
    if (plan.fanout_events > UINT32_MAX || plan.ingest_events > UINT32_MAX ||
        plan.preload > UINT32_MAX) {
        error = "event counts above 2^32 are not supported";
        return std::nullopt;
    }
    return plan;
}

JsonObject plan_json(const Plan& p) {
    JsonObject o;
    const Endpoint& ep = p.ctx.endpoint;
    bool v6 = ep.host.find(':') != std::string::npos;
    o.add("url", "ws://" + (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port) +
                     ep.target);
    o.add("duration", p.ctx.duration.count());
    o.add("threads", p.ctx.threads);
    o.add("seed", p.seed);
    if (p.ingest) {
        o.add("ingest_connections", p.ingest_params.connections);
        o.add("ingest_window", p.ingest_params.window);
        o.add("ingest_events", p.ingest_events);
        o.add("ingest_created_at_rate", p.ingest_created_at_rate);
    }
    if (p.req) {
        o.add("req_connections", p.req_params.connections);
        o.add("req_window", p.req_params.window);
        o.add("requests", p.req_params.requests);
        o.add("preload", p.preload);
        o.add("no_preload", p.no_preload);
    }
    if (p.fanout) {
        o.add("subscribers", p.fanout_params.subscribers);
        o.add("rate", p.fanout_params.rate);
        o.add("subscriber_client", p.fanout_params.lean ? "lean" : "beast");
        if (p.fanout_params.lean)
            o.add("subscriber_sched", p.fanout_params.lean_batch ? "batch" : "normal");
        o.add("fanout_events", p.fanout_events);
    }
    if (p.idle) o.add("idle_connections", p.idle_params.connections);
    return o;
}

}  // namespace loadgen
