// NIP-13 proof of work: an event's difficulty is the number of leading zero bits of its id,
// and a ["nonce", "<n>", "<target>"] tag commits the author to the target they mined for.
#pragma once
#include <cstdint>
#include <string>

#include "nostr/event.h"

namespace relay {

// Leading zero bits of `id` (0..256).
int leading_zero_bits(const nostr::Bytes32& id);

// "" when `event` meets `min_difficulty` (0 = no requirement), else the OK false message:
// "pow: difficulty <d> is less than <N>" when its id has too few leading zero bits, or
// "pow: committed target <t> is less than <N>" when a nonce tag commits to a lower target
// (NIP-13: a lucky note mined for a lower target may be refused). A nonce tag without a
// target, or whose target is not a decimal integer, commits to nothing; the id alone counts.
std::string check_proof_of_work(const nostr::Event& event, uint32_t min_difficulty);

}  // namespace relay
