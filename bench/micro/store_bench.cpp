// The store's hot paths: a group commit of a batch (durable, fsync included) and index
// lookups on a preloaded store (the REQ shapes clients send most).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "nostr/canonical.h"
#include "nostr/signature.h"
#include "store/lmdb/lmdb_store.h"

namespace {

// Signing is slow, so events are made from a few keys with fake-but-consistent ids: the
// store never verifies signatures, only ids' uniqueness matters to it.
nostr::Event make_event(std::mt19937_64& rng, const std::vector<nostr::KeyPair>& keys, int64_t ts) {
    nostr::Event event;
    event.pubkey = keys[rng() % keys.size()].pubkey;
    event.created_at = ts;
    event.kind = (rng() % 4 == 0) ? 7 : 1;
    event.tags = {{"e", nostr::to_hex(nostr::sha256(std::to_string(rng())))},
                  {"p", nostr::to_hex(keys[rng() % keys.size()].pubkey)},
                  {"t", "topic" + std::to_string(rng() % 50)}};
    event.content = std::string(200, 'x');
    event.id = nostr::compute_event_id(event);
    event.json = nostr::serialize_event(event);
    return event;
}

struct Fixture {
    std::string dir;
    std::unique_ptr<store::LmdbStore> store;
    std::vector<nostr::KeyPair> keys;
    std::mt19937_64 rng{42};
    int64_t clock = 1'700'000'000;

    explicit Fixture(size_t preload) {
        dir = (std::filesystem::temp_directory_path() / "nostpp-bench-XXXXXX").string();
        if (!mkdtemp(dir.data())) std::abort();
        store = store::LmdbStore::open(dir, uint64_t{8} << 30);
        for (int i = 0; i < 100; ++i) keys.push_back(nostr::generate_keypair());
        for (size_t done = 0; done < preload; done += 1000) put(1000);
    }
    ~Fixture() {
        store.reset();
        std::filesystem::remove_all(dir);
    }
    void put(size_t count) {
        std::vector<nostr::Event> events;
        for (size_t i = 0; i < count; ++i) events.push_back(make_event(rng, keys, clock++));
        std::vector<const nostr::Event*> batch;
        for (auto& e : events) batch.push_back(&e);
        std::vector<store::PutResult> results;
        store->put(batch, results);
    }
};

Fixture& preloaded() {
    static Fixture fixture(50'000);
    return fixture;
}

void BM_StorePutBatch(benchmark::State& state) {
    Fixture& f = preloaded();
    const size_t batch = static_cast<size_t>(state.range(0));
    for (auto _ : state) f.put(batch);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_StorePutBatch)->Arg(1)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();

void run_query(benchmark::State& state, const std::function<nostr::Filter(Fixture&)>& make) {
    Fixture& f = preloaded();
    size_t events = 0;
    for (auto _ : state) {
        std::vector<nostr::Filter> filters{make(f)};
        f.store->query(filters, {500, 500, f.clock + 10}, [&](std::string_view json) {
            benchmark::DoNotOptimize(json.data());
            ++events;
            return true;
        });
    }
    state.counters["events/query"] =
        static_cast<double>(events) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
    state.SetItemsProcessed(state.iterations());
}

void BM_QueryAuthorLimit20(benchmark::State& state) {
    run_query(state, [](Fixture& f) {
        nostr::Filter filter;
        filter.authors = {{f.keys[f.rng() % f.keys.size()].pubkey}};
        filter.limit = 20;
        return filter;
    });
}
BENCHMARK(BM_QueryAuthorLimit20);

void BM_QueryTagLimit20(benchmark::State& state) {
    run_query(state, [](Fixture& f) {
        nostr::Filter filter;
        filter.tags.push_back({'t', {"topic" + std::to_string(f.rng() % 50)}, {}});
        filter.kinds = {{1}};
        filter.limit = 20;
        return filter;
    });
}
BENCHMARK(BM_QueryTagLimit20);

void BM_QueryKindsLimit500(benchmark::State& state) {
    run_query(state, [](Fixture&) {
        nostr::Filter filter;
        filter.kinds = {{1, 7}};
        filter.limit = 500;
        return filter;
    });
}
BENCHMARK(BM_QueryKindsLimit500);

}  // namespace
