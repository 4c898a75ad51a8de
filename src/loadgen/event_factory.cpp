#include "loadgen/event_factory.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <string_view>
#include <thread>

#include "nostr/canonical.h"
#include "nostr/event.h"

namespace loadgen {
namespace {

// splitmix64: a tiny, well-mixed generator; seeding one per event keeps parallel
// generation deterministic regardless of how events are split across threads.
struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }
    nostr::Bytes32 bytes32() {
        nostr::Bytes32 out{};
        for (size_t i = 0; i < out.size(); i += 8) {
            uint64_t v = next();
            for (size_t j = 0; j < 8; ++j) out[i + j] = static_cast<uint8_t>(v >> (8 * j));
        }
        return out;
    }
};

constexpr std::string_view kWords[] = {
    "relay",  "nostr",   "event",  "signal", "bitcoin", "coffee", "morning",  "garden",
    "market", "thread",  "window", "packet", "latency", "ocean",  "mountain", "river",
    "filter", "pubkey",  "note",   "zap",    "client",  "server", "message",  "stream",
    "cache",  "compile", "kernel", "socket", "buffer",  "vector", "summer",   "winter"};

std::string make_content(Rng& rng, std::string_view label, uint64_t index) {
    std::string out = "[" + std::string(label) + " #" + std::to_string(index) + "] ";
    while (out.size() < 300) {
        out += kWords[rng.below(std::size(kWords))];
        out += ' ';
    }
    out.pop_back();
    return out;
}

}  // namespace

IdIndex index_by_id(const std::vector<SignedEvent>& events) {
    IdIndex index;
    index.reserve(events.size());
    for (uint32_t i = 0; i < events.size(); ++i) index.emplace(events[i].id, i);
    return index;
}

std::string topic(uint32_t index) {
    return "topic" + std::to_string(index);
}

EventFactory::EventFactory(uint64_t seed, uint32_t key_count) : seed_(seed) {
    Rng rng{seed ^ 0x6b657973ULL};
    while (keys_.size() < key_count) {
        // A random 32-byte value is a valid secret except with negligible probability;
        // keypair_from_secret rejects the rare invalid one and we draw again.
        try {
            keys_.push_back(nostr::keypair_from_secret(rng.bytes32()));
            pubkeys_hex_.push_back(nostr::to_hex(keys_.back().pubkey));
        } catch (const std::invalid_argument&) {
        }
    }
}

SignedEvent EventFactory::make_event(const BatchSpec& spec, uint64_t index) const {
    Rng rng{seed_ ^ std::hash<std::string>{}(spec.label) ^ (index * 0x2545f4914f6cdd1dULL)};
    uint32_t author = static_cast<uint32_t>(rng.below(keys_.size()));

    nostr::Event event;
    event.pubkey = keys_[author].pubkey;
    event.kind = 1;
    event.created_at = spec.first_created_at +
                       static_cast<int64_t>(index / std::max<uint64_t>(1, spec.run_length)) *
                           spec.created_at_step;
    event.tags.push_back({"e", nostr::to_hex(rng.bytes32())});
    event.tags.push_back({"p", pubkeys_hex_[rng.below(pubkeys_hex_.size())]});
    event.tags.push_back({"t", topic(static_cast<uint32_t>(rng.below(kTopicCount)))});
    if (rng.below(2))
        event.tags.push_back({"t", topic(static_cast<uint32_t>(rng.below(kTopicCount)))});
    for (const auto& t : spec.extra_t) event.tags.push_back({"t", t});
    event.content = make_content(rng, spec.label, index);
    event.id = nostr::compute_event_id(event);

    SignedEvent out;
    out.id = nostr::to_hex(event.id);
    out.created_at = event.created_at;
    out.author = author;
    if (spec.sign) {
        // Deterministic aux randomness keeps the whole batch reproducible from the seed.
        nostr::Bytes32 aux = rng.bytes32();
        event.sig = nostr::sign_schnorr(keys_[author], event.id, &aux);
        out.frame = "[\"EVENT\"," + nostr::serialize_event(event) + "]";
    }
    return out;
}

std::vector<SignedEvent> EventFactory::make_batch(const BatchSpec& spec) const {
    std::vector<SignedEvent> out(spec.count);
    unsigned workers = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> failures(workers);
    for (unsigned w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            try {
                for (uint64_t i = w; i < spec.count; i += workers) out[i] = make_event(spec, i);
            } catch (...) {
                failures[w] = std::current_exception();
            }
        });
    }
    for (auto& t : threads) t.join();
    for (auto& failure : failures)
        if (failure) std::rethrow_exception(failure);
    return out;
}

}  // namespace loadgen
