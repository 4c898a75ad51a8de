// Reading side of the LMDB store: turns filters into index scans and merges them into one
// newest-first stream (created_at desc, id asc) without sorting or buffering (except the
// rare entries whose order the index keys leave to the full id, lmdb_keys.h), stopping at
// each filter's limit. Everything returned points into the read transaction's pages.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "nostr/filter.h"
#include "store/lmdb/lmdb_handle.h"
#include "store/lmdb/lmdb_record.h"
#include "store/lmdb/lmdb_tables.h"

namespace store::lmdb {

struct Match {
    std::string_view suffix;  // order suffix: ~created_at + id[0..8) + seq
    RecordView record;
};

class FilterScan;

// Events matching any of the filters, each once, in NIP-01 order.
class QueryScan {
public:
    // A filter returns at most min(limit, limit_cap) events, or default_limit when it names
    // none (UINT64_MAX for no bound). Expired events (expiration <= now) are skipped.
    QueryScan(const Txn& txn, const Tables& tables, const std::vector<nostr::Filter>& filters,
              uint64_t limit_cap, uint64_t default_limit, int64_t now);
    ~QueryScan();
    bool next(Match& out);

private:
    std::vector<std::unique_ptr<FilterScan>> scans_;
    std::vector<bool> primed_;
    std::vector<Match> heads_;
    std::vector<bool> has_head_;
    std::string last_suffix_;
};

}  // namespace store::lmdb
