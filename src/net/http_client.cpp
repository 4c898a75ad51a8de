// net::HttpClient. Everything runs on the client's one I/O thread, so the pool state needs no
// locks: post() hands the request over with asio::post.
#include "net/http_client.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// How often queued requests are checked against their deadline.
constexpr auto kSweepPeriod = std::chrono::milliseconds(100);

struct Pending {
    std::string path;
    std::string body;
    HttpHeaders headers;
    std::function<void(HttpResponse)> done;
    Clock::time_point deadline;
    bool retried = false;
};

// Read buffer reserved per connection. Beast reads at most the buffer's free capacity (512
// bytes when empty), and the parser hands the body over as it goes, so without this a query
// answer of 10 KB would take twenty reads.
constexpr size_t kReadBufferBytes = 64 * 1024;

struct Connection {
    explicit Connection(asio::io_context& io) : stream(io), resolver(io) {
        buffer.reserve(kReadBufferBytes);
    }
    enum class State { connecting, idle, busy } state = State::connecting;
    beast::tcp_stream stream;
    tcp::resolver resolver;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    std::optional<http::response_parser<http::string_body>> parser;
    std::shared_ptr<Pending> current;
};

}  // namespace

bool parse_http_base_url(const std::string& url, std::string& host, uint16_t& port) {
    constexpr std::string_view kScheme = "http://";
    if (url.compare(0, kScheme.size(), kScheme) != 0) return false;
    std::string rest = url.substr(kScheme.size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.empty() || rest.find_first_of("/@?#") != std::string::npos) return false;
    size_t colon = std::string::npos;
    if (rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string::npos || close == 1) return false;
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size()) {
            if (rest[close + 1] != ':') return false;
            colon = close + 1;
        }
    } else {
        colon = rest.find(':');
        host = rest.substr(0, colon);
        if (host.empty()) return false;
    }
    port = 80;
    if (colon == std::string::npos) return true;
    std::string digits = rest.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
    unsigned long value = std::stoul(digits);
    if (value == 0 || value > 65535) return false;
    port = static_cast<uint16_t>(value);
    return true;
}

struct HttpClient::Impl {
    explicit Impl(HttpClientOptions opts)
        : options(std::move(opts)), work(asio::make_work_guard(io)), sweep(io) {
        uint16_t port = 0;
        if (!parse_http_base_url(options.base_url, host, port))
            throw std::invalid_argument("not an http://host[:port] URL: '" + options.base_url +
                                        "'");
        service = std::to_string(port);
        host_header = options.base_url.substr(7);
        if (!host_header.empty() && host_header.back() == '/') host_header.pop_back();
        if (options.connections == 0) options.connections = 1;
        thread = std::thread([this] { io.run(); });
    }

    void submit(std::shared_ptr<Pending> pending) {
        if (stopping) return fail(*pending, "client stopped");
        if (queue.size() >= options.max_queued)
            return fail(*pending, "too many requests waiting for a connection to " + host_header);
        queue.push_back(std::move(pending));
        pump();
        arm_sweep();
    }

    // Gives queued requests to idle connections and opens connections for the rest.
    void pump() {
        if (stopping) return;
        size_t connecting = 0;
        for (auto& connection : connections) {
            if (connection->state == Connection::State::connecting) ++connecting;
            // start() fails a request whose time ran out and leaves the connection idle
            while (connection->state == Connection::State::idle && !queue.empty()) {
                auto pending = std::move(queue.front());
                queue.pop_front();
                start(connection, std::move(pending));
            }
        }
        while (connecting < queue.size() && connections.size() < options.connections) {
            open();
            ++connecting;
        }
    }

    void open() {
        auto connection = std::make_shared<Connection>(io);
        connections.push_back(connection);
        connection->resolver.async_resolve(
            host, service,
            [this, connection](beast::error_code ec, tcp::resolver::results_type results) {
                if (ec) return connect_failed(connection, ec);
                connection->stream.expires_after(options.connect_timeout);
                connection->stream.async_connect(
                    results,
                    [this, connection](beast::error_code connect_ec, const tcp::endpoint&) {
                        if (connect_ec) return connect_failed(connection, connect_ec);
                        beast::error_code ignored;
                        connection->stream.socket().set_option(tcp::no_delay(true), ignored);
                        connection->state = Connection::State::idle;
                        connections_opened.fetch_add(1, std::memory_order_relaxed);
                        pump();
                    });
            });
    }

    void connect_failed(const std::shared_ptr<Connection>& connection, beast::error_code ec) {
        remove(connection);
        if (stopping) return;
        // Nothing could serve the queue soon: fail it now rather than let it wait out the
        // timeout (a refused connection means the service is down or restarting).
        bool any_connected = false;
        for (auto& other : connections)
            any_connected |= other->state != Connection::State::connecting;
        if (any_connected) return pump();
        std::string why = "cannot connect to " + host_header + ": " + describe(ec);
        auto waiting = std::move(queue);
        queue.clear();
        for (auto& pending : waiting) fail(*pending, why);
    }

    void start(const std::shared_ptr<Connection>& connection, std::shared_ptr<Pending> pending) {
        auto now = Clock::now();
        if (pending->deadline <= now) return fail(*pending, "timed out waiting for a connection");
        connection->state = Connection::State::busy;
        connection->current = std::move(pending);
        auto& request = connection->request;
        request = {};
        request.method(http::verb::post);
        request.target(connection->current->path);
        request.version(11);
        request.set(http::field::host, host_header);
        request.set(http::field::content_type, "application/json");
        for (const auto& [name, value] : options.headers) request.set(name, value);
        for (const auto& [name, value] : connection->current->headers) request.set(name, value);
        request.keep_alive(true);
        request.body() = std::move(connection->current->body);
        request.prepare_payload();
        connection->stream.expires_after(connection->current->deadline - now);
        http::async_write(connection->stream, request,
                          [this, connection](beast::error_code ec, size_t) {
                              if (ec) return request_failed(connection, ec, true);
                              read_response(connection);
                          });
    }

