// One connection of net::HttpServer (private to net/): reads requests, hands them to the
// handler, writes its answers, and keeps the connection alive between requests.
#pragma once
#include <boost/asio/ip/tcp.hpp>

#include "net/detail/connection_registry.h"
#include "net/http_server.h"

namespace net::detail {

// What every connection of one HttpServer shares.
struct HttpServerShared {
    HttpServerOptions options;
    HttpHandler handler;
    ConnectionRegistry connections;
};

// `socket` must use a strand executor: the session's handlers rely on it for serialization.
void start_http_server_session(boost::asio::ip::tcp::socket socket, HttpServerShared& shared);

}  // namespace net::detail
