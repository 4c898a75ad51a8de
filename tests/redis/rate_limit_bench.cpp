// What the rate limits cost (not a test; figures in docs/security.md):
//
//   nostpp_rate_limit_bench REDIS_URL [--keys N] [--rounds N]
//
// 1. The decision on the hot path: PubkeyBudget::take and ConnectionCounts::acquire/release,
//    ns per call, from one thread and from two threads at once (the I/O threads share them).
// 2. One RedisRateSync round with N pubkeys and N addresses changed since the last round
//    (one pipelined round trip): median and max over the rounds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "ratelimit/connection_counts.h"
#include "ratelimit/pubkey_budget.h"
#include "ratelimit/redis_rate_sync.h"
#include "telemetry/metrics.h"

namespace {

using Clock = std::chrono::steady_clock;

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

nostr::Bytes32 pubkey(size_t n) {
    nostr::Bytes32 key{};
    for (size_t i = 0; i < 8; ++i) key[i] = uint8_t(n >> (8 * i));
    key[31] = 0x5a;
    return key;
}

double ns_per_take(ratelimit::PubkeyBudget& budget, size_t keys, size_t calls, int threads) {
    auto start = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            int64_t now = unix_now();
            for (size_t i = 0; i < calls; ++i) budget.take(pubkey((i * 7 + t) % keys), 1, now);
        });
    for (auto& w : workers) w.join();
    return std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
           double(calls * threads);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s REDIS_URL [--keys N] [--rounds N]\n", argv[0]);
        return 2;
    }
    std::string url = argv[1];
    size_t keys = 1000, rounds = 20;
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--keys") keys = std::stoul(argv[i + 1]);
        if (flag == "--rounds") rounds = std::stoul(argv[i + 1]);
    }
    telemetry::MetricsRegistry metrics;
    ratelimit::PubkeyBudget budget({1'000'000'000, 0, 0, 0}, metrics);
    const size_t calls = 1'000'000;
    std::printf("PubkeyBudget::take, %zu keys: %.0f ns/call (1 thread), %.0f ns/call (2 threads)\n",
                keys, ns_per_take(budget, keys, calls, 1), ns_per_take(budget, keys, calls, 2));

    auto counts = ratelimit::ConnectionCounts::create(1'000'000);
    auto start = Clock::now();
    for (size_t i = 0; i < calls; ++i) counts->acquire("192.0.2." + std::to_string(i % keys));
    std::printf(
        "ConnectionCounts::acquire + release: %.0f ns/call\n",
        std::chrono::duration<double, std::nano>(Clock::now() - start).count() / double(calls));

    ratelimit::RedisRateSyncOptions options;
    options.url = url;
    options.process_id = "bench";
    ratelimit::RedisRateSync sync(options, &budget.counts(), counts.get(), metrics, false);
    std::vector<std::unique_ptr<ratelimit::ConnectionSlot>> held;
    std::vector<double> ms;
    for (size_t r = 0; r < rounds; ++r) {
        int64_t now = unix_now();
        for (size_t k = 0; k < keys; ++k) budget.take(pubkey(k), 1, now);
        held.clear();
        for (size_t k = 0; k < keys; ++k)
            held.push_back(counts->acquire("198.51.100." + std::to_string(k)));
        auto t0 = Clock::now();
        if (!sync.sync_once()) {
            std::fprintf(stderr, "sync failed: is Redis at %s?\n", url.c_str());
            return 1;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "sync round, %zu pubkeys + %zu addresses: median %.2f ms, max %.2f ms (%zu rounds)\n", keys,
        keys, ms[ms.size() / 2], ms.back(), ms.size());
    return 0;
}
