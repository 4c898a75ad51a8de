// The order-suffix index keys of one stored event, in one place for the three that need
// them: storing an event, removing it, and rebuilding the indexes when a store is converted
// (lmdb_migrate.cpp). They are computed from the stored record, so a removal finds exactly
// the keys its insertion wrote.
#pragma once
#include <cstdint>
#include <string>

#include "nostr/event.h"
#include "store/lmdb/lmdb_keys.h"
#include "store/lmdb/lmdb_record.h"
#include "store/lmdb/lmdb_tables.h"

namespace store::lmdb {

// Calls fn(dbi, key) for every index entry of the record stored under `seq`.
template <class Fn>
void for_each_index_key(const Tables& tables, const RecordView& record, const nostr::Bytes32& id,
                        uint64_t seq, Fn&& fn) {
    auto suffixed = [&](std::string key) {
        append_order_suffix(key, record.created_at(), id, seq);
        return key;
    };
    fn(tables.idx_created, suffixed(created_prefix()));
    fn(tables.idx_pubkey, suffixed(pubkey_prefix(record.pubkey())));
    fn(tables.idx_kind, suffixed(kind_prefix(record.kind())));
    fn(tables.idx_pubkey_kind, suffixed(pubkey_kind_prefix(record.pubkey(), record.kind())));
    record.for_each_tag([&](char letter, std::string_view value) {
        fn(tables.idx_tag, suffixed(tag_prefix(letter, value)));
    });
}

}  // namespace store::lmdb
