// parse_event_json (structure) and verify_event (id and signature).
#include "nostr/event_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "nostr/canonical.h"
#include "test_events.h"

namespace {
using test_support::make_event;
using test_support::test_key;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// An event as raw JSON values per field, so one field at a time can be broken.
// A field set to nullopt is left out.
struct RawEvent {
    std::optional<std::string> id, pubkey, created_at, kind, tags, content, sig;

    explicit RawEvent(const nostr::Event& event)
        : id('"' + nostr::to_hex(event.id) + '"'),
          pubkey('"' + nostr::to_hex(event.pubkey) + '"'),
          created_at(std::to_string(event.created_at)),
          kind(std::to_string(event.kind)),
          tags("[]"),
          content("\"" + event.content + "\""),
          sig('"' + nostr::to_hex(event.sig) + '"') {}

    std::string json() const {
        std::string out = "{";
        auto field = [&](const char* name, const std::optional<std::string>& value) {
            if (!value) return;
            if (out.size() > 1) out += ",";
            out += std::string("\"") + name + "\":" + *value;
        };
        field("id", id);
        field("pubkey", pubkey);
        field("created_at", created_at);
        field("kind", kind);
        field("tags", tags);
        field("content", content);
        field("sig", sig);
        return out + "}";
    }
};

std::string upper(std::string text) {
    for (char& c : text)
        if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    return text;
}

class EventParserTest : public ::testing::Test {
  protected:
    // Plain content and no tags, so RawEvent reproduces it exactly.
    nostr::Event event_ = make_event(test_key(1), 1, 1700000000, {}, "hello nostr");
    RawEvent raw_{event_};

