// net::HttpClient's one retry: a request whose connection breaks before any byte of the answer
// comes back is sent once more on a fresh connection, whether or not that connection had
// served a request before (a pooled connection that was opened but never used dies with a
// restarting server just the same), and never a second time.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "net/http_client.h"

namespace {
using ::testing::HasSubstr;

// A listener on 127.0.0.1 that closes its first `drops` connections as soon as a request
// arrives on them, without answering, and answers every later one with 200 "ok".
class DroppingServer {
  public:
    explicit DroppingServer(int drops) : drops_(drops) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
            ::listen(fd_, 16) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~DroppingServer() {
        ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
        thread_.join();
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::atomic<int> accepted{0};

  private:
    void serve() {
        for (;;) {
            int connection = ::accept(fd_, nullptr, nullptr);
            if (connection < 0) return;
            timeval timeout{5, 0};
            ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
            char buffer[4096];
            ssize_t got = ::recv(connection, buffer, sizeof buffer, 0);
            if (got > 0 && ++accepted > drops_) {
                constexpr std::string_view kAnswer =
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                    "Connection: close\r\n\r\nok";
                ::send(connection, kAnswer.data(), kAnswer.size(), MSG_NOSIGNAL);
            }
            ::close(connection);
        }
    }
    int drops_;
    int fd_ = -1;
    uint16_t port_ = 0;
    std::thread thread_;
};

net::HttpResponse post_and_wait(net::HttpClient& client) {
    auto promise = std::make_shared<std::promise<net::HttpResponse>>();
    auto future = promise->get_future();
    client.post("/query", "{}", [promise](net::HttpResponse r) { promise->set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
        return {0, "", "test: no answer"};
    return future.get();
}

TEST(HttpClientRetry, AConnectionThatBrokeBeforeItsFirstAnswerIsRetriedOnANewOne) {
    DroppingServer server(1);
    net::HttpClient client({server.url(), 1});
    auto response = post_and_wait(client);
    EXPECT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(response.body, "ok");
    EXPECT_EQ(server.accepted.load(), 2);
}

TEST(HttpClientRetry, ARequestIsRetriedOnlyOnce) {
    DroppingServer server(1000);
    net::HttpClient client({server.url(), 1});
    auto response = post_and_wait(client);
    EXPECT_EQ(response.status, 0);
    EXPECT_THAT(response.error, HasSubstr("lost"));
    EXPECT_EQ(server.accepted.load(), 2);
    EXPECT_EQ(client.stats().failures, 1u);
}

}  // namespace
