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

void SubscriptionIndex::file(const std::shared_ptr<LiveSubscription>& subscription, bool adding) {
    LiveSubscription* sub = subscription.get();
    for (const auto& filter : sub->filters) {
        if (filter.is_unsatisfiable()) continue;
        Entry entry{sub, &filter};
        auto apply = [&](auto& map, const auto& key) {
            if (adding) map[key].push_back(entry);
            else erase_from(map, key, sub);
        };
        if (filter.ids) {
            for (const auto& id : *filter.ids) apply(by_id_, id);
        } else if (filter.authors) {
            for (const auto& author : *filter.authors) apply(by_author_, author);
        } else if (!filter.tags.empty()) {
            const auto& cond = filter.tags.front();
            for (const auto& value : cond.values) apply(by_tag_, tag_key(cond.letter, value));
        } else if (filter.kinds) {
            for (uint32_t kind : *filter.kinds) apply(by_kind_, kind);
        } else if (adding) {
            unindexed_.push_back(entry);
        } else {
            std::erase_if(unindexed_, [&](const Entry& e) { return e.subscription == sub; });
        }
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
    std::vector<LiveSubscription*> matched;
    auto consider = [&](const EntryList& list) {
        for (const Entry& entry : list)
            if (entry.filter->matches(event)) matched.push_back(entry.subscription);
    };
    {
        std::shared_lock lock(mutex_);
        if (auto it = by_id_.find(event.id); it != by_id_.end()) consider(it->second);
        if (auto it = by_author_.find(event.pubkey); it != by_author_.end()) consider(it->second);
        if (auto it = by_kind_.find(event.kind); it != by_kind_.end()) consider(it->second);
        if (!by_tag_.empty()) {
            std::string key;
            for (const auto& tag : event.tags) {
                if (!nostr::is_indexable_tag(tag)) continue;
                key.assign(1, tag[0][0]);
                key.append(tag[1]);
                if (auto it = by_tag_.find(key); it != by_tag_.end()) consider(it->second);
            }
        }
        consider(unindexed_);
        // A subscription can match through several filters or tags: deliver once.
        std::sort(matched.begin(), matched.end());
        matched.erase(std::unique(matched.begin(), matched.end()), matched.end());
        // Delivering under the shared lock keeps subscriptions alive; removal waits.
        for (LiveSubscription* sub : matched) sub->deliver(live);
    }
}

}  // namespace relay
