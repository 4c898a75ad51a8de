// Lowercase hex encoding and strict decoding of fixed-size binary values (ids, pubkeys, sigs).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace nostr {

using Bytes32 = std::array<uint8_t, 32>;
using Bytes64 = std::array<uint8_t, 64>;

// Decodes exactly out.size()*2 lowercase hex characters; false on any other input
// (uppercase is rejected: NIP-01 requires lowercase hex).
bool decode_lower_hex(std::string_view hex, uint8_t* out, size_t out_size);

template <size_t N>
bool decode_lower_hex(std::string_view hex, std::array<uint8_t, N>& out) {
    return decode_lower_hex(hex, out.data(), N);
}

// Accepts upper- or lowercase (for test vectors and operator input, never for the protocol).
bool decode_any_hex(std::string_view hex, std::string& out);

std::string to_hex(const uint8_t* data, size_t size);
template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& bytes) {
    return to_hex(bytes.data(), N);
}
void append_hex(std::string& out, const uint8_t* data, size_t size);

}  // namespace nostr
