// Randomized check: random events and filters, the store's answers compared with a brute
// force reference (Filter::matches, sort by created_at desc / id asc, per-filter limit,
// union without repeats). Seeded; the seed is printed so a failure can be replayed with
// NOSTPP_TEST_SEED=<seed>.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>

#include "store_helpers.h"
#include "store_suite.h"
#include "test_events.h"

namespace store_test {
namespace {
using test_support::make_event;
using test_support::test_key;

uint64_t test_seed() {
    if (const char* env = std::getenv("NOSTPP_TEST_SEED")) return std::strtoull(env, nullptr, 10);
    return std::random_device{}();
}

struct Generator {
    std::mt19937_64 rng;
    explicit Generator(uint64_t seed) : rng(seed) {}
    int pick(int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); }
    bool chance(int percent) { return pick(100) < percent; }
};

const uint32_t kKinds[] = {1, 7, 1111, 4};
const char* kTagValues[] = {"a", "b", "c", "d"};

std::vector<nostr::Filter> random_filters(Generator& g, const std::vector<nostr::Event>& events) {
    std::vector<nostr::Filter> filters(1 + g.pick(3));
    for (auto& f : filters) {
        if (g.chance(15)) {
            f.ids.emplace();
            for (int i = 0, n = 1 + g.pick(4); i < n; ++i)
                f.ids->push_back(events[g.pick(static_cast<int>(events.size()))].id);
        }
        if (g.chance(40)) {
            f.authors.emplace();
            for (int i = 0, n = 1 + g.pick(3); i < n; ++i) f.authors->push_back(test_key(1 + g.pick(5)).pubkey);
        }
        if (g.chance(40)) {
            f.kinds.emplace();
            for (int i = 0, n = 1 + g.pick(2); i < n; ++i) f.kinds->push_back(kKinds[g.pick(4)]);
        }
        for (char letter : {'t', 'p'}) {
            if (!g.chance(30)) continue;
            nostr::TagCondition cond{letter, {}, {}};
            for (int i = 0, n = 1 + g.pick(2); i < n; ++i) cond.values.push_back(kTagValues[g.pick(4)]);
            f.tags.push_back(cond);
        }
        if (g.chance(30)) f.since = kNow - 60 + g.pick(60);
        if (g.chance(30)) f.until = kNow - 60 + g.pick(60);
        if (g.chance(50)) f.limit = g.pick(12);
        f.normalize();
    }
    return filters;
}

std::vector<std::string> reference(const std::vector<nostr::Event>& events,
                                   const std::vector<nostr::Filter>& filters) {
    auto newer = [](const nostr::Event* a, const nostr::Event* b) {
        return a->created_at != b->created_at ? a->created_at > b->created_at : a->id < b->id;
    };
    std::vector<const nostr::Event*> all;
    for (const auto& f : filters) {
        std::vector<const nostr::Event*> hits;
        for (const auto& e : events)
            if (f.matches(e)) hits.push_back(&e);
        std::sort(hits.begin(), hits.end(), newer);
        if (f.limit && hits.size() > *f.limit) hits.resize(*f.limit);
        all.insert(all.end(), hits.begin(), hits.end());
    }
    std::sort(all.begin(), all.end(), newer);
    all.erase(std::unique(all.begin(), all.end()), all.end());
    std::vector<std::string> ids;
    for (const auto* e : all) ids.push_back(hex(*e));
    return ids;
}

TEST_P(StoreSuite, RandomizedAgainstReferenceMatcher) {
    const uint64_t seed = test_seed();
    std::printf("store randomized check seed: %llu (replay with NOSTPP_TEST_SEED)\n",
                static_cast<unsigned long long>(seed));
    Generator g(seed);
    std::vector<nostr::Event> events;
    for (int i = 0; i < 300; ++i) {
        std::vector<nostr::Tag> tags;
        for (int t = 0, n = g.pick(4); t < n; ++t)
            tags.push_back({g.chance(50) ? "t" : "p", kTagValues[g.pick(4)]});
        events.push_back(make_event(test_key(1 + g.pick(5)), kKinds[g.pick(4)], kNow - g.pick(60),
                                    tags, "n" + std::to_string(i)));
    }
    // several batches, as group commit would produce
    for (size_t at = 0; at < events.size(); at += 37)
        put_all(*store_, std::vector<nostr::Event>(events.begin() + at,
                                                   events.begin() + std::min(at + 37, events.size())));
    for (int round = 0; round < 400; ++round) {
        auto filters = random_filters(g, events);
        auto expected = reference(events, filters);
        ASSERT_EQ(query_ids(*store_, filters), expected) << "seed " << seed << " round " << round;
        std::vector<nostr::Filter> unlimited = filters;
        for (auto& f : unlimited) f.limit.reset();
        ASSERT_EQ(store_->count(filters, kNow), reference(events, unlimited).size())
            << "seed " << seed << " round " << round;
    }
}

}  // namespace
}  // namespace store_test
