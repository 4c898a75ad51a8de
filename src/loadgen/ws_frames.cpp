#include "loadgen/ws_frames.h"

namespace loadgen {

ServerFrameReader::Header ServerFrameReader::header(std::string_view data) {
    Header h;
    if (data.size() < 2) return h;
    auto b0 = static_cast<uint8_t>(data[0]), b1 = static_cast<uint8_t>(data[1]);
    h.fin = b0 & 0x80;
    h.opcode = b0 & 0x0F;
    if (b0 & 0x70) {
        error_ = "a frame with reserved bits set";
        return h;
    }
    if (b1 & 0x80) {
        error_ = "a masked frame from the server";
        return h;
    }
    bool known = h.opcode <= 2 || (h.opcode >= 8 && h.opcode <= 10);
    if (!known) {
        error_ = "a frame with an unknown opcode";
        return h;
    }
    uint64_t length = b1 & 0x7F;
    size_t size = 2;
    if (length == 126) {
        size = 4;
    } else if (length == 127) {
        size = 10;
    }
    if (data.size() < size) return h;
    if (size > 2) {
        length = 0;
        for (size_t i = 2; i < size; ++i) length = (length << 8) | static_cast<uint8_t>(data[i]);
    }
    if (h.opcode >= 8 && (!h.fin || length > 125)) {
        error_ = "a fragmented or oversized control frame";
        return h;
    }
    if (length > max_message_) {
        error_ = "a frame larger than the cap";
        return h;
    }
    h.length = length;
    h.size = size;
    return h;
}

std::string masked_client_frame(Opcode opcode, std::string_view payload, uint32_t mask) {
    std::string frame;
    frame.reserve(payload.size() + 14);
    frame.push_back(static_cast<char>(0x80 | static_cast<uint8_t>(opcode)));
    uint64_t size = payload.size();
    if (size < 126) {
        frame.push_back(static_cast<char>(0x80 | size));
    } else if (size <= 0xFFFF) {
        frame.push_back(static_cast<char>(0x80 | 126));
        for (int shift = 8; shift >= 0; shift -= 8)
            frame.push_back(static_cast<char>(size >> shift));
    } else {
        frame.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(static_cast<char>(size >> shift));
    }
    char key[4];
    for (int i = 0; i < 4; ++i) key[i] = static_cast<char>(mask >> (24 - 8 * i));
    frame.append(key, 4);
    for (size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ key[i % 4]);
    return frame;
}

}  // namespace loadgen
