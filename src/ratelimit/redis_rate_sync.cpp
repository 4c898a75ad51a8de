#include "ratelimit/redis_rate_sync.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <random>
#include <vector>

#include "bus/redis_connection.h"
#include "bus/redis_retry.h"

namespace ratelimit {
namespace {

constexpr bus::RedisTimeouts kTimeouts{std::chrono::milliseconds(300),
                                       std::chrono::milliseconds(300)};

int64_t unix_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string random_id() {
    std::random_device device;
    std::uniform_int_distribution<uint64_t> any;
    uint64_t value = any(device);
    char text[17];
    auto [end, ec] = std::to_chars(text, text + 16, value, 16);
    return std::string(text, end);
}

template <typename T>
bool parse_number(std::string_view text, T& value) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size();
}

// "<count> <deadline>" written by a process for one address.
bool parse_published(std::string_view text, uint64_t& count, int64_t& deadline) {
    size_t space = text.find(' ');
    return space != std::string_view::npos && parse_number(text.substr(0, space), count) &&
           parse_number(text.substr(space + 1), deadline);
}

std::string_view reply_text(const redisReply* reply) {
    return reply->type == REDIS_REPLY_STRING ? std::string_view(reply->str, reply->len)
                                             : std::string_view();
}

}  // namespace

RedisRateSync::RedisRateSync(RedisRateSyncOptions options, WindowCounts* events,
                             ConnectionCounts* connections, telemetry::MetricsRegistry& metrics,
                             bool start_thread)
    : options_(std::move(options)),
      url_(bus::parse_redis_url(options_.url)),
      events_(events),
      connections_(connections),
      syncs_ok_(metrics.counter("nostpp_rate_limit_syncs_total",
                                "Rounds sharing rate-limit counts through Redis, by result",
                                {{"result", "ok"}})),
      syncs_failed_(metrics.counter("nostpp_rate_limit_syncs_total",
                                    "Rounds sharing rate-limit counts through Redis, by result",
                                    {{"result", "failed"}})),
      sync_seconds_(metrics.histogram("nostpp_rate_limit_sync_seconds",
                                      "Duration of a rate-limit sync round with Redis",
                                      {0.001, 0.005, 0.025, 0.1, 0.5, 2})),
      outage_(std::make_unique<bus::OutageLog>("rate-limit sync",
                                               bus::redact_redis_url(options_.url))) {
    if (options_.process_id.empty()) options_.process_id = random_id();
    if (start_thread) thread_ = std::thread([this] { run(); });
}

RedisRateSync::~RedisRateSync() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (!thread_.joinable()) return;
    thread_.join();
    // A last round, so the other processes stop counting connections that were closed at
    // shutdown now rather than at their deadline (a killed process gets no such round).
    sync_once();
}

void RedisRateSync::run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
        lock.unlock();
        sync_once();
        lock.lock();
    }
}

void RedisRateSync::connect() {
    if (connection_ && !connection_->broken()) return;
    connection_.reset();
    connection_ = std::make_unique<bus::RedisConnection>(url_, kTimeouts);
    outage_->recovered();
}

bool RedisRateSync::sync_once() {
    const auto started = std::chrono::steady_clock::now();
    const int64_t now = unix_seconds();
    std::vector<WindowCounts::Pending> events;
    std::vector<ConnectionCounts::Local> connections;
    if (events_) events = events_->begin_sync(now);
    if (connections_) connections = connections_->begin_sync();
    if (events.empty() && connections.empty()) return true;
    try {
        connect();
        // Everything in one pipelined round trip.
        append_events(events);
        append_connections(connections, now);
        std::vector<uint64_t> totals = read_event_totals(events.size());
        if (events_) events_->finish_sync(events, totals);
        events.clear();  // counted in Redis: not to be given back if the rest fails
        read_connections(connections, now);
    } catch (const std::exception& e) {
        connection_.reset();
        if (events_) events_->abandon_sync(events);
        if (connections_) connections_->abandon_sync(connections);
        outage_->failed(e.what());
        syncs_failed_.inc();
        return false;
    }
    syncs_ok_.inc();
    sync_seconds_.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return true;
}

void RedisRateSync::append_events(const std::vector<WindowCounts::Pending>& events) {
    if (events.empty()) return;
    const std::string ttl = std::to_string(2 * events_->window_seconds());
    for (const auto& p : events) {
        std::string key = options_.key_prefix + "ev:" + p.key + ":" + std::to_string(p.window);
        connection_->append({"INCRBY", key, std::to_string(p.delta)});
        connection_->append({"EXPIRE", key, ttl});
    }
}

void RedisRateSync::append_connections(const std::vector<ConnectionCounts::Local>& connections,
                                       int64_t now) {
    const std::string deadline = std::to_string(now + options_.connection_ttl.count());
    const std::string hash_ttl = std::to_string(2 * options_.connection_ttl.count());
    for (const auto& l : connections) {
        std::string key = options_.key_prefix + "conn:" + l.key;
        if (l.connections > 0)
            connection_->append(
                {"HSET", key, options_.process_id, std::to_string(l.connections) + " " + deadline});
        else
            connection_->append({"HDEL", key, options_.process_id});
        connection_->append({"EXPIRE", key, hash_ttl});
        connection_->append({"HGETALL", key});
    }
}

std::vector<uint64_t> RedisRateSync::read_event_totals(size_t count) {
    std::vector<uint64_t> totals;
    totals.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        bus::RedisReplyPtr total = connection_->read_reply();
        connection_->read_reply();  // EXPIRE
        totals.push_back(total->type == REDIS_REPLY_INTEGER ? uint64_t(total->integer) : 0);
    }
    return totals;
}

void RedisRateSync::read_connections(const std::vector<ConnectionCounts::Local>& connections,
                                     int64_t now) {
    std::vector<std::pair<std::string, std::string>> stale;  // key, field
    for (const auto& l : connections) {
        connection_->read_reply();  // HSET / HDEL
        connection_->read_reply();  // EXPIRE
        bus::RedisReplyPtr fields = connection_->read_reply();
        uint64_t others = 0;
        for (size_t i = 0; fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements; i += 2) {
            std::string_view field = reply_text(fields->element[i]);
            if (field == options_.process_id) continue;
            uint64_t count = 0;
            int64_t deadline = 0;
            if (parse_published(reply_text(fields->element[i + 1]), count, deadline) &&
                deadline > now)
                others += count;
            else
                stale.emplace_back(options_.key_prefix + "conn:" + l.key, std::string(field));
        }
        connections_->set_others(l.key, others);
    }
    // Fields of processes that stopped refreshing them (killed): nobody counts them any more;
    // deleting them keeps the hashes small.
    for (const auto& [key, field] : stale) connection_->append({"HDEL", key, field});
    for (size_t i = 0; i < stale.size(); ++i) connection_->read_reply();
}

}  // namespace ratelimit
