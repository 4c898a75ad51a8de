// The client side of the WebSocket opening handshake (RFC 6455 section 4), for connections
// that are read without Beast afterwards (lean_subscribers.h): Beast's HTTP layer writes the
// upgrade request and reads the response into a buffer of ours, so the bytes the relay sends
// right after its 101 (its NIP-42 AUTH challenge, in the same segment) are handed over
// instead of being lost with a websocket stream's private buffer.
#pragma once
#include <chrono>
#include <string>

#include "loadgen/endpoint.h"

namespace loadgen {

struct Upgraded {
    int fd = -1;           // the connected socket, now the caller's; -1 on failure
    std::string leftover;  // bytes read past the 101 response: the first WebSocket frames
    std::string error;     // why it failed
};

// TCP connect, upgrade request, and a check of the response (101, Upgrade: websocket, the
// Sec-WebSocket-Accept that answers our key), all within `timeout`.
Upgraded upgrade_to_websocket(const Endpoint& endpoint, std::chrono::milliseconds timeout);

// The Sec-WebSocket-Accept a server answers to `key` (RFC 6455 section 4.2.2).
std::string websocket_accept_for(const std::string& key);

}  // namespace loadgen
