// Converting a store written by an older nostpp to the current layout (lmdb_tables.h), inside
// the transaction that opens the tables: a crash midway aborts it, leaving the old layout
// intact for the next open to convert again.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "store/lmdb/lmdb_handle.h"
#include "store/lmdb/lmdb_tables.h"

namespace store::lmdb {

// Called once before a conversion starts, with what is about to happen (it can take minutes
// on a large store).
using MigrationNotice = std::function<void(std::string_view)>;

// Brings the store to kLayoutVersion and records it under "layout" in `meta`; returns the
// number of events converted. Throws for a store written by a newer nostpp.
uint64_t migrate_layout(Txn& txn, const Tables& tables, const MigrationNotice& notice);

// Part of the conversion: drops the order-suffix indexes and writes them afresh from the
// records (layouts 1 and 2 wrote other keys), applying the edits whenever `chunk` of them
// are waiting while the records are walked. The conversion passes a large chunk (kRebuildChunk);
// tests pass a small one to cross many.
void rebuild_indexes(Txn& txn, const Tables& tables, size_t chunk);

}  // namespace store::lmdb
