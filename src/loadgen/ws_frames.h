// WebSocket frames for the lean fan-out subscribers (lean_subscribers.cpp), which read the
// relay's bytes straight off their sockets instead of through Beast's stream: 500
// subscribers on the relay's own two cores make the load client's cost per message part of
// the latency it measures (docs/benchmarks.md). RFC 6455 section 5: the relay's frames
// arrive unmasked, the client's go masked.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

enum class Opcode : uint8_t {
    continuation = 0,
    text = 1,
    binary = 2,
    close = 8,
    ping = 9,
    pong = 10
};

// Splits a byte stream from the server into messages (fragments reassembled) and control
// frames. Any violation of the protocol ends the stream: a masked frame, reserved bits (no
// extension is negotiated), an unknown opcode, a fragmented or oversized control frame, a
// continuation with nothing to continue, or a message larger than the cap.
class ServerFrameReader {
  public:
    explicit ServerFrameReader(uint64_t max_message = 16u << 20) : max_message_(max_message) {}

    // Consumes `bytes`, calling on_frame(Opcode, std::string_view payload) for every complete
    // message (text or binary, whole) and control frame; a view is valid only during its
    // call. Bytes of an unfinished frame are kept for the next call. Returns "" or, once the
    // stream is broken, what broke it (then and on every later call).
    template <class OnFrame>
    std::string_view feed(std::string_view bytes, OnFrame&& on_frame);

  private:
    struct Header {
        bool fin = false;
        uint8_t opcode = 0;
        uint64_t length = 0;
        size_t size = 0;  // header bytes; 0 = not all there yet
    };
    // Parses the header at the start of `data`; sets error_ on a violation.
    Header header(std::string_view data);
    template <class OnFrame>
    bool frame(const Header& h, std::string_view payload, OnFrame& on_frame);

    uint64_t max_message_;
    std::string pending_;     // an unfinished frame's bytes from earlier calls
    std::string message_;     // fragments of a message so far
    uint8_t fragmented_ = 0;  // opcode of the message being reassembled, 0 = none
    std::string error_;
};

// One client frame with FIN set, masked with `mask` as a client must.
std::string masked_client_frame(Opcode opcode, std::string_view payload, uint32_t mask);

template <class OnFrame>
std::string_view ServerFrameReader::feed(std::string_view bytes, OnFrame&& on_frame) {
    if (!error_.empty()) return error_;
    // Parse straight from `bytes` when nothing is held back (the common case: whole frames).
    std::string_view data = bytes;
    if (!pending_.empty()) {
        pending_.append(bytes);
        data = pending_;
    }
    size_t used = 0;
    while (used < data.size()) {
        Header h = header(data.substr(used));
        if (!error_.empty()) return error_;
        if (h.size == 0 || data.size() - used - h.size < h.length) break;
        if (!frame(h, data.substr(used + h.size, h.length), on_frame)) return error_;
        used += h.size + h.length;
    }
    if (pending_.empty())
        pending_.assign(data.substr(used));
    else
        pending_.erase(0, used);
    return error_;
}

template <class OnFrame>
bool ServerFrameReader::frame(const Header& h, std::string_view payload, OnFrame& on_frame) {
    auto opcode = static_cast<Opcode>(h.opcode);
    if (h.opcode >= 8) {  // control frames may come between a message's fragments
        on_frame(opcode, payload);
        return true;
    }
    if (h.opcode != 0 && fragmented_) {
        error_ = "a new message began before the fragmented one ended";
        return false;
    }
    if (h.opcode == 0 && !fragmented_) {
        error_ = "a continuation frame with no message to continue";
        return false;
    }
    if (h.fin && h.opcode != 0) {
        on_frame(opcode, payload);  // a whole message in one frame
        return true;
    }
    if (message_.size() + payload.size() > max_message_) {
        error_ = "a fragmented message larger than the cap";
        return false;
    }
    if (h.opcode != 0) fragmented_ = h.opcode;
    message_.append(payload);
    if (!h.fin) return true;
    on_frame(static_cast<Opcode>(fragmented_), std::string_view(message_));
    message_.clear();
    fragmented_ = 0;
    return true;
}

}  // namespace loadgen
