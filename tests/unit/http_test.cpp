// net::HttpServer and net::HttpClient on 127.0.0.1: keep-alive reuse, answers from other
// threads, the body limit, prompt failures when nothing listens, the bounded queue, timeouts,
// and recovery when the server comes back.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "net/detail/http_routes.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "services/metrics_server.h"
#include "test_http_server.h"

namespace {
using test_support::closed_port;
using test_support::TestServer;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

net::HttpHandler echo() {
    return [](net::HttpServerRequest request, net::HttpRespond respond) {
        if (request.body_too_large) return respond({413, "application/json", "{}"});
        respond({200, "text/plain", request.method + " " + request.target + " " + request.body});
    };
}

net::HttpResponse post_and_wait(net::HttpClient& client, std::string path, std::string body,
                                std::chrono::seconds limit = std::chrono::seconds(10)) {
    auto promise = std::make_shared<std::promise<net::HttpResponse>>();
    auto future = promise->get_future();
    client.post(std::move(path), std::move(body),
                [promise](net::HttpResponse response) { promise->set_value(std::move(response)); });
    if (future.wait_for(limit) != std::future_status::ready) return {0, "", "test: no answer"};
    return future.get();
}

TEST(HttpClientServer, ManyRequestsShareFewConnections) {
    TestServer server(echo());
    net::HttpClient client({server.url(), 3});
    constexpr int kRequests = 300;
    std::atomic<int> ok{0};
    std::promise<void> all_done;
    std::atomic<int> remaining{kRequests};
    for (int i = 0; i < kRequests; ++i) {
        client.post(
            "/p" + std::to_string(i), "body" + std::to_string(i),
            [&, i](net::HttpResponse response) {
                if (response.status == 200 &&
                    response.body == "POST /p" + std::to_string(i) + " body" + std::to_string(i))
                    ++ok;
                if (--remaining == 0) all_done.set_value();
            });
    }
    ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
    EXPECT_EQ(ok, kRequests);
    EXPECT_LE(client.stats().connections_opened, 3u);
    EXPECT_LE(server.connections.load(), 3);
    EXPECT_EQ(client.stats().requests, uint64_t{kRequests});
}

TEST(HttpClientServer, AnswersMayComeLaterFromAnotherThread) {
    std::mutex mutex;
    std::vector<net::HttpRespond> held;
    TestServer server([&](net::HttpServerRequest, net::HttpRespond respond) {
        std::lock_guard lock(mutex);
        held.push_back(std::move(respond));
    });
    net::HttpClient client({server.url(), 4});
    auto promise = std::make_shared<std::promise<net::HttpResponse>>();
    client.post("/later", "", [promise](net::HttpResponse r) { promise->set_value(std::move(r)); });
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
        std::lock_guard lock(mutex);
        if (!held.empty()) break;
    }
    std::thread answerer([&] {
        std::lock_guard lock(mutex);
        ASSERT_EQ(held.size(), 1u);
        held[0]({201, "application/json", R"({"late":true})"});
        held[0]({500, "", "ignored: answered twice"});
    });
    answerer.join();
    auto future = promise->get_future();
    ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    auto response = future.get();
    EXPECT_EQ(response.status, 201);
    EXPECT_EQ(response.body, R"({"late":true})");
}

TEST(HttpClientServer, BodyLimitGives413AndTheClientCarriesOn) {
    TestServer server(echo(), 0, 100);
    net::HttpClient client({server.url(), 1});
    auto big = post_and_wait(client, "/big", std::string(5000, 'x'));
    EXPECT_EQ(big.status, 413);
    auto small = post_and_wait(client, "/small", "ok");
    EXPECT_EQ(small.status, 200);
    EXPECT_EQ(small.body, "POST /small ok");
}

