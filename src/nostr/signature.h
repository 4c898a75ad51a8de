// BIP-340 Schnorr signatures over secp256k1 (libsecp256k1), the scheme NIP-01 events use.
#pragma once
#include "nostr/hex.h"

namespace nostr {

// True when `sig` is a valid BIP-340 signature of the 32-byte `message` by x-only `pubkey`.
// Thread-safe.
bool verify_schnorr(const Bytes32& pubkey, const Bytes32& message, const Bytes64& sig);
// BIP-340 allows messages of any length (used by the BIP's own test vectors).
bool verify_schnorr(const Bytes32& pubkey, const uint8_t* message, size_t size, const Bytes64& sig);

// Signing, for tests, benchmarks and tools (never on the relay's request path).
struct KeyPair {
    Bytes32 secret{};
    Bytes32 pubkey{};  // x-only
};
KeyPair keypair_from_secret(const Bytes32& secret);
KeyPair generate_keypair();
Bytes64 sign_schnorr(const KeyPair& key, const Bytes32& message, const Bytes32* aux_rand = nullptr);

}  // namespace nostr
