#include "relay/proof_of_work.h"

#include <bit>
#include <charconv>
#include <optional>

namespace relay {
namespace {

// The third entry of a nonce tag as a target difficulty, when it is a plain decimal number.
std::optional<uint64_t> committed_target(const nostr::Tag& tag) {
    if (tag.size() < 3 || tag[0] != "nonce") return std::nullopt;
    const std::string& text = tag[2];
    uint64_t target = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), target);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return target;
}

}  // namespace

int leading_zero_bits(const nostr::Bytes32& id) {
    int bits = 0;
    for (uint8_t byte : id) {
        bits += std::countl_zero(byte);
        if (byte != 0) break;
    }
    return bits;
}

std::string check_proof_of_work(const nostr::Event& event, uint32_t min_difficulty) {
    if (min_difficulty == 0) return {};
    int difficulty = leading_zero_bits(event.id);
    if (difficulty < static_cast<int64_t>(min_difficulty))
        return "pow: difficulty " + std::to_string(difficulty) + " is less than " +
               std::to_string(min_difficulty);
    // Every commitment counts: an event cannot hide a low one behind a second nonce tag.
    for (const nostr::Tag& tag : event.tags) {
        auto target = committed_target(tag);
        if (target && *target < min_difficulty)
            return "pow: committed target " + std::to_string(*target) + " is less than " +
                   std::to_string(min_difficulty);
    }
    return {};
}

}  // namespace relay