TEST(HttpClientServer, NothingListeningFailsAtOnce) {
    net::HttpClient client({"http://127.0.0.1:" + std::to_string(closed_port()), 4});
    auto start = Clock::now();
    std::vector<std::future<net::HttpResponse>> futures;
    for (int i = 0; i < 20; ++i)
        futures.push_back(
            std::async(std::launch::async, [&] { return post_and_wait(client, "/x", "{}"); }));
    for (auto& future : futures) {
        auto response = future.get();
        EXPECT_EQ(response.status, 0);
        EXPECT_THAT(response.error, StartsWith("cannot connect to 127.0.0.1:"));
    }
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST(HttpClientServer, QueueIsBoundedAndRequestsTimeOut) {
    std::mutex mutex;
    std::vector<net::HttpRespond> held;
    TestServer server([&](net::HttpServerRequest, net::HttpRespond respond) {
        std::lock_guard lock(mutex);
        held.push_back(std::move(respond));
    });
    net::HttpClientOptions options{server.url(), 1};
    options.max_queued = 2;
    options.request_timeout = std::chrono::milliseconds(600);
    net::HttpClient client(options);
    std::vector<std::shared_ptr<std::promise<net::HttpResponse>>> promises;
    auto start = Clock::now();
    for (int i = 0; i < 5; ++i) {
        auto promise = std::make_shared<std::promise<net::HttpResponse>>();
        promises.push_back(promise);
        client.post("/q", "", [promise](net::HttpResponse r) { promise->set_value(std::move(r)); });
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // keep the order
    }
    std::vector<net::HttpResponse> responses;
    for (auto& promise : promises) {
        auto future = promise->get_future();
        ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
        responses.push_back(future.get());
    }
    // One in flight (never answered: times out), two queued (time out waiting), two refused.
    EXPECT_THAT(responses[0].error, HasSubstr("timed out"));
    EXPECT_THAT(responses[1].error, HasSubstr("timed out"));
    EXPECT_THAT(responses[2].error, HasSubstr("timed out"));
    EXPECT_THAT(responses[3].error, StartsWith("too many requests waiting"));
    EXPECT_THAT(responses[4].error, StartsWith("too many requests waiting"));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
    std::lock_guard lock(mutex);
    for (auto& respond : held) respond({200, "", ""});  // lets the server stop
}

TEST(HttpClientServer, RecoversWhenTheServerComesBack) {
    auto server = std::make_unique<TestServer>(echo());
    uint16_t port = server->port();
    net::HttpClient client({server->url(), 2});
    EXPECT_EQ(post_and_wait(client, "/a", "").status, 200);
    server.reset();  // the client's keep-alive connection is now dead
    auto down = post_and_wait(client, "/b", "");
    EXPECT_EQ(down.status, 0);
    EXPECT_FALSE(down.error.empty());
    server = std::make_unique<TestServer>(echo(), port);
    auto up = post_and_wait(client, "/c", "again");
    EXPECT_EQ(up.status, 200) << up.error;
    EXPECT_EQ(up.body, "POST /c again");
}

TEST(HttpClientServer, StaleKeepAliveConnectionIsRetriedOnce) {
    // The server restarts between two requests: the first attempt on the old connection
    // fails before any answer, so the client retries it on a new one.
    auto server = std::make_unique<TestServer>(echo());
    uint16_t port = server->port();
    net::HttpClient client({server->url(), 1});
    EXPECT_EQ(post_and_wait(client, "/a", "").status, 200);
    server.reset();
    server = std::make_unique<TestServer>(echo(), port);
    auto response = post_and_wait(client, "/b", "x");
    EXPECT_EQ(response.status, 200) << response.error;
    EXPECT_EQ(client.stats().connections_opened, 2u);
}

TEST(HttpClientServer, EveryStaleConnectionOfARestartedServerIsDropped) {
    // Four keep-alive connections to a server that then restarts: the first request after
    // the restart meets a dead connection, and so would its retry on any of the three other
    // idle ones. The retry must go to a fresh connection.
    constexpr int kConnections = 4;
    std::mutex mutex;
    std::vector<net::HttpRespond> held;
    auto holding = [&](net::HttpServerRequest, net::HttpRespond respond) {
        std::lock_guard lock(mutex);
        held.push_back(std::move(respond));
        if (held.size() < kConnections) return;  // answer once all four are in flight
        for (auto& r : held) r({200, "text/plain", "held"});
        held.clear();
    };
    auto server = std::make_unique<TestServer>(holding);
    uint16_t port = server->port();
    net::HttpClient client({server->url(), kConnections});
    std::vector<std::future<net::HttpResponse>> first;
    for (int i = 0; i < kConnections; ++i) {
        auto promise = std::make_shared<std::promise<net::HttpResponse>>();
        first.push_back(promise->get_future());
        client.post("/a", "", [promise](net::HttpResponse r) { promise->set_value(std::move(r)); });
    }
    for (auto& f : first) {
        ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
        ASSERT_EQ(f.get().status, 200);
    }
    ASSERT_EQ(client.stats().connections_opened, uint64_t{kConnections});
    server.reset();
    server = std::make_unique<TestServer>(echo(), port);
    for (int i = 0; i < 3; ++i) {
        auto response = post_and_wait(client, "/b", "x");
        EXPECT_EQ(response.status, 200) << "request " << i << ": " << response.error;
    }
}

// Raw socket exchanges for what HttpClient never sends.
std::string exchange(uint16_t port, const std::string& request, bool read_continue_first = false,
                     const std::string& after_continue = "") {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return "";
    ::send(fd, request.data(), request.size(), 0);
    std::string received;
    char buffer[4096];
    if (read_continue_first) {
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0) received.append(buffer, static_cast<size_t>(n));
        ::send(fd, after_continue.data(), after_continue.size(), 0);
    }
    ::shutdown(fd, SHUT_WR);
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
        received.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    return received;
}

