#include "telemetry/span.h"

#include "telemetry/span_queue.h"

namespace telemetry {

uint64_t unix_now_ns() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

void Span::set(std::string_view key, AttributeValue value) {
    if (!record_ || record_->ended) return;
    for (auto& attribute : record_->data.attributes) {
        if (attribute.key == key) {
            attribute.value = std::move(value);
            return;
        }
    }
    record_->data.attributes.push_back({key, std::move(value)});
}

void Span::set_attribute(std::string_view key, std::string_view value) {
    if (record_) set(key, std::string(value));
}

void Span::set_attribute(std::string_view key, int64_t value) {
    set(key, value);
}

void Span::set_attribute(std::string_view key, bool value) {
    set(key, value);
}

void Span::set_error(std::string_view message) {
    if (!record_ || record_->ended) return;
    record_->data.error = true;
    record_->data.status_message = message;
}

void Span::end(uint64_t end_unix_ns) {
    if (!record_ || record_->ended) return;
    record_->ended = true;
    record_->data.end_unix_ns = end_unix_ns;
    record_->queue->try_push(std::move(record_->data));
    record_.reset();
}

}  // namespace telemetry
