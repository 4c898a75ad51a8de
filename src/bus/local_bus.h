// In-process bus: publish() queues the event and returns at once; one delivery thread hands
// events to the listeners in publish order, so the writer never waits on fan-out.
#pragma once
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "bus/bus.h"

namespace bus {

class LocalBus final : public Bus {
public:
    LocalBus();
    ~LocalBus() override;  // delivers what is queued, then stops
    void publish(const LiveEvent& event, std::function<void()> delivered = {}) override;
    void subscribe(Listener listener) override;
    // Runs `fn` on the delivery thread after everything published before it was delivered
    // (RedisBus: the `delivered` of an event that already came in through Redis).
    void post(std::function<void()> fn);

private:
    void run();
    std::mutex mutex_;
    std::condition_variable wake_;
    struct Queued {
        LiveEvent event;  // event.event == nullptr: only run `delivered`
        std::function<void()> delivered;
    };
    std::deque<Queued> queue_;
    std::vector<Listener> listeners_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace bus
