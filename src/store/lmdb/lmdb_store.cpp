#include "store/lmdb/lmdb_store.h"

#include <filesystem>

#include "store/lmdb/lmdb_handle.h"
#include "store/lmdb/lmdb_keys.h"
#include "store/lmdb/lmdb_migrate.h"
#include "store/lmdb/lmdb_query.h"
#include "store/lmdb/lmdb_writer.h"

namespace store {
namespace {
using lmdb::check;
constexpr std::string_view kCommitSeqKey = "commit_seq";

uint64_t read_commit_seq(const lmdb::Txn& txn, MDB_dbi meta) {
    std::string_view value;
    return txn.get(meta, kCommitSeqKey, value) ? lmdb::read_be64(value.data()) : 0;
}
void open_tables(lmdb::Txn& txn, lmdb::Tables& t) {
    auto open_db = [&](const char* name, MDB_dbi& dbi) {
        check(mdb_dbi_open(txn.get(), name, MDB_CREATE, &dbi), "mdb_dbi_open");
    };
    open_db("ids", t.ids);
    open_db("records", t.records);
    open_db("idx_created", t.idx_created);
    open_db("idx_pubkey", t.idx_pubkey);
    open_db("idx_kind", t.idx_kind);
    open_db("idx_pubkey_kind", t.idx_pubkey_kind);
    open_db("idx_tag", t.idx_tag);
    open_db("idx_expiration", t.idx_expiration);
    open_db("replaceable", t.replaceable);
    open_db("deleted_ids", t.deleted_ids);
    open_db("deleted_addrs", t.deleted_addrs);
    open_db("meta", t.meta);
    open_db("settings", t.settings);
}
}  // namespace

std::unique_ptr<LmdbStore> LmdbStore::open(const std::string& data_dir, uint64_t map_size_bytes,
                                           const lmdb::MigrationNotice& notice) {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) throw std::runtime_error("cannot create data directory " + data_dir + ": " + ec.message());
    MDB_env* env = nullptr;
    check(mdb_env_create(&env), "mdb_env_create");
    try {
        check(mdb_env_set_maxdbs(env, 16), "mdb_env_set_maxdbs");
        check(mdb_env_set_mapsize(env, map_size_bytes), "mdb_env_set_mapsize");
        check(mdb_env_set_maxreaders(env, 256), "mdb_env_set_maxreaders");
        // NOTLS: read transactions are not tied to threads (queries run on a pool).
        // Default sync flags: a commit returns only once the data is on disk.
        check(mdb_env_open(env, data_dir.c_str(), MDB_NOTLS | MDB_NORDAHEAD, 0644),
              "mdb_env_open");
    } catch (...) {
        mdb_env_close(env);
        throw;
    }
    std::unique_ptr<LmdbStore> store(new LmdbStore(env));
    try {
        lmdb::Txn txn(env, false);
        open_tables(txn, store->tables_);
        lmdb::migrate_layout(txn, store->tables_, notice);
        txn.commit();
    } catch (const lmdb::LmdbError& e) {
        if (e.code != MDB_MAP_FULL) throw;
        throw std::runtime_error(
            "the LMDB map is too small to open the store (converting a store written by an older "
            "nostpp writes every record and index entry again before it frees the old ones): "
            "raise --lmdb-map-size (LMDB_MAP_SIZE), e.g. to twice the size of data.mdb, and "
            "start again; nothing was changed");
    }
    // Reader slots of crashed processes would otherwise pin old pages forever.
    int dead = 0;
    mdb_reader_check(env, &dead);
    return store;
}

LmdbStore::LmdbStore(MDB_env* env) : env_(env) {}

LmdbStore::~LmdbStore() { mdb_env_close(env_); }

