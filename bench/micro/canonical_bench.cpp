// The id hash (canonical serialization + SHA-256) and the stored/sent JSON form.
#include <benchmark/benchmark.h>

#include "bench_events.h"
#include "nostr/canonical.h"

namespace {

void BM_ComputeEventId(benchmark::State& state) {
    const nostr::Event& event = bench_support::representative_event();
    for (auto _ : state) benchmark::DoNotOptimize(nostr::compute_event_id(event));
}
BENCHMARK(BM_ComputeEventId);

void BM_SerializeEvent(benchmark::State& state) {
    const nostr::Event& event = bench_support::representative_event();
    for (auto _ : state) benchmark::DoNotOptimize(nostr::serialize_event(event));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * event.json.size()));
}
BENCHMARK(BM_SerializeEvent);

}  // namespace
