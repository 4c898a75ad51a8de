// The NIP-42 state of one connection: the challenge it was sent when it opened and the
// pubkeys that have authenticated on it (several may). Written on the connection's strand,
// read by live deliveries and query callbacks on other threads, so reads are locked; a
// connection that never authenticated answers from one atomic load.
#pragma once
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "nostr/event.h"

namespace relay {

class ConnectionAuth {
  public:
    // Most pubkeys one connection may authenticate: each costs a signature check and is
    // looked up for every read-restricted event it is sent.
    static constexpr size_t kMaxPubkeys = 16;

    // Draws a new challenge: 16 bytes from OpenSSL's CSPRNG, as 32 hex characters.
    ConnectionAuth();

    const std::string& challenge() const { return challenge_; }
    // False when kMaxPubkeys others are authenticated already. Adding one twice is a no-op.
    bool add(const nostr::Bytes32& pubkey);
    bool any() const { return count_.load(std::memory_order_acquire) > 0; }
    bool has(const nostr::Bytes32& pubkey) const;
    // The author, or a pubkey named in a `p` tag, is authenticated here.
    bool is_participant(const nostr::Event& event) const;
    std::vector<nostr::Bytes32> pubkeys() const;

  private:
    std::string challenge_;
    mutable std::mutex mutex_;
    std::vector<nostr::Bytes32> pubkeys_;
    std::atomic<size_t> count_{0};
};

}  // namespace relay
