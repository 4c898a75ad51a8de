// verify_event: id recomputation plus BIP-340 verification, the relay's dominant CPU cost.
#include <benchmark/benchmark.h>

#include <string>

#include "bench_events.h"
#include "nostr/event_parser.h"

namespace {

void BM_VerifyEvent(benchmark::State& state) {
    const nostr::Event& event = bench_support::representative_event();
    for (auto _ : state) {
        std::string verdict = nostr::verify_event(event);
        if (!verdict.empty()) state.SkipWithError(verdict.c_str());
        benchmark::DoNotOptimize(verdict);
    }
}
BENCHMARK(BM_VerifyEvent);

void BM_ParseEventJson(benchmark::State& state) {
    const nostr::Event& event = bench_support::representative_event();
    nostr::Event out;
    std::string error;
    for (auto _ : state) {
        if (!nostr::parse_event_json(event.json, out, error)) state.SkipWithError(error.c_str());
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * event.json.size()));
}
BENCHMARK(BM_ParseEventJson);

}  // namespace
