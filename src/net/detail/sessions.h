// Entry points of the two connection kinds, private to net/. Every TCP connection starts as
// an HTTP session; a WebSocket upgrade request hands its stream to a WebSocket session.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>

#include "net/detail/server_context.h"
#include "ratelimit/connection_counts.h"

namespace net::detail {

// `socket` must use a strand executor: the session's handlers rely on it for serialization.
void start_http_session(boost::asio::ip::tcp::socket socket, ServerContext& context);

// Called on the stream's strand with the upgrade request already read. `remote_address` is
// the client (as X-Forwarded-For names it behind a trusted proxy); `slot` counts the
// connection for --max-connections-per-ip until the session ends (null: not counted).
void start_websocket_session(boost::beast::tcp_stream stream,
                             boost::beast::http::request<boost::beast::http::string_body> request,
                             std::string remote_address,
                             std::unique_ptr<ratelimit::ConnectionSlot> slot,
                             ServerContext& context);

}  // namespace net::detail
