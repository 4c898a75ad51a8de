// Builds the bench's events. Signing costs ~50 µs per event, far more than the relay spends
// on one, so every batch is built and signed up front on all cores and the measured phases
// only copy ready-made frames onto sockets.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nostr/signature.h"

namespace loadgen {

// Tag vocabulary: every event carries one or two of these `t` values, so filters by #t
// always match stored events.
constexpr uint32_t kTopicCount = 32;
std::string topic(uint32_t index);

struct BatchSpec {
    std::string label;  // distinguishes batches with the same seed (and marks content)
    uint64_t count = 0;
    int64_t first_created_at = 0;
    int64_t created_at_step = 0;       // seconds between consecutive runs of events
    uint64_t run_length = 1;           // consecutive events sharing one created_at
    std::vector<std::string> extra_t;  // additional `t` values on every event
    bool sign = true;  // false when only the ids are needed (the relay already has the events)
};

struct SignedEvent {
    std::string id;     // hex
    std::string frame;  // ["EVENT",{...}]
    int64_t created_at = 0;
    uint32_t author = 0;  // index into EventFactory::pubkeys()
};

// Event id (hex) -> position in `events`, for matching OKs and deliveries to send times.
// The views point into `events`, which must outlive the map.
using IdIndex = std::unordered_map<std::string_view, uint32_t>;
IdIndex index_by_id(const std::vector<SignedEvent>& events);

class EventFactory {
  public:
    // `key_count` distinct authors, derived from `seed` so a run can be reproduced.
    EventFactory(uint64_t seed, uint32_t key_count);

    // Kind-1 events with ~300 bytes of content and a few e/p/t tags. Deterministic in
    // (seed, spec). Uses all cores.
    std::vector<SignedEvent> make_batch(const BatchSpec& spec) const;

    const std::vector<std::string>& pubkeys() const { return pubkeys_hex_; }

  private:
    SignedEvent make_event(const BatchSpec& spec, uint64_t index) const;

    uint64_t seed_;
    std::vector<nostr::KeyPair> keys_;
    std::vector<std::string> pubkeys_hex_;
};

}  // namespace loadgen
