// The websocket-handler's side of POST /query: decoding a batch of answers from the event
// handler (8 queries × 20 events of ~500 bytes, the REQ mix's typical answer), which parses
// the body and re-serializes every event for the EVENT frames.
#include <benchmark/benchmark.h>

#include "bench_events.h"
#include "services/api_json.h"

namespace {

std::string query_batch_body(size_t queries, size_t events_per_query) {
    std::vector<std::string> events(events_per_query, bench_support::representative_event().json);
    std::string body = "[";
    for (size_t q = 0; q < queries; ++q) {
        if (q) body += ',';
        services::api::append_query_reply(body, events, 1000 + q);
    }
    return body + "]";
}

void BM_DecodeQueryReplies(benchmark::State& state) {
    const std::string body = query_batch_body(8, 20);
    std::vector<services::api::QueryReply> replies;
    std::string error;
    for (auto _ : state) {
        if (!services::api::decode_query_replies(body, true, replies, error))
            state.SkipWithError(error.c_str());
        benchmark::DoNotOptimize(replies.data());
    }
    state.counters["events"] =
        benchmark::Counter(double(state.iterations()) * 160, benchmark::Counter::kIsRate);
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}
BENCHMARK(BM_DecodeQueryReplies);

}  // namespace
