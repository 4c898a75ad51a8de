// A bus listener for tests: records every delivery (event id and commit seq) and lets a test
// wait for a number of them.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.h"

namespace redis_test {

class BusCollector {
public:
    struct Delivery {
        std::string id;  // hex
        uint64_t seq;
    };
    bus::Listener listener();
    // True once `id` was delivered at least once within `timeout`.
    bool wait_for(const std::string& id,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
    size_t count(const std::string& id);
    std::vector<Delivery> deliveries();

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Delivery> deliveries_;
};

}  // namespace redis_test
