// nostpp_sign_events: signs events for the end-to-end tests in bulk (nostr-tools signs a few
// hundred per second; libsecp256k1 tens of thousands). Not part of the relay.
// Reads lines "<secret key hex> <event json>": the event's kind, created_at, tags and content
// are kept; its id, pubkey and sig fields must be present (any valid hex) and are replaced.
// Writes one signed event per line, in input order. Exit status 1 on a malformed line.
#include <iostream>
#include <string>

#include "nostr/canonical.h"
#include "nostr/event_parser.h"
#include "nostr/signature.h"

int main() {
    std::ios::sync_with_stdio(false);
    std::string line;
    for (size_t number = 1; std::getline(std::cin, line); ++number) {
        size_t space = line.find(' ');
        nostr::Bytes32 secret;
        nostr::Event event;
        std::string error;
        if (space == std::string::npos ||
            !nostr::decode_lower_hex(std::string_view(line).substr(0, space), secret) ||
            !nostr::parse_event_json(std::string_view(line).substr(space + 1), event, error)) {
            std::cerr << "line " << number << ": expected '<secret hex> <event json>' " << error
                      << "\n";
            return 1;
        }
        nostr::KeyPair key = nostr::keypair_from_secret(secret);
        event.pubkey = key.pubkey;
        event.id = nostr::compute_event_id(event);
        event.sig = nostr::sign_schnorr(key, event.id);
        std::cout << nostr::serialize_event(event) << '\n';
    }
    return 0;
}
