// Which statements a PostgreSQL session has prepared: SQL text (with its parameter types) →
// statement name, least recently used dropped first, so a session holds a bounded number
// of plans however many query shapes clients send. Names are never reused within a
// session. Pure bookkeeping; Connection sends the PREPARE / DEALLOCATE it asks for.
#pragma once
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace store::pg {

class PreparedStatements {
  public:
    explicit PreparedStatements(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

    // The name `key` was prepared under, marked most recently used; nullopt if none.
    std::optional<std::string> find(const std::string& key);

    struct Added {
        std::string name;                  // to prepare `key` under
        std::optional<std::string> evict;  // to deallocate first (the least recently used)
    };
    // Records `key` as prepared under a new name. Call find() first: a key is added once.
    Added add(const std::string& key);

    // The session's statements are gone (new connection) or unknown (failed exchange).
    void clear();
    size_t size() const { return names_.size(); }

  private:
    struct Entry {
        std::string name;
        std::list<std::string>::iterator use;
    };
    size_t capacity_;
    uint64_t next_ = 0;
    std::list<std::string> uses_;  // keys, most recently used first
    std::unordered_map<std::string, Entry> names_;
};

}  // namespace store::pg
