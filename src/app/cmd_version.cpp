// `nostpp version`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"

namespace app {

void add_version_command(CLI::App& app) {
    app.add_subcommand("version", "Print the version and exit")->callback([] {
        std::printf("nostpp %s\n", NOSTPP_VERSION);
    });
}

}  // namespace app
