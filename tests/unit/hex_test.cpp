// Strict lowercase hex for protocol fields, lenient hex for vectors and operator input.
#include "nostr/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(HexTest, LowercaseRoundTrip) {
    nostr::Bytes32 bytes{};
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 8 + 7);
    std::string hex = nostr::to_hex(bytes);
    EXPECT_EQ(hex, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
    nostr::Bytes32 decoded{};
    ASSERT_TRUE(nostr::decode_lower_hex(hex, decoded));
    EXPECT_EQ(decoded, bytes);
}

TEST(HexTest, StrictDecodingRejectsUppercase) {
    nostr::Bytes32 out{};
    EXPECT_FALSE(nostr::decode_lower_hex(std::string(63, 'a') + "A", out));
    EXPECT_FALSE(nostr::decode_lower_hex(std::string(64, 'F'), out));
    EXPECT_TRUE(nostr::decode_lower_hex(std::string(64, 'f'), out));
}

TEST(HexTest, StrictDecodingRejectsWrongLengthsAndNonHex) {
    nostr::Bytes32 out{};
    EXPECT_FALSE(nostr::decode_lower_hex(std::string(62, 'a'), out));
    EXPECT_FALSE(nostr::decode_lower_hex(std::string(63, 'a'), out));
    EXPECT_FALSE(nostr::decode_lower_hex(std::string(65, 'a'), out));
    EXPECT_FALSE(nostr::decode_lower_hex(std::string(66, 'a'), out));
    EXPECT_FALSE(nostr::decode_lower_hex("", out));
    for (char bad : {'g', 'G', ' ', 'x', '-', '\0', '/', ':', '@', '`'}) {
        std::string hex(64, '0');
        hex[17] = bad;
        EXPECT_FALSE(nostr::decode_lower_hex(hex, out)) << int(bad);
    }
}

TEST(HexTest, LenientDecodingAcceptsBothCases) {
    std::string out;
    ASSERT_TRUE(nostr::decode_any_hex("00aBcDeF", out));
    EXPECT_EQ(out, std::string("\x00\xab\xcd\xef", 4));
    EXPECT_TRUE(nostr::decode_any_hex("", out));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(nostr::decode_any_hex("abc", out));
    EXPECT_FALSE(nostr::decode_any_hex("zz", out));
}

TEST(HexTest, AppendHexAppends) {
    std::string out = "id:";
    const uint8_t bytes[] = {0x00, 0x9a, 0xff};
    nostr::append_hex(out, bytes, sizeof bytes);
    EXPECT_EQ(out, "id:009aff");
}

}  // namespace