    // Parses and returns the error ("" when parsing succeeded).
    std::string parse_error(const std::string& json) {
        nostr::Event out;
        std::string error;
        bool ok = nostr::parse_event_json(json, out, error);
        if (ok) return "";
        EXPECT_FALSE(error.empty());
        return error;
    }
    nostr::Event parse_ok(const std::string& json) {
        nostr::Event out;
        std::string error;
        EXPECT_TRUE(nostr::parse_event_json(json, out, error)) << error << "\n" << json;
        return out;
    }
};

TEST_F(EventParserTest, ValidEventIsAcceptedWithAllFields) {
    ASSERT_EQ(raw_.json(), event_.json);
    nostr::Event out = parse_ok(raw_.json());
    EXPECT_EQ(out.id, event_.id);
    EXPECT_EQ(out.pubkey, event_.pubkey);
    EXPECT_EQ(out.sig, event_.sig);
    EXPECT_EQ(out.created_at, 1700000000);
    EXPECT_EQ(out.kind, 1u);
    EXPECT_TRUE(out.tags.empty());
    EXPECT_EQ(out.content, "hello nostr");
    EXPECT_EQ(out.json, event_.json);
    EXPECT_EQ(nostr::verify_event(out), "");
}

TEST_F(EventParserTest, UppercaseHexIsRejected) {
    RawEvent id = raw_, pubkey = raw_, sig = raw_;
    id.id = upper(*id.id);
    pubkey.pubkey = upper(*pubkey.pubkey);
    sig.sig = upper(*sig.sig);
    ASSERT_NE(*id.id, *raw_.id);
    ASSERT_NE(*pubkey.pubkey, *raw_.pubkey);
    ASSERT_NE(*sig.sig, *raw_.sig);
    std::string error = parse_error(id.json());
    EXPECT_THAT(error, StartsWith("invalid: "));
    EXPECT_THAT(error, HasSubstr("'id'"));
    EXPECT_THAT(error, HasSubstr("lowercase hex"));
    error = parse_error(pubkey.json());
    EXPECT_THAT(error, StartsWith("invalid: "));
    EXPECT_THAT(error, HasSubstr("'pubkey'"));
    error = parse_error(sig.json());
    EXPECT_THAT(error, StartsWith("invalid: "));
    EXPECT_THAT(error, HasSubstr("'sig'"));
}

TEST_F(EventParserTest, WrongHexLengthsAreRejected) {
    struct Case {
        std::optional<std::string> RawEvent::*field;
        const char* name;
        size_t length;
    };
    const Case cases[] = {
        {&RawEvent::id, "'id'", 64},
        {&RawEvent::pubkey, "'pubkey'", 64},
        {&RawEvent::sig, "'sig'", 128},
    };
    for (const auto& c : cases) {
        std::string hex = (raw_.*c.field)->substr(1, c.length);
        for (std::string bad : {hex.substr(0, c.length - 1), hex.substr(0, c.length - 2), hex + "0",
                                hex + "00", std::string()}) {
            SCOPED_TRACE(std::string(c.name) + " = \"" + bad + "\"");
            RawEvent broken = raw_;
            broken.*c.field = '"' + bad + '"';
            std::string error = parse_error(broken.json());
            EXPECT_THAT(error, StartsWith("invalid: "));
            EXPECT_THAT(error, HasSubstr(c.name));
        }
        RawEvent not_hex = raw_;
        not_hex.*c.field = '"' + std::string(c.length - 1, 'a') + "g\"";
        EXPECT_THAT(parse_error(not_hex.json()), HasSubstr(c.name));
        RawEvent number = raw_;
        number.*c.field = "12";
        EXPECT_THAT(parse_error(number.json()), HasSubstr(c.name));
        RawEvent missing = raw_;
        missing.*c.field = std::nullopt;
        EXPECT_THAT(parse_error(missing.json()), HasSubstr(c.name));
    }
}

TEST_F(EventParserTest, CreatedAtMustBeANonNegativeInteger) {
    for (const char* bad : {"1.5", "1700000000.0", "1.7e9", "-1", "\"1700000000\"", "null", "true",
                            "18446744073709551615"}) {
        SCOPED_TRACE(bad);
        RawEvent broken = raw_;
        broken.created_at = bad;
        std::string error = parse_error(broken.json());
        EXPECT_THAT(error, StartsWith("invalid: "));
        EXPECT_THAT(error, HasSubstr("'created_at'"));
    }
    RawEvent missing = raw_;
    missing.created_at = std::nullopt;
    EXPECT_THAT(parse_error(missing.json()), HasSubstr("'created_at'"));
}

TEST_F(EventParserTest, CreatedAtZeroIsAccepted) {
    nostr::Event event = make_event(test_key(1), 1, 0);
    nostr::Event out = parse_ok(event.json);
    EXPECT_EQ(out.created_at, 0);
    EXPECT_EQ(nostr::verify_event(out), "");
}

TEST_F(EventParserTest, KindMustBeAnIntegerFrom0To65535) {
    for (const char* bad : {"65536", "-1", "1.5", "1.0", "1e3", "\"1\"", "null", "4294967297"}) {
        SCOPED_TRACE(bad);
        RawEvent broken = raw_;
        broken.kind = bad;
        std::string error = parse_error(broken.json());
        EXPECT_THAT(error, StartsWith("invalid: "));
        EXPECT_THAT(error, HasSubstr("'kind'"));
    }
    RawEvent missing = raw_;
    missing.kind = std::nullopt;
    EXPECT_THAT(parse_error(missing.json()), HasSubstr("'kind'"));
}

TEST_F(EventParserTest, KindBoundariesAreAccepted) {
    for (uint32_t kind : {0u, 65535u}) {
        nostr::Event event = make_event(test_key(1), kind, 1700000000);
        nostr::Event out = parse_ok(event.json);
        EXPECT_EQ(out.kind, kind);
        EXPECT_EQ(nostr::verify_event(out), "");
    }
}

TEST_F(EventParserTest, TagsMustBeAnArrayOfArraysOfStrings) {
    for (const char* bad : {"{}", "\"e\"", "null", "[\"e\"]", "[{}]", "[[\"e\"],\"p\"]", "[[1]]",
                            "[[\"e\",null]]", "[[\"e\",1]]", "[[\"e\",[\"x\"]]]"}) {
        SCOPED_TRACE(bad);
        RawEvent broken = raw_;
        broken.tags = bad;
        std::string error = parse_error(broken.json());
        EXPECT_THAT(error, StartsWith("invalid: "));
        EXPECT_THAT(error, HasSubstr("tag"));
    }
    RawEvent missing = raw_;
    missing.tags = std::nullopt;
    std::string error = parse_error(missing.json());
    EXPECT_THAT(error, StartsWith("invalid: "));
    EXPECT_THAT(error, HasSubstr("'tags'"));
}

TEST_F(EventParserTest, ContentMustBeAString) {
    for (std::optional<std::string> bad :
         {std::optional<std::string>(), std::optional<std::string>("1"),
          std::optional<std::string>("null"), std::optional<std::string>("[\"x\"]")}) {
        SCOPED_TRACE(bad.value_or("(missing)"));
        RawEvent broken = raw_;
        broken.content = bad;
        std::string error = parse_error(broken.json());
        EXPECT_THAT(error, StartsWith("invalid: "));
        EXPECT_THAT(error, HasSubstr("'content'"));
    }
}

TEST_F(EventParserTest, MalformedJsonAndNonObjectsAreRejected) {
    EXPECT_EQ(parse_error(""), "invalid: malformed JSON");
    EXPECT_EQ(parse_error(event_.json.substr(0, event_.json.size() - 1)),
              "invalid: malformed JSON");
    EXPECT_EQ(parse_error(event_.json + "x"), "invalid: malformed JSON");
    for (const char* not_object : {"[]", "\"event\"", "42", "null"}) {
        std::string error = parse_error(not_object);
        EXPECT_THAT(error, StartsWith("invalid: ")) << not_object;
        EXPECT_THAT(error, HasSubstr("object")) << not_object;
    }
}

TEST_F(EventParserTest, TamperedContentFailsTheIdCheck) {
    RawEvent tampered = raw_;
    tampered.content = "\"hello nostr!\"";
    nostr::Event out = parse_ok(tampered.json());
    std::string verdict = nostr::verify_event(out);
    EXPECT_THAT(verdict, StartsWith("invalid: "));
    EXPECT_THAT(verdict, HasSubstr("id"));
}

TEST_F(EventParserTest, TamperedFieldsCoveredByTheIdFailTheIdCheck) {
    RawEvent created_at = raw_, kind = raw_, tags = raw_, pubkey = raw_;
    created_at.created_at = "1700000001";
    kind.kind = "2";
    tags.tags = R"([["t","x"]])";
    pubkey.pubkey = '"' + nostr::to_hex(test_key(2).pubkey) + '"';
    for (const RawEvent& r : {created_at, kind, tags, pubkey}) {
        nostr::Event out = parse_ok(r.json());
        EXPECT_THAT(nostr::verify_event(out), HasSubstr("id does not match")) << r.json();
    }
}

TEST_F(EventParserTest, TamperedSignatureFailsVerification) {
    for (size_t position : {0u, 63u, 64u, 127u}) {
        std::string sig_hex = raw_.sig->substr(1, 128);
        sig_hex[position] = sig_hex[position] == '0' ? '1' : '0';
        RawEvent tampered = raw_;
        tampered.sig = '"' + sig_hex + '"';
        nostr::Event out = parse_ok(tampered.json());
        std::string verdict = nostr::verify_event(out);
        EXPECT_THAT(verdict, StartsWith("invalid: ")) << position;
        EXPECT_THAT(verdict, HasSubstr("signature")) << position;
    }
}

TEST_F(EventParserTest, SignatureOfAnotherKeyFailsVerification) {
    // Correct id for the claimed pubkey, but signed with a different secret.
    nostr::Event event = make_event(test_key(1), 1, 1700000000, {}, "x");
    nostr::Event impostor = event;
    nostr::Bytes32 aux{};
    impostor.sig = nostr::sign_schnorr(test_key(2), event.id, &aux);
    impostor.json = nostr::serialize_event(impostor);
    nostr::Event out = parse_ok(impostor.json);
    EXPECT_THAT(nostr::verify_event(out), HasSubstr("signature"));
}

TEST_F(EventParserTest, JsonRoundTripIsIdentity) {
    nostr::Event event = make_event(
        test_key(5), 30023, 1712345678,
        {{"d", "article-1"}, {"e", std::string(64, 'a'), "wss://relay.example", "reply"}, {"-"}},
        "multi\nline \"quoted\" \\ text \xc3\xa9");
    nostr::Event out = parse_ok(event.json);
    EXPECT_EQ(out.json, event.json);
    EXPECT_EQ(out.tags, event.tags);
    EXPECT_EQ(out.content, event.content);
    EXPECT_EQ(nostr::serialize_event(out), event.json);
    nostr::Event again = parse_ok(out.json);
    EXPECT_EQ(again.json, event.json);
    EXPECT_EQ(nostr::verify_event(again), "");
}

TEST_F(EventParserTest, WhitespaceAndFieldOrderAreNormalizedInJson) {
    std::string json = "{\n  \"sig\": " + *raw_.sig + ",\n  \"content\": " + *raw_.content +
                       ",\n  \"tags\": [ ],\n  \"kind\": 1,\n  \"created_at\": 1700000000,\n"
                       "  \"pubkey\": " +
                       *raw_.pubkey + ",\n  \"id\": " + *raw_.id + "\n}";
    nostr::Event out = parse_ok(json);
    EXPECT_EQ(out.json, event_.json);
    EXPECT_EQ(nostr::verify_event(out), "");
}

TEST(ReadEventKind, ReadsOnlyTheKind) {
    uint32_t kind = 0;
    EXPECT_TRUE(nostr::read_event_kind(make_event(test_key(1), 1059, 1700000000).json, kind));
    EXPECT_EQ(kind, 1059u);
    EXPECT_TRUE(nostr::read_event_kind(R"({"kind":0})", kind));
    EXPECT_EQ(kind, 0u);
    for (const char* json : {R"({"kind":65536})", R"({"kind":-1})", R"({"kind":"1"})", R"({})",
                             R"([1])", "{"})
        EXPECT_FALSE(nostr::read_event_kind(json, kind)) << json;
}

}  // namespace
