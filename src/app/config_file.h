// The optional TOML configuration file (--config FILE or NOSTPP_CONFIG), the lowest-precedence
// source of option values: command-line flags > environment variables > this file > built-in
// defaults. Keys are long option names with '-' replaced by '_' (max_message_bytes = 65536);
// a table named after a subcommand ([relay], [import], ...) holds keys for that one only.
// It works by turning file values into option defaults, so CLI11 still applies the
// environment and the command line on top, and every subcommand gets it for free.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace app {

class ConfigFile {
  public:
    // Finds the file named on the command line (--config FILE, --config=FILE) or in
    // NOSTPP_CONFIG, and reads it. No file named: an empty configuration. Throws
    // std::runtime_error when the file cannot be read or parsed.
    static ConfigFile load(int argc, const char* const* argv);

    // Call once every subcommand has added its options, before parsing. Adds --config to each
    // subcommand (so it parses and shows in --help), makes file values the defaults of the
    // matching options, and warns on stderr about keys that match no option.
    void apply(CLI::App& app);

    const std::string& path() const { return path_; }

  private:
    using Section = std::map<std::string, std::string>;  // key -> value as CLI11 text
    std::string path_;
    std::map<std::string, Section> sections_;  // "" = top level, else a subcommand name
    std::string config_option_value_;          // storage for the --config options
};

}  // namespace app
