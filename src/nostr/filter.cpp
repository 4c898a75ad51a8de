#include "nostr/filter.h"

namespace nostr {
namespace {
template <class T>
void sort_unique(std::vector<T>& values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
}
}  // namespace

void Filter::normalize() {
    if (ids) sort_unique(*ids);
    if (authors) sort_unique(*authors);
    if (kinds) sort_unique(*kinds);
    for (auto& cond : tags) sort_unique(cond.values);
}

bool Filter::matches(const Event& event) const {
    if (!matches_header(event.id, event.pubkey, event.created_at, event.kind)) return false;
    if (tags.empty()) return true;
    return matches_tags([&](char letter, const std::string& value) {
        for (const auto& tag : event.tags)
            if (tag.size() >= 2 && tag[0].size() == 1 && tag[0][0] == letter && tag[1] == value)
                return true;
        return false;
    });
}

bool Filter::is_unsatisfiable() const {
    if ((ids && ids->empty()) || (authors && authors->empty()) || (kinds && kinds->empty()))
        return true;
    for (const auto& cond : tags)
        if (cond.values.empty()) return true;
    return since && until && *since > *until;
}

bool matches_any(const std::vector<Filter>& filters, const Event& event) {
    for (const auto& filter : filters)
        if (filter.matches(event)) return true;
    return false;
}

}  // namespace nostr
