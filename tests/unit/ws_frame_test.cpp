// The text frames WsSession builds itself (net/detail/ws_frame.h): the header bytes of each
// length form, and Beast's WebSocket client reading such frames as whole text messages.
#include "net/detail/ws_frame.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;
using net::detail::FrameHeaderBuffer;
using net::detail::text_frame_header;

std::string header_of(uint64_t size) {
    FrameHeaderBuffer buffer;
    return std::string(text_frame_header(size, buffer));
}

TEST(TextFrameHeader, UsesTheShortestLengthFormRfc6455AllowsForEachSize) {
    using namespace std::string_literals;
    EXPECT_EQ(header_of(0), "\x81\x00"s);
    EXPECT_EQ(header_of(125), "\x81\x7d"s);
    EXPECT_EQ(header_of(126), "\x81\x7e\x00\x7e"s);
    EXPECT_EQ(header_of(65535), "\x81\x7e\xff\xff"s);
    EXPECT_EQ(header_of(65536), "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00"s);
    EXPECT_EQ(header_of(0x0102030405060708ULL), "\x81\x7f\x01\x02\x03\x04\x05\x06\x07\x08"s);
}

TEST(TextFrameHeader, AWebSocketClientReadsEachFrameAsOneTextMessage) {
    const std::vector<size_t> sizes = {0, 1, 125, 126, 127, 65535, 65536, 200000};
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();

    // The server side: Beast does the opening handshake, then the frames go to the socket
    // as WsSession sends them (header, then payload), bypassing the stream.
    std::thread server([&] {
        websocket::stream<tcp::socket> ws(acceptor.accept());
        ws.accept();
        for (size_t size : sizes) {
            std::string payload(size, static_cast<char>('a' + size % 26));
            FrameHeaderBuffer header;
            auto head = text_frame_header(payload.size(), header);
            asio::write(ws.next_layer(), std::vector<asio::const_buffer>{
                                             asio::buffer(head.data(), head.size()),
                                             asio::buffer(payload)});
        }
        boost::beast::flat_buffer ignored;
        boost::beast::error_code ec;
        ws.read(ignored, ec);  // until the client closes
    });

    asio::io_context client_io;
    websocket::stream<tcp::socket> client(client_io);
    client.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    client.handshake("127.0.0.1", "/");
    for (size_t size : sizes) {
        boost::beast::flat_buffer buffer;
        client.read(buffer);
        EXPECT_TRUE(client.got_text()) << size;
        EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()),
                  std::string(size, static_cast<char>('a' + size % 26)))
            << size;
    }
    client.close(websocket::close_code::normal);
    server.join();
}

}  // namespace
