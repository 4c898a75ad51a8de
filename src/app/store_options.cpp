#include "app/store_options.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "app/database_url.h"
#include "store/lmdb/lmdb_store.h"
#include "store/postgres/pg_store.h"

namespace app {

void add_store_options(CLI::App& command, StoreSettings& settings) {
    command.add_option("--data-dir", settings.data_dir, "Directory of the embedded LMDB store")
        ->envname("DATA_DIR");
    command
        .add_option("--lmdb-map-size", settings.lmdb_map_size,
                    "Largest size the LMDB store may grow to (virtual address space reserved "
                    "up front; disk is used only as data is written), e.g. 256GiB")
        ->envname("LMDB_MAP_SIZE")
        ->transform(CLI::AsSizeValue(false));
    command
        .add_option("--database-url", settings.database_url,
                    "Store events in PostgreSQL instead of LMDB "
                    "(postgresql://user:password@host:port/db); without it, POSTGRES_USER / "
                    "POSTGRES_PASSWORD / POSTGRES_DB / POSTGRES_HOST / POSTGRES_PORT select "
                    "PostgreSQL when set")
        ->envname("DATABASE_URL");
    command
        .add_option("--database-read-url", settings.database_read_url,
                    "PostgreSQL for REQ/COUNT queries (a read replica); default: --database-url")
        ->envname("DATABASE_READ_URL");
    command
        .add_option("--db-read-pool", settings.db_read_pool,
                    "PostgreSQL connections for queries (they run in parallel)")
        ->envname("DB_READ_POOL")
        ->check(CLI::Range(1u, 256u));
    command
        .add_option("--db-statement-timeout-ms", settings.db_statement_timeout_ms,
                    "Longest a PostgreSQL statement may run before it is cancelled")
        ->envname("DB_STATEMENT_TIMEOUT_MS")
        ->check(CLI::Range(1u, 3600000u));
}

std::string effective_database_url(const StoreSettings& settings) {
    return resolve_database_url(settings.database_url);
}

std::string describe_store(const StoreSettings& settings) {
    std::string url = effective_database_url(settings);
    if (url.empty()) return "LMDB in " + settings.data_dir;
    std::string text = "PostgreSQL at " + redact_url(url);
    if (!settings.database_read_url.empty())
        text += " (reads from " + redact_url(settings.database_read_url) + ")";
    return text;
}

std::unique_ptr<store::Store> open_store(const StoreSettings& settings) {
    std::string url = effective_database_url(settings);
    if (url.empty())
        return store::LmdbStore::open(settings.data_dir, settings.lmdb_map_size,
                                      [](std::string_view notice) { spdlog::info("{}", notice); });
    store::PgStoreOptions options;
    options.write_url = url;
    options.read_url = settings.database_read_url;
    options.read_pool_size = settings.db_read_pool;
    options.statement_timeout_ms = static_cast<int>(settings.db_statement_timeout_ms);
    return store::PgStore::open(options);
}

}  // namespace app
