// RedisConnection's unawaited commands against a real Redis: their replies are read and
// dropped before the next command's, so whoever uses the connection next (a pooled
// connection changes hands) gets its own replies, and error replies among them are counted.
#include "bus/redis_connection.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include "redis_test_env.h"

namespace redis_test {
namespace {

std::string text(const bus::RedisReplyPtr& reply) {
    return reply->type == REDIS_REPLY_STRING ? std::string(reply->str, reply->len)
                                             : "<not a string>";
}

TEST_F(RedisTest, UnawaitedRepliesNeverAnswerALaterCommand) {
    auto connection = raw_connection(url_);
    std::string key = unique_name();
    connection->append_unawaited({"SET", key + ":a", "1"});
    connection->append_unawaited({"SET", key + ":b", "2"});
    connection->flush();
    EXPECT_EQ(connection->unawaited(), 2u);
    // A command right after: its reply, not the SETs' "OK".
    EXPECT_EQ(text(connection->command({"GET", key + ":a"})), "1");
    EXPECT_EQ(connection->unawaited(), 0u);
    // Unawaited commands still queued (not flushed) and pipelined reads after them.
    connection->append_unawaited({"INCR", key + ":b"});
    connection->append({"GET", key + ":b"});
    connection->append({"GET", key + ":a"});
    EXPECT_EQ(text(connection->read_reply()), "3");
    EXPECT_EQ(text(connection->read_reply()), "1");
    EXPECT_EQ(connection->take_unawaited_errors(), 0u);
}

TEST_F(RedisTest, UnawaitedErrorRepliesAreCountedNotThrown) {
    auto connection = raw_connection(url_);
    std::string key = unique_name();
    connection->command({"SET", key, "not a number"});
    connection->append_unawaited({"INCR", key});  // ERR value is not an integer
    connection->append_unawaited({"INCR", key});
    connection->flush();
    EXPECT_EQ(text(connection->command({"GET", key})), "not a number");
    EXPECT_EQ(connection->take_unawaited_errors(), 2u);
    EXPECT_EQ(connection->take_unawaited_errors(), 0u);
    EXPECT_FALSE(connection->broken());
}

}  // namespace
}  // namespace redis_test
