#include "nostr/pubkey_cache.h"

#include <array>
#include <cstring>

namespace nostr {
namespace {

// 1,024 entries of 96 bytes: ~100 KB per thread that verifies.
constexpr size_t kSlots = 1024;

struct Slot {
    Bytes32 key{};
    secp256k1_xonly_pubkey parsed{};
    bool used = false;
};

size_t slot_of(const Bytes32& pubkey) {
    // Public keys are uniformly distributed, so their low bytes are a fine index.
    uint32_t low;
    std::memcpy(&low, pubkey.data(), sizeof low);
    return low % kSlots;
}

}  // namespace

bool parse_xonly_pubkey_cached(const secp256k1_context* context, const Bytes32& pubkey,
                               secp256k1_xonly_pubkey& out) {
    thread_local std::array<Slot, kSlots> cache;
    Slot& slot = cache[slot_of(pubkey)];
    if (slot.used && slot.key == pubkey) {
        out = slot.parsed;
        return true;
    }
    if (!secp256k1_xonly_pubkey_parse(context, &out, pubkey.data())) return false;
    slot.key = pubkey;
    slot.parsed = out;
    slot.used = true;
    return true;
}

}  // namespace nostr
