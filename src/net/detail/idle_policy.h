// When a WebSocket connection that has gone quiet is pinged or closed. A connection is quiet
// when no bytes arrived from the peer (messages, pongs, pings, parts of a frame): after
// `ping_interval` of quiet it is pinged, and again after each further interval; after
// `idle_timeout` of quiet it is closed, so dead peers and clients that neither talk nor
// answer pings do not hold a connection forever. A zero duration disables that half.
// Pure time arithmetic (no sockets), used by ws_session.cpp.
#pragma once
#include <chrono>

namespace net::detail {

class IdlePolicy {
  public:
    using Clock = std::chrono::steady_clock;

    IdlePolicy(std::chrono::seconds ping_interval, std::chrono::seconds idle_timeout)
        : ping_interval_(ping_interval), idle_timeout_(idle_timeout) {}

    bool enabled() const { return ping_interval_.count() > 0 || idle_timeout_.count() > 0; }

    enum class Action { wait, ping, close };
    // What is due at `now`, given when the peer was last heard from and when it was last pinged
    // (Clock::time_point() if never).
    Action due(Clock::time_point now, Clock::time_point last_heard,
               Clock::time_point last_ping) const;
    // When due() next has something to do, assuming nothing is heard until then.
    Clock::time_point next_check(Clock::time_point last_heard, Clock::time_point last_ping) const;

  private:
    std::chrono::seconds ping_interval_;
    std::chrono::seconds idle_timeout_;
};

}  // namespace net::detail
