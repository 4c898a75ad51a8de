// Canonical serialization and event ids: the shared signed-event vectors, and escaping that is
// byte-for-byte JSON.stringify's (reference ids below were computed with Node's JSON.stringify
// and SHA-256, as nostr-tools' getEventHash does).
#include "nostr/canonical.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "nostr/event_parser.h"
#include "nostr/signature.h"
#include "test_events.h"
#include "vector_files.h"

namespace {
using namespace std::string_literals;
using test_support::make_event;
using test_support::test_key;

// test_key(3): the BIP-340 secret 3.
constexpr const char* kPubkeyHex =
    "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";

std::string escaped(std::string_view value) {
    std::string out;
    nostr::append_json_string(out, value);
    return out;
}

// The vector object without its "_..." annotations, as compact JSON.
std::string event_json_without_annotations(simdjson::dom::object object) {
    std::string json = "{";
    for (auto [key, value] : object) {
        if (!key.empty() && key[0] == '_') continue;
        if (json.size() > 1) json += ",";
        json += "\"" + std::string(key) + "\":" + simdjson::minify(value);
    }
    return json + "}";
}

TEST(CanonicalTest, SignedEventVectorsIdAndSignatureMatchExpectValid) {
    std::string text;
    ASSERT_TRUE(test_support::read_vector_file("signed-events.json", text))
        << "missing " << test_support::vector_path("signed-events.json");
    simdjson::dom::parser parser;
    simdjson::dom::object vectors;
    ASSERT_FALSE(parser.parse(text).get_object().get(vectors)) << "signed-events.json is not a "
                                                                  "JSON object";
    int valid = 0, invalid = 0;
    for (auto [name, value] : vectors) {
        SCOPED_TRACE(std::string(name));
        simdjson::dom::object object;
        ASSERT_FALSE(value.get_object().get(object));
        bool expect_valid = false;
        ASSERT_FALSE(object["_expect_valid"].get_bool().get(expect_valid));
        std::string_view id_hex;
        ASSERT_FALSE(object["id"].get_string().get(id_hex));
        (expect_valid ? valid : invalid)++;

        nostr::Event event;
        std::string error;
        ASSERT_TRUE(nostr::parse_event_json(event_json_without_annotations(object), event, error))
            << error;
        EXPECT_EQ(nostr::to_hex(event.id), id_hex);
        EXPECT_EQ(nostr::compute_event_id(event) == event.id, expect_valid);
        std::string verdict = nostr::verify_event(event);
        EXPECT_EQ(verdict.empty(), expect_valid) << verdict;
        if (!expect_valid) {
            EXPECT_EQ(verdict.rfind("invalid: ", 0), 0u) << verdict;
        }
    }
    EXPECT_GE(valid, 1);
    EXPECT_GE(invalid, 1);
    EXPECT_EQ(valid + invalid, 20);
}

TEST(CanonicalTest, NamedEscapesAreTheSevenOfJsonStringify) {
    EXPECT_EQ(escaped("\""), R"("\"")");
    EXPECT_EQ(escaped("\\"), R"("\\")");
    EXPECT_EQ(escaped("\b"), R"("\b")");
    EXPECT_EQ(escaped("\f"), R"("\f")");
    EXPECT_EQ(escaped("\n"), R"("\n")");
    EXPECT_EQ(escaped("\r"), R"("\r")");
    EXPECT_EQ(escaped("\t"), R"("\t")");
}

TEST(CanonicalTest, EveryControlCharacterEscapesLikeJsonStringify) {
    // Written out by hand from JSON.stringify(String.fromCharCode(c)) for c = 0..31.
    const char* const expected[32] = {
        R"("\u0000")", R"("\u0001")", R"("\u0002")", R"("\u0003")", R"("\u0004")", R"("\u0005")",
        R"("\u0006")", R"("\u0007")", R"("\b")",     R"("\t")",     R"("\n")",     R"("\u000b")",
        R"("\f")",     R"("\r")",     R"("\u000e")", R"("\u000f")", R"("\u0010")", R"("\u0011")",
        R"("\u0012")", R"("\u0013")", R"("\u0014")", R"("\u0015")", R"("\u0016")", R"("\u0017")",
        R"("\u0018")", R"("\u0019")", R"("\u001a")", R"("\u001b")", R"("\u001c")", R"("\u001d")",
        R"("\u001e")", R"("\u001f")",
    };
    for (int c = 0; c < 32; ++c)
        EXPECT_EQ(escaped(std::string(1, static_cast<char>(c))), expected[c]) << "byte " << c;
}

TEST(CanonicalTest, SlashDelAndNonAsciiStayVerbatim) {
    EXPECT_EQ(escaped("/"), "\"/\"");
    EXPECT_EQ(escaped("\x7f"), "\"\x7f\"");
    EXPECT_EQ(escaped(" "), "\" \"");
    EXPECT_EQ(escaped("\xc3\xa9"), "\"\xc3\xa9\"");                                  // é
    EXPECT_EQ(escaped("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");                  // U+1F600
    EXPECT_EQ(escaped("\xe2\x80\xa8\xe2\x80\xa9"), "\"\xe2\x80\xa8\xe2\x80\xa9\"");  // U+2028/9
    EXPECT_EQ(escaped(""), "\"\"");
}

TEST(CanonicalTest, EscapesInsideLongerTextKeepTheSurroundingBytes) {
    EXPECT_EQ(escaped("a\"b\\c\nd\x01"
                      "e"),
              R"("a\"b\\c\nd\u0001e")");
    EXPECT_EQ(escaped("\0\0"s), R"("\u0000\u0000")");
}

class SpecialCharactersEventTest : public ::testing::Test {
  protected:
    const std::string content_ =
        "Quote\" Backslash\\ BS\b FF\f LF\n CR\r TAB\t NUL\0 SOH\x01 VT\x0b US\x1f Slash/ "
        "DEL\x7f e\xc3\xa9 smile\xf0\x9f\x98\x80 LS\xe2\x80\xa8 end"s;
    const std::vector<nostr::Tag> tags_ = {{"t", "a/b\x7f"}, {"x", "\"q\"\\\n\0"s}, {"-"}};
    // The tags and content as JSON.stringify writes them.
    const std::string expected_tags_ = R"([["t","a/b)"
                                       "\x7f"
                                       R"("],["x","\"q\"\\\n\u0000"],["-"]])";
    const std::string expected_content_ =
        R"("Quote\" Backslash\\ BS\b FF\f LF\n CR\r TAB\t NUL\u0000 SOH\u0001 VT\u000b US\u001f )"
        R"(Slash/ DEL)"
        "\x7f"
        R"( e)"
        "\xc3\xa9"
        R"( smile)"
        "\xf0\x9f\x98\x80"
        R"( LS)"
        "\xe2\x80\xa8"
        R"( end")";
    nostr::Event event_ = make_event(test_key(3), 1, 1700000000, tags_, content_);
};

