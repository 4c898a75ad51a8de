// The machine's floor for the live fan-out benchmark (docs/benchmarks.md): the same traffic
// as `nostpp bench --workload fanout --subscribers 500 --rate 50` (one 858-byte message to
// each of 500 loopback TCP connections, 50 times a second) with nothing but the sockets: no
// WebSocket, no relay, and no asio unless asked for. Two sender threads split the connections as
// the relay's two I/O threads do; two epoll threads in a second process read them, as the load
// client does. It prints the CPU each send and each receive costs and the delivery latency from the
// moment the senders are told to send, so a relay's figures can be read against what the
// kernel's loopback TCP alone costs on this machine.
// --handoff adds the relay's hand-off between its bus thread and its I/O threads: a dispatch
// thread copies the message once per connection and queues it to that connection's sender,
// one lock per delivery and a wake whenever the sender was idle ("each", as the relay posts
// each delivery to its connection) or one lock and wake per sender per event ("batch").
// "asio" hands off as the relay does, with asio: the sender threads run one io_context, each
// connection has a strand, and each delivery is a handler posted to it that sends the copy.
//   nostpp_fanout_floor [--events N] [--subscribers N] [--sender-threads N]
//                       [--handoff none|each|batch|asio]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exits.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMessageBytes = 858;  // the bench's fan-out frame
constexpr int kIntervalUs = 20000;  // 50 events per second

int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
        .count();
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Adds the calling thread's CPU time so far to a total shared by a group of threads.
void add_this_thread_cpu(std::atomic<double>& total) {
    double mine = thread_cpu_seconds(), seen = total.load();
    while (!total.compare_exchange_weak(seen, seen + mine)) {
    }
}

// Sleeps until event `e` is due: 50 a second from `start_us`.
void wait_for_event(int64_t start_us, int e) {
    std::this_thread::sleep_until(Clock::time_point(
        std::chrono::microseconds(start_us + static_cast<int64_t>(kIntervalUs) * e)));
}

enum class Handoff { none, each, batch, asio };

struct Options {
    int events = 400, subscribers = 500, sender_threads = 2;
    Handoff handoff = Handoff::none;
};

Handoff parse_handoff(const std::string& name) {
    if (name == "none") return Handoff::none;
    if (name == "each") return Handoff::each;
    if (name == "batch") return Handoff::batch;
    if (name == "asio") return Handoff::asio;
    usage_error("--handoff takes none, each, batch or asio");
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--handoff") {
            o.handoff = parse_handoff(argv[i + 1]);
            continue;
        }
        int value = std::atoi(argv[i + 1]);
        if (value <= 0) usage_error("option values must be positive");
        if (flag == "--events")
            o.events = value;
        else if (flag == "--subscribers")
            o.subscribers = value;
        else if (flag == "--sender-threads")
            o.sender_threads = value;
        else
            usage_error("unknown option");
    }
    return o;
}

// Shared between the two processes: receive times, send times, CPU totals.
struct Results {
    int64_t* received;  // [subscriber * events + event], µs
    int64_t* sent;      // [event], µs
    double* cpu;        // [0] senders, [1] readers, [2] dispatch thread, seconds
};

Results map_results(const Options& o) {
    size_t count = static_cast<size_t>(o.subscribers) * o.events + o.events + 3;
    void* memory = mmap(nullptr, count * sizeof(int64_t), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) die("mmap");
    auto* base = static_cast<int64_t*>(memory);
    int64_t* sent = base + static_cast<size_t>(o.subscribers) * o.events;
    return {base, sent, reinterpret_cast<double*>(sent + o.events)};
}

void connect_pairs(int count, std::vector<int>& senders, std::vector<int>& readers) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
    socklen_t length = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), length) || listen(listener, 1024) ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length))
        die("listen");
    int one = 1;
    for (int i = 0; i < count; ++i) {
        int reader = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(reader, reinterpret_cast<sockaddr*>(&address), length)) die("connect");
        int sender = accept(listener, nullptr, nullptr);
        if (sender < 0) die("accept");
        setsockopt(sender, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as the relay
        senders.push_back(sender);
        readers.push_back(reader);
    }
    close(listener);
}

