// --auth-read-kinds for one connection: events of those kinds (direct messages, gift wraps...)
// are sent only when their author or a pubkey in one of their `p` tags has authenticated
// (NIP-42) on the connection. Applied per event to a REQ's stored results and live
// deliveries; a subscription whose filters cannot match such a kind carries none, so
// everything else costs nothing. Thread-safe (read from query and bus threads).
#pragma once
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "nostr/event.h"
#include "nostr/filter.h"
#include "relay/connection_auth.h"

namespace relay {

class ReadRestriction {
  public:
    // `kinds` sorted and unique.
    ReadRestriction(std::shared_ptr<const std::vector<uint32_t>> kinds,
                    std::shared_ptr<const ConnectionAuth> auth)
        : kinds_(std::move(kinds)), auth_(std::move(auth)) {}

    bool restricts(uint32_t kind) const;
    // Some filter names a restricted kind in its `kinds`.
    bool named_by(const std::vector<nostr::Filter>& filters) const;
    // Some filter could match an event of a restricted kind (it names one, or has no `kinds`).
    bool may_match(const std::vector<nostr::Filter>& filters) const;
    bool readable(const nostr::Event& event) const {
        return !restricts(event.kind) || auth_->is_participant(event);
    }
    // For COUNT, which cannot drop events one by one: the filters narrowed to what this
    // connection may read. Each filter naming restricted kinds becomes (up to) three: its other
    // kinds as they were, its restricted kinds with an authenticated author, and its
    // restricted kinds with an authenticated pubkey in a `p` tag (the store counts the union
    // once). nullopt when a filter has no `kinds`: "every kind but these" is no filter.
    std::optional<std::vector<nostr::Filter>> narrow_to_participants(
        const std::vector<nostr::Filter>& filters) const;
    // The same for a stored event's JSON (parsed only to read its kind and tags); an
    // unreadable one is withheld.
    bool readable_json(std::string_view json) const;

  private:
    std::shared_ptr<const std::vector<uint32_t>> kinds_;
    std::shared_ptr<const ConnectionAuth> auth_;
};

}  // namespace relay