TEST_F(SpecialCharactersEventTest, CanonicalSerializationIsJsonStringifyByteForByte) {
    ASSERT_EQ(nostr::to_hex(event_.pubkey), kPubkeyHex);
    EXPECT_EQ(nostr::canonical_serialization(event_), std::string("[0,\"") + kPubkeyHex +
                                                          "\",1700000000,1," + expected_tags_ +
                                                          "," + expected_content_ + "]");
}

TEST_F(SpecialCharactersEventTest, EventIdIsTheReferenceHash) {
    EXPECT_EQ(nostr::to_hex(nostr::compute_event_id(event_)),
              "e884de2176dba769c5cb66ddecf43d45335bf7e55fae5e2b02241e07ed986e50");
    EXPECT_EQ(nostr::to_hex(event_.id),
              "e884de2176dba769c5cb66ddecf43d45335bf7e55fae5e2b02241e07ed986e50");
}

TEST_F(SpecialCharactersEventTest, SerializeEventIsCompactCanonicalFieldOrder) {
    std::string expected =
        std::string("{\"id\":\"") +
        "e884de2176dba769c5cb66ddecf43d45335bf7e55fae5e2b02241e07ed986e50" + "\",\"pubkey\":\"" +
        kPubkeyHex + "\",\"created_at\":1700000000,\"kind\":1,\"tags\":" + expected_tags_ +
        ",\"content\":" + expected_content_ + ",\"sig\":\"" + nostr::to_hex(event_.sig) + "\"}";
    EXPECT_EQ(nostr::serialize_event(event_), expected);
    EXPECT_EQ(event_.json, expected);
}

