// The only translation unit that includes Beast.
#include "loadgen/ws_client.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>

#include "loadgen/event_loop.h"

namespace loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
// A concrete strand type instead of Beast's default type-erased executor: every handler
// invocation of the polymorphic executor copies and queries it, which was ~6% of the load
// client's CPU in the REQ workload.
using Strand = asio::strand<asio::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, Strand>;

constexpr auto kConnectTimeout = std::chrono::seconds(10);
// Large REQ answers arrive as one message per event, but a relay may batch; stay generous.
constexpr uint64_t kMaxMessageBytes = 64 << 20;

class BeastClient final : public WsClient, public std::enable_shared_from_this<BeastClient> {
  public:
    BeastClient(EventLoop& loop, Handlers handlers)
        : ws_(asio::make_strand(loop.context().get_executor())), handlers_(std::move(handlers)) {}

    void connect(const Endpoint& endpoint, std::function<void(std::string)> done) override {
        asio::dispatch(ws_.get_executor(),
                       [self = shared_from_this(), endpoint, done = std::move(done)]() mutable {
                           self->start_connect(endpoint, std::move(done));
                       });
    }

    void send(std::string message) override {
        asio::dispatch(ws_.get_executor(),
                       [self = shared_from_this(), message = std::move(message)]() mutable {
                           if (self->state_ != State::open) return;
                           self->queue_.push_back(std::move(message));
                           if (!self->writing_) self->write_next();
                       });
    }

    void post(std::function<void()> fn) override { asio::post(ws_.get_executor(), std::move(fn)); }

    void close() override {
        asio::dispatch(ws_.get_executor(), [self = shared_from_this()] {
            if (self->state_ == State::open) {
                self->state_ = State::closing;
                if (!self->writing_) self->start_close();
            } else if (self->state_ == State::idle) {
                self->state_ = State::closed;
                self->closed_flag_.store(true, std::memory_order_release);
            } else if (self->state_ == State::connecting) {
                self->state_ = State::closed;
                beast::error_code ignored;
                beast::get_lowest_layer(self->ws_).socket().close(ignored);
            }
        });
    }

    bool closed() const override { return closed_flag_.load(std::memory_order_acquire); }

  private:
    enum class State { idle, connecting, open, closing, closed };

    void start_connect(const Endpoint& endpoint, std::function<void(std::string)> done) {
        state_ = State::connecting;
        beast::error_code ec;
        auto address = asio::ip::make_address(endpoint.address, ec);
        if (ec) return fail_connect(done, "bad address: " + ec.message());
        // Defence in depth: endpoint.cpp already refused anything that is not loopback.
        if (!address.is_loopback()) return fail_connect(done, "refusing non-loopback address");
        host_ = endpoint.host.find(':') == std::string::npos ? endpoint.host
                                                             : "[" + endpoint.host + "]";
        host_ += ":" + std::to_string(endpoint.port);
        target_ = endpoint.target;
        auto& stream = beast::get_lowest_layer(ws_);
        stream.expires_after(kConnectTimeout);
        stream.async_connect(tcp::endpoint(address, endpoint.port),
                             [self = shared_from_this(), done = std::move(done)](
                                 beast::error_code ec) mutable { self->on_tcp(ec, done); });
    }

    void on_tcp(beast::error_code ec, std::function<void(std::string)>& done) {
        if (ec) return fail_connect(done, "connect: " + ec.message());
        if (state_ != State::connecting) return fail_connect(done, "closed while connecting");
        auto& stream = beast::get_lowest_layer(ws_);
        stream.socket().set_option(tcp::no_delay(true), ec);
        // The websocket stream enforces its own handshake timeout from here on.
        stream.expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
            req.set(beast::http::field::user_agent, "nostpp-bench");
        }));
        ws_.read_message_max(kMaxMessageBytes);
        ws_.text(true);
        ws_.async_handshake(host_, target_,
                            [self = shared_from_this(), done = std::move(done)](
                                beast::error_code ec) mutable { self->on_handshake(ec, done); });
    }

    void on_handshake(beast::error_code ec, std::function<void(std::string)>& done) {
        if (ec) return fail_connect(done, "handshake: " + ec.message());
        if (state_ != State::connecting) return fail_connect(done, "closed while connecting");
        state_ = State::open;
        read_next();
        done("");
    }

    void fail_connect(std::function<void(std::string)>& done, std::string error) {
        state_ = State::closed;
        closed_flag_.store(true, std::memory_order_release);
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        done(std::move(error));
    }

    void read_next() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
            self->on_read(ec);
        });
    }

    void on_read(beast::error_code ec) {
        if (ec) return fail(ec, "read");
        auto data = buffer_.cdata();
        if (handlers_.on_message)
            handlers_.on_message(
                std::string_view(static_cast<const char*>(data.data()), data.size()));
        buffer_.consume(buffer_.size());
        read_next();
    }

    void write_next() {
        writing_ = true;
        ws_.async_write(
            asio::buffer(queue_.front()),
            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        writing_ = false;
        queue_.pop_front();
        if (ec) return fail(ec, "write");
        if (!queue_.empty()) return write_next();
        if (state_ == State::closing) start_close();
    }

    void start_close() {
        queue_.clear();
        ws_.async_close(websocket::close_code::normal,
                        [self = shared_from_this()](beast::error_code) {
                            // The pending read completes with `closed`; that ends the
                            // connection without reporting an error.
                            self->closed_flag_.store(true, std::memory_order_release);
                        });
    }

    void fail(beast::error_code ec, const char* what) {
        bool ours = state_ == State::closing || state_ == State::closed;
        state_ = State::closed;
        closed_flag_.store(true, std::memory_order_release);
        if (ours || ec == asio::error::operation_aborted) return;
        if (handlers_.on_error) {
            auto on_error = std::move(handlers_.on_error);
            handlers_.on_error = nullptr;
            on_error(ec == websocket::error::closed ? std::string("closed by relay")
                                                    : std::string(what) + ": " + ec.message());
        }
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    websocket::stream<Stream> ws_;
    Handlers handlers_;
    beast::flat_buffer buffer_;
    std::deque<std::string> queue_;
    std::string host_, target_;
    State state_ = State::idle;
    bool writing_ = false;
    std::atomic<bool> closed_flag_{false};
};

}  // namespace

std::shared_ptr<WsClient> WsClient::create(EventLoop& loop, Handlers handlers) {
    return std::make_shared<BeastClient>(loop, std::move(handlers));
}

}  // namespace loadgen
