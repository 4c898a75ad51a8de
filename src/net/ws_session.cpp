// A WebSocket connection: reads messages into its relay::ClientSession and writes what the
// relay sends through an OutboundQueue. Everything touching the stream runs on the
// connection's strand; only send() and close() are called from other threads.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>

#include "net/detail/coalescing_stream.h"
#include "net/detail/idle_policy.h"
#include "net/detail/message_limits.h"
#include "net/detail/outbound_queue.h"
#include "net/detail/sessions.h"
#include "net/detail/ws_frame.h"
#include "nostr/relay_message.h"
#include "relay/relay.h"

namespace net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// Read buffer capacity kept between messages. Most messages are small; a connection that once
// sent a large one should not keep that memory while idle.
constexpr size_t kKeptReadBuffer = 1024;
// How long a closing handshake may take before the socket is simply closed.
constexpr auto kCloseGrace = std::chrono::seconds(5);
// Bytes one write_next() frames before it lets other handlers run.
constexpr size_t kMaxFramedPerPass = 256 * 1024;
// RFC 6455 limits the close reason to 123 bytes.
constexpr size_t kMaxCloseReason = 123;

class WsSession;

// The relay's handle on the connection. It holds the session weakly: the session owns the
// ClientSession, which owns this, so a strong reference would be a cycle. Sends after the
// connection is gone are dropped.
class WsOutbound final : public relay::Outbound {
  public:
    explicit WsOutbound(std::weak_ptr<WsSession> session) : session_(std::move(session)) {}
    void send(std::string text) override;
    void send_many(std::vector<std::string> frames) override;
    void close(std::string_view reason) override;

  private:
    std::weak_ptr<WsSession> session_;
};

class WsSession final : public Connection, public std::enable_shared_from_this<WsSession> {
  public:
    WsSession(ConnectionStream&& stream, std::string remote,
              std::unique_ptr<ratelimit::ConnectionSlot> slot, ServerContext& context)
        : ws_(std::move(stream)),
          executor_(ws_.get_executor()),
          remote_(std::move(remote)),
          slot_(std::move(slot)),
          context_(context),
          queue_(context.max_outbound_bytes) {}

    ~WsSession() override {
        context_.connections.remove(this);
        // Reached with a live client only when the io_context is destroyed with our handlers
        // still queued (forced shutdown).
        end_client();
    }

