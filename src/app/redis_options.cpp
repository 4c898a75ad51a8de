#include "app/redis_options.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "bus/local_bus.h"
#include "bus/redis_bus.h"
#include "bus/redis_url.h"
#include "store/cached_store.h"
#include "telemetry/metrics.h"

namespace app {

void add_redis_options(CLI::App& command, RedisSettings& settings, bool cache_options) {
    command
        .add_option("--redis-url", settings.url,
                    "Redis for live events across processes (redis://[:password@]host:port[/db])" +
                        std::string(cache_options ? " and the query cache" : ""))
        ->envname("REDIS_URL");
    command.add_option("--redis-channel", settings.channel, "Redis channel carrying live events")
        ->envname("REDIS_CHANNEL");
    if (!cache_options) return;
    command
        .add_option("--query-cache", settings.query_cache,
                    "Cache REQ results in Redis (never stale: writes invalidate them); "
                    "needs --redis-url and PostgreSQL")
        ->envname("QUERY_CACHE");
    command
        .add_option("--query-cache-ttl", settings.query_cache_ttl,
                    "Seconds a cached REQ result lives at most")
        ->envname("QUERY_CACHE_TTL")
        ->check(CLI::Range(1, 86400));
}

std::unique_ptr<bus::Bus> make_bus(const RedisSettings& settings, BusRole role) {
    if (settings.url.empty()) return std::make_unique<bus::LocalBus>();
    bus::RedisBusOptions options;
    options.url = settings.url;
    options.channel = settings.channel;
    options.publish_to_redis = role != BusRole::websocket_handler;
    options.subscribe_to_redis = role != BusRole::event_handler;
    spdlog::info(
        "live events on Redis {} channel {} ({}{})", bus::redact_redis_url(settings.url),
        settings.channel, options.publish_to_redis ? "publish" : "",
        options.subscribe_to_redis ? (options.publish_to_redis ? "+subscribe" : "subscribe") : "");
    return std::make_unique<bus::RedisBus>(options);
}

std::unique_ptr<store::Store> with_query_cache(std::unique_ptr<store::Store> store,
                                               const RedisSettings& settings,
                                               bool store_is_postgres) {
    if (settings.url.empty() || !settings.query_cache) return store;
    if (!store_is_postgres) {
        spdlog::info("query cache off: the embedded store answers faster than Redis would");
        return store;
    }
    store::CacheOptions options;
    options.url = settings.url;
    options.ttl_seconds = settings.query_cache_ttl;
    spdlog::info("query cache on Redis (ttl {} s)", settings.query_cache_ttl);
    return std::make_unique<store::CachedStore>(std::move(store), options);
}

namespace {
// Brings a Prometheus counter up to a total counted elsewhere (monotonic).
void set_total(telemetry::MetricsRegistry& metrics, std::string_view name, std::string_view help,
               const telemetry::Labels& labels, uint64_t total) {
    telemetry::Counter& counter = metrics.counter(name, help, labels);
    if (total > counter.value()) counter.inc(total - counter.value());
}
}  // namespace

void add_query_cache_metrics(telemetry::MetricsRegistry& metrics, store::Store& store) {
    if (auto* cache = dynamic_cast<store::CachedStore*>(&store)) {
        metrics.add_collector([cache](telemetry::MetricsRegistry& m) {
            store::CacheStats s = cache->stats();
            const char* help = "REQ query cache lookups by result";
            set_total(m, "nostpp_query_cache_total", help, {{"result", "hit"}}, s.hits);
            set_total(m, "nostpp_query_cache_total", help, {{"result", "miss"}}, s.misses);
            set_total(m, "nostpp_query_cache_total", help, {{"result", "bypassed"}}, s.bypassed);
            set_total(m, "nostpp_query_cache_errors_total", "Redis errors seen by the query cache",
                      {}, s.errors);
        });
    }
}

void add_bus_metrics(telemetry::MetricsRegistry& metrics, bus::Bus& bus) {
    if (auto* redis = dynamic_cast<bus::RedisBus*>(&bus)) {
        metrics.add_collector([redis](telemetry::MetricsRegistry& m) {
            bus::RedisBusStats s = redis->stats();
            const char* help = "Live events on the Redis bus, by what happened to them";
            const std::pair<const char*, uint64_t> series[] = {
                {"published", s.published},
                {"publish_dropped", s.publish_dropped},
                {"received", s.received},
                {"duplicate_skipped", s.duplicates_skipped},
                {"malformed", s.malformed}};
            for (const auto& [what, n] : series)
                set_total(m, "nostpp_bus_events_total", help, {{"what", what}}, n);
            set_total(m, "nostpp_bus_reconnects_total", "Redis bus reconnections", {},
                      s.reconnects);
            set_total(m, "nostpp_bus_errors_total",
                      "Redis bus errors: failed connects, lost connections, error replies", {},
                      s.errors);
        });
    }
}

void stop_bus(bus::Bus& bus) {
    if (auto* redis = dynamic_cast<bus::RedisBus*>(&bus)) redis->stop();
}

}  // namespace app
