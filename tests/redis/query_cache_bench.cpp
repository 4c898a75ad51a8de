// Query latency with and without the Redis query cache on a repeated-REQ workload.
//
//   nostpp_query_cache_bench REDIS_URL [--events N] [--queries N] [--distinct N]
//                            [--write-every N] [--inner-delay-us US]
//
// An LMDB store in a temporary directory is filled with signed events (200 authors, notes and
// reactions). The same sequence of queries (Zipf-distributed over `distinct` REQ shapes: author
// feeds, home feeds of 10 authors, reactions to a note, the global feed) runs twice: against
// the store directly, then through CachedStore. Every `write-every` queries a new note or
// reaction is stored, which invalidates the entries of its kind. --inner-delay-us adds a fixed
// delay to every inner query to stand in for a remote database (PostgreSQL round trip + plan).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "nostr/client_message.h"
#include "store/cached_store.h"
#include "store/lmdb/lmdb_store.h"
#include "test_events.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
    std::string url;
    int events = 20000;
    int queries = 20000;
    int distinct = 200;
    int write_every = 50;
    int inner_delay_us = 0;
};

// The store under test with an optional fixed delay per query (a stand-in for a network hop).
class DelayedStore final : public store::Store {
public:
    DelayedStore(store::Store& inner, int delay_us) : inner_(inner), delay_us_(delay_us) {}
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<store::PutResult>& results,
                 const store::Decided& decided) override {
        return inner_.put(batch, results, decided);
    }
    uint64_t query(const std::vector<nostr::Filter>& filters, const store::QueryOptions& options,
                   const store::EventSink& sink) override {
        if (delay_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us_));
        return inner_.query(filters, options, sink);
    }
    uint64_t count(const std::vector<nostr::Filter>& filters, int64_t now, store::HyperLogLog* hll,
                   int hll_offset) override {
        return inner_.count(filters, now, hll, hll_offset);
    }
    size_t purge_expired(int64_t now) override { return inner_.purge_expired(now); }
    bool erase(const nostr::Bytes32& id) override { return inner_.erase(id); }
    uint64_t size() override { return inner_.size(); }
    void put_setting(std::string_view name, std::string_view value) override {
        inner_.put_setting(name, value);
    }
    std::optional<std::string> get_setting(std::string_view name) override {
        return inner_.get_setting(name);
    }

private:
    store::Store& inner_;
    int delay_us_;
};

std::vector<nostr::Filter> parse_filters(const std::string& json) {
    auto message = nostr::parse_client_message("[\"REQ\",\"b\"," + json + "]");
    return std::get<nostr::ReqMessage>(message).filters;
}

std::string pubkey_hex(int author) {
    return nostr::to_hex(test_support::test_key(1 + author).pubkey);
}

struct Workload {
    std::vector<std::vector<nostr::Filter>> shapes;
    std::vector<int> sequence;  // index into shapes, per query
};

Workload make_workload(const Settings& settings, const std::vector<std::string>& note_ids) {
    Workload w;
    std::mt19937 random(7);
    for (int i = 0; i < settings.distinct; ++i) {
        std::string json;
        switch (i % 4) {
            case 0:
                json = R"({"kinds":[1],"authors":[")" + pubkey_hex(i % 200) + R"("],"limit":20})";
                break;
            case 1: {
                json = R"({"kinds":[1,6],"authors":[)";
                for (int a = 0; a < 10; ++a)
                    json += (a ? ",\"" : "\"") + pubkey_hex((i + a * 17) % 200) + "\"";
                json += R"(],"limit":100})";
                break;
            }
            case 2:
                json = R"({"kinds":[7],"#e":[")" + note_ids[random() % note_ids.size()] + R"("]})";
                break;
            default:
                json = R"({"kinds":[1],"limit":)" + std::to_string(20 + i % 5 * 10) + "}";
        }
        w.shapes.push_back(parse_filters(json));
    }
    // Zipf(1): a few shapes are asked for most of the time, as on a real relay.
    std::vector<double> weights;
    for (int i = 0; i < settings.distinct; ++i) weights.push_back(1.0 / (i + 1));
    std::discrete_distribution<int> pick(weights.begin(), weights.end());
    for (int q = 0; q < settings.queries; ++q) w.sequence.push_back(pick(random));
    return w;
}

int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void put_one(store::Store& store, const nostr::Event& event) {
    std::vector<store::PutResult> results;
    const nostr::Event* batch[] = {&event};
    store.put(batch, results);
}

struct Result {
    std::vector<double> latencies_us;
};

