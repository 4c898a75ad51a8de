// The lean fan-out subscribers' WebSocket frames (loadgen/ws_frames.h): the relay's frames
// split however TCP delivers them, fragments reassembled, control frames passed through, and
// protocol violations ending the stream; the client's frames masked as RFC 6455 requires.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "loadgen/ws_frames.h"

namespace {

using loadgen::Opcode;
using loadgen::ServerFrameReader;

using Frames = std::vector<std::pair<Opcode, std::string>>;

// A server frame: unmasked, length in its shortest form unless `long_form` forces 64 bits.
std::string server_frame(uint8_t first_byte, const std::string& payload, bool long_form = false) {
    std::string frame(1, static_cast<char>(first_byte));
    uint64_t size = payload.size();
    if (size < 126 && !long_form) {
        frame.push_back(static_cast<char>(size));
    } else if (size <= 0xFFFF && !long_form) {
        frame.push_back(126);
        frame.push_back(static_cast<char>(size >> 8));
        frame.push_back(static_cast<char>(size));
    } else {
        frame.push_back(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(static_cast<char>(size >> shift));
    }
    return frame + payload;
}

struct Fed {
    Frames frames;
    std::string error;
};

// Feeds `bytes` in pieces of `step` bytes (0 = all at once).
Fed feed(ServerFrameReader& reader, const std::string& bytes, size_t step = 0) {
    Fed out;
    if (step == 0) step = bytes.size() ? bytes.size() : 1;
    for (size_t at = 0; at < bytes.size(); at += step) {
        out.error = std::string(reader.feed(std::string_view(bytes).substr(at, step),
                                            [&](Opcode opcode, std::string_view payload) {
                                                out.frames.emplace_back(opcode, payload);
                                            }));
        if (!out.error.empty()) break;
    }
    return out;
}

TEST(BenchWsFrames, SplitsFramesOfEveryLengthFormHoweverTheBytesArrive) {
    std::string small(5, 'a'), medium(300, 'b'), large(70000, 'c');
    std::string bytes = server_frame(0x81, small) + server_frame(0x81, medium) +
                        server_frame(0x81, large) + server_frame(0x81, "x", true) +
                        server_frame(0x81, "");
    Frames want = {{Opcode::text, small},
                   {Opcode::text, medium},
                   {Opcode::text, large},
                   {Opcode::text, "x"},
                   {Opcode::text, ""}};
    for (size_t step : {size_t{0}, size_t{1}, size_t{3}, size_t{7}, size_t{4096}}) {
        ServerFrameReader reader;
        auto fed = feed(reader, bytes, step);
        EXPECT_EQ(fed.error, "") << "step " << step;
        EXPECT_EQ(fed.frames, want) << "step " << step;
    }
}

TEST(BenchWsFrames, ReassemblesFragmentsWithControlFramesBetween) {
    ServerFrameReader reader;
    std::string bytes = server_frame(0x01, "[\"EVE") + server_frame(0x89, "ping!") +
                        server_frame(0x00, "NT\",") + server_frame(0x80, "1]") +
                        server_frame(0x82, "bin");
    auto fed = feed(reader, bytes, 2);
    EXPECT_EQ(fed.error, "");
    Frames want = {
        {Opcode::ping, "ping!"}, {Opcode::text, "[\"EVENT\",1]"}, {Opcode::binary, "bin"}};
    EXPECT_EQ(fed.frames, want);
}

TEST(BenchWsFrames, ProtocolViolationsEndTheStream) {
    std::vector<std::pair<std::string, std::string>> cases = {
        {"\x81\x82\x01\x02\x03\x04xy", "a masked frame from the server"},
        {server_frame(0xC1, "x"), "a frame with reserved bits set"},
        {server_frame(0x83, "x"), "a frame with an unknown opcode"},
        {server_frame(0x09, "x"), "a fragmented or oversized control frame"},
        {server_frame(0x89, std::string(126, 'p')), "a fragmented or oversized control frame"},
        {server_frame(0x80, "x"), "a continuation frame with no message to continue"},
        {server_frame(0x01, "a") + server_frame(0x81, "b"),
         "a new message began before the fragmented one ended"},
    };
    for (const auto& [bytes, error] : cases) {
        ServerFrameReader reader;
        auto fed = feed(reader, bytes + server_frame(0x81, "after"));
        EXPECT_EQ(fed.error, error);
        EXPECT_TRUE(fed.frames.empty()) << error;
        // Broken stays broken.
        EXPECT_EQ(feed(reader, server_frame(0x81, "more")).error, error);
    }
}

TEST(BenchWsFrames, MessagesOverTheCapEndTheStream) {
    ServerFrameReader whole(10);
    EXPECT_EQ(feed(whole, server_frame(0x81, std::string(11, 'a'))).error,
              "a frame larger than the cap");
    ServerFrameReader fragments(10);
    auto fed = feed(fragments, server_frame(0x01, std::string(6, 'a')) +
                                   server_frame(0x80, std::string(6, 'a')));
    EXPECT_EQ(fed.error, "a fragmented message larger than the cap");
    ServerFrameReader exact(10);
    EXPECT_EQ(feed(exact, server_frame(0x81, std::string(10, 'a'))).frames.size(), 1u);
}

TEST(BenchWsFrames, ClientFramesAreMaskedWithTheKey) {
    for (size_t size :
         {size_t{0}, size_t{5}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536}}) {
        std::string payload(size, 'q');
        for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
        std::string frame = loadgen::masked_client_frame(Opcode::text, payload, 0x11223344);
        ASSERT_GE(frame.size(), 6u);
        EXPECT_EQ(static_cast<uint8_t>(frame[0]), 0x81);
        auto b1 = static_cast<uint8_t>(frame[1]);
        ASSERT_TRUE(b1 & 0x80) << "the mask bit";
        size_t header = 2;
        uint64_t length = b1 & 0x7F;
        if (length == 126) {
            header = 4;
            length = (static_cast<uint8_t>(frame[2]) << 8) | static_cast<uint8_t>(frame[3]);
        } else if (length == 127) {
            header = 10;
            length = 0;
            for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<uint8_t>(frame[i]);
        }
        EXPECT_EQ(length, size);
        EXPECT_EQ(header, size < 126 ? 2u : size <= 0xFFFF ? 4u : 10u);
        const char key[4] = {0x11, 0x22, 0x33, 0x44};
        ASSERT_EQ(frame.compare(header, 4, key, 4), 0);
        std::string unmasked = frame.substr(header + 4);
        for (size_t i = 0; i < unmasked.size(); ++i) unmasked[i] ^= key[i % 4];
        EXPECT_EQ(unmasked, payload);
    }
}

}  // namespace
