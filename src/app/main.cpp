// nostpp: one binary, several roles. Each subcommand registers itself (commands.h); the
// optional configuration file feeds all of them (config_file.h).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "app/commands.h"
#include "app/config_file.h"

int main(int argc, char** argv) {
    // Logs go to stderr: stdout carries data (export writes JSON Lines there).
    spdlog::set_default_logger(spdlog::stderr_color_mt("nostpp"));

    CLI::App app{"nostpp: a fast Nostr relay", "nostpp"};
    app.require_subcommand(1);
    // Show each option's default (or configured) value in --help.
    app.option_defaults()->always_capture_default();

    app::ConfigFile config;
    try {
        config = app::ConfigFile::load(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nostpp: %s\n", e.what());
        return 2;
    }

    app::add_relay_command(app);
    app::add_import_command(app);
    app::add_export_command(app);
    app::add_bench_command(app);
    app::add_migrate_command(app);
    app::add_event_handler_command(app);
    app::add_websocket_handler_command(app);
    app::add_version_command(app);
    app::add_wot_command(app);
    try {
        config.apply(app);
        // Runs the chosen subcommand's callback.
        app.parse(argc, argv);
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nostpp: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
