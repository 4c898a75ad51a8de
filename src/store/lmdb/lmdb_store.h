// The embedded store: LMDB (memory-mapped B+trees, one writer, lock-free readers), durable
// on commit. See lmdb_keys.h for the index layout and lmdb_query.h for how filters are read.
#pragma once
#include <lmdb.h>

#include <memory>
#include <string>

#include "store/lmdb/lmdb_migrate.h"
#include "store/lmdb/lmdb_tables.h"
#include "store/store.h"

namespace store {

class LmdbStore final : public Store {
public:
    // Opens (creating if needed) the store in `data_dir`, converting a store written by an
    // older nostpp first (`notice` hears of it before it starts). Throws std::runtime_error.
    static std::unique_ptr<LmdbStore> open(const std::string& data_dir, uint64_t map_size_bytes,
                                           const lmdb::MigrationNotice& notice = {});
    ~LmdbStore() override;

    using Store::put;
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<PutResult>& results,
                 const Decided& decided) override;
    uint64_t query(const std::vector<nostr::Filter>& filters, const QueryOptions& options,
                   const EventSink& sink) override;
    uint64_t count(const std::vector<nostr::Filter>& filters, int64_t now, HyperLogLog* hll,
                   int hll_offset) override;
    size_t purge_expired(int64_t now) override;
    bool erase(const nostr::Bytes32& id) override;
    uint64_t size() override;
    void put_setting(std::string_view name, std::string_view value) override;
    std::optional<std::string> get_setting(std::string_view name) override;

private:
    explicit LmdbStore(MDB_env* env);
    MDB_env* env_;
    lmdb::Tables tables_{};
};

}  // namespace store
