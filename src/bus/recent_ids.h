// The ids of the last N events this process delivered, so the Redis copy of an event it
// already delivered (its own publish coming back, or a re-sent batch) is recognised and
// skipped. Bounded: the oldest id is forgotten first. Not thread-safe (RedisBus locks).
#pragma once
#include <cstddef>
#include <cstring>
#include <deque>
#include <unordered_set>

#include "nostr/hex.h"

namespace bus {

class RecentIds {
public:
    explicit RecentIds(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
    // True when `id` was not among the recent ids (it is now).
    bool insert(const nostr::Bytes32& id);
    size_t size() const { return order_.size(); }

private:
    struct Hash {  // ids are SHA-256 outputs: any 8 bytes are well mixed
        size_t operator()(const nostr::Bytes32& id) const {
            size_t h;
            std::memcpy(&h, id.data(), sizeof h);
            return h;
        }
    };
    size_t capacity_;
    std::unordered_set<nostr::Bytes32, Hash> ids_;
    std::deque<nostr::Bytes32> order_;
};

}  // namespace bus
