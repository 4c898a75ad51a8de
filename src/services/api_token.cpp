#include "services/api_token.h"

#include <openssl/crypto.h>

#include "nostr/canonical.h"

namespace services {
namespace {

constexpr std::string_view kScheme = "bearer";

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t';
}

// The credentials of "Bearer <credentials>", or false for another scheme.
bool bearer_credentials(std::string_view authorization, std::string_view& credentials) {
    if (authorization.size() <= kScheme.size() || !is_ascii_space(authorization[kScheme.size()]))
        return false;
    for (size_t i = 0; i < kScheme.size(); ++i) {
        char c = authorization[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != kScheme[i]) return false;
    }
    credentials = authorization.substr(kScheme.size());
    while (!credentials.empty() && is_ascii_space(credentials.front()))
        credentials.remove_prefix(1);
    return true;
}

}  // namespace

std::string ApiToken::problem(std::string_view token) {
    if (token.size() < kMinLength)
        return "must be at least " + std::to_string(kMinLength) +
               " characters (e.g. openssl rand -hex 32)";
    for (char c : token)
        if (c < '!' || c > '~')
            return "may only hold visible ASCII characters (no spaces, no control characters)";
    return {};
}

std::string ApiToken::header_value(std::string_view token) {
    return "Bearer " + std::string(token);
}

ApiToken::ApiToken(std::string_view token) : required_(!token.empty()) {
    if (required_) digest_ = nostr::sha256(token);
}

bool ApiToken::accepts(std::string_view authorization) const {
    if (!required_) return true;
    std::string_view credentials;
    if (!bearer_credentials(authorization, credentials)) return false;
    // Digests, not the tokens: CRYPTO_memcmp needs equal lengths, and comparing the lengths
    // first would tell a caller how long the token is.
    nostr::Bytes32 presented = nostr::sha256(credentials);
    return CRYPTO_memcmp(presented.data(), digest_.data(), digest_.size()) == 0;
}

}  // namespace services
