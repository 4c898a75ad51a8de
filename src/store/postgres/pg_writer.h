// put() for PostgreSQL: the NIP-01 / NIP-09 rules of lmdb_writer.cpp, applied to a whole
// batch with a fixed number of statements. The state the batch can touch (its ids, the
// events its deletion requests name, the replaceable/addressable slots, the tombstones) is
// read up front with four statements; the rules then run in C++ in batch order over that
// state; what changed is written back with at most five statements. The caller holds the
// meta row lock from before the reads until COMMIT, so no other writer interleaves.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_keys.h"
#include "store/store.h"

namespace store::pg {

class BatchWriter {
  public:
    explicit BatchWriter(std::span<const nostr::Event* const> batch);

    static constexpr size_t kReadStatements = 4;
    // The reads, to run after the meta row is locked.
    void append_reads(std::vector<Statement>& out) const;
    // Their results, in the same order.
    void load(std::span<const Result> results);
    // Applies the rules to each event in batch order.
    std::vector<PutResult> apply();
    // The writes that make the database match the outcome (before COMMIT).
    void append_writes(std::vector<Statement>& out) const;

  private:
    // A NIP-09 `e` tombstone: (id, pubkey of the requester). One per pair, so a request by
    // someone else naming the same id cannot replace the author's own; an event is blocked
    // iff the pair of its id and pubkey exists.
    using IdTombstone = std::pair<nostr::Bytes32, nostr::Bytes32>;

    struct Stored {
        nostr::Bytes32 pubkey{};
        uint32_t kind = 0;
        int64_t created_at = 0;
        std::optional<SlotKey> slot;
        const nostr::Event* from_batch = nullptr;  // inserted by this batch
    };

    PutResult put(const nostr::Event& event);
    bool is_deleted(const nostr::Event& event) const;
    void insert(const nostr::Event& event);
    void remove(const nostr::Bytes32& id);
    void apply_deletion_request(const nostr::Event& request);
    void delete_by_id(const nostr::Event& request, const std::string& id_hex);
    void delete_by_address(const nostr::Event& request, const std::string& address);
    void load_event_rows(const Result& rows);

    std::span<const nostr::Event* const> batch_;
    // What the reads ask for.
    std::vector<nostr::Bytes32> lookup_ids_;  // batch ids and `e` targets
    std::vector<SlotKey> lookup_slots_;       // batch slots and `a` addresses
    // (id, pubkey) of the batch's events other than deletion requests: the id tombstones
    // that could block them.
    std::vector<IdTombstone> tombstone_keys_;
    // The state as the rules see it: loaded, then edited event by event.
    std::map<nostr::Bytes32, Stored> events_;
    std::map<SlotKey, nostr::Bytes32> slots_;
    std::set<IdTombstone> deleted_ids_;         // the loaded ones and this batch's
    std::map<SlotKey, int64_t> deleted_addrs_;  // slot -> deleted up to
    // What to write back.
    std::set<nostr::Bytes32> in_database_;
    std::set<nostr::Bytes32> removed_from_database_;
    std::set<IdTombstone> changed_deleted_ids_;
    std::set<SlotKey> changed_deleted_addrs_;
};

}  // namespace store::pg
