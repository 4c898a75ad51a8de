#include "store/lmdb/lmdb_migrate.h"

#include <stdexcept>
#include <string>

#include "store/lmdb/lmdb_keys.h"

namespace store::lmdb {
namespace {

constexpr std::string_view kLayoutKey = "layout";

// Layout 1 kept each record under its id, in this table, and its index values empty.
constexpr const char* kLayout1Records = "events";

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
            if (key.size() != kOrderSuffixSize) continue;
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

// Puts the record's sequence number into every entry of an order-suffix index; an entry whose
// event is missing (never written by layout 1, but cheap to tolerate) is dropped.
void fill_index_values(Txn& txn, const Tables& tables, MDB_dbi index) {
    Cursor cursor(txn, index);
    std::string_view key, value;
    bool ok = cursor.first(key, value);
    while (ok) {
        std::string_view seq;
        if (key.size() >= kOrderSuffixSize &&
            txn.get(tables.ids, key.substr(key.size() - 32), seq)) {
            std::string seq_copy(seq), key_copy(key);
            cursor.replace_current(key_copy, seq_copy);
            ok = cursor.next(key, value);
        } else {
            ok = cursor.erase_and_next(key, value);
        }
    }
}

// A nostpp of layout 1 opens its records table by this name with MDB_CREATE. A plain key of
// that name in LMDB's main table makes that open fail (MDB_INCOMPATIBLE): an older nostpp
// refuses a layout-2 store instead of serving it as empty and writing index entries this
// layout cannot read.
void fence_off_layout1(Txn& txn) {
    MDB_dbi main_table;
    check(mdb_dbi_open(txn.get(), nullptr, 0, &main_table), "mdb_dbi_open");
    txn.put(main_table, kLayout1Records,
            "nostpp LMDB layout " + std::to_string(kLayoutVersion) +
                ": open it with a nostpp from 2026-11-25 or later");
}

}  // namespace

uint64_t migrate_layout(Txn& txn, const Tables& tables, const MigrationNotice& notice) {
    std::string_view stored;
    if (txn.get(tables.meta, kLayoutKey, stored)) {
        if (stored.size() != 4) throw std::runtime_error("this store's layout entry is damaged");
        uint32_t layout = read_be32(stored.data());
        if (layout > kLayoutVersion)
            throw std::runtime_error("this store has layout " + std::to_string(layout) +
                                     ", written by a newer nostpp; this one reads up to layout " +
                                     std::to_string(kLayoutVersion));
        if (layout == kLayoutVersion) return 0;
    }
    uint64_t converted = 0;
    MDB_dbi old_records;
    int rc = mdb_dbi_open(txn.get(), kLayout1Records, 0, &old_records);
    if (rc == MDB_SUCCESS) {
        MDB_stat stat;
        check(mdb_stat(txn.get(), old_records, &stat), "mdb_stat");
        if (notice)
            notice("converting the store from layout 1 to layout " +
                   std::to_string(kLayoutVersion) + " (" + std::to_string(stat.ms_entries) +
                   " events); this happens once");
        converted = move_records(txn, tables, old_records);
        for (MDB_dbi index : {tables.idx_created, tables.idx_pubkey, tables.idx_kind,
                              tables.idx_pubkey_kind, tables.idx_tag})
            fill_index_values(txn, tables, index);
        check(mdb_drop(txn.get(), old_records, 1), "mdb_drop");
        std::string last;
        append_be64(last, converted);
        txn.put(tables.meta, kLastRecordKey, last);
    } else if (rc != MDB_NOTFOUND) {
        check(rc, "mdb_dbi_open");
    }
    fence_off_layout1(txn);
    std::string layout;
    append_be32(layout, kLayoutVersion);
    txn.put(tables.meta, kLayoutKey, layout);
    return converted;
}

}  // namespace store::lmdb
