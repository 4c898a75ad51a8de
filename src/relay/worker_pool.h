// A fixed set of threads running queued jobs: where queries run, so a slow query never
// holds up network I/O or signature checks on the I/O threads.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace relay {

class WorkerPool {
public:
    // `thread_name` (at most 15 characters) names each thread for top -H and perf.
    WorkerPool(unsigned threads, const char* thread_name);
    ~WorkerPool();  // finishes queued jobs, then joins
    void post(std::function<void()> job);
    size_t queued() const;

private:
    void run();
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace relay