uint64_t LmdbStore::put(std::span<const nostr::Event* const> batch, std::vector<PutResult>& results,
                        const Decided& decided) {
    results.clear();
    try {
        lmdb::Txn txn(env_, false);
        lmdb::EventWriter writer(txn, tables_);
        for (const nostr::Event* event : batch) results.push_back(writer.put(*event));
        uint64_t seq = read_commit_seq(txn, tables_.meta) + 1;
        std::string value;
        lmdb::append_be64(value, seq);
        txn.put(tables_.meta, kCommitSeqKey, value);
        writer.commit([&] {
            if (decided) decided(seq);
        });
        return seq;
    } catch (const std::exception& e) {
        results.assign(batch.size(), PutResult{PutOutcome::error,
                                               std::string("error: could not store event: ") + e.what()});
        return 0;
    }
}

uint64_t LmdbStore::query(const std::vector<nostr::Filter>& filters, const QueryOptions& options,
                          const EventSink& sink) {
    lmdb::Txn txn(env_, true);
    uint64_t seq = read_commit_seq(txn, tables_.meta);
    lmdb::QueryScan scan(txn, tables_, filters, options.max_limit, options.default_limit,
                         options.now);
    lmdb::Match match;
    while (scan.next(match))
        if (!sink(match.record.json())) break;
    return seq;
}

uint64_t LmdbStore::count(const std::vector<nostr::Filter>& filters, int64_t now, HyperLogLog* hll,
                          int hll_offset) {
    lmdb::Txn txn(env_, true);
    std::vector<nostr::Filter> unlimited = filters;
    for (auto& filter : unlimited) filter.limit.reset();
    lmdb::QueryScan scan(txn, tables_, unlimited, UINT64_MAX, UINT64_MAX, now);
    lmdb::Match match;
    uint64_t total = 0;
    if (hll) hll->fill(0);
    while (scan.next(match)) {
        ++total;
        if (!hll) continue;
        // NIP-45: register index from the byte at `offset`, value = leading zero bits
        // after it, plus one.
        const auto& pk = match.record.pubkey();
        uint8_t index = pk[hll_offset];
        uint8_t rank = 1;
        for (int byte = hll_offset + 1; byte < 32; ++byte) {
            if (pk[byte] == 0) {
                rank += 8;
                continue;
            }
            rank += static_cast<uint8_t>(__builtin_clz(pk[byte]) - 24);
            break;
        }
        if (rank > (*hll)[index]) (*hll)[index] = rank;
    }
    return total;
}

size_t LmdbStore::purge_expired(int64_t now) {
    lmdb::Txn txn(env_, false);
    std::vector<nostr::Bytes32> expired;
    {
        lmdb::Cursor cursor(txn, tables_.idx_expiration);
        std::string_view key, value;
        for (bool ok = cursor.first(key, value); ok; ok = cursor.next(key, value)) {
            if (static_cast<int64_t>(lmdb::read_be64(key.data())) > now) break;
            nostr::Bytes32 id;
            std::copy(key.begin() + 8, key.begin() + 40, id.begin());
            expired.push_back(id);
        }
    }
    lmdb::EventWriter writer(txn, tables_);
    size_t removed = 0;
    for (const auto& id : expired) removed += writer.erase(id) ? 1 : 0;
    writer.commit();
    return removed;
}

bool LmdbStore::erase(const nostr::Bytes32& id) {
    lmdb::Txn txn(env_, false);
    lmdb::EventWriter writer(txn, tables_);
    bool erased = writer.erase(id);
    writer.commit();
    return erased;
}

uint64_t LmdbStore::size() {
    lmdb::Txn txn(env_, true);
    MDB_stat stat;
    check(mdb_stat(txn.get(), tables_.ids, &stat), "mdb_stat");
    return stat.ms_entries;
}

void LmdbStore::put_setting(std::string_view name, std::string_view value) {
    lmdb::Txn txn(env_, false);
    txn.put(tables_.settings, name, value);
    txn.commit();
}

std::optional<std::string> LmdbStore::get_setting(std::string_view name) {
    lmdb::Txn txn(env_, true);
    std::string_view value;
    if (!txn.get(tables_.settings, name, value)) return std::nullopt;
    return std::string(value);
}

}  // namespace store