    void start(http::request<http::string_body> request) {
        if (!context_.connections.add(shared_from_this())) return;  // server stopping
        ws_.next_layer().set_owner(weak_from_this());
        // The websocket stream times the opening and closing handshakes; quiet connections
        // are pinged and closed by watch_idle() (configurable, and counting every byte heard).
        beast::get_lowest_layer(ws_).expires_never();
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
            response.set(http::field::server, "nostpp");
        }));
        ws_.read_message_max(context_.hard_message_cap);
        ws_.async_accept(request,
                         beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
    }

    // Any thread.
    void send(std::string text) {
        started(queue_.push(std::move(text), context_.slow_reader_notice));
    }

    // Any thread.
    void send_many(std::vector<std::string> frames) {
        started(queue_.push_many(std::move(frames), context_.slow_reader_notice));
    }

    // Any thread: what a push asks of the strand.
    void started(OutboundQueue::Pushed pushed) {
        if (pushed.overflow)
            spdlog::warn("{}: more than {} bytes queued for sending, closing (slow reader)",
                         remote_, context_.max_outbound_bytes);
        if (!pushed.overflow && !pushed.start_writer) return;
        asio::post(executor_, [self = shared_from_this(), pushed] {
            if (pushed.overflow) self->arm_close_deadline();
            if (pushed.start_writer) self->write_next();
        });
    }

    // Any thread.
    void close(uint16_t code, std::string_view reason) {
        asio::post(executor_, [self = shared_from_this(), code,
                               reason = std::string(reason.substr(0, kMaxCloseReason))] {
            self->begin_close(code, reason);
        });
    }

    void shutdown() override {
        close(static_cast<uint16_t>(websocket::close_code::going_away), "relay shutting down");
    }

  private:
    void on_accept(beast::error_code ec) {
        if (ec) {
            spdlog::debug("{}: websocket handshake failed: {}", remote_, ec.message());
            return;
        }
        open_ = true;
        // The session logs the connection's opening and closing.
        client_ =
            context_.relay.open_session(std::make_shared<WsOutbound>(weak_from_this()), remote_);
        read_next();
        watch_idle();
    }

    // Strand only: pings a quiet peer and closes one that stays quiet (IdlePolicy); runs
    // again whenever the policy next has something to do, until the connection closes.
    void watch_idle() {
        const IdlePolicy& policy = context_.idle;
        if (!policy.enabled() || ended_ || queue_.closing()) return;
        auto heard = ws_.next_layer().last_received();
        auto now = IdlePolicy::Clock::now();
        switch (policy.due(now, heard, last_ping_)) {
            case IdlePolicy::Action::close:
                spdlog::debug(
                    "{}: closing a connection quiet for {} s", remote_,
                    std::chrono::duration_cast<std::chrono::seconds>(now - heard).count());
                begin_close(static_cast<uint16_t>(websocket::close_code::going_away),
                            "idle timeout: nothing received");
                return;
            case IdlePolicy::Action::ping:
                // Counted as sent even when the previous ping is still stuck in the socket, so
                // the next check is an interval away.
                last_ping_ = now;
                if (!ping_in_flight_) {
                    ping_in_flight_ = true;
                    ws_.async_ping({}, [self = shared_from_this()](beast::error_code) {
                        self->ping_in_flight_ = false;
                    });
                }
                break;
            case IdlePolicy::Action::wait:
                break;
        }
        if (!idle_timer_) idle_timer_ = std::make_unique<asio::steady_timer>(executor_);
        idle_timer_->expires_at(policy.next_check(heard, last_ping_));
        idle_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->watch_idle();
        });
    }

    void read_next() {
        ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, size_t) {
        if (ec) return end(ec);
        // After a close has begun, keep reading (to see the peer's close frame) but ignore
        // the messages: nothing could be answered anyway.
        if (!queue_.closing()) handle_message();
        buffer_.consume(buffer_.size());
        if (buffer_.capacity() > kKeptReadBuffer) buffer_.shrink_to_fit();
        read_next();
    }

    void handle_message() {
        auto data = buffer_.cdata();
        std::string_view message(static_cast<const char*>(data.data()), data.size());
        try {
            if (!ws_.got_text())
                client_->on_binary();
            else if (message.size() > context_.max_message_bytes)
                client_->on_rejected(too_large_reply(message, context_.max_message_bytes));
            else
                client_->on_text(message);
        } catch (const std::exception& e) {
            // A bug in handling one message must not take down the connection, let alone
            // the I/O thread.
            spdlog::error("{}: error handling a message: {}", remote_, e.what());
            send(nostr::relay_message::notice("error: internal error"));
        }
    }

    // Strand only.
    void begin_close(uint16_t code, const std::string& reason) {
        if (!open_) {
            // Still in the handshake: there is no WebSocket to close politely.
            beast::get_lowest_layer(ws_).close();
            return;
        }
        auto requested = queue_.request_close(code, reason, false);
        if (!requested.first) return;
        arm_close_deadline();
        if (requested.start_writer) write_next();
    }

    // Strand only: frames everything queued into the socket layer, which sends it in one
    // socket write once the queue is drained (or its buffer is full), then the close frame
    // if one is owed. The text frames are framed here (ws_frame.h), not by the websocket
    // stream, whose asynchronous write cost a composed operation and a handler through the
    // strand per frame; the stream keeps the control frames. Both write on this strand and
    // append whole frames, so they never interleave.
    void write_next() {
        auto& socket_layer = ws_.next_layer();
        socket_layer.cork();
        size_t framed = 0;
        for (;;) {
            if (socket_layer.full()) {
                // A slow reader: what is still queued waits in the bounded OutboundQueue.
                socket_layer.when_room([self = shared_from_this()] { self->write_next(); });
                return;
            }
            if (framed >= kMaxFramedPerPass) {
                // A connection with a steady stream of frames yields the thread now and then,
                // to its own reads and to the other connections.
                socket_layer.uncork();
                asio::post(executor_, [self = shared_from_this()] { self->write_next(); });
                return;
            }
            uint16_t code = 0;
            switch (queue_.next(writing_, code)) {
                case OutboundQueue::Next::frame: {
                    if (!ws_.is_open()) {
                        // The websocket stream is closing (it answered the peer's close frame
                        // itself) or failed: nothing may follow, and the read ends the session.
                        queue_.shut();
                        socket_layer.uncork();
                        return;
                    }
                    FrameHeaderBuffer header;
                    auto ec = socket_layer.append(text_frame_header(writing_.size(), header),
                                                  writing_);
                    if (ec) {
                        socket_layer.uncork();
                        return drop(ec);
                    }
                    framed += writing_.size();
                    continue;
                }
                case OutboundQueue::Next::close:
                    socket_layer.uncork();
                    ws_.async_close(
                        websocket::close_reason(static_cast<websocket::close_code>(code),
                                                writing_),
                        beast::bind_front_handler(&WsSession::on_close_sent, shared_from_this()));
                    return;
                case OutboundQueue::Next::idle:
                    socket_layer.uncork();
                    std::string().swap(writing_);  // don't keep a frame's memory while idle
                    return;
            }
        }
    }

    void on_close_sent(beast::error_code ec) {
        if (ec) drop(ec);
        // Otherwise the pending read sees the peer's close frame and ends the session.
    }

    // Strand only: a peer that does not finish closing in time is disconnected; this also
    // frees a slow reader whose last write never completes.
    void arm_close_deadline() {
        if (close_deadline_ || ended_) return;
        close_deadline_ = std::make_unique<asio::steady_timer>(executor_, kCloseGrace);
        close_deadline_->async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) beast::get_lowest_layer(self->ws_).close();
        });
    }

    // Strand only: closing the socket fails the pending read, which ends the session.
    void drop(beast::error_code ec) {
        spdlog::debug("{}: write failed: {}", remote_, ec.message());
        queue_.shut();
        beast::get_lowest_layer(ws_).close();
    }

    // Strand only: the read loop is over, so is the session.
    void end(beast::error_code ec) {
        ended_ = true;
        if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted)
            spdlog::debug("{}: connection ended: {}", remote_, ec.message());
        queue_.shut();
        if (close_deadline_) close_deadline_->cancel();
        if (idle_timer_) idle_timer_->cancel();
        end_client();
    }

    void end_client() {
        if (!client_) return;
        try {
            client_->on_close();
        } catch (const std::exception& e) {
            spdlog::error("{}: error closing the session: {}", remote_, e.what());
        }
        client_.reset();
    }

    websocket::stream<CoalescingStream<ConnectionStream>> ws_;
    ConnectionStrand executor_;  // the connection's strand
    beast::flat_buffer buffer_;
    std::string remote_;
    std::unique_ptr<ratelimit::ConnectionSlot> slot_;  // counted until the session is gone
    ServerContext& context_;
    OutboundQueue queue_;
    std::unique_ptr<relay::ClientSession> client_;        // strand only
    std::string writing_;                                 // strand only: frame being framed
    std::unique_ptr<asio::steady_timer> close_deadline_;  // strand only, made when closing
    std::unique_ptr<asio::steady_timer> idle_timer_;      // strand only (watch_idle)
    IdlePolicy::Clock::time_point last_ping_;             // strand only
    bool ping_in_flight_ = false;                         // strand only
    bool open_ = false;                                   // strand only: handshake done
    bool ended_ = false;                                  // strand only
};

void WsOutbound::send(std::string text) {
    if (auto session = session_.lock()) session->send(std::move(text));
}

void WsOutbound::send_many(std::vector<std::string> frames) {
    if (auto session = session_.lock()) session->send_many(std::move(frames));
}

void WsOutbound::close(std::string_view reason) {
    if (auto session = session_.lock())
        session->close(static_cast<uint16_t>(websocket::close_code::normal), reason);
}

}  // namespace

void start_websocket_session(ConnectionStream stream, http::request<http::string_body> request,
                             std::string remote_address,
                             std::unique_ptr<ratelimit::ConnectionSlot> slot,
                             ServerContext& context) {
    auto session = std::make_shared<WsSession>(std::move(stream), std::move(remote_address),
                                               std::move(slot), context);
    session->start(std::move(request));
}

}  // namespace net::detail
