// The trust set as kept in the store (Store::put_setting), so a restart neither opens nor
// closes the gate, and every process sharing the store (event handlers, `nostpp wot`) uses
// the same set. A separate small stamp lets processes notice a new set without reading it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nostr/hex.h"
#include "store/store.h"

namespace wot {

inline constexpr std::string_view kSetSetting = "wot.set";
inline constexpr std::string_view kStampSetting = "wot.stamp";

struct PersistedSet {
    // The rules it was built with: a set built for another admin or depth is not used.
    nostr::Bytes32 admin{};
    int depth = 0;
    uint32_t min_followers = 0;
    int64_t built_at = 0;       // unix seconds
    uint64_t build_micros = 0;  // how long the build took
    uint64_t follow_lists = 0;  // follow lists it was built from
    uint64_t stamp = 0;         // random; identifies this build
    std::vector<nostr::Bytes32> members;
};

std::string encode_persisted_set(const PersistedSet& set);
std::optional<PersistedSet> decode_persisted_set(std::string_view bytes);

// Writes the set, then its stamp (readers that see the stamp find the set).
void save_persisted_set(store::Store& store, const PersistedSet& set);
std::optional<PersistedSet> load_persisted_set(store::Store& store);
// The stamp of the stored set, 0 when none.
uint64_t load_persisted_stamp(store::Store& store);

}  // namespace wot
