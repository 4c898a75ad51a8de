// The REQ workload's query mix: the filter shapes clients send most, each aimed at data the
// preload put in the store, so every query does real index work.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/event_factory.h"

namespace loadgen {

enum class QueryType { author, kind, tag, author_kind, ids, window, count_ };
constexpr size_t kQueryTypes = static_cast<size_t>(QueryType::count_);
const char* query_name(QueryType type);

class QueryMix {
  public:
    QueryMix(const std::vector<SignedEvent>& events, const std::vector<std::string>& authors);

    // The n-th query of a stream seeded by `seed`: which type, and its filter object.
    struct Query {
        QueryType type;
        std::string filter;
        uint32_t expected = 0;  // events the store must return (ids queries only), else 0
    };
    Query make(uint64_t seed, uint64_t n) const;

  private:
    const std::vector<SignedEvent>& events_;
    const std::vector<std::string>& authors_;
    int64_t first_created_at_ = 0, last_created_at_ = 0;
};

}  // namespace loadgen
