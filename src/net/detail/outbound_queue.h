// The frames waiting to be written to one WebSocket connection. Producers (any thread) push;
// a single writer (the connection's strand) takes them in order, so only one writer runs at a
// time. A connection whose queue grows past its byte budget is a slow reader: its queue
// is dropped and it is closed, so it cannot hold memory or delay anyone else.
#pragma once
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace net::detail {

class OutboundQueue {
  public:
    explicit OutboundQueue(uint64_t max_bytes) : max_bytes_(max_bytes) {}

    struct Pushed {
        bool start_writer = false;  // the caller must start the writer
        bool overflow = false;      // budget exceeded: the queue was replaced by `farewell`
                                    // followed by a close frame
    };
    // Frames pushed while closing are dropped.
    Pushed push(std::string frame, const std::string& farewell);
    // Several frames under one lock, so no other producer's frame lands between them.
    Pushed push_many(std::vector<std::string> frames, const std::string& farewell);

    struct CloseRequested {
        bool first = false;         // this call started the close (later calls do nothing)
        bool start_writer = false;  // the caller must start the writer
    };
    // Asks for a close frame once what is queued has been written (or instead of it, with
    // drop_queued). Frames pushed from now on are dropped.
    CloseRequested request_close(uint16_t code, std::string reason, bool drop_queued);

    enum class Next { frame, close, idle };
    // Writer side. `frame` receives the next frame, or the close reason for Next::close.
    // After Next::idle the writer stops; the next push() returns start_writer.
    Next next(std::string& frame, uint16_t& close_code);

    // The connection is gone: drop everything, ignore further pushes.
    void shut();

    bool closing();
    uint64_t queued_bytes();

  private:
    void push_locked(std::string frame, const std::string& farewell, Pushed& result);

    std::mutex mutex_;
    std::deque<std::string> frames_;
    uint64_t bytes_ = 0;
    const uint64_t max_bytes_;
    bool writing_ = false;
    bool closing_ = false;        // no more frames accepted
    bool close_pending_ = false;  // the writer owes a close frame
    uint16_t close_code_ = 1000;
    std::string close_reason_;
};

}  // namespace net::detail
