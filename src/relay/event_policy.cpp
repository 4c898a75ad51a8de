#include "relay/event_policy.h"

#include <chrono>

#include "nostr/event_parser.h"
#include "relay/proof_of_work.h"

namespace relay {
namespace {
size_t count_code_points(const std::string& text) {
    size_t count = 0;
    for (unsigned char c : text) count += (c & 0xC0) != 0x80;
    return count;
}
}  // namespace

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string check_event_policy(const nostr::Event& event, const Limits& limits, int64_t now,
                               AuthorAuth auth) {
    if (event.tags.size() > limits.max_event_tags)
        return "invalid: too many tags (" + std::to_string(event.tags.size()) + ", max " +
               std::to_string(limits.max_event_tags) + ")";
    if (event.content.size() > limits.max_content_length &&
        count_code_points(event.content) > limits.max_content_length)
        return "invalid: content too long (max " + std::to_string(limits.max_content_length) +
               " characters)";
    if (event.created_at > now + limits.created_at_future_seconds)
        return "invalid: created_at is more than " +
               std::to_string(limits.created_at_future_seconds) + " seconds in the future";
    if (limits.created_at_past_seconds > 0 && event.created_at < now - limits.created_at_past_seconds)
        return "invalid: created_at is more than " +
               std::to_string(limits.created_at_past_seconds) + " seconds in the past";
    if (auto expiration = event.expiration(); expiration && *expiration <= now)
        return "invalid: event has expired";
    if (std::string pow = check_proof_of_work(event, limits.min_pow_difficulty); !pow.empty())
        return pow;
    if (event.is_protected() && auth != AuthorAuth::author)
        return auth == AuthorAuth::none
                   ? "auth-required: this event may only be published by its author; "
                     "authenticate first (NIP-42)"
                   : "restricted: this event may only be published by its author, who is not "
                     "authenticated on this connection";
    return {};
}

std::string check_incoming_event(const nostr::Event& event, const Limits& limits, int64_t now,
                                 bool verify, const WriteGate* gate,
                                 ratelimit::PubkeyBudget* budget, AuthorAuth auth) {
    std::string refusal = check_event_policy(event, limits, now, auth);
    if (refusal.empty()) refusal = limits.pubkeys.check(event.pubkey);
    if (refusal.empty() && gate) refusal = gate->check_author(event.pubkey);
    if (refusal.empty() && verify) refusal = nostr::verify_event(event);
    if (refusal.empty() && verify && budget) refusal = budget->take(event.pubkey, event.kind, now);
    return refusal;
}

}  // namespace relay
