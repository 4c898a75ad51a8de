// What metrics cost the hot path: a counter increment per message or event, a histogram
// observation per commit or query, from one thread and from two at once (shared cache
// lines). Compare with BM_ParseClientMessageEvent and BM_VerifyEvent, which every EVENT costs.
#include <benchmark/benchmark.h>

#include "telemetry/metrics.h"

namespace {

telemetry::MetricsRegistry& registry() {
    static telemetry::MetricsRegistry shared;
    return shared;
}

void BM_CounterInc(benchmark::State& state) {
    telemetry::Counter& counter = registry().counter("nostpp_bench_total", "bench");
    for (auto _ : state) counter.inc();
    benchmark::DoNotOptimize(counter.value());
}
BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
    telemetry::Histogram& histogram =
        registry().histogram("nostpp_bench_seconds", "bench", telemetry::latency_buckets_seconds());
    double value = 0.0003;
    for (auto _ : state) {
        histogram.observe(value);
        value = value < 1 ? value * 1.7 : 0.0003;
    }
    benchmark::DoNotOptimize(histogram.count());
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2);

}  // namespace
