#include "relay/connection_auth.h"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "nostr/hex.h"

namespace relay {

ConnectionAuth::ConnectionAuth() {
    unsigned char bytes[16];
    // Unguessable per connection: a predictable challenge would let a signed AUTH event
    // captured elsewhere be replayed here.
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("OpenSSL RAND_bytes failed to make an AUTH challenge");
    challenge_ = nostr::to_hex(bytes, sizeof bytes);
}

bool ConnectionAuth::add(const nostr::Bytes32& pubkey) {
    std::lock_guard lock(mutex_);
    if (std::find(pubkeys_.begin(), pubkeys_.end(), pubkey) != pubkeys_.end()) return true;
    if (pubkeys_.size() >= kMaxPubkeys) return false;
    pubkeys_.push_back(pubkey);
    count_.store(pubkeys_.size(), std::memory_order_release);
    return true;
}

bool ConnectionAuth::has(const nostr::Bytes32& pubkey) const {
    if (!any()) return false;
    std::lock_guard lock(mutex_);
    return std::find(pubkeys_.begin(), pubkeys_.end(), pubkey) != pubkeys_.end();
}

bool ConnectionAuth::is_participant(const nostr::Event& event) const {
    if (!any()) return false;
    std::lock_guard lock(mutex_);
    auto authenticated = [this](const nostr::Bytes32& key) {
        return std::find(pubkeys_.begin(), pubkeys_.end(), key) != pubkeys_.end();
    };
    if (authenticated(event.pubkey)) return true;
    for (const nostr::Tag& tag : event.tags) {
        if (tag.size() < 2 || tag[0] != "p") continue;
        nostr::Bytes32 key;
        if (nostr::decode_lower_hex(tag[1], key) && authenticated(key)) return true;
    }
    return false;
}

std::vector<nostr::Bytes32> ConnectionAuth::pubkeys() const {
    std::lock_guard lock(mutex_);
    return pubkeys_;
}

}  // namespace relay