Result run(store::Store& store, const Workload& w, const Settings& settings,
           const std::vector<std::string>& note_ids, int& serial) {
    Result result;
    int64_t now = now_seconds();
    store::QueryOptions options{5000, 500, now};
    size_t returned = 0;
    for (size_t q = 0; q < w.sequence.size(); ++q) {
        size_t every = settings.write_every > 0 ? settings.write_every : 0;
        if (every > 0 && q % every == every - 1) {
            int n = serial++;
            std::vector<nostr::Tag> tags;
            uint32_t kind = n % 2 ? 7 : 1;
            if (kind == 7) tags.push_back({"e", note_ids[n % note_ids.size()]});
            put_one(store, test_support::make_event(test_support::test_key(1 + n % 200), kind,
                                                    now - 1, tags, "w" + std::to_string(n)));
        }
        auto t0 = Clock::now();
        store.query(w.shapes[w.sequence[q]], options, [&](std::string_view) {
            ++returned;
            return true;
        });
        result.latencies_us.push_back(
            std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    if (returned == 0) std::fprintf(stderr, "warning: the queries returned nothing\n");
    return result;
}

void report(const char* name, Result r) {
    std::sort(r.latencies_us.begin(), r.latencies_us.end());
    auto at = [&](double p) {
        return r.latencies_us[static_cast<size_t>(p * (r.latencies_us.size() - 1))];
    };
    double sum = 0;
    for (double v : r.latencies_us) sum += v;
    std::printf(
        "%-14s mean %8.1f us  p50 %8.1f  p90 %8.1f  p99 %8.1f  (%.0f queries/s, "
        "one thread, writes excluded)\n",
        name, sum / r.latencies_us.size(), at(0.5), at(0.9), at(0.99),
        1e6 * r.latencies_us.size() / sum);
}

}  // namespace

int main(int argc, char** argv) {
    Settings settings;
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: %s REDIS_URL [--events N] [--queries N] [--distinct N] "
                     "[--write-every N] [--inner-delay-us US]\n",
                     argv[0]);
        return 2;
    }
    settings.url = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        int value = std::stoi(argv[i + 1]);
        if (flag == "--events")
            settings.events = value;
        else if (flag == "--queries")
            settings.queries = value;
        else if (flag == "--distinct")
            settings.distinct = value;
        else if (flag == "--write-every")
            settings.write_every = value;
        else if (flag == "--inner-delay-us")
            settings.inner_delay_us = value;
        else
            return std::fprintf(stderr, "unknown flag %s\n", flag.c_str()), 2;
    }
    std::string dir = (std::filesystem::temp_directory_path() / "nostpp-qcbench-XXXXXX").string();
    if (!mkdtemp(dir.data())) return 1;
    {
        auto lmdb = store::LmdbStore::open(dir, uint64_t{1} << 31);
        int64_t now = now_seconds();
        std::vector<nostr::Event> events;
        std::vector<std::string> note_ids;
        for (int i = 0; i < settings.events; ++i) {
            bool reaction = i % 4 == 3 && !note_ids.empty();
            std::vector<nostr::Tag> tags;
            if (reaction) tags.push_back({"e", note_ids[(i * 7919) % note_ids.size()]});
            events.push_back(test_support::make_event(test_support::test_key(1 + i % 200),
                                                      reaction ? 7 : 1, now - 100000 + i, tags,
                                                      "note " + std::to_string(i)));
            if (!reaction) note_ids.push_back(nostr::to_hex(events.back().id));
            if (events.size() == 1000 || i + 1 == settings.events) {
                std::vector<const nostr::Event*> batch;
                for (const auto& e : events) batch.push_back(&e);
                std::vector<store::PutResult> results;
                lmdb->put(batch, results);
                events.clear();
            }
        }
        Workload w = make_workload(settings, note_ids);
        std::printf(
            "%d events, %d queries over %d shapes (Zipf), a write every %d queries, "
            "inner delay %d us\n",
            settings.events, settings.queries, settings.distinct, settings.write_every,
            settings.inner_delay_us);
        int serial = 0;
        DelayedStore direct(*lmdb, settings.inner_delay_us);
        report("without cache", run(direct, w, settings, note_ids, serial));

        store::CacheOptions options;
        options.url = settings.url;
        options.key_prefix = "nostpp-bench:" + std::to_string(now) + ":";
        store::CachedStore cached(std::make_unique<DelayedStore>(*lmdb, settings.inner_delay_us),
                                  options);
        report("with cache", run(cached, w, settings, note_ids, serial));
        auto s = cached.stats();
        std::printf(
            "cache: hits %llu  misses %llu  bypassed %llu  errors %llu  hit rate %.1f%%\n",
            static_cast<unsigned long long>(s.hits), static_cast<unsigned long long>(s.misses),
            static_cast<unsigned long long>(s.bypassed), static_cast<unsigned long long>(s.errors),
            100.0 * s.hits / std::max<uint64_t>(1, s.hits + s.misses + s.bypassed));
    }
    std::filesystem::remove_all(dir);
    return 0;
}
