// Options for the store, shared by every subcommand that opens it (relay, event-handler,
// import, export), so they are spelled and defaulted the same everywhere: the embedded LMDB
// store by default, PostgreSQL when a database URL (or POSTGRES_*) is given.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "store/store.h"

namespace CLI {
class App;
}

namespace app {

struct StoreSettings {
    std::string data_dir = "./nostpp-data";
    uint64_t lmdb_map_size = uint64_t{256} << 30;  // address space reserved, not disk used
    std::string database_url;                      // "" = POSTGRES_* if set, else LMDB
    std::string database_read_url;                 // "" = database_url
    unsigned db_read_pool = 4;
    unsigned db_statement_timeout_ms = 10000;
};

void add_store_options(CLI::App& command, StoreSettings& settings);

// The PostgreSQL URL in effect ("" when the embedded store is used).
std::string effective_database_url(const StoreSettings& settings);

// Human-readable location of the store for logs (passwords redacted).
std::string describe_store(const StoreSettings& settings);

// Opens (creating/migrating if needed) the configured store. Throws std::runtime_error.
std::unique_ptr<store::Store> open_store(const StoreSettings& settings);

}  // namespace app
