// The relay's acceptance rules for an incoming event: configured limits, NIP-40 expiration on
// arrival, NIP-13 proof of work, NIP-70 protected events, and (check_incoming_event) the
// operator's pubkey lists, the write gate, the id and signature.
#pragma once
#include <cstdint>
#include <string>

#include "nostr/event.h"
#include "ratelimit/pubkey_budget.h"
#include "relay/relay_config.h"
#include "relay/write_gate.h"

namespace relay {

// Who has authenticated (NIP-42) on the connection an event came from, as far as NIP-70 is
// concerned: a protected event is accepted only from its authenticated author.
enum class AuthorAuth : uint8_t {
    none,   // nobody: "auth-required:"
    other,  // someone, not the author: "restricted:"
    author  // the event's author
};

// "" when acceptable, else the OK false message with its NIP-01 prefix.
std::string check_event_policy(const nostr::Event& event, const Limits& limits, int64_t now,
                               AuthorAuth auth = AuthorAuth::none);

// Everything checked about a structurally valid incoming event before it is submitted: the
// policy above, then the pubkey allow/deny lists, then the write gate (Web of Trust) when there is one, then (when `verify` is
// set) its id and BIP-340 signature. Both the WebSocket path (ClientSession) and the event
// handler's HTTP API call this one function, so their OK messages cannot drift apart.
// "" when acceptable, else the OK false message. Last, `budget` (events per pubkey per minute)
// counts the event, only when `verify` is set: a budget is never spent on unverified events.
std::string check_incoming_event(const nostr::Event& event, const Limits& limits, int64_t now,
                                 bool verify, const WriteGate* gate = nullptr,
                                 ratelimit::PubkeyBudget* budget = nullptr,
                                 AuthorAuth auth = AuthorAuth::none);

int64_t unix_now();

}  // namespace relay
