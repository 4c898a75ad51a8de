#include "ratelimit/pubkey_budget.h"

#include "nostr/hex.h"

namespace ratelimit {
namespace {
constexpr const char* kClassNames[] = {"regular", "replaceable", "ephemeral", "addressable"};
}  // namespace

PubkeyBudget::PubkeyBudget(std::array<uint32_t, 4> per_minute, telemetry::MetricsRegistry& metrics)
    : per_minute_(per_minute), counts_(60), metrics_(metrics) {}

bool PubkeyBudget::enabled() const {
    for (uint32_t limit : per_minute_)
        if (limit > 0) return true;
    return false;
}

std::string PubkeyBudget::take(const nostr::Bytes32& pubkey, uint32_t kind, int64_t now) {
    const size_t kind_class = size_t(nostr::classify_kind(kind));
    const uint32_t limit = per_minute_[kind_class];
    if (limit == 0) return {};
    // One key per class and pubkey: "r:<hex>" (regular), "p:" (replaceable), "e:", "a:".
    static constexpr char kClassKeys[] = {'r', 'p', 'e', 'a'};
    std::string key = kClassKeys[kind_class] + std::string(":") + nostr::to_hex(pubkey);
    if (counts_.try_add(key, limit, now)) return {};
    metrics_.limited(Limit(size_t(Limit::events_regular) + kind_class));
    return "rate-limited: more than " + std::to_string(limit) + " " + kClassNames[kind_class] +
           " events per minute from this pubkey; try again later";
}

}  // namespace ratelimit
