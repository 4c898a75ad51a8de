// The shared secret between the websocket-handlers and the event handler (EVENT_HANDLER_TOKEN):
// the event handler's API trusts what a websocket-handler vouches for (NIP-70 envelopes) and
// takes writes without the client-facing limits, so only holders of the token may call it.
// It travels as `Authorization: Bearer <token>` (docs/event-handler-api.md, "Authentication").
#pragma once
#include <string>
#include <string_view>

#include "nostr/hex.h"

namespace services {

class ApiToken {
  public:
    // Shorter tokens are refused at start: a token is a password nobody types.
    static constexpr size_t kMinLength = 16;

    // "" when `token` may be used, else why not (never quoting the token itself): too short,
    // or a character outside visible ASCII (it must fit an HTTP header unchanged).
    static std::string problem(std::string_view token);
    // The Authorization header value a client sends: "Bearer <token>".
    static std::string header_value(std::string_view token);

    // `token` "" = none configured: every request is accepted.
    explicit ApiToken(std::string_view token);

    bool required() const { return required_; }
    // True when no token is configured, or when `authorization` (the request's Authorization
    // header, "" when absent) is "Bearer <the token>" (scheme case-insensitive). The tokens
    // are compared by their SHA-256 digests with CRYPTO_memcmp: the time taken depends on
    // neither the token's content nor its length.
    bool accepts(std::string_view authorization) const;

  private:
    bool required_ = false;
    nostr::Bytes32 digest_{};
};

}  // namespace services
