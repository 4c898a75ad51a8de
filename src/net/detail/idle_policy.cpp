#include "net/detail/idle_policy.h"

#include <algorithm>

namespace net::detail {

namespace {
// The moment the next ping is due: an interval after the peer was last heard from or last
// pinged, whichever is later (a ping does not make the peer less quiet).
IdlePolicy::Clock::time_point ping_due(IdlePolicy::Clock::time_point last_heard,
                                       IdlePolicy::Clock::time_point last_ping,
                                       std::chrono::seconds interval) {
    return std::max(last_heard, last_ping) + interval;
}
}  // namespace

IdlePolicy::Action IdlePolicy::due(Clock::time_point now, Clock::time_point last_heard,
                                   Clock::time_point last_ping) const {
    if (idle_timeout_.count() > 0 && now >= last_heard + idle_timeout_) return Action::close;
    if (ping_interval_.count() > 0 && now >= ping_due(last_heard, last_ping, ping_interval_))
        return Action::ping;
    return Action::wait;
}

IdlePolicy::Clock::time_point IdlePolicy::next_check(Clock::time_point last_heard,
                                                     Clock::time_point last_ping) const {
    auto next = Clock::time_point::max();
    if (idle_timeout_.count() > 0) next = last_heard + idle_timeout_;
    if (ping_interval_.count() > 0)
        next = std::min(next, ping_due(last_heard, last_ping, ping_interval_));
    return next;
}

}  // namespace net::detail
