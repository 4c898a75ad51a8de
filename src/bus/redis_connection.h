// One blocking hiredis connection (RAII): connects with a timeout, logs in (AUTH, SELECT) from
// a RedisUrl, and bounds every read and write by a command timeout, so no caller can hang on
// an unreachable server. Not thread-safe: one thread uses a connection at a time. After any
// I/O error the connection is broken() for good; the owner makes a new one.
#pragma once
#include <chrono>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "bus/redis_url.h"

struct redisContext;
struct redisReply;

namespace bus {

// Connection or protocol failure. The message never contains a password.
class RedisError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RedisTimeouts {
    std::chrono::milliseconds connect{500};
    std::chrono::milliseconds command{500};  // each read or write on the socket
};

struct RedisReplyDeleter {
    void operator()(redisReply* reply) const;
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

class RedisConnection {
public:
    // Throws RedisError when the server cannot be reached or refuses AUTH/SELECT.
    RedisConnection(const RedisUrl& url, RedisTimeouts timeouts);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // Sends one command and waits for its reply. Throws RedisError on I/O failure or when
    // the reply is an error.
    RedisReplyPtr command(std::span<const std::string_view> args);
    RedisReplyPtr command(std::initializer_list<std::string_view> args) {
        return command(std::span<const std::string_view>(args.begin(), args.size()));
    }

    // Pipelining: append() queues commands, read_reply() sends them and returns their replies
    // in order (error replies are returned, not thrown). Throws RedisError on I/O failure.
    void append(std::span<const std::string_view> args);
    void append(std::initializer_list<std::string_view> args) {
        append(std::span<const std::string_view>(args.begin(), args.size()));
    }
    RedisReplyPtr read_reply();
    // Queues a command whose reply nobody waits for (a cache SET: losing it costs only a later
    // miss). The next read_reply() reads and drops such replies before its own, so a later
    // user of the connection never mistakes one for the answer to its command. Not for
    // pub/sub connections (poll_reply does not skip them).
    void append_unawaited(std::span<const std::string_view> args);
    void append_unawaited(std::initializer_list<std::string_view> args) {
        append_unawaited(std::span<const std::string_view>(args.begin(), args.size()));
    }
    // Replies of unawaited commands not read yet.
    size_t unawaited() const { return unawaited_; }
    // Error replies to unawaited commands dropped since the last call.
    uint64_t take_unawaited_errors() { return std::exchange(unawaited_errors_, 0); }

    // Sends what append() queued without waiting for replies.
    void flush();
    // For pub/sub: a reply pushed by the server within `wait`, or nullptr when none came.
    RedisReplyPtr poll_reply(std::chrono::milliseconds wait);

    bool broken() const { return broken_; }

private:
    [[noreturn]] void fail(const char* what);
    redisReply* next_reply();
    redisContext* context_ = nullptr;
    bool broken_ = false;
    size_t unawaited_ = 0;
    uint64_t unawaited_errors_ = 0;
};

// The server's run_id (INFO server): it changes whenever the server restarts. "" when the
// server does not say (INFO denied).
std::string server_run_id(RedisConnection& connection);

}  // namespace bus
