// The named databases inside the LMDB environment. See lmdb_keys.h for key layouts.
#pragma once
#include <lmdb.h>

#include <cstdint>
#include <string_view>

namespace store::lmdb {

// Layout 2 keeps each record under a sequence number that only grows, so a commit appends
// records instead of inserting them at random (ids are random) and recent events share pages.
// Layout 3 shortens the index entries: 24-byte order suffixes ending in that number and no
// values, and pubkeys and `e`/`p`-style tag values cut to 8 bytes (lmdb_keys.h).
// Layout 1 kept records under their id; lmdb_migrate.h converts 1 and 2.
constexpr uint32_t kLayoutVersion = 3;
// The highest sequence number ever given to a record, so that numbers are never reused even
// when the newest record is deleted: an index entry can only ever mean one record.
constexpr std::string_view kLastRecordKey = "last_record";

struct Tables {
    MDB_dbi ids;              // id -> record sequence number (be64)
    MDB_dbi records;          // sequence number (be64) -> record (lmdb_record.h)
    // The order-suffix indexes below end their keys in the record's sequence number and
    // have empty values.
    MDB_dbi idx_created;      // order suffix
    MDB_dbi idx_pubkey;       // pubkey[0..8) + suffix
    MDB_dbi idx_kind;         // kind + suffix
    MDB_dbi idx_pubkey_kind;  // pubkey[0..8) + kind + suffix
    MDB_dbi idx_tag;          // letter + tag value key + suffix
    MDB_dbi idx_expiration;   // expiration + id -> empty
    MDB_dbi replaceable;      // replaceable_key -> id of the stored version
    MDB_dbi deleted_ids;      // deleted_id_key(id, deleter) -> empty (NIP-09 `e`)
    MDB_dbi deleted_addrs;    // replaceable_key -> created_at of the newest `a` deletion
    MDB_dbi meta;             // "commit_seq" -> u64, "layout" -> u32, "last_record" -> u64
    MDB_dbi settings;         // name -> value (Store::put_setting)
};

}  // namespace store::lmdb