TEST(HttpServer, ExpectContinueAndMalformedRequests) {
    TestServer server(echo());
    std::string reply = exchange(server.port(),
                                 "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                 "Expect: 100-continue\r\n\r\n",
                                 true, "hello");
    EXPECT_THAT(reply, StartsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(reply, HasSubstr("POST /e hello"));
    EXPECT_THAT(exchange(server.port(), "garbage\r\n\r\n"), StartsWith("HTTP/1.1 400 Bad Request"));
    // Too large per Content-Length: answered without reading the body, then closed.
    EXPECT_THAT(
        exchange(server.port(), "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n"),
        StartsWith("HTTP/1.1 413"));
}

TEST(HttpServer, ConnectionCallbacksBalance) {
    TestServer server(echo());
    for (int i = 0; i < 3; ++i)
        EXPECT_THAT(exchange(server.port(), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n"),
                    StartsWith("HTTP/1.1 200"));
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (server.open != 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(server.connections, 3);
    EXPECT_EQ(server.open, 0);
}

TEST(RelayHttpRoutes, MetricsAreServedOnlyWhereConfigured) {
    auto nip11 = [] { return std::string("{}"); };
    auto metrics = [] { return std::string("nostpp_x 1\n"); };
    net::detail::HttpReply served =
        net::detail::route_http({"GET", "/metrics?x=1", ""}, nip11, metrics);
    EXPECT_EQ(served.status, 200u);
    EXPECT_THAT(served.content_type, StartsWith("text/plain; version=0.0.4"));
    EXPECT_EQ(served.body, "nostpp_x 1\n");
    // Even a client asking for NIP-11 gets metrics at /metrics; NIP-11 stays everywhere else.
    EXPECT_EQ(
        net::detail::route_http({"GET", "/metrics", "application/nostr+json"}, nip11, metrics).body,
        "nostpp_x 1\n");
    EXPECT_EQ(net::detail::route_http({"GET", "/", "application/nostr+json"}, nip11, metrics).body,
              "{}");
    EXPECT_EQ(net::detail::route_http({"GET", "/metrics", ""}, nip11).status, 404u);
    EXPECT_EQ(net::detail::route_http({"POST", "/metrics", ""}, nip11, metrics).status, 405u);
}

TEST(MetricsServer, ServesTheRegistryOnItsOwnAddress) {
    telemetry::MetricsRegistry registry;
    registry.counter("nostpp_things_total", "Things").inc(5);
    uint16_t port = closed_port();
    services::MetricsServer server("127.0.0.1:" + std::to_string(port), registry);
    EXPECT_EQ(server.local_address(), "127.0.0.1:" + std::to_string(port));
    std::string reply = exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_THAT(reply, StartsWith("HTTP/1.1 200"));
    EXPECT_THAT(reply, HasSubstr("Content-Type: text/plain; version=0.0.4"));
    EXPECT_THAT(reply, HasSubstr("\nnostpp_things_total 5\n"));
    EXPECT_THAT(exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), StartsWith("HTTP/1.1 404"));
    server.stop();
    server.stop();  // idempotent
    EXPECT_EQ(exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), "");
}

TEST(MetricsServer, BindAddressNeedsHostAndPort) {
    std::string host;
    uint16_t port = 0;
    EXPECT_TRUE(services::parse_bind_address("127.0.0.1:9100", host, port));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 9100);
    EXPECT_TRUE(services::parse_bind_address("[::1]:9100", host, port));
    EXPECT_EQ(host, "::1");
    EXPECT_TRUE(services::parse_bind_address("0.0.0.0:1", host, port));
    for (const char* bad :
         {"127.0.0.1", "[::1]", "::1", ":9100", "x:", "x:0", "x:99999", "x:1/m", "u@x:1", ""})
        EXPECT_FALSE(services::parse_bind_address(bad, host, port)) << bad;
    telemetry::MetricsRegistry registry;
    EXPECT_THROW(services::MetricsServer("nonsense", registry), std::runtime_error);
}

TEST(HttpUrl, ParseBaseUrl) {
    std::string host;
    uint16_t port = 0;
    EXPECT_TRUE(net::parse_http_base_url("http://127.0.0.1:8009", host, port));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 8009);
    EXPECT_TRUE(net::parse_http_base_url("http://event-handler/", host, port));
    EXPECT_EQ(host, "event-handler");
    EXPECT_EQ(port, 80);
    EXPECT_TRUE(net::parse_http_base_url("http://[::1]:9", host, port));
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, 9);
    for (const char* bad : {"https://x:1", "http://", "http://:80", "http://x:0", "http://x:70000",
                            "http://x:1/path", "http://u@x:1", "x:1", "http://x:1a"})
        EXPECT_FALSE(net::parse_http_base_url(bad, host, port)) << bad;
    EXPECT_THROW(net::HttpClient({"ftp://x"}), std::invalid_argument);
}

}  // namespace
