#include "bus/redis_connection.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <string>
#include <vector>

namespace bus {
namespace {

// hiredis writes with write(2): a peer that closed the socket would raise SIGPIPE and kill the
// process. While a guard lives, SIGPIPE is blocked in this thread and one raised meanwhile is
// discarded, so the write just fails with EPIPE. The process-wide disposition is untouched.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        was_pending_ = pending();
        pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
    }
    ~SigpipeGuard() {
        if (!was_pending_ && pending()) {
            timespec zero{};
            sigtimedwait(&pipe_, nullptr, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    bool pending() {
        sigset_t set;
        sigpending(&set);
        return sigismember(&set, SIGPIPE) == 1;
    }
    sigset_t pipe_;
    sigset_t previous_;
    bool was_pending_ = false;
};

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000),
                   static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

std::string reply_error(const redisReply* reply) {
    return std::string(reply->str ? reply->str : "error", reply->len);
}

}  // namespace

void RedisReplyDeleter::operator()(redisReply* reply) const {
    freeReplyObject(reply);
}

RedisConnection::RedisConnection(const RedisUrl& url, RedisTimeouts timeouts) {
    timeval connect_timeout = to_timeval(timeouts.connect);
    context_ = url.unix_path.empty()
                   ? redisConnectWithTimeout(url.host.c_str(), url.port, connect_timeout)
                   : redisConnectUnixWithTimeout(url.unix_path.c_str(), connect_timeout);
    if (!context_) throw RedisError("redis: out of memory");
    if (context_->err) {
        std::string error = context_->errstr;
        redisFree(context_);
        throw RedisError("redis: connect failed: " + error);
    }
    try {
        if (redisSetTimeout(context_, to_timeval(timeouts.command)) != REDIS_OK)
            fail("setting the timeout");
        if (url.unix_path.empty()) redisEnableKeepAlive(context_);
        if (!url.password.empty()) {
            if (url.username.empty())
                command({"AUTH", url.password});
            else
                command({"AUTH", url.username, url.password});
        }
        if (url.db != 0) command({"SELECT", std::to_string(url.db)});
    } catch (...) {
        redisFree(context_);
        throw;
    }
}

RedisConnection::~RedisConnection() {
    redisFree(context_);
}

void RedisConnection::fail(const char* what) {
    broken_ = true;
    throw RedisError(std::string("redis: ") + what + ": " +
                     (context_->err ? context_->errstr : "connection lost"));
}

RedisReplyPtr RedisConnection::command(std::span<const std::string_view> args) {
    append(args);
    RedisReplyPtr reply = read_reply();
    if (reply->type == REDIS_REPLY_ERROR) {
        std::string name(args.empty() ? "" : args[0]);
        throw RedisError("redis: " + name + " failed: " + reply_error(reply.get()));
    }
    return reply;
}

void RedisConnection::append(std::span<const std::string_view> args) {
    if (broken_) throw RedisError("redis: connection is broken");
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (auto arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.data(),
                               lengths.data()) != REDIS_OK)
        fail("queueing a command");
}

void RedisConnection::append_unawaited(std::span<const std::string_view> args) {
    append(args);
    ++unawaited_;
}

redisReply* RedisConnection::next_reply() {
    void* reply = nullptr;
    if (redisGetReply(context_, &reply) != REDIS_OK || !reply) fail("reading a reply");
    return static_cast<redisReply*>(reply);
}

RedisReplyPtr RedisConnection::read_reply() {
    if (broken_) throw RedisError("redis: connection is broken");
    SigpipeGuard guard;  // redisGetReply first writes what append() queued
    // Replies come in command order: the unawaited commands' come first.
    for (; unawaited_ > 0; --unawaited_) {
        RedisReplyPtr dropped(next_reply());
        if (dropped->type == REDIS_REPLY_ERROR) ++unawaited_errors_;
    }
    return RedisReplyPtr(next_reply());
}

void RedisConnection::flush() {
    if (broken_) throw RedisError("redis: connection is broken");
    SigpipeGuard guard;
    int done = 0;
    while (!done)
        if (redisBufferWrite(context_, &done) != REDIS_OK) fail("writing");
}

RedisReplyPtr RedisConnection::poll_reply(std::chrono::milliseconds wait) {
    if (broken_) throw RedisError("redis: connection is broken");
    void* reply = nullptr;
    if (redisGetReplyFromReader(context_, &reply) != REDIS_OK) fail("parsing a reply");
    if (reply) return RedisReplyPtr(static_cast<redisReply*>(reply));
    pollfd fd{context_->fd, POLLIN, 0};
    int ready = ::poll(&fd, 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno != EINTR) fail("poll");
    if (ready <= 0) return nullptr;
    if (redisBufferRead(context_) != REDIS_OK) fail("reading");
    if (redisGetReplyFromReader(context_, &reply) != REDIS_OK) fail("parsing a reply");
    return RedisReplyPtr(static_cast<redisReply*>(reply));
}

std::string server_run_id(RedisConnection& connection) {
    connection.append({"INFO", "server"});
    RedisReplyPtr reply = connection.read_reply();
    if (reply->type != REDIS_REPLY_STRING) return {};  // e.g. INFO denied by an ACL
    std::string_view info(reply->str, reply->len);
    size_t pos = info.find("run_id:");
    if (pos == std::string_view::npos) return {};
    info = info.substr(pos + 7);
    return std::string(info.substr(0, info.find_first_of("\r\n")));
}

}  // namespace bus
