// One REQ's subscription. Between the REQ and its EOSE, live events are held back; when the
// initial query finishes, its results go out first, then the held events the query did not
// already see (by commit sequence), then EOSE, and from then on live events go straight out.
// That way no event is lost between query and live delivery and none is sent twice.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "nostr/filter.h"
#include "relay/backend.h"
#include "relay/outbound.h"
#include "relay/read_restriction.h"

namespace relay {

struct LiveSubscription {
    LiveSubscription(std::string id, std::vector<nostr::Filter> filters,
                     std::shared_ptr<Outbound> out,
                     std::shared_ptr<const ReadRestriction> restriction = nullptr)
        : id(std::move(id)),
          filters(std::move(filters)),
          out(std::move(out)),
          restriction(std::move(restriction)) {}

    const std::string id;
    const std::vector<nostr::Filter> filters;
    const std::shared_ptr<Outbound> out;
    // --auth-read-kinds, when these filters could match such a kind: events the connection
    // may not read are dropped, stored or live. Null otherwise.
    const std::shared_ptr<const ReadRestriction> restriction;

    // Any thread. The event already matched one of the filters.
    void deliver(const bus::LiveEvent& event);
    // Any thread: sends the initial results and EOSE (or CLOSED on error), then goes live.
    void finish_initial_query(const QueryResult& result);
    // Stops all further sends.
    void close();
    bool is_closed();

private:
    static constexpr size_t kMaxHeldEvents = 10000;
    std::mutex mutex_;
    bool live_ = false;
    bool closed_ = false;
    bool overflowed_ = false;
    uint64_t snapshot_seq_ = 0;  // the initial query's; commits it saw are not sent live
    std::vector<bus::LiveEvent> held_;
};

}  // namespace relay
