// The Web of Trust's view of the store: reading the newest follow list (kind 3) of many
// authors, and storing follow lists fetched from seed relays.
#pragma once
#include <unordered_map>
#include <vector>

#include "nostr/event.h"
#include "store/store.h"
#include "wot/trust_set.h"

namespace wot {

using FollowLists = std::unordered_map<nostr::Bytes32, std::vector<nostr::Bytes32>, PubkeyHash>;

// parse_follows() of the stored kind-3 of each author that has one (queried in batches;
// expired lists are ignored).
FollowLists load_follow_lists(store::Store& store, const std::vector<nostr::Bytes32>& authors);

// Stores verified events in batches; the store's replaceable rules keep the newest list per
// author. Returns how many were new.
size_t store_follow_lists(store::Store& store, const std::vector<nostr::Event>& events);

}  // namespace wot
