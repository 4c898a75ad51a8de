#include "test_events.h"

#include <stdexcept>

#include "nostr/canonical.h"

namespace test_support {

nostr::KeyPair test_key(uint64_t n) {
    if (n == 0) throw std::invalid_argument("test_key: the secret must be at least 1");
    nostr::Bytes32 secret{};
    for (int i = 0; i < 8; ++i) secret[31 - i] = static_cast<uint8_t>(n >> (8 * i));
    return nostr::keypair_from_secret(secret);
}

void sign_event(nostr::Event& event, const nostr::KeyPair& key) {
    static const nostr::Bytes32 kZeroAux{};
    event.pubkey = key.pubkey;
    event.id = nostr::compute_event_id(event);
    event.sig = nostr::sign_schnorr(key, event.id, &kZeroAux);
    event.json = nostr::serialize_event(event);
}

nostr::Event make_event(const nostr::KeyPair& key, uint32_t kind, int64_t created_at,
                        std::vector<nostr::Tag> tags, std::string content) {
    nostr::Event event;
    event.kind = kind;
    event.created_at = created_at;
    event.tags = std::move(tags);
    event.content = std::move(content);
    sign_event(event, key);
    return event;
}

std::string event_message(const nostr::Event& event) {
    return "[\"EVENT\"," + event.json + "]";
}

nostr::Bytes32 bytes32_from_hex(std::string_view hex) {
    std::string bytes;
    if (!nostr::decode_any_hex(hex, bytes) || bytes.size() != 32)
        throw std::invalid_argument("bytes32_from_hex: need 64 hex characters");
    nostr::Bytes32 out{};
    for (size_t i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(bytes[i]);
    return out;
}

std::vector<std::string> events_needing_escapes() {
    std::vector<std::string> events;
    const char* contents[] = {"plain",
                              "quote \" backslash \\ slash /",
                              "controls \x01\x1f\b\f\n\r\t",
                              "line one\nline two\r\n",
                              "unicode é 🎉 \u2028 \u2029",
                              ""};
    int64_t t = 1000;
    for (const char* content : contents)
        events.push_back(
            make_event(test_key(5), 1, t++, {{"e", std::string(64, 'b')}, {"-"}}, content).json);
    return events;
}

}  // namespace test_support
