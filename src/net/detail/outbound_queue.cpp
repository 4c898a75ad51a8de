#include "net/detail/outbound_queue.h"

namespace net::detail {

OutboundQueue::Pushed OutboundQueue::push(std::string frame, const std::string& farewell) {
    std::lock_guard lock(mutex_);
    Pushed result;
    push_locked(std::move(frame), farewell, result);
    return result;
}

OutboundQueue::Pushed OutboundQueue::push_many(std::vector<std::string> frames,
                                               const std::string& farewell) {
    std::lock_guard lock(mutex_);
    Pushed result;
    for (auto& frame : frames) push_locked(std::move(frame), farewell, result);
    return result;
}

void OutboundQueue::push_locked(std::string frame, const std::string& farewell, Pushed& result) {
    if (closing_) return;
    bytes_ += frame.size();
    if (bytes_ > max_bytes_) {
        // Whatever is queued will never reach a reader this slow; free it now and make the
        // explanation the only thing left to send.
        frames_.clear();
        frames_.push_back(farewell);
        bytes_ = farewell.size();
        closing_ = true;
        close_pending_ = true;
        close_code_ = 1008;  // policy violation
        close_reason_ = "slow reader";
        result.overflow = true;
    } else {
        frames_.push_back(std::move(frame));
    }
    if (!writing_) writing_ = result.start_writer = true;
}

OutboundQueue::CloseRequested OutboundQueue::request_close(uint16_t code, std::string reason,
                                                           bool drop_queued) {
    std::lock_guard lock(mutex_);
    CloseRequested result;
    if (closing_) return result;
    result.first = true;
    closing_ = true;
    close_pending_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    if (drop_queued) {
        frames_.clear();
        bytes_ = 0;
    }
    if (!writing_) writing_ = result.start_writer = true;
    return result;
}

OutboundQueue::Next OutboundQueue::next(std::string& frame, uint16_t& close_code) {
    std::lock_guard lock(mutex_);
    if (!frames_.empty()) {
        frame = std::move(frames_.front());
        frames_.pop_front();
        bytes_ -= frame.size();
        return Next::frame;
    }
    if (close_pending_) {
        close_pending_ = false;
        writing_ = false;  // nothing may be written after the close frame
        frame = std::move(close_reason_);
        close_code = close_code_;
        return Next::close;
    }
    writing_ = false;
    return Next::idle;
}

void OutboundQueue::shut() {
    std::lock_guard lock(mutex_);
    closing_ = true;
    close_pending_ = false;
    frames_.clear();
    bytes_ = 0;
}

bool OutboundQueue::closing() {
    std::lock_guard lock(mutex_);
    return closing_;
}

uint64_t OutboundQueue::queued_bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace net::detail
