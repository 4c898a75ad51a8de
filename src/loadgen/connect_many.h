// Opens many connections at once, with a bounded number of handshakes in flight: a burst of
// a thousand SYNs overflows the relay's accept backlog and turns into 1 s SYN retries,
// which would be measured as relay slowness.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/ws_client.h"

namespace loadgen {

struct ConnectResult {
    // Index i holds connection i, or nullptr when it failed or the deadline passed first.
    std::vector<std::shared_ptr<WsClient>> clients;
    uint64_t failed = 0;
    std::string first_error;
    double seconds = 0;  // wall time to open them all
};

ConnectResult connect_many(EventLoop& loop, const Endpoint& endpoint, uint32_t count,
                           const std::function<WsClient::Handlers(uint32_t index)>& handlers,
                           std::chrono::steady_clock::time_point deadline,
                           uint32_t max_in_flight = 64);

// Closes every open client and waits up to `grace` for the closing handshakes, so the relay
// sees orderly closes rather than resets when the phase's event loop is torn down.
void close_all(const std::vector<std::shared_ptr<WsClient>>& clients,
               std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

}  // namespace loadgen
