// BIP-340 verification and signing against the BIP's own test vectors.
#include "nostr/signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "nostr/canonical.h"
#include "test_events.h"
#include "vector_files.h"

namespace {

struct Bip340Row {
    std::string index;
    std::string secret_key;  // hex, may be empty
    std::string public_key;
    std::string aux_rand;  // hex, may be empty
    std::string message;   // hex, any even length
    std::string signature;
    bool expect_valid = false;
    std::string comment;
};

std::vector<Bip340Row> parse_csv(const std::string& text) {
    std::vector<Bip340Row> rows;
    std::istringstream lines(text);
    std::string line;
    bool header = true;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (header) {
            header = false;
            continue;
        }
        std::vector<std::string> cells;
        size_t start = 0;
        for (int i = 0; i < 7; ++i) {
            size_t comma = line.find(',', start);
            if (comma == std::string::npos) throw std::runtime_error("short CSV row: " + line);
            cells.push_back(line.substr(start, comma - start));
            start = comma + 1;
        }
        if (cells[6] != "TRUE" && cells[6] != "FALSE")
            throw std::runtime_error("bad verification result: " + line);
        rows.push_back({cells[0], cells[1], cells[2], cells[3], cells[4], cells[5],
                        cells[6] == "TRUE", line.substr(start)});
    }
    return rows;
}

template <size_t N>
std::array<uint8_t, N> fixed_bytes(const std::string& hex) {
    std::string bytes;
    if (!nostr::decode_any_hex(hex, bytes) || bytes.size() != N)
        throw std::runtime_error("bad hex field: " + hex);
    std::array<uint8_t, N> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

std::string lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

class Bip340VectorsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string text;
        ASSERT_TRUE(test_support::read_vector_file("bip340-test-vectors.csv", text))
            << "missing " << test_support::vector_path("bip340-test-vectors.csv");
        rows_ = parse_csv(text);
        ASSERT_EQ(rows_.size(), 19u) << "expected the 19 rows of the BIP-340 CSV";
    }
    std::vector<Bip340Row> rows_;
};

TEST_F(Bip340VectorsTest, VerificationMatchesTheResultColumn) {
    int variable_length = 0;
    for (const auto& row : rows_) {
        SCOPED_TRACE("row " + row.index + " " + row.comment);
        std::string message;
        ASSERT_TRUE(nostr::decode_any_hex(row.message, message));
        if (message.size() != 32) ++variable_length;
        bool valid = nostr::verify_schnorr(fixed_bytes<32>(row.public_key),
                                           reinterpret_cast<const uint8_t*>(message.data()),
                                           message.size(), fixed_bytes<64>(row.signature));
        EXPECT_EQ(valid, row.expect_valid);
    }
    EXPECT_EQ(variable_length, 4) << "the 0, 1, 17 and 100-byte message rows";
}

TEST_F(Bip340VectorsTest, FixedSizeOverloadAgreesOn32ByteMessages) {
    for (const auto& row : rows_) {
        if (row.message.size() != 64) continue;
        SCOPED_TRACE("row " + row.index);
        EXPECT_EQ(
            nostr::verify_schnorr(fixed_bytes<32>(row.public_key), fixed_bytes<32>(row.message),
                                  fixed_bytes<64>(row.signature)),
            row.expect_valid);
    }
}

TEST_F(Bip340VectorsTest, SigningWithTheGivenAuxRandReproducesTheSignature) {
    int signed_rows = 0;
    for (const auto& row : rows_) {
        if (row.secret_key.empty() || row.message.size() != 64) continue;
        SCOPED_TRACE("row " + row.index);
        ++signed_rows;
        nostr::KeyPair key = nostr::keypair_from_secret(fixed_bytes<32>(row.secret_key));
        EXPECT_EQ(nostr::to_hex(key.pubkey), lower(row.public_key));
        nostr::Bytes32 aux = fixed_bytes<32>(row.aux_rand);
        nostr::Bytes64 sig = nostr::sign_schnorr(key, fixed_bytes<32>(row.message), &aux);
        EXPECT_EQ(nostr::to_hex(sig), lower(row.signature));
    }
    EXPECT_EQ(signed_rows, 4);
}

TEST(SignatureTest, RandomAuxSignatureVerifiesAndBindsMessageAndKey) {
    nostr::KeyPair key = nostr::generate_keypair();
    nostr::Bytes32 message = nostr::sha256("hello");
    nostr::Bytes64 sig = nostr::sign_schnorr(key, message);
    EXPECT_TRUE(nostr::verify_schnorr(key.pubkey, message, sig));

    nostr::Bytes32 other_message = nostr::sha256("hellO");
    EXPECT_FALSE(nostr::verify_schnorr(key.pubkey, other_message, sig));
    EXPECT_FALSE(nostr::verify_schnorr(test_support::test_key(7).pubkey, message, sig));
    nostr::Bytes64 flipped = sig;
    flipped[63] ^= 1;
    EXPECT_FALSE(nostr::verify_schnorr(key.pubkey, message, flipped));
}

TEST(SignatureTest, KeypairFromInvalidSecretThrows) {
    nostr::Bytes32 zero{};
    EXPECT_THROW(nostr::keypair_from_secret(zero), std::invalid_argument);
    nostr::Bytes32 all_ones;
    all_ones.fill(0xff);  // above the curve order
    EXPECT_THROW(nostr::keypair_from_secret(all_ones), std::invalid_argument);
}

// Verification caches parsed public keys per thread in a table smaller than this key set,
// so keys share slots: every key must still verify its own signature and no other's.
TEST(SignatureTest, ManyKeysSharingCacheSlotsEachVerifyOnlyTheirOwnSignatures) {
    constexpr int kKeys = 2500;  // more than the cache's 1,024 slots
    nostr::Bytes32 message = nostr::sha256("one message, many signers");
    std::vector<nostr::KeyPair> keys;
    std::vector<nostr::Bytes64> sigs;
    for (int i = 0; i < kKeys; ++i) {
        keys.push_back(test_support::test_key(1000 + i));
        sigs.push_back(nostr::sign_schnorr(keys.back(), message));
    }
    for (int round = 0; round < 2; ++round) {  // the second round meets evicted and cached keys
        for (int i = 0; i < kKeys; ++i) {
            ASSERT_TRUE(nostr::verify_schnorr(keys[i].pubkey, message, sigs[i])) << i;
            ASSERT_FALSE(nostr::verify_schnorr(keys[(i + 1) % kKeys].pubkey, message, sigs[i]))
                << i;
        }
    }
}

TEST(SignatureTest, AnInvalidKeyStaysInvalidAfterValidKeysWereCached) {
    nostr::KeyPair key = test_support::test_key(3);
    nostr::Bytes32 message = nostr::sha256("m");
    nostr::Bytes64 sig = nostr::sign_schnorr(key, message);
    ASSERT_TRUE(nostr::verify_schnorr(key.pubkey, message, sig));
    // BIP-340 test vector 5: "public key not on the curve".
    nostr::Bytes32 not_on_curve;
    ASSERT_TRUE(nostr::decode_lower_hex(
        "eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34", not_on_curve));
    for (int i = 0; i < 2; ++i) EXPECT_FALSE(nostr::verify_schnorr(not_on_curve, message, sig));
}

TEST(SignatureTest, GeneratedKeysDiffer) {
    EXPECT_NE(nostr::generate_keypair().pubkey, nostr::generate_keypair().pubkey);
}

}  // namespace