TEST_F(SpecialCharactersEventTest, SignedEventVerifiesAndSurvivesAParseRoundTrip) {
    EXPECT_EQ(nostr::verify_event(event_), "");
    nostr::Event parsed;
    std::string error;
    ASSERT_TRUE(nostr::parse_event_json(event_.json, parsed, error)) << error;
    EXPECT_EQ(parsed.content, content_);
    EXPECT_EQ(parsed.tags, tags_);
    EXPECT_EQ(parsed.json, event_.json);
    EXPECT_EQ(nostr::verify_event(parsed), "");
}

TEST(CanonicalTest, EmptyEventSerialization) {
    nostr::Event event = make_event(test_key(3), 0, 0);
    EXPECT_EQ(nostr::canonical_serialization(event),
              std::string("[0,\"") + kPubkeyHex + "\",0,0,[],\"\"]");
    EXPECT_EQ(nostr::to_hex(event.id),
              "e37d3d8a5cd27629fd198d21819aedd901a0a84297c9d9259543e162891c72aa");
}

TEST(CanonicalTest, ParsedEscapesAreDecodedThenReescapedLikeJsonStringify) {
    const std::string content = "caf\xc3\xa9 / \xf0\x9f\x98\x80 \x1f \0 <tab>\t"s;
    const nostr::Tag e_tag = {"e",
                              "5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36",
                              "wss://r.example/"};
    nostr::Event signed_event = make_event(test_key(3), 30023, 1712345678, {e_tag}, content);
    ASSERT_EQ(nostr::to_hex(signed_event.id),
              "d59318e2e1b38ed3b509feb8138f2b37e71b349d8425424a1e987c62768930f4");

    // The same event as another client might write it: \u escapes for non-ASCII, a surrogate
    // pair, uppercase hex, "\/" and escaped tab; fields reordered, with whitespace.
    std::string json =
        R"({ "content": "caf\u00e9 \/ \ud83d\ude00 \u001F \u0000 <tab>\u0009",)"
        R"( "tags": [["e", "5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36",)"
        R"( "wss:\/\/r.example\/"]], "kind": 30023, "created_at": 1712345678,)"
        R"( "pubkey": ")" +
        std::string(kPubkeyHex) + R"(", "sig": ")" + nostr::to_hex(signed_event.sig) +
        R"(", "id": ")" + nostr::to_hex(signed_event.id) + "\" }";

    nostr::Event parsed;
    std::string error;
    ASSERT_TRUE(nostr::parse_event_json(json, parsed, error)) << error;
    EXPECT_EQ(parsed.content, content);
    ASSERT_EQ(parsed.tags.size(), 1u);
    EXPECT_EQ(parsed.tags[0], e_tag);
    EXPECT_EQ(
        nostr::canonical_serialization(parsed),
        std::string("[0,\"") + kPubkeyHex +
            R"(",1712345678,30023,[["e","5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36","wss://r.example/"]],"caf)"
            "\xc3\xa9 / \xf0\x9f\x98\x80"
            R"( \u001f \u0000 <tab>\t"])");
    EXPECT_EQ(nostr::compute_event_id(parsed), signed_event.id);
    EXPECT_EQ(nostr::verify_event(parsed), "");
    EXPECT_EQ(parsed.json, signed_event.json);
}

TEST(CanonicalTest, Sha256OfKnownInputs) {
    EXPECT_EQ(nostr::to_hex(nostr::sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(nostr::to_hex(nostr::sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
