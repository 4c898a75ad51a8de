#include "app/store_options.h"

#include <CLI/CLI.hpp>

#include "store/lmdb/lmdb_store.h"

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
}

std::unique_ptr<store::Store> open_store(const StoreSettings& settings) {
    return store::LmdbStore::open(settings.data_dir, settings.lmdb_map_size);
}

}  // namespace app
