#include "store/lmdb/lmdb_query.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <queue>

#include "store/lmdb/lmdb_keys.h"

namespace store::lmdb {
namespace {

// One index range [prefix + ~until, prefix + ~since], walked forward (newest first).
class IndexCursor {
public:
    IndexCursor(const Txn& txn, MDB_dbi dbi, std::string prefix, std::optional<int64_t> since,
                std::optional<int64_t> until)
        : cursor_(txn, dbi), prefix_(std::move(prefix)) {
        if (since && *since > 0) stop_after_ = ~static_cast<uint64_t>(*since);
        std::string start = prefix_;
        if (until) append_be64(start, ~static_cast<uint64_t>(*until));
        // LMDB rejects empty keys: an unbounded scan of the whole table starts at its first key.
        bool found =
            start.empty() ? cursor_.first(key_, value_) : cursor_.seek(start, key_, value_);
        valid_ = found && in_range();
    }
    bool valid() const { return valid_; }
    std::string_view suffix() const { return key_.substr(prefix_.size()); }
    std::string_view seq() const { return value_; }  // the record's key
    void advance() { valid_ = cursor_.next(key_, value_) && in_range(); }

private:
    bool in_range() const {
        if (key_.size() != prefix_.size() + kOrderSuffixSize) return false;
        if (key_.compare(0, prefix_.size(), prefix_) != 0) return false;
        return read_be64(key_.data() + prefix_.size()) <= stop_after_;
    }
    Cursor cursor_;
    std::string prefix_;
    std::string_view key_, value_;
    uint64_t stop_after_ = UINT64_MAX;
    bool valid_ = false;
};

bool suffix_less(std::string_view a, std::string_view b) {
    return std::memcmp(a.data(), b.data(), kOrderSuffixSize) < 0;
}

const nostr::TagCondition* most_selective_tag(const nostr::Filter& filter) {
    const nostr::TagCondition* best = nullptr;
    for (const auto& cond : filter.tags)
        if (!best || cond.values.size() < best->values.size()) best = &cond;
    return best;
}

constexpr size_t kMaxAuthorKindPairs = 1024;

}  // namespace

// One filter's matches in order, up to its limit.
class FilterScan {
public:
    FilterScan(const Txn& txn, const Tables& tables, const nostr::Filter& filter, uint64_t limit,
               int64_t now)
        : txn_(txn), tables_(tables), filter_(filter), remaining_(limit), now_(now) {
        if (filter.is_unsatisfiable() || (filter.until && *filter.until < 0) || limit == 0) return;
        if (filter.ids) {
            load_by_ids();
            return;
        }
        open_cursors();
    }

    bool next(Match& out) {
        while (remaining_ > 0) {
            std::string_view suffix;
            if (!pop(suffix)) return false;
            if (suffix == last_suffix_) continue;  // one event under several index prefixes
            last_suffix_ = suffix;
            nostr::Bytes32 id = suffix_id(suffix);
            std::string_view bytes;
            if (!txn_.get(tables_.records, popped_seq_, bytes)) continue;
            RecordView record(bytes);
            if (!accepts(id, record)) continue;
            --remaining_;
            out = Match{suffix, record};
            return true;
        }
        return false;
    }

private:
    struct HeapOrder {
        bool operator()(const IndexCursor* a, const IndexCursor* b) const {
            return suffix_less(b->suffix(), a->suffix());  // min-heap on suffix
        }
    };

    bool accepts(const nostr::Bytes32& id, const RecordView& record) const {
        if (!filter_.matches_header(id, record.pubkey(), record.created_at(), record.kind()))
            return false;
        if (record.expiration() && *record.expiration() <= now_) return false;
        return filter_.matches_tags(
            [&](char letter, const std::string& value) { return record.has_tag(letter, value); });
    }

    void add_cursor(MDB_dbi dbi, std::string prefix) {
        auto& cursor = cursors_.emplace_back(std::make_unique<IndexCursor>(
            txn_, dbi, std::move(prefix), filter_.since, filter_.until));
        if (cursor->valid()) heap_.push(cursor.get());
    }

