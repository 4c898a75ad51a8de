#include "store/postgres/pg_writer.h"

#include <algorithm>
#include <charconv>

namespace store::pg {
namespace {

// The newer of two versions of a replaceable event: later created_at, then lowest id.
bool supersedes(int64_t created_at, const nostr::Bytes32& id, int64_t other_created_at,
                const nostr::Bytes32& other_id) {
    if (created_at != other_created_at) return created_at > other_created_at;
    return id < other_id;
}

// `<kind>:<pubkey hex>:<d identifier>` of a slotted kind, by the request's own author;
// nullopt for anything else (such `a` tags are ignored).
std::optional<SlotKey> own_address(const nostr::Event& request, const std::string& address) {
    size_t first = address.find(':');
    if (first == std::string::npos) return std::nullopt;
    size_t second = address.find(':', first + 1);
    if (second == std::string::npos) return std::nullopt;
    uint32_t kind = 0;
    auto [end, ec] = std::from_chars(address.data(), address.data() + first, kind);
    if (ec != std::errc() || end != address.data() + first || !is_slotted(kind))
        return std::nullopt;
    nostr::Bytes32 pubkey;
    if (!nostr::decode_lower_hex(std::string_view(address).substr(first + 1, second - first - 1),
                                 pubkey) ||
        pubkey != request.pubkey)
        return std::nullopt;
    return slot_key(pubkey, kind, std::string_view(address).substr(second + 1));
}

template <class T>
void sort_unique(std::vector<T>& values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
}

// unnest() arguments for a list of slots: ($pubkeys::bytea[], $kinds::int4[], $d_keys::bytea[]).
std::string slot_arrays(Params& params, const std::vector<SlotKey>& slots) {
    std::vector<nostr::Bytes32> pubkeys;
    std::vector<int32_t> kinds;
    std::vector<std::optional<std::string>> d_keys;
    for (const auto& slot : slots) {
        pubkeys.push_back(slot.pubkey);
        kinds.push_back(static_cast<int32_t>(slot.kind));
        d_keys.emplace_back(slot.d_key);
    }
    return params.add_bytea_array(pubkeys) + "::bytea[], " + params.add_int4_array(kinds) +
           "::int4[], " + params.add_bytea_array(d_keys) + "::bytea[]";
}

}  // namespace

BatchWriter::BatchWriter(std::span<const nostr::Event* const> batch) : batch_(batch) {
    for (const nostr::Event* event : batch) {
        lookup_ids_.push_back(event->id);
        if (is_slotted(event->kind)) lookup_slots_.push_back(slot_key(*event));
        // A deletion request is never blocked by an id tombstone (NIP-09).
        if (event->kind != nostr::kDeletionKind) {
            tombstone_keys_.emplace_back(event->id, event->pubkey);
            continue;
        }
        for (const auto& tag : event->tags) {
            if (tag.size() < 2) continue;
            nostr::Bytes32 target;
            if (tag[0] == "e" && nostr::decode_lower_hex(tag[1], target))
                lookup_ids_.push_back(target);
            else if (tag[0] == "a")
                if (auto slot = own_address(*event, tag[1])) lookup_slots_.push_back(*slot);
        }
    }
    sort_unique(lookup_ids_);
    sort_unique(tombstone_keys_);
    sort_unique(lookup_slots_);
}

void BatchWriter::append_reads(std::vector<Statement>& out) const {
    Statement& by_id = out.emplace_back();
    by_id.sql = "SELECT id, pubkey, kind, created_at, d_key FROM events WHERE id = ANY(" +
                by_id.params.add_bytea_array(lookup_ids_) + "::bytea[])";

    Statement& by_slot = out.emplace_back();
    by_slot.sql =
        "SELECT e.id, e.pubkey, e.kind, e.created_at, e.d_key FROM unnest(" +
        slot_arrays(by_slot.params, lookup_slots_) +
        ") AS s(pubkey, kind, d_key) JOIN events e ON e.pubkey = s.pubkey AND e.kind = s.kind "
        "AND e.d_key = s.d_key WHERE e.d_key IS NOT NULL";

    std::vector<nostr::Bytes32> tombstone_ids, tombstone_pubkeys;
    for (const auto& [id, pubkey] : tombstone_keys_) {
        tombstone_ids.push_back(id);
        tombstone_pubkeys.push_back(pubkey);
    }
    Statement& tombstones = out.emplace_back();
    tombstones.sql = "SELECT d.id, d.pubkey FROM unnest(" +
                     tombstones.params.add_bytea_array(tombstone_ids) + "::bytea[], " +
                     tombstones.params.add_bytea_array(tombstone_pubkeys) +
                     "::bytea[]) AS k(id, pubkey) JOIN deleted_ids d ON d.id = k.id AND "
                     "d.pubkey = k.pubkey";

    Statement& addresses = out.emplace_back();
    addresses.sql = "SELECT a.pubkey, a.kind, a.d_key, a.up_to FROM unnest(" +
                    slot_arrays(addresses.params, lookup_slots_) +
                    ") AS s(pubkey, kind, d_key) JOIN deleted_addrs a ON a.pubkey = s.pubkey "
                    "AND a.kind = s.kind AND a.d_key = s.d_key";
}

void BatchWriter::load_event_rows(const Result& rows) {
    for (int row = 0; row < rows.rows(); ++row) {
        nostr::Bytes32 id = rows.bytes32(row, 0);
        Stored stored;
        stored.pubkey = rows.bytes32(row, 1);
        stored.kind = static_cast<uint32_t>(rows.int4(row, 2));
        stored.created_at = rows.int8(row, 3);
        if (!rows.is_null(row, 4))
            stored.slot = SlotKey{stored.pubkey, stored.kind, std::string(rows.bytes(row, 4))};
        if (stored.slot) slots_[*stored.slot] = id;
        events_[id] = stored;
        in_database_.insert(id);
    }
}

void BatchWriter::load(std::span<const Result> results) {
    load_event_rows(results[0]);
    load_event_rows(results[1]);
    const Result& tombstones = results[2];
    for (int row = 0; row < tombstones.rows(); ++row)
        deleted_ids_.emplace(tombstones.bytes32(row, 0), tombstones.bytes32(row, 1));
    const Result& addresses = results[3];
    for (int row = 0; row < addresses.rows(); ++row) {
        SlotKey slot{addresses.bytes32(row, 0), static_cast<uint32_t>(addresses.int4(row, 1)),
                     std::string(addresses.bytes(row, 2))};
        deleted_addrs_[slot] = addresses.int8(row, 3);
    }
}

std::vector<PutResult> BatchWriter::apply() {
    std::vector<PutResult> results;
    results.reserve(batch_.size());
    for (const nostr::Event* event : batch_) results.push_back(put(*event));
    return results;
}

PutResult BatchWriter::put(const nostr::Event& event) {
    if (events_.count(event.id))
        return {PutOutcome::duplicate, "duplicate: already have this event"};
    if (is_deleted(event))
        return {PutOutcome::deleted, "blocked: this event was deleted by its author"};
    if (is_slotted(event.kind)) {
        SlotKey slot = slot_key(event);
        if (auto held = slots_.find(slot); held != slots_.end()) {
            nostr::Bytes32 old_id = held->second;
            const Stored& old = events_.at(old_id);
            if (!supersedes(event.created_at, event.id, old.created_at, old_id))
                return {PutOutcome::superseded,
                        "duplicate: a newer version of this replaceable event is stored"};
            remove(old_id);
        }
        slots_[slot] = event.id;
    }
    insert(event);
    if (event.kind == nostr::kDeletionKind) apply_deletion_request(event);
    return {PutOutcome::stored, ""};
}

bool BatchWriter::is_deleted(const nostr::Event& event) const {
    // A deletion request against a deletion request has no effect (NIP-09).
    if (event.kind == nostr::kDeletionKind) return false;
    if (deleted_ids_.count({event.id, event.pubkey})) return true;
    if (!is_slotted(event.kind)) return false;
    auto by_address = deleted_addrs_.find(slot_key(event));
    return by_address != deleted_addrs_.end() && by_address->second >= event.created_at;
}

void BatchWriter::insert(const nostr::Event& event) {
    Stored stored{event.pubkey, event.kind, event.created_at, std::nullopt, &event};
    if (is_slotted(event.kind)) stored.slot = slot_key(event);
    events_[event.id] = stored;
}

void BatchWriter::remove(const nostr::Bytes32& id) {
    auto it = events_.find(id);
    if (it == events_.end()) return;
    if (it->second.slot) {
        auto slot = slots_.find(*it->second.slot);
        if (slot != slots_.end() && slot->second == id) slots_.erase(slot);
    }
    if (in_database_.count(id)) removed_from_database_.insert(id);
    events_.erase(it);
}

void BatchWriter::apply_deletion_request(const nostr::Event& request) {
    for (const auto& tag : request.tags) {
        if (tag.size() < 2) continue;
        if (tag[0] == "e")
            delete_by_id(request, tag[1]);
        else if (tag[0] == "a")
            delete_by_address(request, tag[1]);
    }
}

void BatchWriter::delete_by_id(const nostr::Event& request, const std::string& id_hex) {
    nostr::Bytes32 target;
    if (!nostr::decode_lower_hex(id_hex, target)) return;
    if (auto it = events_.find(target); it != events_.end()) {
        if (it->second.pubkey != request.pubkey || it->second.kind == nostr::kDeletionKind) return;
        remove(target);
    }
    // Remembered even if the event has not arrived yet: it blocks the event only if the
    // event's author made it. Keyed by (id, requester), so requests by others naming the same
    // id sit beside the author's tombstone instead of replacing it. A pair the reads did not
    // load may already be stored: the write skips it.
    if (deleted_ids_.emplace(target, request.pubkey).second)
        changed_deleted_ids_.emplace(target, request.pubkey);
}

void BatchWriter::delete_by_address(const nostr::Event& request, const std::string& address) {
    std::optional<SlotKey> slot = own_address(request, address);
    if (!slot) return;
    auto previous = deleted_addrs_.find(*slot);
    if (previous == deleted_addrs_.end() || previous->second < request.created_at) {
        deleted_addrs_[*slot] = request.created_at;
        changed_deleted_addrs_.insert(*slot);
    }
    auto held = slots_.find(*slot);
    if (held == slots_.end()) return;
    nostr::Bytes32 id = held->second;
    if (events_.at(id).created_at <= request.created_at) remove(id);
}

void BatchWriter::append_writes(std::vector<Statement>& out) const {
    if (!removed_from_database_.empty()) {
        // With their tags; their slot (events.d_key) goes with the row.
        Statement& st = out.emplace_back();
        std::vector<nostr::Bytes32> ids(removed_from_database_.begin(),
                                        removed_from_database_.end());
        st.sql =
            "WITH gone AS (DELETE FROM events WHERE id = ANY(" + st.params.add_bytea_array(ids) +
            "::bytea[]) RETURNING id) DELETE FROM tags WHERE event_id IN (SELECT id FROM gone)";
    }

    // New events in batch order, each once.
    std::vector<const nostr::Event*> inserted;
    std::set<nostr::Bytes32> emitted;
    for (const nostr::Event* event : batch_) {
        auto it = events_.find(event->id);
        if (it != events_.end() && it->second.from_batch == event &&
            emitted.insert(event->id).second)
            inserted.push_back(event);
    }
    if (!inserted.empty()) {
        std::vector<nostr::Bytes32> ids, pubkeys;
        std::vector<std::optional<int64_t>> created, expirations;
        std::vector<int32_t> kinds;
        std::vector<std::optional<std::string>> d_keys;
        std::vector<std::string_view> jsons;
        // tags: one row per distinct (letter, value) of an event's indexable tags
        std::vector<nostr::Bytes32> tag_ids;
        std::vector<std::string_view> letters;
        std::vector<std::optional<std::string>> value_keys, full_values;
        std::vector<std::optional<int64_t>> tag_created;
        for (const nostr::Event* event : inserted) {
            ids.push_back(event->id);
            pubkeys.push_back(event->pubkey);
            created.emplace_back(event->created_at);
            kinds.push_back(static_cast<int32_t>(event->kind));
            expirations.push_back(event->expiration());
            d_keys.push_back(is_slotted(event->kind) ? std::optional(slot_key(*event).d_key)
                                                     : std::nullopt);
            jsons.push_back(event->json);
            std::set<std::pair<char, std::string>> seen;
            for (const auto& tag : event->tags) {
                if (!nostr::is_indexable_tag(tag)) continue;
                std::string key = value_key(tag[1]);
                if (!seen.emplace(tag[0][0], key).second) continue;
                tag_ids.push_back(event->id);
                letters.push_back(tag[0]);
                value_keys.emplace_back(std::move(key));
                full_values.push_back(long_value(tag[1]));
                tag_created.emplace_back(event->created_at);
            }
        }
        Statement& events = out.emplace_back();
        Params& p = events.params;
        events.sql =
            "INSERT INTO events (id, pubkey, created_at, kind, expiration, d_key, json) "
            "SELECT * FROM unnest(" +
            p.add_bytea_array(ids) + "::bytea[], " + p.add_bytea_array(pubkeys) + "::bytea[], " +
            p.add_int8_array(created) + "::int8[], " + p.add_int4_array(kinds) + "::int4[], " +
            p.add_int8_array(expirations) + "::int8[], " + p.add_bytea_array(d_keys) +
            "::bytea[], " + p.add_text_array(jsons) + "::text[])";
        if (!tag_ids.empty()) {
            Statement& tags = out.emplace_back();
            Params& t = tags.params;
            tags.sql =
                "INSERT INTO tags (event_id, letter, value_key, full_value, created_at) "
                "SELECT * FROM unnest(" +
                t.add_bytea_array(tag_ids) + "::bytea[], " + t.add_text_array(letters) +
                "::text[], " + t.add_bytea_array(value_keys) + "::bytea[], " +
                t.add_bytea_array(full_values) + "::bytea[], " + t.add_int8_array(tag_created) +
                // rows a manual DELETE on events left behind are the same rows
                "::int8[]) ON CONFLICT DO NOTHING";
        }
    }

    if (!changed_deleted_ids_.empty()) {
        std::vector<nostr::Bytes32> ids, deleters;
        for (const auto& [id, deleter] : changed_deleted_ids_) {
            ids.push_back(id);
            deleters.push_back(deleter);
        }
        Statement& st = out.emplace_back();
        st.sql = "INSERT INTO deleted_ids (id, pubkey) SELECT * FROM unnest(" +
                 st.params.add_bytea_array(ids) + "::bytea[], " +
                 st.params.add_bytea_array(deleters) +
                 "::bytea[]) ON CONFLICT (id, pubkey) DO NOTHING";
    }

    if (!changed_deleted_addrs_.empty()) {
        std::vector<SlotKey> slots(changed_deleted_addrs_.begin(), changed_deleted_addrs_.end());
        std::vector<std::optional<int64_t>> up_to;
        for (const auto& slot : slots) up_to.emplace_back(deleted_addrs_.at(slot));
        Statement& st = out.emplace_back();
        st.sql = "INSERT INTO deleted_addrs (pubkey, kind, d_key, up_to) SELECT * FROM unnest(" +
                 slot_arrays(st.params, slots) + ", " + st.params.add_int8_array(up_to) +
                 "::int8[]) ON CONFLICT (pubkey, kind, d_key) DO UPDATE SET up_to = "
                 "EXCLUDED.up_to";
    }
}

}  // namespace store::pg
