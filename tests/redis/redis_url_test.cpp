// Parsing redis:// and unix:// URLs, and keeping passwords out of anything printable.
#include <gtest/gtest.h>

#include "bus/redis_message.h"
#include "bus/redis_url.h"
#include "test_events.h"

namespace {

TEST(RedisUrl, DefaultsAndFullForm) {
    bus::RedisUrl plain = bus::parse_redis_url("redis://cache");
    EXPECT_EQ(plain.host, "cache");
    EXPECT_EQ(plain.port, 6379);
    EXPECT_EQ(plain.db, 0);
    EXPECT_EQ(plain.password, "");

    bus::RedisUrl full = bus::parse_redis_url("redis://alice:p%40ss%2Fw0rd@10.0.0.5:6380/3");
    EXPECT_EQ(full.host, "10.0.0.5");
    EXPECT_EQ(full.port, 6380);
    EXPECT_EQ(full.username, "alice");
    EXPECT_EQ(full.password, "p@ss/w0rd");
    EXPECT_EQ(full.db, 3);

    bus::RedisUrl password_only = bus::parse_redis_url("redis://:secret@[::1]:7000/");
    EXPECT_EQ(password_only.host, "::1");
    EXPECT_EQ(password_only.port, 7000);
    EXPECT_EQ(password_only.username, "");
    EXPECT_EQ(password_only.password, "secret");

    bus::RedisUrl unix_socket = bus::parse_redis_url("unix:///run/redis.sock?db=2&password=pw");
    EXPECT_EQ(unix_socket.unix_path, "/run/redis.sock");
    EXPECT_EQ(unix_socket.db, 2);
    EXPECT_EQ(unix_socket.password, "pw");
}

TEST(RedisUrl, UnescapedSpecialCharactersInPassword) {
    bus::RedisUrl url = bus::parse_redis_url("redis://:a/b@c@host:1/4");
    EXPECT_EQ(url.password, "a/b@c");
    EXPECT_EQ(url.host, "host");
    EXPECT_EQ(url.db, 4);
    EXPECT_EQ(bus::redact_redis_url("redis://:a/b@c@host:1/4"), "redis://:***@host:1/4");
}

TEST(RedisUrl, RejectsBadInputWithoutEchoingThePassword) {
    for (const char* bad : {"http://x", "redis://:topsecret@host:99999", "redis://:topsecret@h/x",
                            "rediss://:topsecret@host", "redis://:top%zzsecret@host", "unix://"}) {
        try {
            bus::parse_redis_url(bad);
            ADD_FAILURE() << "accepted " << bus::redact_redis_url(bad);
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
        }
    }
}

TEST(RedisUrl, Redaction) {
    EXPECT_EQ(bus::redact_redis_url("redis://u:pw@h:1/0"), "redis://u:***@h:1/0");
    EXPECT_EQ(bus::redact_redis_url("redis://:pw@h"), "redis://:***@h");
    EXPECT_EQ(bus::redact_redis_url("redis://u@h"), "redis://u@h");
    EXPECT_EQ(bus::redact_redis_url("redis://h:6379"), "redis://h:6379");
    EXPECT_EQ(bus::redact_redis_url("unix:///s.sock?db=1&password=pw&user=u"),
              "unix:///s.sock?db=1&password=***&user=u");
}

TEST(RedisBusMessage, RoundTripKeepsSeqAndEvent) {
    auto event = std::make_shared<const nostr::Event>(
        test_support::make_event(test_support::test_key(2), 1, 1'700'000'000, {{"t", "x"}}, "hi"));
    for (uint64_t seq : {uint64_t{0}, uint64_t{12345}, bus::kEphemeralSeq}) {
        std::string message = bus::encode_bus_message({event, seq});
        EXPECT_EQ(message, std::to_string(seq) + " " + event->json);
        auto decoded = bus::decode_bus_message(message);
        ASSERT_TRUE(decoded);
        EXPECT_EQ(decoded->commit_seq, seq);
        EXPECT_EQ(decoded->event->id, event->id);
        EXPECT_EQ(decoded->event->json, event->json);
    }
    EXPECT_FALSE(bus::decode_bus_message("18446744073709551616 " + event->json));  // > u64
    EXPECT_FALSE(bus::decode_bus_message("1 " + event->json.substr(1)));
    EXPECT_FALSE(bus::decode_bus_message(""));
}

}  // namespace
