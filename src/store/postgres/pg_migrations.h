// Versioned schema migrations. Each is applied once, recorded in
// schema_migrations(version, applied_at), and all pending ones run in one transaction that
// first takes a transaction-scoped advisory lock: two processes starting at once serialize,
// and the second finds nothing left to do.
#pragma once
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_store.h"

namespace store::pg {

struct Migration {
    int version;
    const char* name;
    const char* sql;  // static DDL, no values
};

// In version order.
const std::vector<Migration>& migrations();

// Applies what is pending; throws PgError (nothing is applied then).
PgMigrationReport apply_migrations(Connection& conn);

}  // namespace store::pg
