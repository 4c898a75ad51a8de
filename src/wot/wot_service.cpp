#include "wot/wot_service.h"

#include <spdlog/spdlog.h>

#include <random>

#include "wot/follow_graph.h"
#include "wot/follow_source.h"
#include "wot/persisted_set.h"

namespace wot {

// The set in force and what a rebuild trigger needs to know about it.
struct WotService::Current {
    TrustSet set;
    PubkeySet sources;  // admin and the admin's follows: whose new follow lists matter
    uint64_t stamp = 0;
    int64_t built_at = 0;
    double build_seconds = 0;
};

namespace {

// Fetched lists dated further ahead than this are not stored: they would hold the author's
// replaceable slot against every honest update (the relay's own default window).
constexpr int64_t kMaxFutureSeconds = 900;

int64_t unix_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

uint64_t random_stamp() {
    std::random_device device;
    uint64_t stamp = (uint64_t(device()) << 32) | device();
    return stamp ? stamp : 1;
}

PubkeySet sources_of(const nostr::Bytes32& admin, const std::vector<nostr::Bytes32>& follows) {
    PubkeySet sources(follows.begin(), follows.end());
    sources.insert(admin);
    return sources;
}

// Verified seed-relay lists minus those dated in the future; stored, counted in `report`.
void fetch_into_store(store::Store& store, const std::vector<std::string>& relays,
                      const std::vector<nostr::Bytes32>& authors, const SeedFetchOptions& options,
                      BuildReport& report) {
    if (relays.empty() || authors.empty()) return;
    SeedFetchReport fetched = fetch_follow_lists(relays, authors, options);
    std::erase_if(fetched.events, [limit = unix_seconds() + kMaxFutureSeconds](const auto& e) {
        return e.created_at > limit;
    });
    report.fetched += fetched.events.size();
    report.stored += store_follow_lists(store, fetched.events);
    for (auto& error : fetched.errors) report.fetch_errors.push_back(std::move(error));
}

}  // namespace

WotService::WotService(WotConfig config, store::Store& store, SeedFetchOptions fetch)
    : config_(std::move(config)), store_(store), fetch_options_(fetch) {}

WotService::~WotService() {
    stop();
}

bool WotService::load_persisted() {
    auto persisted = load_persisted_set(store_);
    if (!persisted) return false;
    if (!built_with_our_rules(*persisted)) {
        spdlog::info("web of trust: the stored set was built with other rules; rebuilding");
        return false;
    }
    install(from_persisted(*persisted));
    spdlog::info("web of trust: loaded the stored set of {} pubkeys (built at {})",
                 persisted->members.size(), persisted->built_at);
    return true;
}

void WotService::start() {
    load_persisted();
    thread_ = std::thread([this] { run(); });
}

void WotService::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::string WotService::check_author(const nostr::Bytes32& author) const {
    if (author == config_.admin) return {};
    bool trusted = false;
    if (!config_.deny.count(author)) {
        if (config_.allow.count(author)) return {};
        auto current = current_.load(std::memory_order_acquire);
        trusted = current ? current->set.contains(author) : config_.open_before_first_build;
    }
    if (trusted) return {};
    rejects_.fetch_add(1, std::memory_order_relaxed);
    return std::string(kBlockedMessage);
}

void WotService::on_event(const nostr::Event& event) {
    if (event.kind != 3) return;
    const bool from_admin = event.pubkey == config_.admin;
    if (!from_admin) {
        if (config_.depth < 2) return;
        auto current = current_.load(std::memory_order_acquire);
        if (!current || !current->sources.count(event.pubkey)) return;
    }
    {
        std::lock_guard lock(mutex_);
        if (!triggered_) trigger_at_ = std::chrono::steady_clock::now() + config_.rebuild_delay;
        triggered_ = true;
        // A new admin list may name follows whose lists this store has never seen.
        trigger_fetch_ = trigger_fetch_ || from_admin;
    }
    wake_.notify_all();
}

BuildReport WotService::rebuild(bool fetch) {
    std::lock_guard build_lock(build_mutex_);
    const auto started = std::chrono::steady_clock::now();
    BuildReport report;
    const bool use_seeds = fetch && !config_.seed_relays.empty();
    if (use_seeds)
        fetch_into_store(store_, config_.seed_relays, {config_.admin}, fetch_options_, report);

    FollowGraph graph;
    graph.admin = config_.admin;
    FollowLists admin_list = load_follow_lists(store_, {config_.admin});
    report.follow_lists = admin_list.size();
    if (!admin_list.empty()) graph.admin_follows = std::move(admin_list.begin()->second);
    if (config_.depth >= 2) {
        if (use_seeds)
            fetch_into_store(store_, config_.seed_relays, graph.admin_follows, fetch_options_,
                             report);
        graph.lists = load_follow_lists(store_, graph.admin_follows);
        report.follow_lists += graph.lists.size();
    }

    auto current = std::make_shared<Current>();
    current->set = build_trust_set(graph, {config_.depth, config_.min_followers});
    current->sources = sources_of(config_.admin, graph.admin_follows);
    current->stamp = random_stamp();
    current->built_at = unix_seconds();
    report.members = current->set.size();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    current->build_seconds = report.seconds;

    PersistedSet persisted{config_.admin,
                           config_.depth,
                           config_.min_followers,
                           current->built_at,
                           uint64_t(report.seconds * 1e6),
                           report.follow_lists,
                           current->stamp,
                           current->set.sorted()};
    save_persisted_set(store_, persisted);
    install(std::move(current));
    builds_.fetch_add(1, std::memory_order_relaxed);
    return report;
}

bool WotService::built_with_our_rules(const PersistedSet& persisted) const {
    return persisted.admin == config_.admin && persisted.depth == config_.depth &&
           persisted.min_followers == config_.min_followers;
}

std::shared_ptr<const WotService::Current> WotService::from_persisted(
    const PersistedSet& persisted) {
    auto current = std::make_shared<Current>();
    current->set = TrustSet(PubkeySet(persisted.members.begin(), persisted.members.end()));
    auto admin_list = load_follow_lists(store_, {config_.admin});
    current->sources = sources_of(config_.admin, admin_list[config_.admin]);
    current->stamp = persisted.stamp;
    current->built_at = persisted.built_at;
    current->build_seconds = double(persisted.build_micros) / 1e6;
    return current;
}

void WotService::install(std::shared_ptr<const Current> current) {
    current_.store(std::move(current), std::memory_order_release);
}

void WotService::rebuild_in_background(bool fetch) {
    bool ok = true;
    double seconds = 0;
    try {
        BuildReport report = rebuild(fetch);
        seconds = report.seconds;
        spdlog::info(
            "web of trust: {} pubkeys from {} follow lists in {:.3f} s ({} fetched, {} new)",
            report.members, report.follow_lists, report.seconds, report.fetched, report.stored);
        for (const auto& error : report.fetch_errors)
            spdlog::warn("web of trust: seed relay {}", error);
    } catch (const std::exception& e) {
        ok = false;
        build_failures_.fetch_add(1, std::memory_order_relaxed);
        spdlog::error("web of trust: rebuild failed, keeping the current set: {}", e.what());
    }
    std::function<void(double, bool)> observer;
    {
        std::lock_guard lock(mutex_);
        observer = observer_;
    }
    if (observer) observer(seconds, ok);
}

void WotService::reload_if_changed() {
    try {
        uint64_t stamp = load_persisted_stamp(store_);
        auto current = current_.load(std::memory_order_acquire);
        if (stamp == 0 || (current && current->stamp == stamp)) return;
        std::lock_guard build_lock(build_mutex_);
        auto persisted = load_persisted_set(store_);
        if (!persisted || !built_with_our_rules(*persisted)) return;
        install(from_persisted(*persisted));
        spdlog::info("web of trust: reloaded a set of {} pubkeys built elsewhere",
                     persisted->members.size());
    } catch (const std::exception& e) {
        spdlog::warn("web of trust: cannot check for a set built elsewhere: {}", e.what());
    }
}

void WotService::run() {
    using clock = std::chrono::steady_clock;
    rebuild_in_background(true);
    std::unique_lock lock(mutex_);
    auto next_full = clock::now() + config_.refresh_interval;
    auto next_poll = clock::now() + config_.reload_poll;
    while (!stopping_) {
        auto deadline = std::min(next_full, next_poll);
        if (triggered_) deadline = std::min(deadline, trigger_at_);
        wake_.wait_until(lock, deadline);
        if (stopping_) break;
        const auto now = clock::now();
        bool fetch = false, build = false;
        if (now >= next_full) {
            build = fetch = true;
            next_full = now + config_.refresh_interval;
        } else if (triggered_ && now >= trigger_at_) {
            build = true;
            fetch = trigger_fetch_;
        }
        if (build) {
            triggered_ = trigger_fetch_ = false;
            lock.unlock();
            rebuild_in_background(fetch);
            lock.lock();
        } else if (now >= next_poll) {
            next_poll = now + config_.reload_poll;
            lock.unlock();
            reload_if_changed();
            lock.lock();
        }
    }
}

WotStats WotService::stats() const {
    WotStats stats;
    auto current = current_.load(std::memory_order_acquire);
    stats.built = current != nullptr;
    if (current) {
        stats.set_size = current->set.size();
        stats.last_build_unix = current->built_at;
        stats.last_build_seconds = current->build_seconds;
    }
    stats.rejects = rejects_.load(std::memory_order_relaxed);
    stats.builds = builds_.load(std::memory_order_relaxed);
    stats.build_failures = build_failures_.load(std::memory_order_relaxed);
    return stats;
}

void WotService::set_build_observer(std::function<void(double seconds, bool ok)> observer) {
    std::lock_guard lock(mutex_);
    observer_ = std::move(observer);
}

}  // namespace wot
