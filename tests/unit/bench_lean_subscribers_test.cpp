// The lean fan-out subscribers (loadgen/lean_subscribers.h, ws_upgrade.h) against a scripted
// server on 127.0.0.1: the frames that come in the same write as the 101 (as the relay's
// AUTH challenge can) reach the handlers, pings are answered, the REQ goes out masked, and a
// close frame from the server ends the connection with one on_error. The handshake checks
// the server's accept key and gives up at its deadline.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/lean_subscribers.h"
#include "loadgen/ws_upgrade.h"

namespace {

using namespace std::chrono_literals;

// A listening socket on 127.0.0.1 with a port of the kernel's choosing.
struct Listener {
    int fd = -1;
    uint16_t port = 0;
    Listener() {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        listen(fd, 8);
        socklen_t size = sizeof address;
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
        port = ntohs(address.sin_port);
    }
    ~Listener() { close(fd); }
    loadgen::Endpoint endpoint() const { return {"127.0.0.1", port, "/", "127.0.0.1"}; }
};

// Reads the upgrade request up to its blank line and returns its Sec-WebSocket-Key.
std::string read_request_key(int fd) {
    std::string request;
    char c = 0;
    while (request.find("\r\n\r\n") == std::string::npos && recv(fd, &c, 1, 0) == 1)
        request.push_back(c);
    const std::string name = "Sec-WebSocket-Key: ";
    auto at = request.find(name);
    if (at == std::string::npos) return "";
    at += name.size();
    return request.substr(at, request.find("\r\n", at) - at);
}

std::string response_101(const std::string& accept) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           accept + "\r\n\r\n";
}

// An unmasked server frame with a payload under 126 bytes.
std::string server_frame(uint8_t first_byte, const std::string& payload) {
    return std::string{static_cast<char>(first_byte), static_cast<char>(payload.size())} + payload;
}

// Reads one masked client frame with a payload under 126 bytes: {opcode, payload}.
std::pair<int, std::string> read_client_frame(int fd) {
    unsigned char header[6];
    if (recv(fd, header, sizeof header, MSG_WAITALL) != sizeof header) return {-1, ""};
    if (!(header[1] & 0x80)) return {-2, "unmasked"};
    std::string payload(header[1] & 0x7F, '\0');
    if (!payload.empty() && recv(fd, payload.data(), payload.size(), MSG_WAITALL) !=
                                static_cast<ssize_t>(payload.size()))
        return {-1, ""};
    for (size_t i = 0; i < payload.size(); ++i) payload[i] ^= static_cast<char>(header[2 + i % 4]);
    return {header[0] & 0x0F, payload};
}

struct Recorded {
    std::mutex mutex;
    std::vector<std::string> messages, errors;
};

loadgen::LeanSubscribers::Handlers recording(Recorded& r) {
    return {.on_message =
                [&r](uint32_t, std::string_view m) {
                    std::lock_guard lock(r.mutex);
                    r.messages.emplace_back(m);
                },
            .on_error =
                [&r](uint32_t, const std::string& e) {
                    std::lock_guard lock(r.mutex);
                    r.errors.push_back(e);
                }};
}

TEST(BenchLeanSubscribers, AcceptKeyMatchesTheRfcExample) {
    EXPECT_EQ(loadgen::websocket_accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
              "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(BenchLeanSubscribers, ReadsFramesSentWithThe101AnswersPingsAndEndsOnClose) {
    Listener listener;
    std::pair<int, std::string> pong, req;
    std::thread server([&] {
        int fd = accept(listener.fd, nullptr, nullptr);
        std::string key = read_request_key(fd);
        // The 101 and the first frames in one write, as the relay's AUTH may come.
        std::string first = response_101(loadgen::websocket_accept_for(key)) +
                            server_frame(0x81, R"(["AUTH","challenge"])") +
                            server_frame(0x89, "are you there");
        send(fd, first.data(), first.size(), 0);
        pong = read_client_frame(fd);  // answered while connecting, before start()
        req = read_client_frame(fd);
        std::string rest = server_frame(0x81, R"(["EOSE","sub"])") + server_frame(0x88, "\x03\xE8");
        send(fd, rest.data(), rest.size(), 0);
        char byte;
        while (recv(fd, &byte, 1, 0) > 0) {  // until the client closes
        }
        close(fd);
    });
    Recorded r;
    {
        loadgen::LeanSubscribers subscribers(listener.endpoint(), 1, recording(r),
                                             std::chrono::steady_clock::now() + 10s);
        ASSERT_EQ(subscribers.failed(), 0u) << subscribers.first_error();
        ASSERT_TRUE(subscribers.connected(0));
        subscribers.start(R"(["REQ","sub",{}])", 1, false);
        for (int i = 0; i < 500; ++i) {
            {
                std::lock_guard lock(r.mutex);
                if (!r.errors.empty()) break;
            }
            std::this_thread::sleep_for(10ms);
        }
        subscribers.stop(100ms);
    }
    server.join();
    EXPECT_EQ(req, (std::pair<int, std::string>{1, R"(["REQ","sub",{}])"}));
    EXPECT_EQ(pong, (std::pair<int, std::string>{10, "are you there"}));
    EXPECT_EQ(r.messages,
              (std::vector<std::string>{R"(["AUTH","challenge"])", R"(["EOSE","sub"])"}));
    EXPECT_EQ(r.errors, (std::vector<std::string>{"the relay sent a close frame"}));
}

TEST(BenchLeanSubscribers, RefusesAWrongAcceptKey) {
    Listener listener;
    std::thread server([&] {
        int fd = accept(listener.fd, nullptr, nullptr);
        read_request_key(fd);
        std::string response = response_101(loadgen::websocket_accept_for("not the key"));
        send(fd, response.data(), response.size(), 0);
        char byte;
        while (recv(fd, &byte, 1, 0) > 0) {
        }
        close(fd);
    });
    auto upgraded = loadgen::upgrade_to_websocket(listener.endpoint(), 5000ms);
    EXPECT_EQ(upgraded.fd, -1);
    EXPECT_EQ(upgraded.error, "upgrade response without the right Upgrade or Sec-WebSocket-Accept");
    server.join();
}

TEST(BenchLeanSubscribers, GivesUpOnAServerThatNeverAnswers) {
    Listener listener;  // the kernel completes the TCP handshake; nobody answers the request
    auto started = std::chrono::steady_clock::now();
    auto upgraded = loadgen::upgrade_to_websocket(listener.endpoint(), 200ms);
    EXPECT_EQ(upgraded.fd, -1);
    EXPECT_EQ(upgraded.error, "no handshake within 200 ms");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
