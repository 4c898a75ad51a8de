// The relay's view of a client connection: somewhere to send text frames. Implemented by the
// WebSocket session (net/) and by test doubles.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace relay {

class Outbound {
public:
    virtual ~Outbound() = default;
    // Thread-safe; frames are sent in the order of the calls. No-op once closed.
    virtual void send(std::string text) = 0;
    // Several frames at once, in order and without others in between (a REQ's stored events
    // and EOSE), so the connection can write them in one go.
    virtual void send_many(std::vector<std::string> frames) {
        for (auto& frame : frames) send(std::move(frame));
    }
    // Thread-safe; closes the connection after flushing what is queued.
    virtual void close(std::string_view reason) = 0;
};

}  // namespace relay
