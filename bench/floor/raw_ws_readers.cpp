// The floor's readers against a relay (docs/benchmarks.md): N WebSocket connections to a
// relay on loopback, each with the bench's upgrade and one REQ, then read as
// nostpp_fanout_floor reads its sockets: two epoll threads that only drain bytes, no frame
// parsing, no asio or Beast in the reading. With a publisher (`nostpp bench --workload fanout
// --subscribers 1`) it shows what the relay's live deliveries cost when the reader is as
// lean as it can be (scripts/profile-fanout.sh READERS=raw). It prints the bytes read and
// exits 1 if a connection fails or nothing arrives.
//   nostpp_raw_ws_readers --port P [--connections N] [--seconds S]
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "exits.h"
#include "loadgen/ws_frames.h"
#include "loadgen/ws_upgrade.h"

namespace {

// The fan-out workload's subscription (src/loadgen/workload_fanout.cpp).
constexpr const char* kFilter = R"({"kinds":[1],"#t":["fanout"]})";

struct Options {
    int port = 0, connections = 500, seconds = 16;
};

Options parse(int argc, char** argv) {
    Options o;
    if (argc % 2 == 0) usage_error("every option takes a value");
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        char* end = nullptr;
        errno = 0;
        long value = std::strtol(argv[i + 1], &end, 10);
        if (*end != '\0' || errno || value <= 0 || value > INT_MAX)
            usage_error("option values must be positive numbers");
        if (flag == "--port")
            o.port = static_cast<int>(value);
        else if (flag == "--connections")
            o.connections = static_cast<int>(value);
        else if (flag == "--seconds")
            o.seconds = static_cast<int>(value);
        else
            usage_error("unknown option");
    }
    if (o.port == 0 || o.port > 65535) usage_error("--port takes the relay's port");
    return o;
}

void send_all(int fd, const std::string& bytes) {
    if (send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
        die("send");
}

// Connects, upgrades (the bench's handshake, ws_upgrade.h), and subscribes. What the relay
// sends after the upgrade (its AUTH challenge, the EOSE, then the events) is left for the
// readers, except what came with the 101, which is only bytes to them.
int open_subscriber(int port, long since) {
    loadgen::Endpoint endpoint{"127.0.0.1", static_cast<uint16_t>(port), "/", "127.0.0.1"};
    auto upgraded = loadgen::upgrade_to_websocket(endpoint, std::chrono::seconds(10));
    if (upgraded.fd < 0) {
        std::fprintf(stderr, "nostpp_raw_ws_readers: %s\n", upgraded.error.c_str());
        std::exit(1);
    }
    std::string filter = kFilter;
    filter.insert(filter.size() - 1, ",\"since\":" + std::to_string(since));
    // A client frame is masked, as RFC 6455 requires (a fixed mask will do here).
    send_all(upgraded.fd, loadgen::masked_client_frame(
                              loadgen::Opcode::text, "[\"REQ\",\"r\"," + filter + "]", 0x11223344));
    return upgraded.fd;
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    long since = static_cast<long>(std::time(nullptr)) - 60;
    std::vector<int> sockets;
    for (int i = 0; i < o.connections; ++i) sockets.push_back(open_subscriber(o.port, since));

    std::atomic<long long> bytes{0};
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(o.seconds);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            int epoll = epoll_create1(0);
            for (int i = t; i < o.connections; i += 2) {
                epoll_event e{};
                e.events = EPOLLIN;
                e.data.u32 = static_cast<uint32_t>(i);
                epoll_ctl(epoll, EPOLL_CTL_ADD, sockets[i], &e);
            }
            std::vector<char> buffer(65536);
            epoll_event ready[128];
            long long mine = 0;
            while (std::chrono::steady_clock::now() < end) {
                int n = epoll_wait(epoll, ready, 128, 50);
                for (int k = 0; k < n; ++k) {
                    ssize_t got = recv(sockets[ready[k].data.u32], buffer.data(), buffer.size(),
                                       MSG_DONTWAIT);
                    if (got > 0) mine += got;
                }
            }
            bytes += mine;
            close(epoll);
        });
    for (auto& thread : threads) thread.join();
    for (int fd : sockets) close(fd);
    std::printf("raw ws readers: %d connections, %lld bytes read in %d s\n", o.connections,
                bytes.load(), o.seconds);
    return bytes.load() > 0 ? 0 : 1;
}
