#include "bench_events.h"

#include "nostr/canonical.h"

namespace bench_support {

const nostr::KeyPair& bench_key() {
    static const nostr::KeyPair key = [] {
        nostr::Bytes32 secret{};
        secret[31] = 1;
        return nostr::keypair_from_secret(secret);
    }();
    return key;
}

const nostr::Event& representative_event() {
    static const nostr::Event event = [] {
        nostr::Event e;
        e.pubkey = bench_key().pubkey;
        e.created_at = 1700000000;
        e.kind = 1;
        e.tags = {
            {"e", "5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36",
             "wss://relay.example.com", "reply"},
        };
        e.content = "A benchmark beside every hot path: a reply of typical size.";
        e.id = nostr::compute_event_id(e);
        const nostr::Bytes32 aux{};
        e.sig = nostr::sign_schnorr(bench_key(), e.id, &aux);
        e.json = nostr::serialize_event(e);
        return e;
    }();
    return event;
}

}  // namespace bench_support
