// The asio io_context all bench connections share, run by a few threads: hundreds of
// connections are multiplexed on it instead of one thread each. Each phase owns one, so
// joining its threads at the end publishes everything the handlers recorded.
#pragma once
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace loadgen {

class EventLoop {
  public:
    explicit EventLoop(uint32_t threads);
    ~EventLoop();  // stop() if still running
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    boost::asio::io_context& context();
    // Abandons pending work and joins the threads. After it returns no handler runs again.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<std::thread> threads_;
};

}  // namespace loadgen
