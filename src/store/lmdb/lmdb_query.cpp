#include "store/lmdb/lmdb_query.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <queue>
#include <tuple>

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

// Key order: created_at desc, id's first 8 bytes, sequence number.
bool suffix_less(std::string_view a, std::string_view b) {
    return std::memcmp(a.data(), b.data(), kOrderSuffixSize) < 0;
}
bool same_head(std::string_view a, std::string_view b) {
    return std::memcmp(a.data(), b.data(), kOrderHeadSize) == 0;
}

// NIP-01 order of two matches: created_at desc, then id. Only a tie of the suffixes' heads
// (same second, same first 8 id bytes) needs the full ids.
bool match_before(const Match& a, const Match& b) {
    if (int head = std::memcmp(a.suffix.data(), b.suffix.data(), kOrderHeadSize); head != 0)
        return head < 0;
    if (suffix_seq(a.suffix) == suffix_seq(b.suffix)) return false;  // one event
    return a.record.id() < b.record.id();
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
            if (!pop_in_order()) return false;
            if (popped_ == last_suffix_) continue;  // one event under several index prefixes
            last_suffix_ = popped_;
            std::string_view bytes;
            if (!txn_.get(tables_.records, suffix_seq(popped_), bytes)) continue;
            RecordView record(bytes);
            if (!accepts(record)) continue;
            --remaining_;
            out = Match{popped_, record};
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

    bool accepts(const RecordView& record) const {
        // Index scans never serve an `ids` filter, so only load_by_ids' matches need the id.
        nostr::Bytes32 id = filter_.ids ? record.id() : nostr::Bytes32{};
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
            std::string suffix;
            append_order_suffix(suffix, RecordView(bytes).created_at(), id, read_be64(seq.data()));
            ready_.push_back({std::move(suffix), id});
        }
        sort_ready();
    }

    // The next entry in NIP-01 order into popped_. The heap gives key order, which is NIP-01
    // order except among entries whose heads tie: those are taken together and sorted by id.
    bool pop_in_order() {
        if (ready_.empty() && !filter_.ids) {
            if (!pop_from_heap()) return false;
            // One event under several prefixes (tag values) arrives with the same suffix: no tie.
            while (!heap_.empty() && heap_.top()->suffix() == popped_) advance_top();
            if (heap_.empty() || !same_head(popped_, heap_.top()->suffix())) return true;
            do {
                ready_.push_back({popped_, record_id(popped_)});
            } while (!heap_.empty() && same_head(popped_, heap_.top()->suffix()) && pop_from_heap());
            sort_ready();
        }
        if (ready_.empty()) return false;
        popped_ = std::move(ready_.back().suffix);
        ready_.pop_back();
        return true;
    }

    bool pop_from_heap() {
        if (heap_.empty()) return false;
        popped_.assign(heap_.top()->suffix());  // the cursor's views move on advance
        advance_top();
        return true;
    }
    void advance_top() {
        IndexCursor* cursor = heap_.top();
        heap_.pop();
        cursor->advance();
        if (cursor->valid()) heap_.push(cursor);
    }

    nostr::Bytes32 record_id(std::string_view suffix) const {
        std::string_view bytes;
        if (!txn_.get(tables_.records, suffix_seq(suffix), bytes)) return {};
        return RecordView(bytes).id();
    }

    // NIP-01 order, last first (ready_ is popped from the back); one event's entries stay
    // side by side, so the duplicate check in next() still sees them.
    void sort_ready() {
        std::sort(ready_.begin(), ready_.end(), [](const Ready& a, const Ready& b) {
            // Popped from the back: newest first (an ids lookup gathers events of any time),
            // then lowest id.
            int time = std::memcmp(a.suffix.data(), b.suffix.data(), kOrderTimeSize);
            if (time != 0) return time > 0;
            return std::tie(a.id, a.suffix) > std::tie(b.id, b.suffix);
        });
    }

    const Txn& txn_;
    const Tables& tables_;
    const nostr::Filter& filter_;
    uint64_t remaining_;
    int64_t now_;
    std::vector<std::unique_ptr<IndexCursor>> cursors_;
    std::priority_queue<IndexCursor*, std::vector<IndexCursor*>, HeapOrder> heap_;
    struct Ready {
        std::string suffix;
        nostr::Bytes32 id;
    };
    std::vector<Ready> ready_;  // entries already in NIP-01 order, next one last
    std::string popped_;       // order suffix of the last popped entry
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
            if (has_head_[i] && (best < 0 || match_before(heads_[i], heads_[best])))
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