// Two epoll threads, each over half the connections, until `end_us`.
void read_all(const Options& o, const std::vector<int>& sockets, Results r, int64_t end_us) {
    std::atomic<double> cpu{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            int epoll = epoll_create1(0);
            for (int i = t; i < o.subscribers; i += 2) {
                epoll_event e{};
                e.events = EPOLLIN;
                e.data.u32 = static_cast<uint32_t>(i);
                epoll_ctl(epoll, EPOLL_CTL_ADD, sockets[i], &e);
            }
            std::vector<int> next(o.subscribers, 0);
            std::vector<char> buffer(65536);
            epoll_event ready[128];
            while (now_us() < end_us) {
                int n = epoll_wait(epoll, ready, 128, 50);
                for (int k = 0; k < n; ++k) {
                    int i = static_cast<int>(ready[k].data.u32);
                    ssize_t got = recv(sockets[i], buffer.data(), buffer.size(), MSG_DONTWAIT);
                    int64_t at = now_us();
                    for (; got >= kMessageBytes && next[i] < o.events; got -= kMessageBytes)
                        r.received[static_cast<size_t>(i) * o.events + next[i]++] = at;
                }
            }
            add_this_thread_cpu(cpu);
            close(epoll);
        });
    for (auto& thread : threads) thread.join();
    r.cpu[1] = cpu.load();
}

// Sender threads woken for each event, as the relay's I/O threads are by a commit.
void send_all(const Options& o, const std::vector<int>& sockets, Results r, int64_t start_us) {
    std::mutex mutex;
    std::condition_variable wake;
    int round = -1;
    bool stop = false;
    std::atomic<double> cpu{0};
    const std::vector<char> message(kMessageBytes, 'x');
    std::vector<std::thread> threads;
    for (int t = 0; t < o.sender_threads; ++t)
        threads.emplace_back([&, t] {
            for (int seen = -1;;) {
                {
                    std::unique_lock lock(mutex);
                    wake.wait(lock, [&] { return round != seen || stop; });
                    if (round == seen) break;  // stopping, and the last event is sent
                    seen = round;
                }
                for (int i = t; i < o.subscribers; i += o.sender_threads)
                    send(sockets[i], message.data(), message.size(), MSG_NOSIGNAL);
            }
            add_this_thread_cpu(cpu);
        });
    for (int e = 0; e < o.events; ++e) {
        wait_for_event(start_us, e);
        std::lock_guard lock(mutex);
        r.sent[e] = now_us();
        round = e;
        wake.notify_all();
    }
    {
        std::lock_guard lock(mutex);
        stop = true;
        wake.notify_all();
    }
    for (auto& thread : threads) thread.join();
    r.cpu[0] = cpu.load();
}

// Sender threads fed by a dispatch thread (this one) that copies the message for each
// connection, as the relay's bus thread frames each delivery, and queues the copy to the
// sender that owns the connection; the sender frees it after the send, on its own thread.
void send_handed_off(const Options& o, const std::vector<int>& sockets, Results r,
                     int64_t start_us) {
    using Frames = std::deque<std::pair<int, std::string>>;  // connection index, frame
    struct Lane {
        std::mutex mutex;
        std::condition_variable wake;
        Frames queue;
        bool stop = false;
    };
    std::vector<Lane> lanes(static_cast<size_t>(o.sender_threads));
    std::atomic<double> cpu{0};
    const std::string message(kMessageBytes, 'x');
    std::vector<std::thread> threads;
    for (int t = 0; t < o.sender_threads; ++t)
        threads.emplace_back([&, t] {
            Lane& lane = lanes[static_cast<size_t>(t)];
            for (Frames taken;; taken.clear()) {
                {
                    std::unique_lock lock(lane.mutex);
                    lane.wake.wait(lock, [&] { return !lane.queue.empty() || lane.stop; });
                    if (lane.queue.empty()) break;  // stopping, and all is sent
                    if (o.handoff == Handoff::batch) {
                        taken.swap(lane.queue);
                    } else {
                        taken.push_back(std::move(lane.queue.front()));
                        lane.queue.pop_front();
                    }
                }
                for (const auto& [i, frame] : taken)
                    send(sockets[i], frame.data(), frame.size(), MSG_NOSIGNAL);
            }
            add_this_thread_cpu(cpu);
        });
    double dispatch_start = thread_cpu_seconds();
    for (int e = 0; e < o.events; ++e) {
        wait_for_event(start_us, e);
        r.sent[e] = now_us();
        if (o.handoff == Handoff::each) {
            // In subscription order, as the relay's bus matches them: one lock per frame,
            // and a wake when the sender was idle.
            for (int i = 0; i < o.subscribers; ++i) {
                Lane& lane = lanes[static_cast<size_t>(i % o.sender_threads)];
                std::pair<int, std::string> frame(i, message);  // framed before the hand-off
                bool idle = false;
                {
                    std::lock_guard lock(lane.mutex);
                    idle = lane.queue.empty();
                    lane.queue.push_back(std::move(frame));
                }
                if (idle) lane.wake.notify_one();
            }
            continue;
        }
        for (int t = 0; t < o.sender_threads; ++t) {  // batch: one lock and wake per sender
            Frames batch;
            for (int i = t; i < o.subscribers; i += o.sender_threads)
                batch.emplace_back(i, message);
            Lane& lane = lanes[static_cast<size_t>(t)];
            {
                std::lock_guard lock(lane.mutex);
                for (auto& frame : batch) lane.queue.push_back(std::move(frame));
            }
            lane.wake.notify_one();
        }
    }
    r.cpu[2] = thread_cpu_seconds() - dispatch_start;
    for (auto& lane : lanes) {
        std::lock_guard lock(lane.mutex);
        lane.stop = true;
        lane.wake.notify_one();
    }
    for (auto& thread : threads) thread.join();
    r.cpu[0] = cpu.load();
}

