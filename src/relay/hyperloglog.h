// NIP-45 HyperLogLog: which COUNT requests get an `hll` value, and the register offset
// derived from the filter.
#pragma once
#include <optional>
#include <vector>

#include "nostr/filter.h"

namespace relay {

// The offset for a COUNT with exactly one filter that has a tag attribute (NIP-45 leaves
// other cases undefined); nullopt otherwise.
std::optional<int> hyperloglog_offset(const std::vector<nostr::Filter>& filters);

}  // namespace relay
