// Opening a listening socket the same way for every server (WebSocket front, event handler
// API): resolve, SO_REUSEADDR, bind, listen, with errors that name the address.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

namespace net::detail {

// Throws std::runtime_error naming the address and the step that failed.
void open_acceptor(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address,
                   uint16_t port);

// "1.2.3.4:80" or "[::1]:80".
std::string format_endpoint(const boost::asio::ip::tcp::endpoint& endpoint);

// `requested`, or one per hardware thread when 0.
unsigned io_thread_count(unsigned requested);

}  // namespace net::detail
