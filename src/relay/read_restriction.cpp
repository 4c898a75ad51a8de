#include "relay/read_restriction.h"

#include <algorithm>
#include <iterator>

#include "nostr/event_parser.h"
#include "nostr/hex.h"

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

std::optional<std::vector<nostr::Filter>> ReadRestriction::narrow_to_participants(
    const std::vector<nostr::Filter>& filters) const {
    std::vector<nostr::Bytes32> authenticated = auth_->pubkeys();
    std::sort(authenticated.begin(), authenticated.end());
    std::vector<std::string> authenticated_hex;  // sorted too: hex keeps the byte order
    for (const nostr::Bytes32& key : authenticated) authenticated_hex.push_back(nostr::to_hex(key));

    std::vector<nostr::Filter> out;
    for (const nostr::Filter& filter : filters) {
        if (!filter.kinds) return std::nullopt;
        nostr::Filter open = filter, restricted = filter;
        open.kinds->clear();
        restricted.kinds->clear();
        for (uint32_t kind : *filter.kinds)
            (restricts(kind) ? restricted : open).kinds->push_back(kind);
        if (restricted.kinds->empty()) {
            out.push_back(filter);
            continue;
        }
        if (!open.kinds->empty()) out.push_back(std::move(open));

        nostr::Filter by_author = restricted;
        std::vector<nostr::Bytes32> authors;
        std::set_intersection(authenticated.begin(), authenticated.end(),
                              filter.authors ? filter.authors->begin() : authenticated.begin(),
                              filter.authors ? filter.authors->end() : authenticated.end(),
                              std::back_inserter(authors));
        if (!authors.empty()) {
            by_author.authors = std::move(authors);
            out.push_back(std::move(by_author));
        }

        nostr::Filter to_participant = std::move(restricted);
        auto p = std::find_if(to_participant.tags.begin(), to_participant.tags.end(),
                              [](const nostr::TagCondition& c) { return c.letter == 'p'; });
        std::vector<std::string> values;
        if (p == to_participant.tags.end()) {
            values = authenticated_hex;
            p = to_participant.tags.insert(to_participant.tags.end(), nostr::TagCondition{'p', {}, {}});
        } else {
            std::set_intersection(authenticated_hex.begin(), authenticated_hex.end(),
                                  p->values.begin(), p->values.end(), std::back_inserter(values));
        }
        if (values.empty()) continue;
        p->values = std::move(values);
        p->first_value = p->values.front();
        out.push_back(std::move(to_participant));
    }
    return out;
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
