// The live-event bus: how an accepted event reaches every live subscription, in this process
// (LocalBus) or across processes (Redis).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "nostr/event.h"

namespace bus {

// An event on its way to live subscribers. `commit_seq` is the store commit that made it
// durable (kEphemeralSeq for events that are never stored); subscriptions whose initial
// query already saw that commit skip it.
struct LiveEvent {
    std::shared_ptr<const nostr::Event> event;
    uint64_t commit_seq = 0;
};
constexpr uint64_t kEphemeralSeq = UINT64_MAX;

using Listener = std::function<void(const LiveEvent&)>;

class Bus {
public:
    virtual ~Bus() = default;
    // Thread-safe. Delivers to every listener (possibly in other processes).
    // `delivered`, if given, runs once this process's listeners have seen the event.
    virtual void publish(const LiveEvent& event, std::function<void()> delivered = {}) = 0;
    // Registers a listener for all published events; call before publishing starts.
    virtual void subscribe(Listener listener) = 0;
};

}  // namespace bus
