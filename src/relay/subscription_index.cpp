#include "relay/subscription_index.h"

#include <algorithm>

namespace relay {
namespace {
std::string tag_key(char letter, std::string_view value) {
    std::string key(1, letter);
    key.append(value);
    return key;
}
}  // namespace

template <class Map, class Key>
void SubscriptionIndex::erase_from(Map& map, const Key& key, const LiveSubscription* subscription) {
    auto it = map.find(key);
    if (it == map.end()) return;
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Entry& e) { return e.subscription == subscription; }),
               list.end());
    if (list.empty()) map.erase(it);
}

template <class OnKey, class OnUnindexed>
void SubscriptionIndex::places_of(const nostr::Filter& filter, OnKey&& on_key,
                                  OnUnindexed&& on_unindexed) {
    if (filter.ids) {
        for (const auto& id : *filter.ids) on_key(by_id_, id);
    } else if (filter.authors) {
        for (const auto& author : *filter.authors) on_key(by_author_, author);
    } else if (!filter.tags.empty()) {
        const auto& cond = filter.tags.front();
        for (const auto& value : cond.values) on_key(by_tag_, tag_key(cond.letter, value));
    } else if (filter.kinds) {
        for (uint32_t kind : *filter.kinds) on_key(by_kind_, kind);
    } else {
        on_unindexed();
    }
}

void SubscriptionIndex::file(const std::shared_ptr<LiveSubscription>& subscription, bool adding) {
    LiveSubscription* sub = subscription.get();
    size_t entries = 0;  // one per key of each filter
    for (const auto& filter : sub->filters)
        if (!filter.is_unsatisfiable())
            places_of(
                filter, [&](auto&, const auto&) { ++entries; }, [&] { ++entries; });
    const bool only_entry = entries == 1;
    for (const auto& filter : sub->filters) {
        if (filter.is_unsatisfiable()) continue;
        Entry entry{sub, &filter, only_entry};
        places_of(
            filter,
            [&](auto& map, const auto& key) {
                if (adding)
                    map[key].push_back(entry);
                else
                    erase_from(map, key, sub);
            },
            [&] {
                if (adding)
                    unindexed_.push_back(entry);
                else
                    std::erase_if(unindexed_,
                                  [&](const Entry& e) { return e.subscription == sub; });
            });
    }
}

void SubscriptionIndex::add(const std::shared_ptr<LiveSubscription>& subscription) {
    std::unique_lock lock(mutex_);
    if (!all_.emplace(subscription.get(), subscription).second) return;
    file(subscription, true);
}

void SubscriptionIndex::remove(const std::shared_ptr<LiveSubscription>& subscription) {
    std::unique_lock lock(mutex_);
    if (all_.erase(subscription.get()) == 0) return;
    file(subscription, false);
}

size_t SubscriptionIndex::size() const {
    std::shared_lock lock(mutex_);
    return all_.size();
}

void SubscriptionIndex::dispatch(const bus::LiveEvent& live) const {
    const nostr::Event& event = *live.event;
    std::vector<LiveSubscription*> filed_more_than_once;
    auto consider = [&](const EntryList& list) {
        for (const Entry& entry : list) {
            if (!entry.filter->matches(event)) continue;
            // The first subscribers' sends start while the rest are still being matched.
            if (entry.only_entry)
                entry.subscription->deliver(live);
            else
                filed_more_than_once.push_back(entry.subscription);
        }
    };
    {
        std::shared_lock lock(mutex_);
        if (auto it = by_id_.find(event.id); it != by_id_.end()) consider(it->second);
        if (auto it = by_author_.find(event.pubkey); it != by_author_.end()) consider(it->second);
        if (auto it = by_kind_.find(event.kind); it != by_kind_.end()) consider(it->second);
        if (!by_tag_.empty()) {
            // An event may repeat a tag (["p",X] twice, or with and without a relay hint):
            // each list is considered once, or its subscriptions filed once would get the
            // event twice.
            std::vector<const EntryList*> lists;
            std::string key;
            for (const auto& tag : event.tags) {
                if (!nostr::is_indexable_tag(tag)) continue;
                key.assign(1, tag[0][0]);
                key.append(tag[1]);
                if (auto it = by_tag_.find(key); it != by_tag_.end()) lists.push_back(&it->second);
            }
            std::sort(lists.begin(), lists.end());
            lists.erase(std::unique(lists.begin(), lists.end()), lists.end());
            for (const EntryList* list : lists) consider(*list);
        }
        consider(unindexed_);
        // A subscription can match through several filters or tags: deliver once.
        auto& more = filed_more_than_once;
        std::sort(more.begin(), more.end());
        more.erase(std::unique(more.begin(), more.end()), more.end());
        // Delivering under the shared lock keeps subscriptions alive; removal waits.
        for (LiveSubscription* sub : more) sub->deliver(live);
    }
}

}  // namespace relay
