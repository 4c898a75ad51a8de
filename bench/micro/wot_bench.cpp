// The Web of Trust's two costs: building the set from 100,000 follow lists (read from an
// LMDB store, as a rebuild does, and from memory, the graph computation alone) and the
// membership check every incoming event pays.
//   build/bench/micro/nostpp_wot_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "nostr/canonical.h"
#include "store/lmdb/lmdb_store.h"
#include "wot/follow_graph.h"
#include "wot/wot_service.h"

namespace {

constexpr size_t kLists = 100'000;      // kind-3 events: the admin's plus one per follow
constexpr size_t kFollowsPerList = 20;  // entries in each follow's list
constexpr size_t kUniverse = 400'000;   // distinct pubkeys the lists draw from

nostr::Bytes32 random_key(std::mt19937_64& rng) {
    nostr::Bytes32 key;
    for (size_t i = 0; i < key.size(); i += 8) {
        uint64_t v = rng();
        std::memcpy(key.data() + i, &v, 8);
    }
    return key;
}

// The store never checks signatures, so the lists carry consistent ids and no real ones.
nostr::Event follow_list(const nostr::Bytes32& author, const std::vector<nostr::Bytes32>& follows) {
    nostr::Event event;
    event.pubkey = author;
    event.kind = 3;
    event.created_at = 1'700'000'000;
    for (const auto& f : follows) event.tags.push_back({"p", nostr::to_hex(f)});
    event.id = nostr::compute_event_id(event);
    event.json = nostr::serialize_event(event);
    return event;
}

// Admin follows kLists - 1 authors; each of them follows kFollowsPerList pubkeys drawn
// (skewed, so some pass the depth-2 threshold) from kUniverse.
struct Graph {
    nostr::Bytes32 admin;
    std::vector<nostr::Bytes32> universe;
    std::vector<nostr::Event> lists;  // [0] is the admin's
    wot::FollowGraph memory;

    Graph() {
        std::mt19937_64 rng(7);
        admin = random_key(rng);
        for (size_t i = 0; i < kUniverse; ++i) universe.push_back(random_key(rng));
        std::vector<nostr::Bytes32> follows(universe.begin(), universe.begin() + kLists - 1);
        lists.push_back(follow_list(admin, follows));
        memory.admin = admin;
        memory.admin_follows = follows;
        std::geometric_distribution<size_t> popularity(1.0 / 20000);
        for (const auto& author : follows) {
            std::vector<nostr::Bytes32> picked;
            for (size_t j = 0; j < kFollowsPerList; ++j)
                picked.push_back(universe[popularity(rng) % kUniverse]);
            lists.push_back(follow_list(author, picked));
            memory.lists[author] = wot::parse_follows(lists.back());
        }
    }
};

Graph& graph() {
    static Graph g;
    return g;
}

struct StoredGraph {
    std::string dir;
    std::unique_ptr<store::LmdbStore> store;
    StoredGraph() {
        dir = (std::filesystem::temp_directory_path() / "nostpp-wot-bench-XXXXXX").string();
        if (!mkdtemp(dir.data())) std::abort();
        store = store::LmdbStore::open(dir, uint64_t{8} << 30);
        const auto& lists = graph().lists;
        std::vector<store::PutResult> results;
        for (size_t start = 0; start < lists.size(); start += 5000) {
            std::vector<const nostr::Event*> batch;
            for (size_t i = start; i < std::min(lists.size(), start + 5000); ++i)
                batch.push_back(&lists[i]);
            store->put(batch, results);
        }
    }
    ~StoredGraph() {
        store.reset();
        std::filesystem::remove_all(dir);
    }
};

StoredGraph& stored() {
    static StoredGraph s;
    return s;
}

wot::WotConfig config() {
    wot::WotConfig c;
    c.enabled = true;
    c.admin = graph().admin;
    return c;
}

void BM_WotBuildFromMemory(benchmark::State& state) {
    const Graph& g = graph();
    size_t members = 0;
    for (auto _ : state) members = wot::build_trust_set(g.memory, {2, 3}).size();
    state.counters["members"] = double(members);
    state.counters["lists"] = double(g.lists.size());
}
BENCHMARK(BM_WotBuildFromMemory)->Unit(benchmark::kMillisecond)->Iterations(5);

// A whole rebuild as the service runs it: read 100,000 lists from LMDB, parse, count votes,
// persist the set (durable commit) and swap it in.
void BM_WotRebuildFromStore(benchmark::State& state) {
    wot::WotService service(config(), *stored().store);
    size_t members = 0;
    for (auto _ : state) members = service.rebuild(false).members;
    state.counters["members"] = double(members);
}
BENCHMARK(BM_WotRebuildFromStore)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The per-event cost: check_author() for a member and for a stranger.
void BM_WotCheck(benchmark::State& state) {
    static wot::WotService service(config(), *stored().store);
    static bool built = (service.rebuild(false), true);
    (void)built;
    const bool member = state.range(0) == 1;
    std::mt19937_64 rng(99);
    nostr::Bytes32 stranger = random_key(rng);
    const nostr::Bytes32& who = member ? graph().universe[5] : stranger;
    for (auto _ : state) benchmark::DoNotOptimize(service.check_author(who));
    state.SetLabel(member ? "member" : "stranger");
}
BENCHMARK(BM_WotCheck)->Arg(1)->Arg(0);

}  // namespace
