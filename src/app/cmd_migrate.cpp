// `nostpp migrate`: applies pending PostgreSQL schema migrations and says which. The stores
// also migrate when they open; this lets an operator do it as a separate deployment step.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "app/commands.h"
#include "app/database_url.h"
#include "store/postgres/pg_store.h"

namespace app {
namespace {

struct MigrateSettings {
    std::string database_url;
    // Schema changes on a large table (building an index) can take minutes.
    int statement_timeout_ms = 30 * 60 * 1000;
    int connect_timeout_s = 10;
};

void run_migrate(const MigrateSettings& settings) {
    std::string url = resolve_database_url(settings.database_url);
    if (url.empty())
        throw std::runtime_error(
            "no database given: use --database-url, or set DATABASE_URL or POSTGRES_USER / "
            "POSTGRES_PASSWORD / POSTGRES_DB / POSTGRES_HOST / POSTGRES_PORT");
    spdlog::info("migrating {}", redact_url(url));
    store::PgStoreOptions options;
    options.write_url = url;
    options.statement_timeout_ms = settings.statement_timeout_ms;
    options.connect_timeout_s = settings.connect_timeout_s;
    store::PgMigrationReport report = store::PgStore::migrate(options);
    for (const auto& migration : report.applied)
        std::printf("applied migration %d: %s\n", migration.version, migration.name.c_str());
    if (report.applied.empty())
        std::printf("schema is up to date (version %d); nothing applied\n", report.schema_version);
    else
        std::printf("schema is now at version %d\n", report.schema_version);
}

}  // namespace

void add_migrate_command(CLI::App& app) {
    auto settings = std::make_shared<MigrateSettings>();
    CLI::App* command = app.add_subcommand("migrate", "Apply pending PostgreSQL schema migrations");
    command
        ->add_option("--database-url", settings->database_url,
                     "PostgreSQL URL (postgresql://user:password@host:port/db); without it, "
                     "POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB / POSTGRES_HOST / "
                     "POSTGRES_PORT are used")
        ->envname("DATABASE_URL");
    command->add_option("--statement-timeout-ms", settings->statement_timeout_ms,
                        "Longest a migration statement may run (0 = no limit)");
    command->add_option("--connect-timeout", settings->connect_timeout_s,
                        "Seconds to wait for the database connection");
    command->callback([settings] { run_migrate(*settings); });
}

}  // namespace app
