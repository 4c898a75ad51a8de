// An HttpServer on 127.0.0.1 run by a background thread, and a port where nothing listens,
// for tests of HTTP clients.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "net/http_server.h"

namespace test_support {

// An HttpServer on 127.0.0.1 run by a background thread.
class TestServer {
  public:
    explicit TestServer(net::HttpHandler handler, uint16_t port = 0, uint64_t max_body = 1024) {
        net::HttpServerOptions options;
        options.max_body_bytes = max_body;
        options.on_connection = [this] {
            ++connections;
            ++open;
        };
        options.on_disconnection = [this] { --open; };
        server_ = std::make_unique<net::HttpServer>(net::ServerOptions{"127.0.0.1", port, 2},
                                                    options, std::move(handler));
        server_->listen();
        port_ = server_->local_port();
        thread_ = std::thread([this] { server_->run(); });
    }
    ~TestServer() { stop(); }
    void stop() {
        if (!thread_.joinable()) return;
        server_->stop();
        thread_.join();
        server_.reset();
    }
    uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::atomic<int> connections{0};
    std::atomic<int> open{0};

  private:
    std::unique_ptr<net::HttpServer> server_;
    uint16_t port_ = 0;
    std::thread thread_;
};

// A port nothing listens on: bound and closed again.
inline uint16_t closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace test_support
