#include "net/detail/http_server_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

namespace net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Time allowed to send the rest of a request once its first byte came, and to take an answer.
constexpr auto kTransferTimeout = std::chrono::seconds(30);
constexpr uint32_t kHeaderLimit = 16 * 1024;
// How long a closing connection keeps reading (and dropping) what the peer still sends.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Read buffer reserved per connection: Beast reads at most its free capacity (512 bytes when
// empty), so a batch of events would otherwise take hundreds of reads.
constexpr size_t kReadBufferBytes = 16 * 1024;

class HttpServerSession final : public Connection,
                                public std::enable_shared_from_this<HttpServerSession> {
  public:
    HttpServerSession(tcp::socket&& socket, HttpServerShared& shared)
        : stream_(std::move(socket)), executor_(stream_.get_executor()), shared_(shared) {
        buffer_.reserve(kReadBufferBytes);
    }

    ~HttpServerSession() override {
        shared_.connections.remove(this);
        if (remote_.empty()) return;  // never started
        if (shared_.options.on_disconnection) shared_.options.on_disconnection();
        spdlog::debug(
            "{}: HTTP connection closed after {:.3f} s, {} requests", remote_,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - opened_).count(),
            requests_);
    }

    void start() {
        if (!shared_.connections.add(shared_from_this())) return;  // server stopping
        if (shared_.options.on_connection) shared_.options.on_connection();
        beast::error_code ec;
        auto endpoint = stream_.socket().remote_endpoint(ec);
        remote_ = ec ? std::string("unknown") : endpoint.address().to_string();
        spdlog::debug("{}: HTTP connection open", remote_);
        stream_.socket().set_option(tcp::no_delay(true), ec);
        asio::dispatch(executor_, beast::bind_front_handler(&HttpServerSession::read_header,
                                                            shared_from_this()));
    }

    void shutdown() override {
        asio::post(executor_, [self = shared_from_this()] {
            self->stopping_ = true;
            // A request being handled still gets its answer; the connection closes after it.
            if (!self->busy_) self->close();
        });
    }

  private:
    void read_header() {
        if (stopping_) return close();
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(shared_.options.max_body_bytes);
        stream_.expires_after(std::chrono::seconds(shared_.options.idle_timeout_seconds));
        http::async_read_header(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&HttpServerSession::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, size_t) {
        if (ec == http::error::body_limit) return answer_too_large();
        if (ec) return fail(ec);
        busy_ = true;
        const auto& request = parser_->get();
        auto length = parser_->content_length();
        if (length && *length > shared_.options.max_body_bytes) return answer_too_large();
        stream_.expires_after(kTransferTimeout);
        if (beast::iequals(request[http::field::expect], "100-continue")) {
            // curl and others wait for this before sending a body.
            asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                              [self = shared_from_this()](beast::error_code write_ec, size_t) {
                                  if (write_ec) return self->close();
                                  self->read_body();
                              });
            return;
        }
        read_body();
    }

    void read_body() {
        http::async_read(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&HttpServerSession::on_body, shared_from_this()));
    }

    void on_body(beast::error_code ec, size_t) {
        if (ec == http::error::body_limit) return answer_too_large();
        if (ec) return fail(ec);
        auto& request = parser_->get();
        keep_alive_ = request.keep_alive();
        HttpServerRequest incoming{std::string(request.method_string()),
                                   std::string(request.target()),
                                   std::move(request.body()),
                                   false,
                                   std::string(request["traceparent"]),
                                   std::string(request[http::field::authorization]),
                                   std::string(request[http::field::accept])};
        dispatch(std::move(incoming));
    }

    // The body is not read, so the connection cannot carry another request.
    void answer_too_large() {
        busy_ = true;
        keep_alive_ = false;
        const auto& request = parser_->get();
        dispatch(HttpServerRequest{std::string(request.method_string()),
                                   std::string(request.target()),
                                   {},
                                   true,
                                   {},
                                   std::string(request[http::field::authorization])});
    }

    void dispatch(HttpServerRequest request) {
        ++requests_;
        parser_.reset();
        stream_.expires_never();  // the handler may take a while (a group commit)
        // The answer keeps the session alive until it is written; once used, the function
        // holds nothing, so whoever still has a copy does not pin the connection.
        struct Slot {
            std::mutex mutex;
            std::shared_ptr<HttpServerSession> session;
        };
        auto slot = std::make_shared<Slot>();
        slot->session = shared_from_this();
        HttpRespond respond = [slot](HttpServerResponse response) {
            std::shared_ptr<HttpServerSession> self;
            {
                std::lock_guard lock(slot->mutex);
                self = std::move(slot->session);
            }
            if (!self) return;  // answered already
            auto executor = self->executor_;
            asio::post(executor,
                       [self = std::move(self), response = std::move(response)]() mutable {
                           self->write(std::move(response));
                       });
        };
        try {
            shared_.handler(std::move(request), respond);
        } catch (const std::exception& e) {
            spdlog::error("HTTP handler failed: {}", e.what());
            respond({500, "application/json", R"({"error":"error: internal error"})"});
        }
    }

    void write(HttpServerResponse answer) {
        auto response = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(answer.status), 11);
        response->set(http::field::server, "nostpp");
        if (!answer.content_type.empty())
            response->set(http::field::content_type, answer.content_type);
        for (const auto& [name, value] : answer.headers) response->set(name, value);
        response->body() = std::move(answer.body);
        response->keep_alive(keep_alive_ && !stopping_);
        response->prepare_payload();
        stream_.expires_after(kTransferTimeout);
        http::async_write(stream_, *response,
                          [self = shared_from_this(), response](beast::error_code ec, size_t) {
                              self->busy_ = false;
                              if (ec) return self->close();
                              if (!response->keep_alive()) return self->linger();
                              self->read_header();
                          });
    }

    void fail(beast::error_code ec) {
        // A request that is not HTTP gets a 400; end of stream, timeouts and resets just end
        // the connection.
        if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
            busy_ = true;
            keep_alive_ = false;
            parser_.reset();
            return write(
                {400, "application/json", R"({"error":"invalid: malformed HTTP request"})"});
        }
        close();
    }

    // Closing with unread request bytes (a body too large to read) would reset the
    // connection, and the peer could lose the answer: stop sending, read and discard what
    // is still arriving (bounded in time), then close.
    void linger() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return close();
        stream_.expires_after(kLingerTimeout);
        drain();
    }

    void drain() {
        stream_.async_read_some(buffer_.prepare(4096),
                                [self = shared_from_this()](beast::error_code ec, size_t) {
                                    self->buffer_.clear();
                                    if (ec) return self->close();
                                    self->drain();
                                });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

    beast::tcp_stream stream_;
    asio::any_io_executor executor_;  // the connection's strand
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpServerShared& shared_;
    bool keep_alive_ = true;  // strand only: the current request's
    bool busy_ = false;       // strand only: a request is being read, handled or answered
    bool stopping_ = false;   // strand only
    std::string remote_;      // the peer's address, for logs
    std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();
    uint64_t requests_ = 0;  // strand only
};

}  // namespace

void start_http_server_session(tcp::socket socket, HttpServerShared& shared) {
    std::make_shared<HttpServerSession>(std::move(socket), shared)->start();
}

}  // namespace net::detail
