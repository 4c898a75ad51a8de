// Each `nostpp` subcommand lives in its own app/cmd_*.cpp and registers itself here.
#pragma once

namespace CLI {
class App;
}

namespace app {

void add_relay_command(CLI::App& app);
void add_import_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_migrate_command(CLI::App& app);
void add_event_handler_command(CLI::App& app);
void add_websocket_handler_command(CLI::App& app);
void add_version_command(CLI::App& app);
void add_wot_command(CLI::App& app);

}  // namespace app
