// The representative event the micro-benchmarks work on: a kind-1 reply of about 500 bytes of
// JSON, signed, as relays see most of their traffic.
#pragma once
#include "nostr/event.h"
#include "nostr/signature.h"

namespace bench_support {

// Deterministic key (secret = 1) so runs are comparable.
const nostr::KeyPair& bench_key();

// Built and signed once; id, sig and json are filled in.
const nostr::Event& representative_event();

}  // namespace bench_support
