#include "app/rate_limit_options.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <stdexcept>

namespace app {

void add_rate_limit_options(CLI::App& command, ratelimit::RateLimits& limits) {
    command
        .add_option("--max-connections-per-ip", limits.connections_per_ip,
                    "WebSocket connections one client address (IPv4, or IPv6 /64) may hold at "
                    "once; more are refused with HTTP 429 (0 = no limit)")
        ->envname("MAX_CONNECTIONS_PER_IP");
    command
        .add_option("--messages-per-second", limits.messages_per_second,
                    "Messages a connection may send per second, on average; more are answered "
                    "'rate-limited:' and not processed (0 = no limit)")
        ->envname("MESSAGES_PER_SECOND");
    command
        .add_option("--message-burst", limits.message_burst,
                    "Messages a connection may send at once before --messages-per-second applies")
        ->envname("MESSAGE_BURST")
        ->check(CLI::PositiveNumber);
    command
        .add_option("--flood-close-after", limits.flood_close_after,
                    "Rate-limited messages in a row after which the connection is closed "
                    "(0 = never close)")
        ->envname("FLOOD_CLOSE_AFTER");
    command
        .add_option("--reqs-per-minute", limits.reqs_per_minute,
                    "REQ and COUNT a connection may send per minute, on average; more are "
                    "answered CLOSED 'rate-limited:' (0 = no limit)")
        ->envname("REQS_PER_MINUTE");
    command
        .add_option("--req-burst", limits.req_burst,
                    "REQ and COUNT a connection may send at once before --reqs-per-minute "
                    "applies")
        ->envname("REQ_BURST")
        ->check(CLI::PositiveNumber);
    static constexpr const char* kClasses[] = {"regular", "replaceable", "ephemeral",
                                               "addressable"};
    static constexpr const char* kEnv[] = {"REGULAR", "REPLACEABLE", "EPHEMERAL", "ADDRESSABLE"};
    for (size_t i = 0; i < 4; ++i)
        command
            .add_option(std::string("--") + kClasses[i] + "-events-per-minute",
                        limits.events_per_minute[i],
                        std::string("Events of ") + kClasses[i] +
                            " kinds one pubkey may publish per minute (checked after the "
                            "signature, answered OK false 'rate-limited:'; 0 = no limit)")
            ->envname(std::string(kEnv[i]) + "_EVENTS_PER_MINUTE");
    command
        .add_option("--rate-limit-sync-ms", limits.sync_interval_ms,
                    "With --redis-url: milliseconds between exchanges of connection and event "
                    "counts with the other processes")
        ->envname("RATE_LIMIT_SYNC_MS")
        ->check(CLI::Range(10u, 60000u));
}

void add_trusted_proxy_options(CLI::App& command, net::IpAccessList& proxies) {
    command
        .add_option_function<std::vector<std::string>>(
            "--trusted-proxies",
            [&proxies](const std::vector<std::string>& values) {
                try {
                    for (const std::string& value : values) proxies.allow(value);
                } catch (const std::invalid_argument& e) {
                    throw CLI::ValidationError("--trusted-proxies", e.what());
                }
            },
            "Reverse proxies (addresses or CIDR ranges, comma/space separated) whose "
            "X-Forwarded-For names the client: its right-most address that is not a trusted "
            "proxy is used for the per-address limits, the IP lists and logs (default: none; "
            "X-Forwarded-For is ignored)")
        ->envname("TRUSTED_PROXIES");
}

RateLimiting start_rate_limiting(const ratelimit::RateLimits& limits, const RedisSettings& redis,
                                 telemetry::MetricsRegistry& metrics, bool connections,
                                 bool events) {
    RateLimiting limiting;
    // Every series from the first scrape, in every role, whichever limits are on.
    ratelimit::RateLimitMetrics register_series(metrics);
    if (connections && limits.connections_per_ip > 0)
        limiting.connections =
            ratelimit::ConnectionCounts::create(limits.connections_per_ip, &metrics);
    if (events) {
        limiting.events =
            std::make_unique<ratelimit::PubkeyBudget>(limits.events_per_minute, metrics);
        if (!limiting.events->enabled()) limiting.events.reset();
    }
    if (!redis.url.empty() && (limiting.connections || limiting.events)) {
        ratelimit::RedisRateSyncOptions options;
        options.url = redis.url;
        options.interval = std::chrono::milliseconds(limits.sync_interval_ms);
        options.key_prefix = redis.channel + ":rl:";
        limiting.sync = std::make_unique<ratelimit::RedisRateSync>(
            options, limiting.events ? &limiting.events->counts() : nullptr,
            limiting.connections.get(), metrics);
        spdlog::info("rate limits shared through Redis every {} ms", limits.sync_interval_ms);
    }
    return limiting;
}

}  // namespace app