    void open_cursors() {
        const auto& f = filter_;
        if (f.authors && f.kinds && f.authors->size() * f.kinds->size() <= kMaxAuthorKindPairs) {
            for (const auto& author : *f.authors)
                for (uint32_t kind : *f.kinds)
                    add_cursor(tables_.idx_pubkey_kind, pubkey_kind_prefix(author, kind));
        } else if (const nostr::TagCondition* tag = most_selective_tag(f)) {
            for (const auto& value : tag->values)
                add_cursor(tables_.idx_tag, tag_prefix(tag->letter, value));
        } else if (f.authors) {
            for (const auto& author : *f.authors) add_cursor(tables_.idx_pubkey, pubkey_prefix(author));
        } else if (f.kinds) {
            for (uint32_t kind : *f.kinds) add_cursor(tables_.idx_kind, kind_prefix(kind));
        } else {
            add_cursor(tables_.idx_created, created_prefix());
        }
    }

    // Looks each id up directly and orders the hits; id lists are short.
    void load_by_ids() {
        for (const auto& id : *filter_.ids) {
            std::string_view seq, bytes;
            if (!txn_.get(tables_.ids, {reinterpret_cast<const char*>(id.data()), 32}, seq) ||
                !txn_.get(tables_.records, seq, bytes))
                continue;
            RecordView record(bytes);
            std::string suffix;
            append_order_suffix(suffix, record.created_at(), id);
            by_id_.emplace_back(std::move(suffix), std::string(seq));
        }
        std::sort(by_id_.begin(), by_id_.end(), std::greater<>());  // popped from the back
    }

    bool pop(std::string_view& suffix) {
        if (filter_.ids) {
            if (by_id_.empty()) return false;
            popped_ = std::move(by_id_.back().first);
            popped_seq_ = std::move(by_id_.back().second);
            by_id_.pop_back();
            suffix = popped_;
            return true;
        }
        if (heap_.empty()) return false;
        IndexCursor* cursor = heap_.top();
        heap_.pop();
        popped_.assign(cursor->suffix());  // the cursor's views move on advance
        popped_seq_.assign(cursor->seq());
        suffix = popped_;
        cursor->advance();
        if (cursor->valid()) heap_.push(cursor);
        return true;
    }

    const Txn& txn_;
    const Tables& tables_;
    const nostr::Filter& filter_;
    uint64_t remaining_;
    int64_t now_;
    std::vector<std::unique_ptr<IndexCursor>> cursors_;
    std::priority_queue<IndexCursor*, std::vector<IndexCursor*>, HeapOrder> heap_;
    std::vector<std::pair<std::string, std::string>> by_id_;  // (order suffix, seq key)
    std::string popped_;      // order suffix of the last popped entry
    std::string popped_seq_;  // and the key of its record
    std::string last_suffix_;
};

QueryScan::QueryScan(const Txn& txn, const Tables& tables,
                     const std::vector<nostr::Filter>& filters, uint64_t limit_cap,
                     uint64_t default_limit, int64_t now) {
    for (const auto& filter : filters) {
        uint64_t limit = std::min(filter.limit.value_or(default_limit), limit_cap);
        scans_.push_back(std::make_unique<FilterScan>(txn, tables, filter, limit, now));
    }
    heads_.resize(scans_.size(), Match{{}, RecordView{}});
    has_head_.assign(scans_.size(), false);
    primed_.assign(scans_.size(), false);
}

QueryScan::~QueryScan() = default;

bool QueryScan::next(Match& out) {
    for (;;) {
        int best = -1;
        for (size_t i = 0; i < scans_.size(); ++i) {
            if (!primed_[i]) {
                has_head_[i] = scans_[i]->next(heads_[i]);
                primed_[i] = true;
            }
            if (has_head_[i] && (best < 0 || suffix_less(heads_[i].suffix, heads_[best].suffix)))
                best = static_cast<int>(i);
        }
        if (best < 0) return false;
        out = heads_[best];
        primed_[best] = false;
        // Several filters can match one event: equal suffixes arrive back to back.
        bool repeat = out.suffix == last_suffix_;
        last_suffix_.assign(out.suffix);
        if (!repeat) {
            out.suffix = last_suffix_;
            return true;
        }
    }
}

}  // namespace store::lmdb
