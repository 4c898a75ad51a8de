// The header of a WebSocket text frame as this server sends it (RFC 6455 section 5.2): one
// unfragmented frame per message (FIN set, opcode 1), no mask (servers do not mask), no
// extensions, the payload length in its shortest form. WsSession frames its text messages
// itself with it; the websocket stream keeps the control frames (ping, pong, close).
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace net::detail {

using FrameHeaderBuffer = std::array<char, 10>;

inline std::string_view text_frame_header(std::uint64_t payload_size, FrameHeaderBuffer& out) {
    out[0] = static_cast<char>(0x81);  // FIN, text
    if (payload_size < 126) {
        out[1] = static_cast<char>(payload_size);
        return {out.data(), 2};
    }
    if (payload_size <= 0xFFFF) {
        out[1] = 126;  // 16-bit length follows, big-endian
        out[2] = static_cast<char>(payload_size >> 8);
        out[3] = static_cast<char>(payload_size);
        return {out.data(), 4};
    }
    out[1] = 127;  // 64-bit length follows, big-endian
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(payload_size >> (56 - 8 * i));
    return {out.data(), 10};
}

}  // namespace net::detail
