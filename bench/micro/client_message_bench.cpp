// parse_client_message on the relay's most common frame: an EVENT carrying a ~500-byte event.
#include <benchmark/benchmark.h>

#include <string>
#include <variant>

#include "bench_events.h"
#include "nostr/client_message.h"

namespace {

void BM_ParseClientMessageEvent(benchmark::State& state) {
    const std::string frame = "[\"EVENT\"," + bench_support::representative_event().json + "]";
    for (auto _ : state) {
        nostr::ClientMessage message = nostr::parse_client_message(frame);
        if (!std::holds_alternative<nostr::EventMessage>(message))
            state.SkipWithError("the EVENT frame was rejected");
        benchmark::DoNotOptimize(message);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * frame.size()));
    state.counters["frame_bytes"] = static_cast<double>(frame.size());
}
BENCHMARK(BM_ParseClientMessageEvent);

}  // namespace