    void read_response(const std::shared_ptr<Connection>& connection) {
        connection->parser.emplace();
        connection->parser->body_limit(options.max_response_bytes);
        http::async_read(connection->stream, connection->buffer, *connection->parser,
                         [this, connection](beast::error_code ec, size_t) {
                             if (ec)
                                 return request_failed(connection, ec,
                                                       !connection->parser->got_some());
                             finish(connection);
                         });
    }

    void finish(const std::shared_ptr<Connection>& connection) {
        auto message = connection->parser->release();
        connection->parser.reset();
        auto pending = std::move(connection->current);
        if (message.keep_alive() && !stopping)
            connection->state = Connection::State::idle;
        else
            remove(connection);
        requests.fetch_add(1, std::memory_order_relaxed);
        HttpResponse response;
        response.status = static_cast<int>(message.result_int());
        response.body = std::move(message.body());
        response.content_type = std::string(message[http::field::content_type]);
        pending->done(std::move(response));
        pump();
    }

    // `nothing_received`: the connection broke before any byte of the answer came back.
    void request_failed(const std::shared_ptr<Connection>& connection, beast::error_code ec,
                        bool nothing_received) {
        auto pending = std::move(connection->current);
        bool stale = nothing_received && ec != beast::error::timeout;
        remove(connection);
        if (stopping) return fail(*pending, "client stopped");
        if (stale && !pending->retried) {
            // Most likely the server closed a connection that sat idle in the pool, used or
            // not (it restarted, or its idle timeout closed it), and the request never reached
            // it. Try once more on a fresh connection: every endpoint is safe to repeat
            // (POST /event answers a repeat as a duplicate). The other idle connections are
            // most likely dead too: drop them, so that the retry and the requests after it
            // open new ones instead of meeting them one by one.
            pending->retried = true;
            drop_idle_connections();
            pending->body = std::move(connection->request.body());
            queue.push_front(std::move(pending));
            arm_sweep();
            return pump();
        }
        std::string why = ec == beast::error::timeout
                              ? "request to " + host_header + " timed out"
                              : "connection to " + host_header + " lost: " + describe(ec);
        fail(*pending, why);
        pump();
    }

    void drop_idle_connections() {
        std::vector<std::shared_ptr<Connection>> idle;
        for (auto& connection : connections)
            if (connection->state == Connection::State::idle) idle.push_back(connection);
        for (auto& connection : idle) remove(connection);
    }

    void remove(const std::shared_ptr<Connection>& connection) {
        beast::error_code ignored;
        connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        connection->stream.close();
        std::erase(connections, connection);
    }

    void fail(Pending& pending, std::string why) {
        failures.fetch_add(1, std::memory_order_relaxed);
        HttpResponse response;
        response.error = std::move(why);
        if (pending.done) pending.done(std::move(response));
        pending.done = nullptr;
    }

    void arm_sweep() {
        if (sweep_armed || queue.empty()) return;
        sweep_armed = true;
        sweep.expires_after(kSweepPeriod);
        sweep.async_wait([this](beast::error_code ec) {
            sweep_armed = false;
            if (ec || stopping) return;
            auto now = Clock::now();
            std::deque<std::shared_ptr<Pending>> keep;
            for (auto& pending : queue) {
                if (pending->deadline <= now)
                    fail(*pending, "timed out waiting for a connection to " + host_header);
                else
                    keep.push_back(std::move(pending));
            }
            queue = std::move(keep);
            arm_sweep();
        });
    }

    void stop() {
        stopping = true;
        sweep.cancel();
        auto waiting = std::move(queue);
        queue.clear();
        for (auto& pending : waiting) fail(*pending, "client stopped");
        // Closing fails the operations in flight; their handlers fail their requests.
        for (auto& connection : connections) {
            connection->resolver.cancel();
            beast::error_code ignored;
            connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            connection->stream.close();
        }
    }

    static std::string describe(beast::error_code ec) {
        if (ec == beast::error::timeout) return "timed out";
        return ec.message();
    }

    HttpClientOptions options;
    std::string host, service, host_header;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    asio::steady_timer sweep;
    bool sweep_armed = false;
    bool stopping = false;
    std::deque<std::shared_ptr<Pending>> queue;
    std::vector<std::shared_ptr<Connection>> connections;
    std::atomic<uint64_t> connections_opened{0}, requests{0}, failures{0};
    std::thread thread;
};

HttpClient::HttpClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() {
    asio::post(impl_->io, [impl = impl_.get()] {
        impl->stop();
        impl->work.reset();
    });
    impl_->thread.join();
}

void HttpClient::post(std::string path, std::string body, std::function<void(HttpResponse)> done) {
    post(std::move(path), std::move(body), {}, std::move(done));
}

void HttpClient::post(std::string path, std::string body, HttpHeaders headers,
                      std::function<void(HttpResponse)> done) {
    auto pending = std::make_shared<Pending>();
    pending->path = std::move(path);
    pending->body = std::move(body);
    pending->headers = std::move(headers);
    pending->done = std::move(done);
    pending->deadline = Clock::now() + impl_->options.request_timeout;
    asio::post(impl_->io, [impl = impl_.get(), pending] { impl->submit(pending); });
}

HttpClient::Stats HttpClient::stats() const {
    return {impl_->connections_opened.load(), impl_->requests.load(), impl_->failures.load()};
}

}  // namespace net
