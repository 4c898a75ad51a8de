// Randomized check: random events and filters, the store's answers compared with a brute
// force reference (Filter::matches, sort by created_at desc / id asc, per-filter limit,
// union without repeats), before and after erasing a third of the events. Many events
// share a second and the first 8 bytes of their id, some authors and hex tag values share
// their first 8 bytes: what LMDB's index keys keep (lmdb_keys.h). Seeded; the seed is
// printed so a failure can be replayed with NOSTPP_TEST_SEED=<seed>.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>

#include "nostr/canonical.h"
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
const std::string kTagValues[] = {"a", "b", "c", "d", std::string(16, '1') + std::string(48, 'a'),
                                  std::string(16, '1') + std::string(48, 'b')};
constexpr int kTagValueCount = 6;
constexpr int kAuthorCount = 6;

// test_key(1..5), and a pubkey that shares its first 8 bytes with test_key(1)'s.
nostr::Bytes32 author(int i) {
    if (i < 5) return test_key(1 + i).pubkey;
    nostr::Bytes32 twin = test_key(1).pubkey;
    twin[31] ^= 0xff;
    return twin;
}

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
            for (int i = 0, n = 1 + g.pick(3); i < n; ++i) f.authors->push_back(author(g.pick(kAuthorCount)));
        }
        if (g.chance(40)) {
            f.kinds.emplace();
            for (int i = 0, n = 1 + g.pick(2); i < n; ++i) f.kinds->push_back(kKinds[g.pick(4)]);
        }
        for (char letter : {'t', 'p'}) {
            if (!g.chance(30)) continue;
            nostr::TagCondition cond{letter, {}, {}};
            for (int i = 0, n = 1 + g.pick(2); i < n; ++i)
                cond.values.push_back(kTagValues[g.pick(kTagValueCount)]);
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
            tags.push_back({g.chance(50) ? "t" : "p", kTagValues[g.pick(kTagValueCount)]});
        auto event = make_event(test_key(1), kKinds[g.pick(4)], kNow - g.pick(30), tags,
                                "n" + std::to_string(i));
        // The store takes ids and pubkeys as given (the relay verified them): ids with one of
        // three 8-byte beginnings, and any of the authors.
        if (g.chance(60)) std::fill_n(event.id.begin(), 8, static_cast<uint8_t>(g.pick(3)));
        event.pubkey = author(g.pick(kAuthorCount));
        event.json = nostr::serialize_event(event);
        events.push_back(std::move(event));
    }
    // several batches, as group commit would produce
    for (size_t at = 0; at < events.size(); at += 37)
        put_all(*store_, std::vector<nostr::Event>(events.begin() + at,
                                                   events.begin() + std::min(at + 37, events.size())));
    auto check = [&](const char* phase) {
        for (int round = 0; round < 300; ++round) {
            auto filters = random_filters(g, events);
            auto expected = reference(events, filters);
            ASSERT_EQ(query_ids(*store_, filters), expected)
                << "seed " << seed << " " << phase << " round " << round;
            std::vector<nostr::Filter> unlimited = filters;
            for (auto& f : unlimited) f.limit.reset();
            ASSERT_EQ(store_->count(filters, kNow), reference(events, unlimited).size())
                << "seed " << seed << " " << phase << " round " << round;
        }
    };
    check("stored");
    std::vector<nostr::Event> kept;
    for (const auto& event : events) {
        if (g.chance(33)) ASSERT_TRUE(store_->erase(event.id)) << "seed " << seed;
        else kept.push_back(event);
    }
    events = kept;
    check("after erasing");
}

}  // namespace
}  // namespace store_test
