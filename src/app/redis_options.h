// Redis options shared by the roles: --redis-url (live events across processes) and, for the
// roles that own the store, the query cache. Each role says which side of the bus it is on.
#pragma once
#include <memory>
#include <string>

#include "bus/bus.h"
#include "store/store.h"

namespace CLI {
class App;
}
namespace telemetry {
class MetricsRegistry;
}

namespace app {

struct RedisSettings {
    std::string url;  // "" = no Redis: in-process bus only, no query cache
    std::string channel = "nostpp:events";
    bool query_cache = true;
    int query_cache_ttl = 60;
};

// --redis-url, --redis-channel; with `cache_options` also --query-cache, --query-cache-ttl.
void add_redis_options(CLI::App& command, RedisSettings& settings, bool cache_options);

// Which way events cross Redis for a role.
enum class BusRole {
    relay,              // publishes its accepted events and delivers everyone else's
    event_handler,      // publishes only: nothing in the process subscribes
    websocket_handler,  // delivers only: its events come back published by the event handler
};

// A LocalBus without Redis, else a RedisBus for the role.
std::unique_ptr<bus::Bus> make_bus(const RedisSettings& settings, BusRole role);

// Wraps `store` in the Redis query cache when Redis is configured and the cache is on.
// Only for PostgreSQL: the embedded store answers faster than a Redis round trip.
std::unique_ptr<store::Store> with_query_cache(std::unique_ptr<store::Store> store,
                                               const RedisSettings& settings,
                                               bool store_is_postgres);

// Export the query cache's and the Redis bus's counters on /metrics when they are in use
// (`store` is a CachedStore, `bus` a RedisBus). Both must outlive every scrape.
void add_query_cache_metrics(telemetry::MetricsRegistry& metrics, store::Store& store);
void add_bus_metrics(telemetry::MetricsRegistry& metrics, bus::Bus& bus);

// Stops the bus's background threads first when it has any (Redis), so shutdown does not
// wait on an unreachable server.
void stop_bus(bus::Bus& bus);

}  // namespace app
