#include "store/lmdb/lmdb_migrate.h"

#include <stdexcept>
#include <string>

#include "store/lmdb/lmdb_index_batch.h"
#include "store/lmdb/lmdb_index_entries.h"
#include "store/lmdb/lmdb_keys.h"
#include "store/lmdb/lmdb_record.h"

namespace store::lmdb {
namespace {

constexpr std::string_view kLayoutKey = "layout";

// Layout 1 kept each record under its id, in this table, and its index values empty.
constexpr const char* kLayout1Records = "events";
// Layouts 1 and 2 ended index keys in ~created_at (8 bytes) + id (32 bytes).
constexpr size_t kLayout1SuffixSize = 40;
// Index edits held in memory at a time while the indexes are rebuilt.
constexpr size_t kRebuildChunk = 500000;

// Gives every layout-1 record a sequence number, oldest first as a live store would have
// numbered them (recent events then share pages), and returns how many there were.
uint64_t move_records(Txn& txn, const Tables& tables, MDB_dbi old_records) {
    uint64_t seq = 0;
    auto move = [&](std::string_view id, std::string_view record) {
        std::string key = seq_key(++seq);
        txn.put(tables.ids, id, key);
        txn.append(tables.records, key, record);
    };
    {
        // idx_created runs newest first; walked backwards it is the store's history in order.
        Cursor by_time(txn, tables.idx_created);
        std::string_view key, value, record;
        for (bool ok = by_time.last(key, value); ok; ok = by_time.prev(key, value)) {
            if (key.size() != kLayout1SuffixSize) continue;
            std::string_view id = key.substr(8);
            if (txn.get(old_records, id, record)) move(id, record);
        }
    }
    // Every layout-1 record had its idx_created entry; any without one still moves, last.
    Cursor by_id(txn, old_records);
    std::string_view id, record, seen;
    for (bool ok = by_id.first(id, record); ok; ok = by_id.next(id, record))
        if (!txn.get(tables.ids, id, seen)) move(id, record);
    return seq;
}

}  // namespace

void rebuild_indexes(Txn& txn, const Tables& tables, size_t chunk) {
    for (MDB_dbi index : {tables.idx_created, tables.idx_pubkey, tables.idx_kind,
                          tables.idx_pubkey_kind, tables.idx_tag})
        check(mdb_drop(txn.get(), index, 0), "mdb_drop");
    IndexBatch batch;
    Cursor records(txn, tables.records);
    std::string_view key, bytes;
    for (bool ok = records.first(key, bytes); ok; ok = records.next(key, bytes)) {
        RecordView record(bytes);
        for_each_index_key(tables, record, record.id(), read_be64(key.data()),
                           [&](MDB_dbi dbi, std::string index_key) {
                               batch.put(dbi, std::move(index_key));
                           });
        // The records cursor stays valid while other tables change in this transaction.
        if (batch.size() >= chunk) batch.apply(txn);
    }
    batch.apply(txn);
}

namespace {

// A nostpp of layout 1 opens its records table by this name with MDB_CREATE. A plain key of
// that name in LMDB's main table makes that open fail (MDB_INCOMPATIBLE): an older nostpp
// refuses a newer store instead of serving it as empty and writing index entries this
// layout cannot read.
void fence_off_layout1(Txn& txn) {
    MDB_dbi main_table;
    check(mdb_dbi_open(txn.get(), nullptr, 0, &main_table), "mdb_dbi_open");
    txn.put(main_table, kLayout1Records,
            "nostpp LMDB layout " + std::to_string(kLayoutVersion) +
                ": open it with a nostpp that reads this layout");
}

}  // namespace

uint64_t migrate_layout(Txn& txn, const Tables& tables, const MigrationNotice& notice) {
    // The layout found: 2 says so in `meta`; layout 1 wrote no entry but has its records table
    // (from layout 2 on, that name is the fence below); a new store has neither.
    uint32_t from = 0;
    std::string_view stored;
    MDB_dbi old_records = 0;
    if (txn.get(tables.meta, kLayoutKey, stored)) {
        if (stored.size() != 4) throw std::runtime_error("this store's layout entry is damaged");
        from = read_be32(stored.data());
        if (from > kLayoutVersion)
            throw std::runtime_error("this store has layout " + std::to_string(from) +
                                     ", written by a newer nostpp; this one reads up to layout " +
                                     std::to_string(kLayoutVersion));
        if (from == kLayoutVersion) return 0;
        if (from != 2)
            throw std::runtime_error("this store's layout entry says " + std::to_string(from) +
                                     ", which no nostpp wrote");
    } else {
        int rc = mdb_dbi_open(txn.get(), kLayout1Records, 0, &old_records);
        if (rc == MDB_SUCCESS) from = 1;
        else if (rc != MDB_NOTFOUND) check(rc, "mdb_dbi_open");
    }
    uint64_t converted = 0;
    if (from != 0) {
        MDB_stat stat;
        check(mdb_stat(txn.get(), from == 1 ? old_records : tables.records, &stat), "mdb_stat");
        if (notice)
            notice("converting the store from layout " + std::to_string(from) + " to layout " +
                   std::to_string(kLayoutVersion) + " (" + std::to_string(stat.ms_entries) +
                   " events); this happens once");
        converted = stat.ms_entries;
        if (from == 1) {
            converted = move_records(txn, tables, old_records);
            check(mdb_drop(txn.get(), old_records, 1), "mdb_drop");
            std::string last;
            append_be64(last, converted);
            txn.put(tables.meta, kLastRecordKey, last);
        }
        rebuild_indexes(txn, tables, kRebuildChunk);
    }
    fence_off_layout1(txn);
    std::string layout;
    append_be32(layout, kLayoutVersion);
    txn.put(tables.meta, kLayoutKey, layout);
    return converted;
}

}  // namespace store::lmdb
