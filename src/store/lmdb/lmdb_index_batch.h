// The index edits of one write transaction, applied in key order just before it commits.
// Index keys arrive in random order (event ids, and created_at values that repeat), so
// inserting them one by one searches each B-tree from its root every time and lands on a
// cold page. Sorted, each table is walked once from left to right and the cursor mostly stays
// on the leaf it just wrote: -10% commit time at ingest (docs/benchmarks.md).
#pragma once
#include <lmdb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/lmdb/lmdb_handle.h"

namespace store::lmdb {

class IndexBatch {
public:
    // Index entries carry everything in their key (lmdb_keys.h): their values are empty.
    void put(MDB_dbi dbi, std::string key);
    void erase(MDB_dbi dbi, std::string key);
    size_t size() const { return edits_.size(); }  // edits waiting
    // Applies every edit, the last one of each key winning, and forgets them.
    void apply(Txn& txn);

private:
    struct Edit {
        MDB_dbi dbi;
        std::string key;
        bool erase;
        uint32_t order;  // edits of one key apply in the order they were made
    };
    std::vector<Edit> edits_;
};

}  // namespace store::lmdb
