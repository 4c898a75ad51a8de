#include "bus/recent_ids.h"

namespace bus {

bool RecentIds::insert(const nostr::Bytes32& id) {
    if (!ids_.insert(id).second) return false;
    order_.push_back(id);
    if (order_.size() > capacity_) {
        ids_.erase(order_.front());
        order_.pop_front();
    }
    return true;
}

}  // namespace bus
