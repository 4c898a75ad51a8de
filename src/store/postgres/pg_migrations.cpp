#include "store/postgres/pg_migrations.h"

#include <set>

namespace store::pg {
namespace {

// "nostpp" + 1: the advisory lock key every nostpp process agrees on.
constexpr int64_t kMigrationLockKey = 0x6e6f73747070'0001;

// Version 1: the whole store. Every index that serves a filter ends in
// (created_at DESC, id) so a scan returns NIP-01 order (newest first, lowest id first on
// ties) and stops at the filter's limit.
constexpr const char* kInitialSchema = R"sql(
-- The commit sequence: every put() bumps it in its transaction; a query reads it in its
-- snapshot, so the relay knows exactly which commits a query saw.
CREATE TABLE meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq bigint NOT NULL
);
INSERT INTO meta (singleton, seq) VALUES (true, 0);

CREATE TABLE events (
    id bytea PRIMARY KEY,
    pubkey bytea NOT NULL,
    created_at bigint NOT NULL,
    kind integer NOT NULL,
    expiration bigint,   -- NIP-40, NULL when none
    d_key bytea,         -- replaceable: '', addressable: key of the d tag, others: NULL
    json text NOT NULL   -- the event as sent to clients
);
CREATE INDEX events_created ON events (created_at DESC, id);
CREATE INDEX events_pubkey ON events (pubkey, created_at DESC, id);
CREATE INDEX events_kind ON events (kind, created_at DESC, id);
CREATE INDEX events_pubkey_kind ON events (pubkey, kind, created_at DESC, id);
-- One stored version per replaceable / addressable slot.
CREATE UNIQUE INDEX events_slot ON events (pubkey, kind, d_key) WHERE d_key IS NOT NULL;
CREATE INDEX events_expiration ON events (expiration) WHERE expiration IS NOT NULL;

-- First values of single-letter tags. value_key is the value itself, or 0xFF + SHA-256 of
-- values over 200 bytes, which are then kept whole in full_value for exact matching.
-- The store deletes an event's rows with the event. No foreign key: its per-row check
-- tripled the cost of a batch insert, and a row left behind by a manual DELETE on events
-- is harmless (every tag match joins back to events).
CREATE TABLE tags (
    event_id bytea NOT NULL,
    letter text NOT NULL,
    value_key bytea NOT NULL,
    full_value bytea,
    created_at bigint NOT NULL,
    PRIMARY KEY (event_id, letter, value_key)
);
CREATE INDEX tags_value ON tags (letter, value_key, created_at DESC, event_id);

-- NIP-09 tombstones: an id deleted by its author (checked against the event's pubkey when
-- it arrives), and an address deleted up to a timestamp.
CREATE TABLE deleted_ids (
    id bytea PRIMARY KEY,
    pubkey bytea NOT NULL
);
CREATE TABLE deleted_addrs (
    pubkey bytea NOT NULL,
    kind integer NOT NULL,
    d_key bytea NOT NULL,
    up_to bigint NOT NULL,
    PRIMARY KEY (pubkey, kind, d_key)
);
)sql";

// Version 2: id tombstones keyed by (id, requester). With the id alone as key, a request by
// another author naming an id that is not stored replaced the author's tombstone and let
// the deleted event be submitted again. Existing rows are unique by id, so also by the pair;
// the new key's index still serves lookups by id alone.
constexpr const char* kDeletedIdsPerRequester = R"sql(
ALTER TABLE deleted_ids DROP CONSTRAINT deleted_ids_pkey, ADD PRIMARY KEY (id, pubkey);
)sql";

// Version 3: small named values beside the events (Store::put_setting: the Web of Trust set).
constexpr const char* kSettings = R"sql(
CREATE TABLE settings (
    name text PRIMARY KEY,
    value bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "initial schema: events, tags, tombstones, commit sequence", kInitialSchema},
        {2, "id tombstones keyed by (id, requester)", kDeletedIdsPerRequester},
        {3, "settings: named values beside the events", kSettings},
    };
    return all;
}

PgMigrationReport apply_migrations(Connection& conn) {
    PgMigrationReport report;
    try {
        conn.exec("BEGIN");
        Params lock;
        conn.exec("SELECT pg_advisory_xact_lock(" + lock.add_int8(kMigrationLockKey) + ")", lock);
        conn.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        Result done = conn.exec("SELECT version FROM schema_migrations");
        std::set<int> applied;
        for (int row = 0; row < done.rows(); ++row) applied.insert(done.int4(row, 0));
        for (const Migration& migration : migrations()) {
            if (applied.count(migration.version)) continue;
            conn.exec_script(migration.sql);
            Params params;
            conn.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (" +
                          params.add_int4(migration.version) + ", now())",
                      params);
            report.applied.push_back({migration.version, migration.name});
            applied.insert(migration.version);
        }
        conn.exec("COMMIT");
        report.schema_version = applied.empty() ? 0 : *applied.rbegin();
    } catch (...) {
        conn.discard_transaction();
        throw;
    }
    return report;
}

}  // namespace store::pg
