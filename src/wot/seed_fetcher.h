// Fetches kind-3 follow lists from other relays (WOT_SEED_RELAYS) with an outbound WebSocket
// client: one connection per relay (all relays at once), authors asked in batches, one REQ
// open at a time, every wait bounded. Only verified kind-3 events by the requested authors
// are returned, the newest per author across all relays.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "nostr/event.h"

namespace wot {

struct SeedFetchOptions {
    std::chrono::milliseconds connect_timeout{5000};  // TCP + TLS + WebSocket handshake
    std::chrono::milliseconds read_timeout{10000};    // silence allowed while waiting for EOSE
    std::chrono::milliseconds total_timeout{60000};   // the whole fetch, all relays
    size_t authors_per_request = 250;
    size_t max_events_per_relay = 100000;
    size_t max_message_bytes = 4 << 20;  // a follow list of ~50,000 entries
};

struct SeedFetchReport {
    std::vector<nostr::Event> events;
    size_t relays_ok = 0;             // relays that answered every batch
    std::vector<std::string> errors;  // "<url>: <what went wrong>"
};

SeedFetchReport fetch_follow_lists(const std::vector<std::string>& relay_urls,
                                   const std::vector<nostr::Bytes32>& authors,
                                   const SeedFetchOptions& options = {});

}  // namespace wot
