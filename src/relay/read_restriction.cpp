#include "relay/read_restriction.h"

#include <algorithm>

#include "nostr/event_parser.h"

namespace relay {

bool ReadRestriction::restricts(uint32_t kind) const {
    return std::binary_search(kinds_->begin(), kinds_->end(), kind);
}

bool ReadRestriction::named_by(const std::vector<nostr::Filter>& filters) const {
    for (const nostr::Filter& filter : filters)
        if (filter.kinds && std::any_of(filter.kinds->begin(), filter.kinds->end(),
                                        [this](uint32_t kind) { return restricts(kind); }))
            return true;
    return false;
}

bool ReadRestriction::may_match(const std::vector<nostr::Filter>& filters) const {
    if (kinds_->empty()) return false;
    return named_by(filters) || std::any_of(filters.begin(), filters.end(),
                                            [](const auto& f) { return !f.kinds.has_value(); });
}

bool ReadRestriction::readable_json(std::string_view json) const {
    // Most results are of other kinds: their kind alone decides, without reading the event.
    uint32_t kind = 0;
    if (!nostr::read_event_kind(json, kind)) return false;
    if (!restricts(kind)) return true;
    nostr::Event event;
    std::string error;
    return nostr::parse_event_json(json, event, error) && readable(event);
}

}  // namespace relay
