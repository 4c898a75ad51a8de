// Entry points of the two connection kinds, private to net/. Every TCP connection starts as
// an HTTP session; a WebSocket upgrade request hands its stream to a WebSocket session.
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>

#include "net/detail/server_context.h"
#include "ratelimit/connection_counts.h"

namespace net::detail {

// Each connection runs on its own strand, named by its concrete type: with Beast's default
// type-erased executor every handler copied and queried the executor (about 5% of the relay's
// CPU in the REQ and fan-out profiles).
using ConnectionStrand = boost::asio::strand<boost::asio::io_context::executor_type>;
using ConnectionSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, ConnectionStrand>;
using ConnectionStream = boost::beast::basic_stream<boost::asio::ip::tcp, ConnectionStrand>;

// The session's handlers rely on the socket's strand for serialization.
void start_http_session(ConnectionSocket socket, ServerContext& context);

// Called on the stream's strand with the upgrade request already read. `remote_address` is
// the client (as X-Forwarded-For names it behind a trusted proxy); `slot` counts the
// connection for --max-connections-per-ip until the session ends (null: not counted).
void start_websocket_session(ConnectionStream stream,
                             boost::beast::http::request<boost::beast::http::string_body> request,
                             std::string remote_address,
                             std::unique_ptr<ratelimit::ConnectionSlot> slot,
                             ServerContext& context);

}  // namespace net::detail
