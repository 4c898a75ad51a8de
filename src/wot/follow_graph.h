// How the trust set follows from kind-3 follow lists (pure: no store, no network):
//   depth 1: the admin and the pubkeys in the admin's follow list;
//   depth 2: also every pubkey followed by at least `min_followers` of {admin} ∪ follows.
// Allow and deny lists are applied at check time (wot_service.h), not here, so changing them
// needs no rebuild.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "nostr/event.h"
#include "wot/trust_set.h"

namespace wot {

// The distinct pubkeys of a kind-3 event's `p` tags (64 lowercase hex), in tag order.
// Malformed entries are skipped; an author listing itself is skipped too (nobody vouches for
// themselves).
std::vector<nostr::Bytes32> parse_follows(const nostr::Event& follow_list);

struct FollowGraph {
    nostr::Bytes32 admin{};
    std::vector<nostr::Bytes32> admin_follows;
    // Follow lists of the admin's follows (by author); absent = no list known.
    std::unordered_map<nostr::Bytes32, std::vector<nostr::Bytes32>, PubkeyHash> lists;
};

struct GraphRules {
    int depth = 2;               // 1 or 2
    uint32_t min_followers = 3;  // >= 1; depth 2 threshold, counted among {admin} ∪ follows
};

TrustSet build_trust_set(const FollowGraph& graph, const GraphRules& rules);

}  // namespace wot
