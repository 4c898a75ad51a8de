// Latency of the PostgreSQL store against the local test server, printed for the record
// (the shapes of bench/micro/store_bench.cpp): put() of batches of 1, 64 and 512 events on
// a preloaded store, and the REQ shapes clients send most. Checks only that the answers are
// right; the figures depend on the machine. NOSTPP_PG_LATENCY_PRELOAD sets the store size.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <random>

#include "nostr/canonical.h"
#include "nostr/signature.h"
#include "pg_test_database.h"
#include "store_helpers.h"

namespace store_test {
namespace {
using Clock = std::chrono::steady_clock;

// Signing is slow, so ids are real but signatures are absent: the store never verifies.
struct Workload {
    std::mt19937_64 rng{42};
    std::vector<nostr::KeyPair> keys;
    int64_t clock = 1'600'000'000;
    Workload() {
        for (int i = 0; i < 100; ++i) keys.push_back(nostr::generate_keypair());
    }
    std::vector<nostr::Event> events(size_t count) {
        std::vector<nostr::Event> out;
        for (size_t i = 0; i < count; ++i) {
            nostr::Event e;
            e.pubkey = keys[rng() % keys.size()].pubkey;
            e.created_at = clock++;
            e.kind = (rng() % 4 == 0) ? 7 : 1;
            e.tags = {{"e", nostr::to_hex(nostr::sha256(std::to_string(rng())))},
                      {"p", nostr::to_hex(keys[rng() % keys.size()].pubkey)},
                      {"t", "topic" + std::to_string(rng() % 50)}};
            e.content = std::string(200, 'x');
            e.id = nostr::compute_event_id(e);
            e.json = nostr::serialize_event(e);
            out.push_back(std::move(e));
        }
        return out;
    }
};

struct Timing {
    std::vector<double> ms;
    void add(Clock::duration d) {
        ms.push_back(std::chrono::duration<double, std::milli>(d).count());
    }
    double percentile(double p) {
        std::sort(ms.begin(), ms.end());
        return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
    }
};

void report(const std::string& name, Timing& t, const std::string& extra = "") {
    std::printf("pg latency %-34s median %8.3f ms  p90 %8.3f ms  (n=%zu)%s\n", name.c_str(),
                t.percentile(0.5), t.percentile(0.9), t.ms.size(), extra.c_str());
    ::testing::Test::RecordProperty(name + "_median_ms", std::to_string(t.percentile(0.5)));
}

TEST(PgLatency, PutBatchesAndCommonQueries) {
    const char* env = std::getenv("NOSTPP_PG_LATENCY_PRELOAD");
    const size_t preload = env ? std::strtoull(env, nullptr, 10) : 20'000;
    std::string url = pg_database_url("latency");
    auto store = store::PgStore::open(pg_options(url));
    pg_reset(url);
    Workload w;
    auto put = [&](size_t n) {
        auto events = w.events(n);
        std::vector<const nostr::Event*> batch;
        for (auto& e : events) batch.push_back(&e);
        std::vector<store::PutResult> results;
        auto start = Clock::now();
        store->put(batch, results);
        auto elapsed = Clock::now() - start;
        for (const auto& r : results) EXPECT_EQ(r.outcome, store::PutOutcome::stored) << r.message;
        return elapsed;
    };
    Timing preload_puts;
    for (size_t done = 0; done < preload; done += 512) preload_puts.add(put(512));
    std::printf("pg latency: preloaded %zu events\n", store->size());
    pg_exec(url, "ANALYZE");
    report("put(512) while preloading", preload_puts);
    for (size_t n : {1, 64, 512}) {
        Timing t;
        for (int i = 0; i < 20; ++i) t.add(put(n));
        report("put(" + std::to_string(n) + ")", t,
               "  " +
                   std::to_string(
                       static_cast<int>(static_cast<double>(n) * 1000.0 / t.percentile(0.5))) +
                   " events/s");
    }

    auto run = [&](const std::string& name, const std::function<nostr::Filter()>& make) {
        Timing t;
        size_t rows = 0;
        for (int i = 0; i < 200; ++i) {
            std::vector<nostr::Filter> filters{make()};
            auto start = Clock::now();
            store->query(filters, {500, 500, w.clock + 10}, [&](std::string_view) {
                ++rows;
                return true;
            });
            t.add(Clock::now() - start);
        }
        report(name, t, "  " + std::to_string(rows / 200) + " events/query");
        return rows;
    };
    EXPECT_EQ(run("query author limit 20",
                  [&] {
                      nostr::Filter f;
                      f.authors = {{w.keys[w.rng() % w.keys.size()].pubkey}};
                      f.limit = 20;
                      return f;
                  }),
              200u * 20);
    run("query author (default limit 500)", [&] {
        nostr::Filter f;
        f.authors = {{w.keys[w.rng() % w.keys.size()].pubkey}};
        return f;
    });
    EXPECT_EQ(run("query #t + kind limit 20",
                  [&] {
                      nostr::Filter f;
                      f.tags.push_back({'t', {"topic" + std::to_string(w.rng() % 50)}, {}});
                      f.kinds = {{1}};
                      f.limit = 20;
                      return f;
                  }),
              200u * 20);
    EXPECT_EQ(run("query kinds 1,7 limit 500",
                  [&] {
                      nostr::Filter f;
                      f.kinds = {{1, 7}};
                      f.limit = 500;
                      return f;
                  }),
              200u * 500);
}

}  // namespace
}  // namespace store_test
