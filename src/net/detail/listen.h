// What every server (WebSocket front, event handler API) does the same way: open its
// listening socket (resolve, SO_REUSEADDR, bind, listen, with errors that name the address),
// stop on SIGINT/SIGTERM, and run its I/O threads.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "net/ip_access_list.h"

namespace net::detail {

// Throws std::runtime_error naming the address and the step that failed.
void open_acceptor(boost::asio::ip::tcp::acceptor& acceptor, const std::string& address,
                   uint16_t port);

// "1.2.3.4:80" or "[::1]:80".
std::string format_endpoint(const boost::asio::ip::tcp::endpoint& endpoint);

// The address as 16 bytes, IPv4 mapped into IPv6 (what IpAccessList compares).
Address16 to_address16(const boost::asio::ip::address& address);

// `requested`, or one per hardware thread when 0.
unsigned io_thread_count(unsigned requested);

// Calls `begin_stop` (once, logged) when SIGINT or SIGTERM arrives.
void stop_on_signals(boost::asio::signal_set& signals, std::function<void()> begin_stop);

// Runs `run_io` on `threads` threads, the calling thread being one of them; returns when all
// have returned.
void run_io_threads(unsigned threads, const std::function<void()>& run_io);

}  // namespace net::detail
