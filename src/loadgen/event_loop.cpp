#include "loadgen/event_loop.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace loadgen {

struct EventLoop::Impl {
    boost::asio::io_context context;
    // Keeps run() from returning while connections are between operations.
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
        context.get_executor()};
};

EventLoop::EventLoop(uint32_t threads) : impl_(std::make_unique<Impl>()) {
    for (uint32_t i = 0; i < std::max<uint32_t>(1, threads); ++i)
        threads_.emplace_back([this] { impl_->context.run(); });
}

EventLoop::~EventLoop() {
    stop();
}

boost::asio::io_context& EventLoop::context() {
    return impl_->context;
}

void EventLoop::stop() {
    impl_->work.reset();
    impl_->context.stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

}  // namespace loadgen
