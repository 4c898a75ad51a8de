// `nostpp import`: JSON Lines from stdin into the store. Every line is parsed and verified
// (id and signature) like a relay would; bad lines are reported and skipped, never fatal, so
// one corrupt line does not lose a large import. Events are written in batches: one durable
// commit per batch instead of one per event.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/store_options.h"
#include "nostr/event.h"
#include "nostr/event_parser.h"

namespace app {
namespace {

struct ImportSettings {
    StoreSettings store;
    size_t batch = 1000;
    unsigned progress_seconds = 5;
};

struct Counts {
    uint64_t imported = 0;
    uint64_t duplicate = 0;
    uint64_t rejected = 0;  // refused by the store (superseded, deleted, store errors)
    uint64_t invalid = 0;   // not a valid, storable event
};

void print_counts(const char* prefix, const Counts& c) {
    std::fprintf(
        stderr, "%simported %llu, duplicate %llu, rejected %llu, invalid %llu\n", prefix,
        static_cast<unsigned long long>(c.imported), static_cast<unsigned long long>(c.duplicate),
        static_cast<unsigned long long>(c.rejected), static_cast<unsigned long long>(c.invalid));
}

void report_line(uint64_t line, const std::string& reason) {
    std::fprintf(stderr, "line %llu: %s\n", static_cast<unsigned long long>(line), reason.c_str());
}

class Importer {
  public:
    Importer(store::Store& store, size_t batch_size) : store_(store), batch_size_(batch_size) {
        batch_.reserve(batch_size);
    }

    void add_line(uint64_t line_number, std::string_view line) {
        nostr::Event event;
        std::string error;
        if (!nostr::parse_event_json(line, event, error)) return invalid(line_number, error);
        if (error = nostr::verify_event(event); !error.empty()) return invalid(line_number, error);
        if (nostr::classify_kind(event.kind) == nostr::KindClass::ephemeral)
            return invalid(line_number, "invalid: ephemeral event (kind " +
                                            std::to_string(event.kind) + ") is never stored");
        batch_.push_back({line_number, std::move(event)});
        if (batch_.size() >= batch_size_) flush();
    }

    void flush() {
        if (batch_.empty()) return;
        std::vector<const nostr::Event*> events;
        events.reserve(batch_.size());
        for (const auto& item : batch_) events.push_back(&item.event);
        std::vector<store::PutResult> results;
        try {
            store_.put(events, results);
        } catch (const std::exception& e) {
            results.assign(batch_.size(), {store::PutOutcome::error, e.what()});
        }
        for (size_t i = 0; i < batch_.size(); ++i) {
            const store::PutResult result =
                i < results.size() ? results[i] : store::PutResult{store::PutOutcome::error, ""};
            switch (result.outcome) {
                case store::PutOutcome::stored:
                    ++counts_.imported;
                    break;
                case store::PutOutcome::duplicate:
                    ++counts_.duplicate;
                    break;
                case store::PutOutcome::error:
                    report_line(batch_[i].line, "error: not stored: " + result.message);
                    ++counts_.rejected;
                    break;
                default:  // superseded or deleted: the store's rules, not a problem
                    ++counts_.rejected;
                    break;
            }
        }
        batch_.clear();
    }

    const Counts& counts() const { return counts_; }

  private:
    void invalid(uint64_t line_number, const std::string& reason) {
        report_line(line_number, reason);
        ++counts_.invalid;
    }

    struct Pending {
        uint64_t line;
        nostr::Event event;
    };
    store::Store& store_;
    const size_t batch_size_;
    std::vector<Pending> batch_;
    Counts counts_;
};

void run_import(const ImportSettings& settings) {
    std::unique_ptr<store::Store> store = open_store(settings.store);
    Importer importer(*store, settings.batch);
    std::ios::sync_with_stdio(false);

    using Clock = std::chrono::steady_clock;
    const auto interval = std::chrono::seconds(settings.progress_seconds);
    auto next_progress = Clock::now() + interval;
    std::string line;
    uint64_t line_number = 0;
    while (std::getline(std::cin, line)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        importer.add_line(line_number, line);
        if (settings.progress_seconds > 0 && Clock::now() >= next_progress) {
            std::string prefix = "line " + std::to_string(line_number) + ": ";
            print_counts(prefix.c_str(), importer.counts());
            next_progress = Clock::now() + interval;
        }
    }
    importer.flush();
    print_counts("", importer.counts());
}

}  // namespace

void add_import_command(CLI::App& app) {
    auto settings = std::make_shared<ImportSettings>();
    CLI::App* command = app.add_subcommand(
        "import", "Read events as JSON Lines from stdin, verify them and store them");
    add_store_options(*command, settings->store);
    command->add_option("--batch", settings->batch, "Events per store commit")
        ->check(CLI::PositiveNumber);
    command->add_option("--progress-seconds", settings->progress_seconds,
                        "Seconds between progress lines on stderr (0 = none)");
    command->callback([settings] { run_import(*settings); });
}

}  // namespace app
