// The websocket-handler's side of POST /query: decoding a batch of answers from the event
// handler (8 queries × 20 events of ~500 bytes, the REQ mix's typical answer). The JSON answer
// is parsed and every event re-serialized for the EVENT frames; the line answer
// (api_query_lines.h) parses each line and keeps its bytes.
#include <benchmark/benchmark.h>

#include "bench_events.h"
#include "services/api_json.h"
#include "services/api_query_lines.h"

namespace {

constexpr size_t kQueries = 8;
constexpr size_t kEventsPerQuery = 20;

std::vector<std::string> query_events() {
    return std::vector<std::string>(kEventsPerQuery, bench_support::representative_event().json);
}

std::string query_batch_body() {
    std::vector<std::string> events = query_events();
    std::string body = "[";
    for (size_t q = 0; q < kQueries; ++q) {
        if (q) body += ',';
        services::api::append_query_reply(body, events, 1000 + q);
    }
    return body + "]";
}

std::string query_lines_body() {
    std::vector<std::string> events = query_events();
    std::string body;
    for (size_t q = 0; q < kQueries; ++q) services::api::append_query_lines(body, events, 1000 + q);
    return body;
}

// Decodes `body` with `decode(body, replies, error)` on every iteration.
template <class Decode>
void run(benchmark::State& state, const std::string& body, Decode decode) {
    std::vector<services::api::QueryReply> replies;
    std::string error;
    for (auto _ : state) {
        if (!decode(body, replies, error)) state.SkipWithError(error.c_str());
        benchmark::DoNotOptimize(replies.data());
    }
    state.counters["events"] = benchmark::Counter(
        double(state.iterations()) * kQueries * kEventsPerQuery, benchmark::Counter::kIsRate);
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

void BM_DecodeQueryReplies(benchmark::State& state) {
    run(state, query_batch_body(), [](const std::string& body, auto& replies, auto& error) {
        return services::api::decode_query_replies(body, true, replies, error);
    });
}
BENCHMARK(BM_DecodeQueryReplies);

void BM_DecodeQueryLines(benchmark::State& state) {
    run(state, query_lines_body(), [](const std::string& body, auto& replies, auto& error) {
        return services::api::decode_query_lines(body, kQueries, replies, error);
    });
}
BENCHMARK(BM_DecodeQueryLines);

}  // namespace
