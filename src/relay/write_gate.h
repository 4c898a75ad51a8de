// Who may write: the relay asks a WriteGate about each incoming event's author (the Web of
// Trust implements it). A gate is consulted after the cheap policy checks and before the
// signature, so writes from outside it cost no verification.
#pragma once
#include <string>

#include "nostr/hex.h"

namespace relay {

class WriteGate {
  public:
    virtual ~WriteGate() = default;
    // "" when `author` may write, else the OK false message with its prefix ("blocked: ...").
    // Called on network threads for every event: must be cheap and thread-safe.
    virtual std::string check_author(const nostr::Bytes32& author) const = 0;
};

}  // namespace relay
