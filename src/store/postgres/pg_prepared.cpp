#include "store/postgres/pg_prepared.h"

namespace store::pg {

std::optional<std::string> PreparedStatements::find(const std::string& key) {
    auto it = names_.find(key);
    if (it == names_.end()) return std::nullopt;
    uses_.splice(uses_.begin(), uses_, it->second.use);
    return it->second.name;
}

PreparedStatements::Added PreparedStatements::add(const std::string& key) {
    Added added;
    if (names_.size() >= capacity_) {
        auto oldest = names_.find(uses_.back());
        added.evict = std::move(oldest->second.name);
        names_.erase(oldest);
        uses_.pop_back();
    }
    added.name = "nostpp_" + std::to_string(++next_);
    uses_.push_front(key);
    names_.emplace(key, Entry{added.name, uses_.begin()});
    return added;
}

void PreparedStatements::clear() {
    names_.clear();
    uses_.clear();
}

}  // namespace store::pg
