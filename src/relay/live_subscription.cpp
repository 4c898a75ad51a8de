#include "relay/live_subscription.h"

#include "nostr/relay_message.h"

namespace relay {

void LiveSubscription::deliver(const bus::LiveEvent& event) {
    if (restriction && !restriction->readable(*event.event)) return;
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (live_) {
        // Published after the initial query already saw its commit (publishing can lag the
        // commit, by a whole HTTP round trip behind a remote event handler): sent already.
        if (event.commit_seq > snapshot_seq_)
            out->send(nostr::relay_message::event(id, event.event->json));
        return;
    }
    if (held_.size() < kMaxHeldEvents) held_.push_back(event);
    else overflowed_ = true;
}

void LiveSubscription::finish_initial_query(const QueryResult& result) {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (!result.error.empty()) {
        closed_ = true;
        held_.clear();
        out->send(nostr::relay_message::closed(id, result.error));
        return;
    }
    std::vector<std::string> frames;
    frames.reserve(result.events.size() + held_.size() + 1);
    for (const auto& json : result.events)
        if (!restriction || restriction->readable_json(json))
            frames.push_back(nostr::relay_message::event(id, json));
    for (const auto& event : held_)
        if (event.commit_seq > result.snapshot_seq)
            frames.push_back(nostr::relay_message::event(id, event.event->json));
    held_.clear();
    held_.shrink_to_fit();
    frames.push_back(nostr::relay_message::eose(id));
    out->send_many(std::move(frames));
    snapshot_seq_ = result.snapshot_seq;
    if (overflowed_) {
        closed_ = true;
        out->send(nostr::relay_message::closed(
            id, "error: too many new events arrived during the initial query; subscribe again"));
        return;
    }
    live_ = true;
}

void LiveSubscription::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    held_.clear();
}

bool LiveSubscription::is_closed() {
    std::lock_guard lock(mutex_);
    return closed_;
}

}  // namespace relay
