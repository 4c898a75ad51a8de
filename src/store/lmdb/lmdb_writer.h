// Writing side of the LMDB store: the NIP-01 / NIP-09 rules applied to one event at a time
// inside a write transaction (duplicates, replaceable and addressable slots, deletion
// requests and their tombstones, index maintenance). The order-suffix indexes are only
// written, never read, while the transaction lasts, so their edits wait in an IndexBatch and
// go in sorted when the transaction commits.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/lmdb/lmdb_handle.h"
#include "store/lmdb/lmdb_index_batch.h"
#include "store/lmdb/lmdb_record.h"
#include "store/lmdb/lmdb_tables.h"
#include "store/store.h"

namespace store::lmdb {

class EventWriter {
public:
    EventWriter(Txn& txn, const Tables& tables) : txn_(txn), tables_(tables) {}

    PutResult put(const nostr::Event& event);
    // Applies the waiting index edits and commits the transaction; the only way to commit
    // one that this writer edited. `written`, if given, runs when everything is in the
    // transaction, just before the commit writes it to disk.
    void commit(const std::function<void()>& written = {});
    // Removes a stored event and all its index entries; false when it is not stored.
    bool erase(const nostr::Bytes32& id);

private:
    // A stored event: its sequence number and a copy of its record (pages move while this
    // transaction writes).
    struct Stored {
        uint64_t seq;
        std::string bytes;
    };
    std::optional<Stored> find(std::string_view id);
    uint64_t next_seq();
    void insert(const nostr::Event& event);
    void remove(const nostr::Bytes32& id, uint64_t seq, const RecordView& record);
    void apply_deletion_request(const nostr::Event& request);
    void delete_by_id(const nostr::Event& request, const std::string& id_hex);
    void delete_by_address(const nostr::Event& request, const std::string& address);
    bool is_deleted(const nostr::Event& event);

    Txn& txn_;
    const Tables& tables_;
    IndexBatch indexes_;
    uint64_t last_seq_ = 0;  // highest sequence number in `records`; read on first insert
    bool last_seq_known_ = false;
};

}  // namespace store::lmdb
