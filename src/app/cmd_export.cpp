// `nostpp export`: stored events as JSON Lines on stdout, newest first, streamed straight
// from the store so exports of any size run in constant memory.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <variant>
#include <vector>

#include "app/commands.h"
#include "app/store_options.h"
#include "nostr/client_message.h"

namespace app {
namespace {

struct ExportSettings {
    StoreSettings store;
    std::string filter = "{}";
};

// The filter parser is reached through the REQ parser, which reports errors the same way a
// relay would. A JSON array gives several filters.
std::vector<nostr::Filter> parse_filters(const std::string& text) {
    size_t start = text.find_first_not_of(" \t\r\n");
    bool is_array = start != std::string::npos && text[start] == '[';
    std::string message = R"(["REQ","export",)" + (is_array ? text.substr(start + 1) : text + "]");
    nostr::ClientMessage parsed = nostr::parse_client_message(message);
    if (auto* req = std::get_if<nostr::ReqMessage>(&parsed)) return std::move(req->filters);
    if (auto* rejected = std::get_if<nostr::RejectedMessage>(&parsed))
        throw std::runtime_error("invalid --filter: " + rejected->reply);
    throw std::runtime_error("invalid --filter");
}

void run_export(const ExportSettings& settings) {
    std::vector<nostr::Filter> filters = parse_filters(settings.filter);
    std::unique_ptr<store::Store> store = open_store(settings.store);

    static char buffer[1 << 20];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    store::QueryOptions options;
    options.max_limit = UINT64_MAX;
    options.default_limit = UINT64_MAX;
    options.now = std::time(nullptr);
    uint64_t exported = 0;
    bool write_failed = false;
    store->query(filters, options, [&](std::string_view json) {
        if (std::fwrite(json.data(), 1, json.size(), stdout) != json.size() ||
            std::fputc('\n', stdout) == EOF) {
            write_failed = true;
            return false;
        }
        ++exported;
        return true;
    });
    if (std::fflush(stdout) != 0 || write_failed)
        throw std::runtime_error("writing to stdout failed");
    std::fprintf(stderr, "exported %llu events\n", static_cast<unsigned long long>(exported));
}

}  // namespace

void add_export_command(CLI::App& app) {
    auto settings = std::make_shared<ExportSettings>();
    CLI::App* command =
        app.add_subcommand("export", "Write stored events to stdout as JSON Lines, newest first");
    add_store_options(*command, settings->store);
    command->add_option("--filter", settings->filter,
                        "NIP-01 filter (JSON object, or an array of them) selecting the events; "
                        "without 'limit' every match is exported");
    command->callback([settings] { run_export(*settings); });
}

}  // namespace app
