#include "wot/trust_set.h"

#include <algorithm>

namespace wot {

std::vector<nostr::Bytes32> TrustSet::sorted() const {
    std::vector<nostr::Bytes32> out(members_.begin(), members_.end());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace wot