// The dispatch thread (this one) posts each connection's copy to that connection's strand
// on an io_context the sender threads run, as the relay's bus thread posts a delivery to a
// connection whose writer is idle (each one, at this rate); the handler sends it on
// whichever sender thread runs it. Only the hand-off is asio's: the
// sockets are not registered with it, and the send is the same call as in the other modes.
void send_through_asio(const Options& o, const std::vector<int>& sockets, Results r,
                       int64_t start_us) {
    namespace asio = boost::asio;
    asio::io_context io(o.sender_threads);
    std::vector<asio::strand<asio::io_context::executor_type>> strands;
    for (size_t i = 0; i < sockets.size(); ++i) strands.push_back(asio::make_strand(io));
    auto working = asio::make_work_guard(io);
    std::atomic<double> cpu{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < o.sender_threads; ++t)
        threads.emplace_back([&] {
            io.run();
            add_this_thread_cpu(cpu);
        });
    const std::string message(kMessageBytes, 'x');
    double dispatch_start = thread_cpu_seconds();
    for (int e = 0; e < o.events; ++e) {
        wait_for_event(start_us, e);
        r.sent[e] = now_us();
        for (size_t i = 0; i < sockets.size(); ++i) {
            auto frame = std::make_shared<const std::string>(message);  // framed first
            asio::post(strands[i], [socket = sockets[i], frame] {
                send(socket, frame->data(), frame->size(), MSG_NOSIGNAL);
            });
        }
    }
    r.cpu[2] = thread_cpu_seconds() - dispatch_start;
    working.reset();  // run() returns once every posted send is done
    for (auto& thread : threads) thread.join();
    r.cpu[0] = cpu.load();
}

int64_t percentile(std::vector<int64_t>& sorted, double p) {
    return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    std::vector<int> senders, readers;
    connect_pairs(o.subscribers, senders, readers);
    Results r = map_results(o);
    int64_t start_us = now_us() + 100000;
    int64_t end_us = start_us + static_cast<int64_t>(kIntervalUs) * o.events + 500000;
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        read_all(o, readers, r, end_us);
        _exit(0);
    }
    if (o.handoff == Handoff::none)
        send_all(o, senders, r, start_us);
    else if (o.handoff == Handoff::asio)
        send_through_asio(o, senders, r, start_us);
    else
        send_handed_off(o, senders, r, start_us);
    waitpid(child, nullptr, 0);

    std::vector<int64_t> all, last;
    uint64_t missed = 0;
    for (int e = 0; e < o.events; ++e) {
        int64_t slowest = 0;
        for (int i = 0; i < o.subscribers; ++i) {
            int64_t at = r.received[static_cast<size_t>(i) * o.events + e];
            if (at == 0) {
                ++missed;
                continue;
            }
            all.push_back(at - r.sent[e]);
            slowest = std::max(slowest, at - r.sent[e]);
        }
        last.push_back(slowest);
    }
    if (all.empty()) {
        std::fprintf(stderr, "nostpp_fanout_floor: nothing was delivered\n");
        return 1;
    }
    std::sort(all.begin(), all.end());
    std::sort(last.begin(), last.end());
    double deliveries = static_cast<double>(o.subscribers) * o.events;
    static const char* const kHandoffNames[] = {"none", "each", "batch", "asio"};
    std::printf(
        "floor: %d events x %d connections, %d sender threads, handoff %s: CPU per delivery "
        "send %.2f us, dispatch %.2f us, receive %.2f us | latency p50 %.2fms p99 %.2fms | "
        "per event: last delivery p50 %.2fms p99 %.2fms | %llu missed\n",
        o.events, o.subscribers, o.sender_threads, kHandoffNames[static_cast<int>(o.handoff)],
        r.cpu[0] * 1e6 / deliveries, r.cpu[2] * 1e6 / deliveries, r.cpu[1] * 1e6 / deliveries,
        percentile(all, 0.5) / 1e3, percentile(all, 0.99) / 1e3, percentile(last, 0.5) / 1e3,
        percentile(last, 0.99) / 1e3, static_cast<unsigned long long>(missed));
    return missed == 0 ? 0 : 1;
}
