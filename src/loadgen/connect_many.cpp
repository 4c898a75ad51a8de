#include "loadgen/connect_many.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace loadgen {
namespace {

struct Shared {
    std::mutex mutex;
    std::condition_variable cv;
    uint32_t next = 0;       // next index to start
    uint32_t finished = 0;   // connects completed (either way)
    bool abandoned = false;  // the caller stopped waiting; start nothing more
    std::vector<bool> done;
    ConnectResult result;
};

}  // namespace

ConnectResult connect_many(EventLoop& loop, const Endpoint& endpoint, uint32_t count,
                           const std::function<WsClient::Handlers(uint32_t index)>& handlers,
                           std::chrono::steady_clock::time_point deadline, uint32_t max_in_flight) {
    auto started = std::chrono::steady_clock::now();
    auto shared = std::make_shared<Shared>();
    shared->result.clients.resize(count);
    shared->done.resize(count);

    // Starts connection `index`; its completion starts the next one, so at most
    // max_in_flight handshakes are ever outstanding. Runs on loop threads after the first
    // batch; this function waits for every launched connect, so the captures stay valid.
    std::function<void(uint32_t)> start;
    start = [&, shared](uint32_t index) {
        auto client = WsClient::create(loop, handlers(index));
        {
            std::lock_guard lock(shared->mutex);
            shared->result.clients[index] = client;
        }
        client->connect(endpoint, [&, shared, index](std::string error) {
            std::unique_lock lock(shared->mutex);
            if (!error.empty()) {
                shared->result.clients[index] = nullptr;
                if (shared->result.failed++ == 0) shared->result.first_error = error;
            }
            shared->done[index] = true;
            ++shared->finished;
            bool more = !shared->abandoned && shared->next < count;
            uint32_t next = more ? shared->next++ : 0;
            lock.unlock();
            shared->cv.notify_all();
            if (more) start(next);
        });
    };

    std::unique_lock lock(shared->mutex);
    uint32_t initial = std::min(count, std::max<uint32_t>(1, max_in_flight));
    shared->next = initial;
    lock.unlock();
    for (uint32_t i = 0; i < initial; ++i) start(i);
    lock.lock();
    shared->cv.wait_until(lock, deadline, [&] { return shared->finished == count; });
    shared->abandoned = true;

    // Handshakes still running at the deadline are cancelled (they report as failed).
    uint32_t launched = shared->next;
    if (shared->finished < launched) {
        for (uint32_t i = 0; i < launched; ++i)
            if (!shared->done[i] && shared->result.clients[i]) shared->result.clients[i]->close();
        shared->cv.wait(lock, [&] { return shared->finished == launched; });
    }
    shared->result.failed += count - launched;
    if (launched < count && shared->result.first_error.empty())
        shared->result.first_error = "deadline passed while connecting";
    shared->result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::move(shared->result);
}

void close_all(const std::vector<std::shared_ptr<WsClient>>& clients,
               std::chrono::milliseconds grace) {
    for (const auto& c : clients)
        if (c) c->close();
    auto deadline = std::chrono::steady_clock::now() + grace;
    for (const auto& c : clients) {
        while (c && !c->closed() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

}  // namespace loadgen
