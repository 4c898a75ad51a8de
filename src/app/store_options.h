// Options for the embedded store, shared by every subcommand that opens it (relay, import,
// export), so they are spelled and defaulted the same everywhere.
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
};

void add_store_options(CLI::App& command, StoreSettings& settings);

// Opens (creating if needed) the LMDB store. Throws std::runtime_error.
std::unique_ptr<store::Store> open_store(const StoreSettings& settings);

}  // namespace app
