#include "net/detail/listen.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <stdexcept>
#include <thread>
#include <vector>

#include "telemetry/thread_name.h"

namespace net::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void open_acceptor(tcp::acceptor& acceptor, const std::string& address, uint16_t port) {
    boost::system::error_code ec;
    tcp::resolver resolver(acceptor.get_executor());
    auto results = resolver.resolve(address, std::to_string(port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty())
        throw std::runtime_error(fmt::format(
            "cannot listen on {}:{}: cannot resolve the address: {}", address, port, ec.message()));
    tcp::endpoint endpoint = results.begin()->endpoint();
    auto fail = [&](std::string_view step) {
        throw std::runtime_error(fmt::format("cannot listen on {} ({}): {}",
                                             format_endpoint(endpoint), step, ec.message()));
    };
    acceptor.open(endpoint.protocol(), ec);
    if (ec) fail("socket");
    // Lets a restarted server bind while old connections sit in TIME_WAIT.
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) fail("SO_REUSEADDR");
    acceptor.bind(endpoint, ec);
    if (ec) fail("bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail("listen");
}

Address16 to_address16(const boost::asio::ip::address& address) {
    return address.is_v4()
               ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4())
                     .to_bytes()
               : address.to_v6().to_bytes();
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
    if (endpoint.address().is_v6())
        return fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port());
    return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

unsigned io_thread_count(unsigned requested) {
    if (requested > 0) return requested;
    unsigned cores = std::thread::hardware_concurrency();
    return cores > 0 ? cores : 1;
}

void stop_on_signals(boost::asio::signal_set& signals, std::function<void()> begin_stop) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait(
        [begin_stop = std::move(begin_stop)](boost::system::error_code ec, int signal) {
            if (ec) return;
            spdlog::info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
            begin_stop();
        });
}

void run_io_threads(unsigned threads, const std::function<void()>& run_io) {
    std::vector<std::thread> workers;
    workers.reserve(threads > 0 ? threads - 1 : 0);
    // The calling (main) thread keeps the process's name, which ps and pgrep show.
    for (unsigned i = 1; i < threads; ++i)
        workers.emplace_back([&run_io] {
            telemetry::name_this_thread("nostpp-io");
            run_io();
        });
    run_io();
    for (auto& worker : workers) worker.join();
}

}  // namespace net::detail
