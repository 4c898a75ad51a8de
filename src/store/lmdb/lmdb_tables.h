// The named databases inside the LMDB environment. See lmdb_keys.h for key layouts.
#pragma once
#include <lmdb.h>

namespace store::lmdb {

struct Tables {
    MDB_dbi events;           // id -> record (lmdb_record.h)
    MDB_dbi idx_created;      // order suffix
    MDB_dbi idx_pubkey;       // pubkey + suffix
    MDB_dbi idx_kind;         // kind + suffix
    MDB_dbi idx_pubkey_kind;  // pubkey + kind + suffix
    MDB_dbi idx_tag;          // letter + value key + suffix
    MDB_dbi idx_expiration;   // expiration + id
    MDB_dbi replaceable;      // replaceable_key -> id of the stored version
    MDB_dbi deleted_ids;      // deleted_id_key(id, deleter) -> empty (NIP-09 `e`)
    MDB_dbi deleted_addrs;    // replaceable_key -> created_at of the newest `a` deletion
    MDB_dbi meta;             // "commit_seq" -> u64, "schema" -> u32
    MDB_dbi settings;         // name -> value (Store::put_setting)
};

}  // namespace store::lmdb
