#include "nostr/event.h"

#include <charconv>

namespace nostr {

const std::string* Event::first_tag_value(std::string_view name) const {
    for (const auto& tag : tags)
        if (tag.size() >= 2 && tag[0] == name) return &tag[1];
    return nullptr;
}

std::optional<int64_t> Event::expiration() const {
    const std::string* value = first_tag_value("expiration");
    if (!value) return std::nullopt;
    int64_t ts = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), ts);
    if (ec != std::errc() || end != value->data() + value->size()) return std::nullopt;
    return ts;
}

std::string Event::d_tag() const {
    const std::string* value = first_tag_value("d");
    return value ? *value : std::string();
}

bool Event::is_protected() const {
    for (const auto& tag : tags)
        if (tag.size() == 1 && tag[0] == "-") return true;
    return false;
}

}  // namespace nostr
