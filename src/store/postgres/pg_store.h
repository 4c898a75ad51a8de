// The PostgreSQL store: the same Store contract and rules as the embedded LMDB store, for
// deployments where several processes share one database (a write URL, and optionally a
// read replica for queries). libpq stays behind this header.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace store {

namespace pg {
class Pool;
}

struct PgStoreOptions {
    std::string write_url;             // DATABASE_URL: writes, migrations
    std::string read_url;              // DATABASE_READ_URL: queries and counts; "" = write_url
    size_t read_pool_size = 4;         // connections for queries (they run in parallel)
    size_t write_pool_size = 2;        // put() is serialized by the database anyway
    int statement_timeout_ms = 10000;  // bounds every statement of every connection
    int connect_timeout_s = 10;
};

struct PgMigrationReport {
    struct Applied {
        int version;
        std::string name;
    };
    std::vector<Applied> applied;  // applied by this call, in order
    int schema_version = 0;        // the database's version afterwards
};

class PgStore final : public Store {
  public:
    // Connects, applies pending migrations and returns the store. Throws std::runtime_error
    // when the database cannot be reached or migrated.
    static std::unique_ptr<Store> open(const PgStoreOptions& options);
    // Applies pending migrations only (`nostpp migrate`).
    static PgMigrationReport migrate(const PgStoreOptions& options);
    ~PgStore() override;

    // Database failures give PutOutcome::error for every event of the batch; nothing throws.
    using Store::put;
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<PutResult>& results,
                 const Decided& decided) override;
    // Database failures throw std::runtime_error from the read-side methods.
    uint64_t query(const std::vector<nostr::Filter>& filters, const QueryOptions& options,
                   const EventSink& sink) override;
    uint64_t count(const std::vector<nostr::Filter>& filters, int64_t now, HyperLogLog* hll,
                   int hll_offset) override;
    size_t purge_expired(int64_t now) override;
    bool erase(const nostr::Bytes32& id) override;
    uint64_t size() override;
    void put_setting(std::string_view name, std::string_view value) override;
    std::optional<std::string> get_setting(std::string_view name) override;

    // Exchanges with the server so far (each one statement, or one pipeline of several).
    struct Stats {
        uint64_t write_round_trips = 0;
        uint64_t read_round_trips = 0;
    };
    Stats stats() const;

  private:
    explicit PgStore(const PgStoreOptions& options);

    std::unique_ptr<pg::Pool> write_pool_;
    std::unique_ptr<pg::Pool> read_pool_;
};

}  // namespace store
