#include "store/lmdb/lmdb_index_batch.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace store::lmdb {

void IndexBatch::put(MDB_dbi dbi, std::string key) {
    edits_.push_back({dbi, std::move(key), false, static_cast<uint32_t>(edits_.size())});
}

void IndexBatch::erase(MDB_dbi dbi, std::string key) {
    edits_.push_back({dbi, std::move(key), true, static_cast<uint32_t>(edits_.size())});
}

void IndexBatch::apply(Txn& txn) {
    std::sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) {
        return std::tie(a.dbi, a.key, a.order) < std::tie(b.dbi, b.key, b.order);
    });
    std::optional<Cursor> cursor;
    MDB_dbi open_dbi = 0;
    for (size_t i = 0; i < edits_.size(); ++i) {
        const Edit& edit = edits_[i];
        bool superseded = i + 1 < edits_.size() && edits_[i + 1].dbi == edit.dbi &&
                          edits_[i + 1].key == edit.key;
        if (superseded) continue;
        if (!cursor || open_dbi != edit.dbi) {
            cursor.reset();
            cursor.emplace(txn, edit.dbi);
            open_dbi = edit.dbi;
        }
        if (edit.erase) cursor->erase(edit.key);
        else cursor->put(edit.key, {});
    }
    edits_.clear();
}

}  // namespace store::lmdb
