// The Web of Trust's membership set: an immutable hash set of public keys, built off the hot
// path and swapped in whole, so a membership check is one hash lookup with no locking.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "nostr/hex.h"

namespace wot {

// Public keys are uniformly random: their first eight bytes are already a good hash.
struct PubkeyHash {
    size_t operator()(const nostr::Bytes32& key) const {
        uint64_t h;
        std::memcpy(&h, key.data(), sizeof h);
        return static_cast<size_t>(h);
    }
};

using PubkeySet = std::unordered_set<nostr::Bytes32, PubkeyHash>;

class TrustSet {
  public:
    TrustSet() = default;
    explicit TrustSet(PubkeySet members) : members_(std::move(members)) {}

    bool contains(const nostr::Bytes32& pubkey) const { return members_.count(pubkey) != 0; }
    size_t size() const { return members_.size(); }
    // Members in ascending byte order (stable output for persistence and operators).
    std::vector<nostr::Bytes32> sorted() const;

  private:
    PubkeySet members_;
};

}  // namespace wot
