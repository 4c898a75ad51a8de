#include "nostr/hex.h"

namespace nostr {
namespace {
constexpr char kDigits[] = "0123456789abcdef";

int lower_nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}
int any_nibble(char c) {
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return lower_nibble(c);
}
}  // namespace

bool decode_lower_hex(std::string_view hex, uint8_t* out, size_t out_size) {
    if (hex.size() != out_size * 2) return false;
    for (size_t i = 0; i < out_size; ++i) {
        int hi = lower_nibble(hex[2 * i]), lo = lower_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return true;
}

bool decode_any_hex(std::string_view hex, std::string& out) {
    if (hex.size() % 2) return false;
    out.resize(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        int hi = any_nibble(hex[2 * i]), lo = any_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<char>(hi << 4 | lo);
    }
    return true;
}

void append_hex(std::string& out, const uint8_t* data, size_t size) {
    size_t at = out.size();
    out.resize(at + size * 2);
    for (size_t i = 0; i < size; ++i) {
        out[at + 2 * i] = kDigits[data[i] >> 4];
        out[at + 2 * i + 1] = kDigits[data[i] & 15];
    }
}

std::string to_hex(const uint8_t* data, size_t size) {
    std::string out;
    append_hex(out, data, size);
    return out;
}

}  // namespace nostr
