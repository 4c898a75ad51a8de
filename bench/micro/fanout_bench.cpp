// Live fan-out: finding and notifying the subscriptions an accepted event matches, among
// many live subscriptions (most of which do not match).
#include <benchmark/benchmark.h>

#include <atomic>

#include "bench_events.h"
#include "relay/live_subscription.h"
#include "relay/subscription_index.h"

namespace {

class CountingOutbound final : public relay::Outbound {
public:
    void send(std::string text) override { bytes += text.size(); }
    void close(std::string_view) override {}
    std::atomic<size_t> bytes{0};
};

// `subscribers` subscriptions: one in ten follows the event's author, the rest follow others.
void BM_DispatchToSubscribers(benchmark::State& state) {
    const auto& event = bench_support::representative_event();
    const int subscribers = static_cast<int>(state.range(0));
    relay::SubscriptionIndex index;
    auto out = std::make_shared<CountingOutbound>();
    for (int i = 0; i < subscribers; ++i) {
        nostr::Filter filter;
        nostr::Bytes32 author = event.pubkey;
        if (i % 10 != 0) author[0] ^= static_cast<uint8_t>(1 + i % 255), author[1] ^= static_cast<uint8_t>(i / 255);
        filter.authors = {{author}};
        filter.kinds = {{1}};
        auto sub = std::make_shared<relay::LiveSubscription>("s" + std::to_string(i),
                                                             std::vector<nostr::Filter>{filter}, out);
        sub->finish_initial_query(relay::QueryResult{});  // live from now on
        index.add(sub);
    }
    auto shared = std::make_shared<const nostr::Event>(event);
    bus::LiveEvent live{shared, 1};
    for (auto _ : state) index.dispatch(live);
    state.counters["deliveries/event"] = (subscribers + 9) / 10;
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DispatchToSubscribers)->Arg(500)->Arg(10000);

}  // namespace
