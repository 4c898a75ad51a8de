// The floor's readers against a relay (docs/benchmarks.md): N WebSocket connections to a
// relay on loopback, each with a hand-made upgrade and one REQ, then read as
// nostpp_fanout_floor reads its sockets: two epoll threads that only drain bytes, no frame
// parsing, no asio, no Beast. With a publisher (`nostpp bench --workload fanout
// --subscribers 1`) it shows what the relay's live deliveries cost when the reader is as
// lean as it can be (scripts/profile-fanout.sh READERS=raw). It prints the bytes read and
// exits 1 if a connection fails or nothing arrives.
//   nostpp_raw_ws_readers --port P [--connections N] [--seconds S]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

// A client text frame: masked, as RFC 6455 requires of clients (a fixed mask will do).
std::string text_frame(const std::string& payload) {
    if (payload.size() >= 126) usage_error("the REQ is too long for a one-byte length");
    std::string frame{static_cast<char>(0x81), static_cast<char>(0x80 | payload.size())};
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    frame.append(mask, 4);
    for (size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ mask[i % 4]);
    return frame;
}

// Connects, upgrades (101 or exit), and subscribes. Anything the relay sends after the
// upgrade (the EOSE, then the events) is left for the readers.
int open_subscriber(int port, long since) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address)) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as the bench's client
    send_all(fd,
             "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    // Read the response a byte at a time, so nothing after its end is consumed here.
    std::string response;
    char c = 0;
    while (response.size() < 4 || response.compare(response.size() - 4, 4, "\r\n\r\n") != 0) {
        if (recv(fd, &c, 1, 0) != 1 || response.size() > 4096) die("upgrade response");
        response.push_back(c);
    }
    if (response.compare(0, 12, "HTTP/1.1 101") != 0) {
        std::fprintf(stderr, "nostpp_raw_ws_readers: upgrade refused: %s\n",
                     response.substr(0, response.find('\r')).c_str());
        std::exit(1);
    }
    std::string filter = kFilter;
    filter.insert(filter.size() - 1, ",\"since\":" + std::to_string(since));
    send_all(fd, text_frame("[\"REQ\",\"r\"," + filter + "]"));
    return fd;
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
