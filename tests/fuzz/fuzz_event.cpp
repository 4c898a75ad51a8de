// libFuzzer harness for the event validator: parse_event_json (structure) and
// relay::check_incoming_event (limits, NIP-40, NIP-70, then the id and BIP-340 signature), the
// path every EVENT takes on the websocket and in the event handler's API.
// Properties: refusals carry a NIP-01 prefix; the canonical JSON the relay stores and sends
// parses back to the same event and is a fixed point; the same event re-signed (id recomputed,
// signed by a fixed key) passes verification, so the verdict is exactly the policy's, and any
// change to its content breaks the signature.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "nostr/canonical.h"
#include "nostr/event_parser.h"
#include "nostr/signature.h"
#include "relay/event_policy.h"

namespace {

// A fixed clock keeps runs reproducible (created_at and NIP-40 checks depend on it).
constexpr int64_t kNow = 1700000000;

const nostr::KeyPair& signer() {
    static const nostr::KeyPair key = [] {
        nostr::Bytes32 secret;
        secret.fill(0x42);
        return nostr::keypair_from_secret(secret);
    }();
    return key;
}

void check_same(const nostr::Event& a, const nostr::Event& b) {
    FUZZ_CHECK(a.id == b.id && a.pubkey == b.pubkey && a.sig == b.sig, a.json);
    FUZZ_CHECK(a.created_at == b.created_at && a.kind == b.kind, a.json);
    FUZZ_CHECK(a.tags == b.tags && a.content == b.content && a.json == b.json, a.json);
}

void check_verdict(const std::string& verdict) {
    FUZZ_CHECK(verdict.empty() || fuzz::has_known_prefix(verdict), verdict);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    nostr::Event event;
    std::string error;
    if (!nostr::parse_event_json(input, event, error)) {
        FUZZ_CHECK(fuzz::has_known_prefix(error), error);
        return 0;
    }

    nostr::Event reparsed;
    FUZZ_CHECK(nostr::parse_event_json(event.json, reparsed, error), event.json + " -> " + error);
    check_same(event, reparsed);

    relay::Limits limits;
    check_verdict(relay::check_incoming_event(event, limits, kNow, true));

    nostr::Event resigned = std::move(event);
    resigned.pubkey = signer().pubkey;
    resigned.id = nostr::compute_event_id(resigned);
    nostr::Bytes32 aux{};
    resigned.sig = nostr::sign_schnorr(signer(), resigned.id, &aux);
    resigned.json = nostr::serialize_event(resigned);
    FUZZ_CHECK(nostr::verify_event(resigned).empty(), resigned.json);
    std::string policy = relay::check_event_policy(resigned, limits, kNow);
    check_verdict(policy);
    FUZZ_CHECK(relay::check_incoming_event(resigned, limits, kNow, true) == policy, resigned.json);

    resigned.content.push_back(' ');
    FUZZ_CHECK(!nostr::verify_event(resigned).empty(), resigned.json);
    return 0;
}
