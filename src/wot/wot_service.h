// The Web of Trust gate: holds the current trust set, answers membership for every incoming
// event (O(1), no database call), and rebuilds the set from scratch in the background: at
// start, every refresh interval, and shortly after a new follow list from the admin or one
// of the admin's follows arrives. A rebuild fetches follow lists from the seed relays (when
// configured) into the store, reads the graph from the store, persists the new set and swaps
// it in whole, so an unfollow removes trust.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "nostr/event.h"
#include "relay/write_gate.h"
#include "store/store.h"
#include "wot/seed_fetcher.h"
#include "wot/wot_config.h"

namespace wot {

struct PersistedSet;

inline constexpr std::string_view kBlockedMessage = "blocked: not in web of trust";

struct BuildReport {
    size_t members = 0;
    size_t follow_lists = 0;  // lists the graph was built from (admin's included)
    size_t fetched = 0;       // verified lists received from seed relays
    size_t stored = 0;        // of those, new to the store
    double seconds = 0;
    std::vector<std::string> fetch_errors;
};

struct WotStats {
    bool built = false;  // a set is in force (built here, reloaded, or loaded at start)
    size_t set_size = 0;
    uint64_t rejects = 0;
    uint64_t builds = 0;
    uint64_t build_failures = 0;
    int64_t last_build_unix = 0;  // of the set in force
    double last_build_seconds = 0;
};

class WotService final : public relay::WriteGate {
  public:
    WotService(WotConfig config, store::Store& store, SeedFetchOptions fetch = {});
    ~WotService() override;

    // Puts the persisted set in force when it was built with the current rules; true if so.
    bool load_persisted();
    // load_persisted(), then starts the background thread, whose first act is a build.
    void start();
    void stop();

    std::string check_author(const nostr::Bytes32& author) const override;

    // For the bus: a follow list by the admin (or, at depth 2, by a follow) schedules a
    // rebuild after config().rebuild_delay.
    void on_event(const nostr::Event& event);

    // Builds now on the calling thread; `fetch` asks the seed relays first. Throws on store
    // errors (the set in force stays).
    BuildReport rebuild(bool fetch = true);

    WotStats stats() const;
    const WotConfig& config() const { return config_; }
    // Called after each background build attempt (metrics).
    void set_build_observer(std::function<void(double seconds, bool ok)> observer);

  private:
    struct Current;
    void run();
    void rebuild_in_background(bool fetch);
    void reload_if_changed();
    void install(std::shared_ptr<const Current> current);
    bool built_with_our_rules(const PersistedSet& persisted) const;
    std::shared_ptr<const Current> from_persisted(const PersistedSet& persisted);

    const WotConfig config_;
    store::Store& store_;
    const SeedFetchOptions fetch_options_;
    std::atomic<std::shared_ptr<const Current>> current_;
    mutable std::atomic<uint64_t> rejects_{0};
    std::atomic<uint64_t> builds_{0}, build_failures_{0};
    std::mutex build_mutex_;  // one build at a time

    std::mutex mutex_;  // the fields below
    std::condition_variable wake_;
    bool stopping_ = false;
    bool triggered_ = false;
    bool trigger_fetch_ = false;
    std::chrono::steady_clock::time_point trigger_at_;
    std::function<void(double, bool)> observer_;
    std::thread thread_;
};

}  // namespace wot
