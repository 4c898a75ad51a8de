#include "wot/follow_graph.h"

namespace wot {

std::vector<nostr::Bytes32> parse_follows(const nostr::Event& follow_list) {
    std::vector<nostr::Bytes32> out;
    PubkeySet seen;
    for (const nostr::Tag& tag : follow_list.tags) {
        if (tag.size() < 2 || tag[0] != "p") continue;
        nostr::Bytes32 pubkey;
        if (!nostr::decode_lower_hex(tag[1], pubkey) || pubkey == follow_list.pubkey) continue;
        if (seen.insert(pubkey).second) out.push_back(pubkey);
    }
    return out;
}

TrustSet build_trust_set(const FollowGraph& graph, const GraphRules& rules) {
    PubkeySet members;
    members.insert(graph.admin);
    members.insert(graph.admin_follows.begin(), graph.admin_follows.end());
    if (rules.depth < 2) return TrustSet(std::move(members));

    // Each voter ({admin} ∪ follows) counts once per followed pubkey: lists are de-duplicated
    // by parse_follows, and a follow appearing twice in the admin's list is one voter.
    std::unordered_map<nostr::Bytes32, uint32_t, PubkeyHash> votes;
    auto vote = [&](const std::vector<nostr::Bytes32>& follows) {
        for (const auto& pubkey : follows)
            if (++votes[pubkey] == rules.min_followers) members.insert(pubkey);
    };
    vote(graph.admin_follows);
    PubkeySet voters;
    for (const auto& follow : graph.admin_follows) {
        if (follow == graph.admin || !voters.insert(follow).second) continue;
        auto list = graph.lists.find(follow);
        if (list != graph.lists.end()) vote(list->second);
    }
    return TrustSet(std::move(members));
}

}  // namespace wot
