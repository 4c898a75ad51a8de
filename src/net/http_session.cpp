// A plain HTTP connection: reads requests (with timeouts), answers them as http_routes says,
// and hands the connection to a WebSocket session when a request asks for an upgrade.
#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "net/client_address.h"
#include "net/detail/http_routes.h"
#include "net/detail/listen.h"
#include "net/detail/sessions.h"
#include "relay/relay.h"

namespace net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Time allowed to send a complete request (and, with keep-alive, between requests) and to
// take a response: slow or silent clients must not hold connections open.
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr uint32_t kHeaderLimit = 16 * 1024;
constexpr uint64_t kBodyLimit = 64 * 1024;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(ConnectionSocket&& socket, ServerContext& context)
        : stream_(std::move(socket)), executor_(stream_.get_executor()), context_(context) {}

    ~HttpSession() override { context_.connections.remove(this); }

    void start() {
        if (!context_.connections.add(shared_from_this())) return;  // server stopping
        beast::error_code ec;
        auto endpoint = stream_.socket().remote_endpoint(ec);
        remote_ = ec ? std::string("unknown") : endpoint.address().to_string();
        if (!ec) {
            peer_ = to_address16(endpoint.address());
            behind_proxy_ = is_trusted_proxy(peer_, context_.trusted_proxies);
        }
        // Nostr traffic is many small frames; don't let Nagle delay them.
        stream_.socket().set_option(tcp::no_delay(true), ec);
        asio::dispatch(executor_,
                       beast::bind_front_handler(&HttpSession::read_request, shared_from_this()));
    }

    void shutdown() override {
        asio::post(executor_, [self = shared_from_this()] {
            self->stopping_ = true;
            if (self->upgraded_) return;  // the WebSocket session has the stream now
            beast::error_code ec;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
            self->stream_.close();
        });
    }

  private:
    void read_request() {
        if (stopping_) return;
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(kBodyLimit);
        stream_.expires_after(kRequestTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, size_t) {
        if (ec == http::error::end_of_stream) return close_gracefully();
        if (ec) {
            // Malformed requests get a 400; timeouts and resets just end the connection.
            if (ec.category() == beast::http::make_error_code(http::error::bad_method).category())
                respond_bad_request();
            return;
        }
        Request request = parser_->release();
        parser_.reset();
        Address16 client = peer_;
        std::string remote = remote_;
        if (behind_proxy_) {
            // Each request through a proxy may come from another client: the IP lists were
            // not checked at accept, they are checked here for the client the proxy names.
            client = client_address(peer_, forwarded_for(request), context_.trusted_proxies);
            remote = format_address(client);
            if (std::string refusal = context_.ip_access.check(client); !refusal.empty()) {
                spdlog::debug("{} (via {}): request refused: {}", remote, remote_, refusal);
                return respond_error(http::status::forbidden, refusal + "\n", request.version());
            }
        }
        if (beast::websocket::is_upgrade(request)) {
            std::unique_ptr<ratelimit::ConnectionSlot> slot;
            if (auto& counts = context_.connection_counts) {
                slot = counts->acquire(connection_limit_key(client));
                // 429 rather than accepting and closing: clients report a refused upgrade as
                // a failed connection and back off, where a closed one is often reopened at
                // once.
                if (!slot) {
                    spdlog::debug("{}: connection refused: more than {} from this address", remote,
                                  counts->max_per_key());
                    return respond_error(
                        http::status::too_many_requests,
                        "rate-limited: too many connections from your address (max " +
                            std::to_string(counts->max_per_key()) + ")\n",
                        request.version());
                }
            }
            upgraded_ = true;
            start_websocket_session(std::move(stream_), std::move(request), std::move(remote),
                                    std::move(slot), context_);
            return;
        }
        respond(request);
    }

    // Every X-Forwarded-For header of the request, in order, as one list.
    static std::string forwarded_for(const Request& request) {
        std::string joined;
        auto [it, end] = request.equal_range("X-Forwarded-For");
        for (; it != end; ++it) {
            if (!joined.empty()) joined += ',';
            joined += it->value();
        }
        return joined;
    }

    void respond(const Request& request) {
        HttpRequestInfo info{request.method_string(), request.target(),
                             request[http::field::accept]};
        HttpReply reply = route_http(
            info, [this] { return context_.relay.nip11_document(); }, context_.metrics_text);
        auto response =
            std::make_shared<Response>(static_cast<http::status>(reply.status), request.version());
        response->set(http::field::server, "nostpp");
        if (!reply.content_type.empty())
            response->set(http::field::content_type, reply.content_type);
        for (auto& [name, value] : reply.headers) response->set(name, value);
        response->body() = std::move(reply.body);
        response->keep_alive(request.keep_alive() && !stopping_);
        response->prepare_payload();
        // RFC 9110: no Content-Length on 204.
        if (reply.status == 204) response->erase(http::field::content_length);
        // HEAD: same headers (Content-Length included), no body.
        if (request.method() == http::verb::head) response->body().clear();
        write(std::move(response));
    }

    void respond_bad_request() { respond_error(http::status::bad_request, "bad request\n", 11); }

    // A plain-text refusal that ends the connection.
    void respond_error(http::status status, std::string body, unsigned version) {
        auto response = std::make_shared<Response>(status, version);
        response->set(http::field::server, "nostpp");
        response->set(http::field::content_type, "text/plain; charset=utf-8");
        if (status == http::status::too_many_requests)
            response->set(http::field::retry_after, "10");
        response->body() = std::move(body);
        response->keep_alive(false);
        response->prepare_payload();
        write(std::move(response));
    }

    void write(std::shared_ptr<Response> response) {
        stream_.expires_after(kRequestTimeout);
        bool keep_alive = response->keep_alive();
        http::async_write(
            stream_, *response,
            [self = shared_from_this(), response, keep_alive](beast::error_code ec, size_t) {
                if (ec) return;
                if (keep_alive)
                    self->read_request();
                else
                    self->close_gracefully();
            });
    }

    void close_gracefully() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    ConnectionStream stream_;
    ConnectionStrand executor_;  // the connection's strand; outlives a moved-from stream_
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    ServerContext& context_;
    std::string remote_;         // the TCP peer
    Address16 peer_{};           // the TCP peer
    bool behind_proxy_ = false;  // the peer is a trusted proxy
    bool upgraded_ = false;      // strand only
    bool stopping_ = false;      // strand only
};

}  // namespace

void start_http_session(ConnectionSocket socket, ServerContext& context) {
    std::make_shared<HttpSession>(std::move(socket), context)->start();
}

}  // namespace net::detail
