// Operator lists of who may write (--pubkey-allow) and who may not (--pubkey-deny), checked
// for every incoming event after the limits and before the Web of Trust.
#pragma once
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "nostr/hex.h"

namespace relay {

// The entries of an operator list option: split on commas and white space, empty ones dropped.
// Shared with net::IpAccessList so both kinds of list read the same way.
std::vector<std::string_view> split_list_entries(std::string_view text);

class PubkeyLists {
  public:
    // Adds the hex public keys in `text` (64 hex characters each, separated by commas and/or
    // white space). Throws std::invalid_argument naming the first entry that is not one.
    void allow(std::string_view text);
    void deny(std::string_view text);

    // True when an allow list was given: only its keys may write.
    bool has_allow_list() const { return !allowed_.empty(); }
    bool empty() const { return allowed_.empty() && denied_.empty(); }

    // "" when `author` may write, else the OK false message ("blocked: ..."). The deny list
    // wins over the allow list.
    std::string check(const nostr::Bytes32& author) const;

  private:
    struct Hash {
        size_t operator()(const nostr::Bytes32& key) const {
            size_t h;  // public keys are hash outputs: any 8 bytes are well spread
            std::memcpy(&h, key.data(), sizeof h);
            return h;
        }
    };
    using Set = std::unordered_set<nostr::Bytes32, Hash>;
    static void add(Set& set, std::string_view text);

    Set allowed_;
    Set denied_;
};

}  // namespace relay
