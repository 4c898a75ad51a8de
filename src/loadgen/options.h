// Turns the user's Options into a validated plan: which phases run and with what
// parameters, each workload's defaults filled in where the user left an option unset.
#pragma once
#include <optional>
#include <string>

#include "loadgen/json_writer.h"
#include "loadgen/loadgen.h"
#include "loadgen/workloads.h"

namespace loadgen {

struct Plan {
    PhaseContext ctx;
    uint64_t seed = 0;
    bool ingest = false, req = false, fanout = false, idle = false;
    IngestParams ingest_params;
    uint64_t ingest_events = 50000;
    uint64_t ingest_created_at_rate = 0;  // Options::created_at_rate
    uint64_t preload = 100000;  // 0 with --no-preload is still the dataset size queried
    bool no_preload = false;
    ReqParams req_params;
    FanoutParams fanout_params;
    uint64_t fanout_events = 2000;
    IdleParams idle_params;
};

std::optional<Plan> make_plan(const Options& options, std::string& error);

// The effective settings, for the report.
JsonObject plan_json(const Plan& plan);

}  // namespace loadgen
