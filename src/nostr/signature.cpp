#include "nostr/signature.h"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <stdexcept>

#include "nostr/pubkey_cache.h"

namespace nostr {
namespace {
// One context for the process: verification and signing only read it, so it is shared
// across threads without locking.
const secp256k1_context* context() {
    static secp256k1_context* const ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        Bytes32 seed{};
        // Randomization only hardens signing against side channels; failure is harmless.
        if (RAND_bytes(seed.data(), 32) == 1 && !secp256k1_context_randomize(c, seed.data())) {
        }
        return c;
    }();
    return ctx;
}
}  // namespace

bool verify_schnorr(const Bytes32& pubkey, const uint8_t* message, size_t size, const Bytes64& sig) {
    secp256k1_xonly_pubkey key;
    if (!parse_xonly_pubkey_cached(context(), pubkey, key)) return false;
    return secp256k1_schnorrsig_verify(context(), sig.data(), message, size, &key) == 1;
}

bool verify_schnorr(const Bytes32& pubkey, const Bytes32& message, const Bytes64& sig) {
    return verify_schnorr(pubkey, message.data(), message.size(), sig);
}

KeyPair keypair_from_secret(const Bytes32& secret) {
    secp256k1_keypair pair;
    if (!secp256k1_keypair_create(context(), &pair, secret.data()))
        throw std::invalid_argument("invalid secret key");
    secp256k1_xonly_pubkey xonly;
    if (!secp256k1_keypair_xonly_pub(context(), &xonly, nullptr, &pair))
        throw std::runtime_error("x-only public key derivation failed");
    KeyPair out;
    out.secret = secret;
    secp256k1_xonly_pubkey_serialize(context(), out.pubkey.data(), &xonly);
    return out;
}

KeyPair generate_keypair() {
    for (;;) {
        Bytes32 secret{};
        if (RAND_bytes(secret.data(), 32) != 1) throw std::runtime_error("RAND_bytes failed");
        if (secp256k1_ec_seckey_verify(context(), secret.data())) return keypair_from_secret(secret);
    }
}

Bytes64 sign_schnorr(const KeyPair& key, const Bytes32& message, const Bytes32* aux_rand) {
    secp256k1_keypair pair;
    if (!secp256k1_keypair_create(context(), &pair, key.secret.data()))
        throw std::invalid_argument("invalid secret key");
    Bytes32 aux{};
    if (aux_rand) aux = *aux_rand;
    else if (RAND_bytes(aux.data(), 32) != 1) throw std::runtime_error("RAND_bytes failed");
    Bytes64 sig{};
    if (!secp256k1_schnorrsig_sign32(context(), sig.data(), message.data(), &pair, aux.data()))
        throw std::runtime_error("schnorr signing failed");
    return sig;
}

}  // namespace nostr
