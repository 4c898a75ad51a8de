// Parsed x-only public keys, cached per thread. Parsing a BIP-340 key lifts its x-coordinate
// onto the curve (a field square root): ~5.7 µs of the ~48 µs a verification costs here, and
// a relay sees the same authors again and again. Each thread keeps a small direct-mapped table
// (no locks); an entry is used only when all 32 key bytes match, so a collision costs a parse,
// never a wrong key. Keys that fail to parse are not cached.
#pragma once
#include <secp256k1_extrakeys.h>

#include "nostr/hex.h"

namespace nostr {

// The parsed form of `pubkey` in `out`; false when it is not a valid x-only key.
bool parse_xonly_pubkey_cached(const secp256k1_context* context, const Bytes32& pubkey,
                               secp256k1_xonly_pubkey& out);

}  // namespace nostr
