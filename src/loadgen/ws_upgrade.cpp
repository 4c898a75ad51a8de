#include "loadgen/ws_upgrade.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <random>

namespace loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string base64(const unsigned char* data, size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<size_t>(written));
    return out;
}

// A fresh Sec-WebSocket-Key: 16 random bytes, base64.
std::string make_key() {
    std::random_device random;
    std::array<unsigned char, 16> bytes;
    for (auto& byte : bytes) byte = static_cast<unsigned char>(random());
    return base64(bytes.data(), bytes.size());
}

}  // namespace

std::string websocket_accept_for(const std::string& key) {
    std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return base64(digest, sizeof digest);
}

Upgraded upgrade_to_websocket(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
    Upgraded out;
    beast::error_code ec;
    auto address = asio::ip::make_address(endpoint.address, ec);
    if (ec || !address.is_loopback()) {  // endpoint.cpp refused non-loopback already
        out.error = "refusing address " + endpoint.address;
        return out;
    }
    asio::io_context io;
    tcp::socket socket(io);
    std::string host =
        endpoint.host.find(':') == std::string::npos ? endpoint.host : "[" + endpoint.host + "]";
    std::string key = make_key();
    http::request<http::empty_body> request{http::verb::get, endpoint.target, 11};
    request.set(http::field::host, host + ":" + std::to_string(endpoint.port));
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::sec_websocket_key, key);
    request.set(http::field::sec_websocket_version, "13");
    request.set(http::field::user_agent, "nostpp-bench");
    beast::flat_buffer buffer;
    http::response<http::string_body> response;

    // Asynchronous steps on a private io_context, so that run_for() bounds them all.
    std::string failed;
    bool finished = false;
    socket.async_connect(tcp::endpoint(address, endpoint.port), [&](beast::error_code ec) {
        if (ec) {
            failed = "connect: " + ec.message();
            finished = true;
            return;
        }
        socket.set_option(tcp::no_delay(true), ec);
        http::async_write(socket, request, [&](beast::error_code ec, size_t) {
            if (ec) {
                failed = "upgrade request: " + ec.message();
                finished = true;
                return;
            }
            http::async_read(socket, buffer, response, [&](beast::error_code ec, size_t) {
                if (ec) failed = "upgrade response: " + ec.message();
                finished = true;
            });
        });
    });
    io.run_for(timeout);
    if (!finished) {
        out.error = "no handshake within " + std::to_string(timeout.count()) + " ms";
        return out;  // closing the socket abandons the operations; io drops their handlers
    }
    if (!failed.empty()) {
        out.error = failed;
        return out;
    }
    if (response.result() != http::status::switching_protocols) {
        out.error = "upgrade refused: HTTP " + std::to_string(response.result_int());
        return out;
    }
    if (!beast::iequals(response[http::field::upgrade], "websocket") ||
        response[http::field::sec_websocket_accept] != websocket_accept_for(key)) {
        out.error = "upgrade response without the right Upgrade or Sec-WebSocket-Accept";
        return out;
    }
    auto rest = buffer.cdata();
    out.leftover.assign(static_cast<const char*>(rest.data()), rest.size());
    out.fd = socket.release(ec);
    if (ec) out.error = "release: " + ec.message();
    return out;
}

}  // namespace loadgen
