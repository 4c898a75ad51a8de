// Every live subscription of every connection, indexed so that an event finds its
// subscribers without scanning them all: each filter is filed under its most selective
// field (ids, then authors, then a tag value, then kinds; filters with none of these are
// checked for every event).
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/bus.h"
#include "relay/live_subscription.h"

namespace relay {

class SubscriptionIndex {
public:
    void add(const std::shared_ptr<LiveSubscription>& subscription);
    void remove(const std::shared_ptr<LiveSubscription>& subscription);
    // Delivers the event once to every subscription with a matching filter. A subscription
    // filed once gets it as soon as it is found; the others (several filters or several
    // keys of one filter) after all candidates have been seen, so each gets it once.
    void dispatch(const bus::LiveEvent& event) const;
    size_t size() const;

private:
    struct Entry {
        LiveSubscription* subscription;
        const nostr::Filter* filter;
        // The subscription's only entry in the index: a match delivers at once, with no
        // check for a second match through another filter or key.
        bool only_entry;
    };
    struct Bytes32Hash {
        size_t operator()(const nostr::Bytes32& key) const {
            size_t hash;
            std::memcpy(&hash, key.data(), sizeof hash);  // already uniformly random
            return hash;
        }
    };
    using EntryList = std::vector<Entry>;
    template <class Map, class Key>
    static void erase_from(Map& map, const Key& key, const LiveSubscription* subscription);
    void file(const std::shared_ptr<LiveSubscription>& subscription, bool adding);
    // Where `filter` is filed, the one place that decides it: on_key(map, key) for each key
    // of the index it goes under, or on_unindexed() when it has no indexable key.
    template <class OnKey, class OnUnindexed>
    void places_of(const nostr::Filter& filter, OnKey&& on_key, OnUnindexed&& on_unindexed);

    mutable std::shared_mutex mutex_;
    std::unordered_map<LiveSubscription*, std::shared_ptr<LiveSubscription>> all_;
    std::unordered_map<nostr::Bytes32, EntryList, Bytes32Hash> by_id_;
    std::unordered_map<nostr::Bytes32, EntryList, Bytes32Hash> by_author_;
    std::unordered_map<std::string, EntryList> by_tag_;  // letter + value
    std::unordered_map<uint32_t, EntryList> by_kind_;
    EntryList unindexed_;
};

}  // namespace relay
