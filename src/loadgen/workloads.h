// The four workloads. Each opens its own connections and event loop, runs until its count
// or the phase duration is exhausted, and returns a report; none prints anything itself.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/event_factory.h"
#include "loadgen/phase.h"

namespace loadgen {

// C connections each pipelining EVENTs with up to `window` awaiting their OK.
struct IngestParams {
    uint32_t connections = 8;
    uint32_t window = 64;
};
// `accepted`, when given, receives one flag per event: answered OK true within the phase.
PhaseReport run_ingest(const PhaseContext& ctx, const IngestParams& params,
                       const std::vector<SignedEvent>& events, const std::string& name,
                       std::vector<bool>* accepted = nullptr);

// What the REQ mix queries: the preloaded events and their authors.
struct ReqDataset {
    const std::vector<SignedEvent>* events = nullptr;
    const std::vector<std::string>* authors = nullptr;
};
struct ReqParams {
    uint32_t connections = 8;
    uint32_t window = 8;        // REQs in flight per connection
    uint64_t requests = 50000;  // in total
    uint64_t seed = 0;
};
PhaseReport run_req(const PhaseContext& ctx, const ReqParams& params, const ReqDataset& data);

// S subscribers on {"kinds":[1],"#t":["fanout"]}; one publisher at a fixed rate.
struct FanoutParams {
    uint32_t subscribers = 500;
    double rate = 500;  // events per second
    bool lean = true;   // subscribers read by LeanSubscribers, else by WsClient (Beast)
    bool lean_batch = true;  // LeanSubscribers' readers under SCHED_BATCH
};
PhaseReport run_fanout(const PhaseContext& ctx, const FanoutParams& params,
                       const std::vector<SignedEvent>& events);

struct IdleParams {
    uint32_t connections = 1000;
    std::optional<int> relay_pid;  // found from the listening port when unset
};
PhaseReport run_idle(const PhaseContext& ctx, const IdleParams& params);

}  // namespace loadgen
