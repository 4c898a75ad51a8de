#include "app/config_file.h"

#include <toml++/toml.h>
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "app/database_url.h"

namespace app {
namespace {

constexpr std::string_view kConfigFlag = "--config";
constexpr const char* kConfigEnv = "NOSTPP_CONFIG";

// Flags win over the environment, as for every other option.
std::string find_config_path(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") break;
        if (arg == kConfigFlag && i + 1 < argc) return argv[i + 1];
        if (arg.starts_with(kConfigFlag) && arg.size() > kConfigFlag.size() &&
            arg[kConfigFlag.size()] == '=')
            return std::string(arg.substr(kConfigFlag.size() + 1));
    }
    const char* env = std::getenv(kConfigEnv);
    return env ? env : "";
}

// A scalar as CLI11 would read it from the command line.
std::string scalar_text(const toml::node& node, const std::string& key) {
    if (auto s = node.as_string()) return s->get();
    if (auto i = node.as_integer()) return std::to_string(i->get());
    if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
    if (auto f = node.as_floating_point()) return std::to_string(f->get());
    throw std::runtime_error("key '" + key +
                             "': only strings, integers, floats and booleans "
                             "are supported");
}

std::string key_of(const CLI::Option& option) {
    if (option.get_lnames().empty()) return {};
    std::string key = option.get_lnames().front();
    for (char& c : key)
        if (c == '-') c = '_';
    return key;
}

// What --help shows for a value from the file: CLI11 prints an option's default, and file
// values are defaults, so a password in `database_url` or `postgres_password` would be printed
// to anyone who runs --help. Secrets are shown redacted; the value itself is unchanged.
std::string shown_value(const std::string& key, const std::string& value) {
    if (key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
        key.find("token") != std::string::npos)
        return value.empty() ? value : "***";
    if (key.ends_with("url")) return redact_url(value);
    return value;
}

// The text CLI11 prints after the option's name ("TEXT=value (Env:NAME)"), with the value
// shown as shown_value() has it.
std::string help_text(const CLI::Option& option, const std::string& shown) {
    std::string text = option.get_type_name();
    if (!shown.empty()) text += "=" + shown;
    if (!option.get_envname().empty()) text += " (Env:" + option.get_envname() + ")";
    return text;
}

}  // namespace

ConfigFile ConfigFile::load(int argc, const char* const* argv) {
    ConfigFile config;
    config.path_ = find_config_path(argc, argv);
    if (config.path_.empty()) return config;
    toml::table root;
    try {
        root = toml::parse_file(config.path_);
    } catch (const toml::parse_error& e) {
        std::string message = "config file " + config.path_ + ": " + std::string(e.description());
        if (e.source().begin.line > 0) {
            std::ostringstream where;
            where << e.source().begin;
            message += " at " + where.str();
        }
        throw std::runtime_error(message);
    }
    try {
        for (const auto& [key, node] : root) {
            std::string name(key.str());
            if (auto table = node.as_table()) {
                for (const auto& [sub_key, sub_node] : *table) {
                    std::string sub_name(sub_key.str());
                    config.sections_[name][sub_name] = scalar_text(sub_node, name + "." + sub_name);
                }
            } else {
                config.sections_[""][name] = scalar_text(node, name);
            }
        }
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("config file " + config.path_ + ": " + e.what());
    }
    return config;
}

void ConfigFile::apply(CLI::App& app) {
    std::set<std::pair<std::string, std::string>> used;  // (section, key)
    auto lookup = [&](const std::string& section, const std::string& key) -> const std::string* {
        auto s = sections_.find(section);
        if (s == sections_.end()) return nullptr;
        auto k = s->second.find(key);
        if (k == s->second.end()) return nullptr;
        used.emplace(section, key);
        return &k->second;
    };

    for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
        command
            ->add_option(std::string(kConfigFlag), config_option_value_,
                         "TOML file of option values (keys: option names with '_' for '-'); "
                         "flags and environment variables override it")
            ->envname(kConfigEnv);
        for (CLI::Option* option : command->get_options()) {
            std::string key = key_of(*option);
            if (key.empty() || key == "help" || key == "config") continue;
            // A [subcommand] table overrides the top level.
            const std::string* value = lookup(command->get_name(), key);
            const std::string* top = lookup("", key);
            if (!value) value = top;
            if (!value) continue;
            // Used only when neither the command line nor the environment gave a value:
            // CLI11 applies those first and runs the callback with the default otherwise.
            option->default_str(*value);
            option->force_callback();
            if (std::string shown = shown_value(key, *value); shown != *value)
                option->option_text(help_text(*option, shown));
        }
    }

    for (const auto& [section, keys] : sections_)
        for (const auto& [key, value] : keys)
            if (!used.count({section, key}))
                std::cerr << "nostpp: warning: config file " << path_ << ": unknown key '"
                          << (section.empty() ? key : section + "." + key) << "'\n";
}

}  // namespace app
