// Building signed events for tests and benchmarks, the way a client would: deterministic keys,
// and events whose id, signature and json are filled in from their content.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nostr/event.h"
#include "nostr/signature.h"

namespace test_support {

// The key whose secret is the integer `n` (n >= 1): deterministic, and distinct for distinct n.
// test_key(3) is the first BIP-340 test vector's key.
nostr::KeyPair test_key(uint64_t n = 1);

// A fully signed event: pubkey from `key`, id from the canonical serialization, a BIP-340
// signature (deterministic: zero aux_rand) and the canonical json.
nostr::Event make_event(const nostr::KeyPair& key, uint32_t kind, int64_t created_at,
                        std::vector<nostr::Tag> tags = {}, std::string content = {});

// Recomputes pubkey, id, sig and json after the other fields were changed by hand.
void sign_event(nostr::Event& event, const nostr::KeyPair& key);

// ["EVENT",<event json>], as a client sends it.
std::string event_message(const nostr::Event& event);

// 64 hex characters (either case) to bytes; throws std::invalid_argument on anything else.
nostr::Bytes32 bytes32_from_hex(std::string_view hex);

// Signed events whose content needs every kind of JSON escape (quotes, controls, escaped
// newlines, U+2028/U+2029, empty), for codecs that must carry an event byte for byte.
std::vector<std::string> events_needing_escapes();

}  // namespace test_support
