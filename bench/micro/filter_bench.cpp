// Filter::matches, run for every live subscription on every new event.
#include <benchmark/benchmark.h>

#include "bench_events.h"
#include "nostr/canonical.h"
#include "nostr/filter.h"

#include <string>
#include <vector>

namespace {

// `count` pubkeys, the last of them the event's author.
std::vector<nostr::Bytes32> authors_including_event_author(int count) {
    std::vector<nostr::Bytes32> authors;
    for (int i = 1; i < count; ++i) authors.push_back(nostr::sha256(std::to_string(i)));
    authors.push_back(bench_support::representative_event().pubkey);
    return authors;
}

void BM_FilterMatchesAuthorsKinds(benchmark::State& state) {
    const nostr::Event& event = bench_support::representative_event();
    nostr::Filter filter;
    filter.authors = authors_including_event_author(static_cast<int>(state.range(0)));
    filter.kinds = {1, 6, 7, 30023};
    filter.normalize();
    if (!filter.matches(event)) state.SkipWithError("the filter should match");
    for (auto _ : state) benchmark::DoNotOptimize(filter.matches(event));
}
BENCHMARK(BM_FilterMatchesAuthorsKinds)->Arg(10)->Arg(500);

void BM_FilterMatchesTag(benchmark::State& state) {
    const nostr::Event& event = bench_support::representative_event();
    nostr::Filter filter;
    filter.kinds = {1, 7};
    nostr::TagCondition cond;
    cond.letter = 'e';
    for (int i = 1; i < 8; ++i)
        cond.values.push_back(nostr::to_hex(nostr::sha256(std::to_string(i))));
    cond.values.push_back(*event.first_tag_value("e"));
    filter.tags.push_back(std::move(cond));
    filter.normalize();
    if (!filter.matches(event)) state.SkipWithError("the filter should match");
    for (auto _ : state) benchmark::DoNotOptimize(filter.matches(event));
}
BENCHMARK(BM_FilterMatchesTag);

}  // namespace
