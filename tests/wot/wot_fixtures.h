// Signed kind-3 follow lists for the Web of Trust tests: key n is test_key(n).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "nostr/event.h"
#include "test_events.h"

namespace wot_test {

inline nostr::Bytes32 pk(uint64_t n) {
    return test_support::test_key(n).pubkey;
}

// Key `author`'s follow list naming the keys in `follows`, at `created_at`.
inline nostr::Event follow_list(uint64_t author, std::initializer_list<uint64_t> follows,
                                int64_t created_at = 1700000000) {
    std::vector<nostr::Tag> tags;
    for (uint64_t n : follows) tags.push_back({"p", nostr::to_hex(pk(n))});
    return test_support::make_event(test_support::test_key(author), 3, created_at, std::move(tags));
}

}  // namespace wot_test
