#include "store/lmdb/lmdb_writer.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "store/lmdb/lmdb_index_entries.h"
#include "store/lmdb/lmdb_keys.h"

namespace store::lmdb {
namespace {
std::string_view bytes_of(const nostr::Bytes32& value) {
    return {reinterpret_cast<const char*>(value.data()), value.size()};
}

bool is_slotted(uint32_t kind) {
    auto kind_class = nostr::classify_kind(kind);
    return kind_class == nostr::KindClass::replaceable || kind_class == nostr::KindClass::addressable;
}

// The newer of two versions of a replaceable event: later created_at, then lowest id.
bool supersedes(int64_t created_at, const nostr::Bytes32& id, int64_t other_created_at,
                const nostr::Bytes32& other_id) {
    if (created_at != other_created_at) return created_at > other_created_at;
    return id < other_id;
}
}  // namespace

std::optional<EventWriter::Stored> EventWriter::find(std::string_view id) {
    std::string_view seq_bytes, bytes;
    if (!txn_.get(tables_.ids, id, seq_bytes)) return std::nullopt;
    uint64_t seq = read_be64(seq_bytes.data());
    if (!txn_.get(tables_.records, seq_bytes, bytes)) return std::nullopt;
    return Stored{seq, std::string(bytes)};
}

uint64_t EventWriter::next_seq() {
    if (!last_seq_known_) {
        std::string_view last;
        last_seq_ = txn_.get(tables_.meta, kLastRecordKey, last) && last.size() == 8
                        ? read_be64(last.data())
                        : 0;
        // Stores written before last_record existed: the newest record's number.
        Cursor cursor(txn_, tables_.records);
        std::string_view key, value;
        if (cursor.last(key, value)) last_seq_ = std::max(last_seq_, read_be64(key.data()));
        last_seq_known_ = true;
    }
    return ++last_seq_;
}

void EventWriter::commit(const std::function<void()>& written) {
    indexes_.apply(txn_);
    if (last_seq_known_) txn_.put(tables_.meta, kLastRecordKey, seq_key(last_seq_));
    if (written) written();
    txn_.commit();
}

PutResult EventWriter::put(const nostr::Event& event) {
    std::string_view existing;
    if (txn_.get(tables_.ids, bytes_of(event.id), existing))
        return {PutOutcome::duplicate, "duplicate: already have this event"};
    if (is_deleted(event))
        return {PutOutcome::deleted, "blocked: this event was deleted by its author"};

    if (is_slotted(event.kind)) {
        std::string slot = replaceable_key(event);
        std::string_view stored_id;
        if (txn_.get(tables_.replaceable, slot, stored_id)) {
            nostr::Bytes32 old_id;
            std::memcpy(old_id.data(), stored_id.data(), 32);
            if (auto stored = find(bytes_of(old_id))) {
                RecordView old(stored->bytes);
                if (!supersedes(event.created_at, event.id, old.created_at(), old_id))
                    return {PutOutcome::superseded,
                            "duplicate: a newer version of this replaceable event is stored"};
                remove(old_id, stored->seq, old);
            }
        }
        txn_.put(tables_.replaceable, slot, bytes_of(event.id));
    }
    insert(event);
    if (event.kind == nostr::kDeletionKind) apply_deletion_request(event);
    return {PutOutcome::stored, ""};
}

bool EventWriter::is_deleted(const nostr::Event& event) {
    // A deletion request against a deletion request has no effect (NIP-09).
    if (event.kind == nostr::kDeletionKind) return false;
    std::string_view unused;
    if (txn_.get(tables_.deleted_ids, deleted_id_key(event.id, event.pubkey), unused)) return true;
    if (!is_slotted(event.kind)) return false;
    std::string_view deleted_up_to;
    return txn_.get(tables_.deleted_addrs, replaceable_key(event), deleted_up_to) &&
           static_cast<int64_t>(read_be64(deleted_up_to.data())) >= event.created_at;
}

void EventWriter::insert(const nostr::Event& event) {
    uint64_t seq = next_seq();
    std::string seq_bytes = seq_key(seq);
    std::string record = encode_record(event);
    txn_.put(tables_.ids, bytes_of(event.id), seq_bytes);
    txn_.append(tables_.records, seq_bytes, record);
    for_each_index_key(tables_, RecordView(record), event.id, seq,
                       [&](MDB_dbi dbi, std::string key) { indexes_.put(dbi, std::move(key)); });
    if (auto expiration = event.expiration())
        txn_.put(tables_.idx_expiration, expiration_key(*expiration, event.id), {});
}

void EventWriter::remove(const nostr::Bytes32& id, uint64_t seq, const RecordView& record) {
    for_each_index_key(tables_, record, id, seq,
                       [&](MDB_dbi dbi, std::string key) { indexes_.erase(dbi, std::move(key)); });
    if (auto expiration = record.expiration())
        txn_.del(tables_.idx_expiration, expiration_key(*expiration, id));
    if (is_slotted(record.kind())) {
        // The slot key needs the `d` tag, which the record keeps among its indexed tags.
        std::string d_tag;
        bool found = false;
        record.for_each_tag([&](char letter, std::string_view value) {
            if (letter == 'd' && !found) {
                d_tag.assign(value);
                found = true;
            }
        });
        std::string slot = replaceable_key(record.pubkey(), record.kind(), d_tag);
        std::string_view slot_id;
        if (txn_.get(tables_.replaceable, slot, slot_id) && slot_id == bytes_of(id))
            txn_.del(tables_.replaceable, slot);
    }
    txn_.del(tables_.ids, bytes_of(id));
    txn_.del(tables_.records, seq_key(seq));
}

bool EventWriter::erase(const nostr::Bytes32& id) {
    auto stored = find(bytes_of(id));
    if (!stored) return false;
    remove(id, stored->seq, RecordView(stored->bytes));
    return true;
}

void EventWriter::apply_deletion_request(const nostr::Event& request) {
    for (const auto& tag : request.tags) {
        if (tag.size() < 2) continue;
        if (tag[0] == "e") delete_by_id(request, tag[1]);
        else if (tag[0] == "a") delete_by_address(request, tag[1]);
    }
}

void EventWriter::delete_by_id(const nostr::Event& request, const std::string& id_hex) {
    nostr::Bytes32 target;
    if (!nostr::decode_lower_hex(id_hex, target)) return;
    if (auto stored = find(bytes_of(target))) {
        RecordView record(stored->bytes);
        if (record.pubkey() != request.pubkey || record.kind() == nostr::kDeletionKind) return;
        remove(target, stored->seq, record);
    }
    // Remember the request even if the event has not arrived yet: it blocks the event only if
    // the event's author made it. Keyed by (id, requester), so requests by others naming the
    // same id sit beside the author's tombstone instead of replacing it.
    txn_.put(tables_.deleted_ids, deleted_id_key(target, request.pubkey), {});
}

void EventWriter::delete_by_address(const nostr::Event& request, const std::string& address) {
    // <kind>:<pubkey hex>:<d identifier>
    size_t first = address.find(':');
    if (first == std::string::npos) return;
    size_t second = address.find(':', first + 1);
    if (second == std::string::npos) return;
    uint32_t kind = 0;
    auto [end, ec] = std::from_chars(address.data(), address.data() + first, kind);
    if (ec != std::errc() || end != address.data() + first || !is_slotted(kind)) return;
    nostr::Bytes32 pubkey;
    if (!nostr::decode_lower_hex(std::string_view(address).substr(first + 1, second - first - 1),
                                 pubkey) ||
        pubkey != request.pubkey)
        return;
    std::string_view d_tag = std::string_view(address).substr(second + 1);
    std::string slot = replaceable_key(pubkey, kind, d_tag);

    std::string_view previous;
    if (!txn_.get(tables_.deleted_addrs, slot, previous) ||
        static_cast<int64_t>(read_be64(previous.data())) < request.created_at) {
        std::string up_to;
        append_be64(up_to, static_cast<uint64_t>(request.created_at));
        txn_.put(tables_.deleted_addrs, slot, up_to);
    }
    std::string_view stored_id;
    if (!txn_.get(tables_.replaceable, slot, stored_id)) return;
    nostr::Bytes32 id;
    std::memcpy(id.data(), stored_id.data(), 32);
    auto stored = find(stored_id);
    if (!stored) return;
    RecordView record(stored->bytes);
    if (record.created_at() <= request.created_at) remove(id, stored->seq, record);
}

}  // namespace store::lmdb
