#include "relay/worker_pool.h"

#include "telemetry/thread_name.h"

namespace relay {

WorkerPool::WorkerPool(unsigned threads, const char* thread_name) {
    if (threads == 0) threads = 1;
    for (unsigned i = 0; i < threads; ++i)
        threads_.emplace_back([this, thread_name] {
            telemetry::name_this_thread(thread_name);
            run();
        });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
}

void WorkerPool::post(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

size_t WorkerPool::queued() const {
    std::lock_guard lock(mutex_);
    return jobs_.size();
}

void WorkerPool::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        job();
        lock.lock();
    }
}

}  // namespace relay
