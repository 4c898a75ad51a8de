#include "nostr/canonical.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace nostr {

void append_json_string(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    size_t run_start = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(value[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(value.data() + run_start, i - run_start);
        run_start = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
        }
    }
    out.append(value.data() + run_start, value.size() - run_start);
    out.push_back('"');
}

namespace {
void append_tags(std::string& out, const std::vector<Tag>& tags) {
    out.push_back('[');
    for (size_t t = 0; t < tags.size(); ++t) {
        if (t) out.push_back(',');
        out.push_back('[');
        for (size_t v = 0; v < tags[t].size(); ++v) {
            if (v) out.push_back(',');
            append_json_string(out, tags[t][v]);
        }
        out.push_back(']');
    }
    out.push_back(']');
}

size_t estimated_size(const Event& event) {
    size_t size = 256 + event.content.size();
    for (const auto& tag : event.tags)
        for (const auto& value : tag) size += value.size() + 4;
    return size;
}
}  // namespace

std::string canonical_serialization(const Event& event) {
    std::string out;
    out.reserve(estimated_size(event));
    out += "[0,\"";
    append_hex(out, event.pubkey.data(), event.pubkey.size());
    out += "\",";
    out += std::to_string(event.created_at);
    out.push_back(',');
    out += std::to_string(event.kind);
    out.push_back(',');
    append_tags(out, event.tags);
    out.push_back(',');
    append_json_string(out, event.content);
    out.push_back(']');
    return out;
}

Bytes32 sha256(std::string_view data) {
    // Fetched once: EVP's implicit per-call lookup costs as much as hashing a small event.
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    Bytes32 digest{};
    unsigned int size = 0;
    if (!md || !EVP_Digest(data.data(), data.size(), digest.data(), &size, md, nullptr))
        throw std::runtime_error("SHA-256 unavailable");
    return digest;
}

Bytes32 compute_event_id(const Event& event) { return sha256(canonical_serialization(event)); }

std::string serialize_event(const Event& event) {
    std::string out;
    out.reserve(estimated_size(event) + 200);
    out += "{\"id\":\"";
    append_hex(out, event.id.data(), event.id.size());
    out += "\",\"pubkey\":\"";
    append_hex(out, event.pubkey.data(), event.pubkey.size());
    out += "\",\"created_at\":";
    out += std::to_string(event.created_at);
    out += ",\"kind\":";
    out += std::to_string(event.kind);
    out += ",\"tags\":";
    append_tags(out, event.tags);
    out += ",\"content\":";
    append_json_string(out, event.content);
    out += ",\"sig\":\"";
    append_hex(out, event.sig.data(), event.sig.size());
    out += "\"}";
    return out;
}

}  // namespace nostr
