// The coalescing stream under the WebSocket sessions (net/detail/coalescing_stream.h), on a
// real loopback connection with small socket buffers: bytes appended faster than the peer
// reads go out complete and in order, through non-blocking sends that take part of them,
// the asynchronous write that takes over, and the backpressure that holds the writer; and a
// send to a peer that has gone surfaces as an error instead of being lost silently.
#include "net/detail/coalescing_stream.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using Stream = net::detail::CoalescingStream<boost::beast::basic_stream<tcp, Strand>>;

constexpr size_t kChunk = 1000;
constexpr size_t kChunks = 3000;  // 3 MB: well past the stream's 256 KiB high-water mark

std::string chunk(size_t index) {
    std::string text = std::to_string(index) + ":";
    text.resize(kChunk, static_cast<char>('a' + index % 26));
    return text;
}

struct Connection {
    asio::io_context io;
    Strand strand = asio::make_strand(io);
    tcp::socket peer{io};
    std::unique_ptr<Stream> stream;
    std::shared_ptr<int> owner = std::make_shared<int>(0);

    Connection() {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        peer.connect(acceptor.local_endpoint());
        auto socket = acceptor.accept(strand);
        // Small buffers, so the socket fills up long before the writer is done (and no
        // Nagle delay, as on the relay's connections).
        socket.set_option(asio::socket_base::send_buffer_size(32 * 1024));
        peer.set_option(asio::socket_base::receive_buffer_size(32 * 1024));
        socket.set_option(tcp::no_delay(true));
        stream = std::make_unique<Stream>(boost::beast::basic_stream<tcp, Strand>(std::move(socket)));
        stream->set_owner(owner);
    }
};

TEST(CoalescingStream, EveryAppendedByteArrivesInOrderThroughPartialSendsAndBackpressure) {
    Connection c;
    size_t next = 0, waits = 0;
    // As WsSession::write_next does: corked while appending, held while full().
    std::function<void()> write = [&] {
        c.stream->cork();
        while (next < kChunks) {
            if (c.stream->full()) {
                ++waits;
                c.stream->when_room(write);
                return;
            }
            std::string text = chunk(next++);
            ASSERT_FALSE(c.stream->append({}, text));
        }
        c.stream->uncork();
    };
    std::string received;
    std::thread reader([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a slow start
        received.resize(kChunk * kChunks);
        boost::system::error_code ec;
        asio::read(c.peer, asio::buffer(received), ec);
        EXPECT_FALSE(ec) << ec.message();
        // Anything the stream still has to send (it should have none) now fails, so the
        // writer's side ends either way.
        c.peer.close(ec);
    });
    asio::post(c.strand, write);
    c.io.run();  // until everything is on the socket
    reader.join();

    EXPECT_GT(waits, 0u) << "the writer never had to wait: the test did not reach backpressure";
    ASSERT_EQ(received.size(), kChunk * kChunks);
    for (size_t i = 0; i < kChunks; ++i)
        ASSERT_EQ(received.compare(i * kChunk, kChunk, chunk(i)), 0) << "chunk " << i;
}

TEST(CoalescingStream, ASendToAPeerThatHasGoneSurfacesAsAnError) {
    Connection c;
    c.peer.set_option(asio::socket_base::linger(true, 0));  // the close resets the connection
    c.peer.close();
    boost::beast::error_code failure;
    asio::post(c.strand, [&] {
        // The first sends may still be taken by the kernel; the reset shows on a later one.
        for (int i = 0; i < 100 && !failure; ++i) {
            failure = c.stream->append({}, chunk(i));
            if (!failure) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    c.io.run();
    EXPECT_TRUE(failure) << "no error after 100 sends to a closed peer";
}

}  // namespace
