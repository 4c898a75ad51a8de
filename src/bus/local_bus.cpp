#include "bus/local_bus.h"

#include "telemetry/thread_name.h"

namespace bus {

LocalBus::LocalBus() : thread_([this] { run(); }) {}

LocalBus::~LocalBus() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void LocalBus::publish(const LiveEvent& event, std::function<void()> delivered) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({event, std::move(delivered)});
    }
    wake_.notify_one();
}

void LocalBus::post(std::function<void()> fn) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({LiveEvent{}, std::move(fn)});
    }
    wake_.notify_one();
}

void LocalBus::subscribe(Listener listener) {
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(listener));
}

void LocalBus::run() {
    telemetry::name_this_thread("nostpp-bus");
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        std::deque<Queued> batch;
        batch.swap(queue_);
        std::vector<Listener> listeners = listeners_;
        lock.unlock();
        for (const auto& queued : batch) {
            if (queued.event.event)
                for (const auto& listener : listeners) listener(queued.event);
            if (queued.delivered) queued.delivered();
        }
        lock.lock();
    }
}

}  // namespace bus
