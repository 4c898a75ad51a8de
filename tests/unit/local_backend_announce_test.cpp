// LocalBackend with announce_before_durable publishes a stored event on the bus as soon as
// the store has decided on it, before its commit is durable, and still acknowledges it only
// after the commit. A read started after the announcement waits for that commit, so a REQ
// made in between cannot miss the event both live and in its stored answer. Without the
// option the event is published after its commit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>

#include "bus/local_bus.h"
#include "relay/local_backend.h"
#include "telemetry/metrics.h"
#include "test_events.h"

namespace {

using namespace std::chrono_literals;

// Stores every event; put() announces the batch (`decided`), then holds its commit until the
// test opens the gate, and fails it if told to. Queries and counts see committed events only.
class GatedStore final : public store::Store {
  public:
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<store::PutResult>& results,
                 const store::Decided& decided) override {
        results.assign(batch.size(), {outcome, ""});
        uint64_t seq = committed_seq() + 1;
        if (decided) decided(seq);
        if (!at_gate_set_.exchange(true)) at_gate_.set_value();
        gate_.wait();
        if (fail_commit) {
            results.assign(batch.size(), {store::PutOutcome::error, "error: disk on fire"});
            return 0;
        }
        std::lock_guard lock(mutex_);
        if (outcome == store::PutOutcome::stored)
            for (const nostr::Event* event : batch) committed_.push_back(event->json);
        seq_ = seq;
        return seq;
    }
    uint64_t query(const std::vector<nostr::Filter>&, const store::QueryOptions&,
                   const store::EventSink& sink) override {
        std::lock_guard lock(mutex_);
        for (const auto& json : committed_) sink(json);
        return seq_;
    }
    uint64_t count(const std::vector<nostr::Filter>&, int64_t, store::HyperLogLog*, int) override {
        std::lock_guard lock(mutex_);
        return committed_.size();
    }
    size_t purge_expired(int64_t) override { return 0; }
    bool erase(const nostr::Bytes32&) override { return false; }
    uint64_t size() override { return count({}, 0, nullptr, 0); }
    void put_setting(std::string_view, std::string_view) override {}
    std::optional<std::string> get_setting(std::string_view) override { return std::nullopt; }

    void open_gate() { gate_open_.set_value(); }
    // True once the first put() has decided its batch and waits at the gate.
    bool reached_gate(std::chrono::milliseconds timeout) {
        return reached_gate_.wait_for(timeout) == std::future_status::ready;
    }
    std::atomic<bool> fail_commit{false};
    store::PutOutcome outcome = store::PutOutcome::stored;  // of every event; set before use

  private:
    uint64_t committed_seq() {
        std::lock_guard lock(mutex_);
        return seq_;
    }
    std::promise<void> at_gate_;
    std::atomic<bool> at_gate_set_{false};
    std::shared_future<void> reached_gate_ = at_gate_.get_future().share();
    std::promise<void> gate_open_;
    std::shared_future<void> gate_ = gate_open_.get_future().share();
    std::mutex mutex_;
    std::vector<std::string> committed_;
    uint64_t seq_ = 0;
};

class LocalBackendAnnounce : public ::testing::Test {
  protected:
    explicit LocalBackendAnnounce(bool early = true)
        : backend_{store_, bus_, metrics_, {2, 0, early}} {}
    void SetUp() override {
        bus_.subscribe([this](const bus::LiveEvent& live) {
            if (live.event->id == event_->id) announced_.set_value(live.commit_seq);
        });
        backend_.start();
        backend_.submit(event_, [this](store::PutResult result, uint64_t seq) {
            acknowledged_.set_value({result.outcome, seq});
        });
    }
    void TearDown() override {
        if (!opened_) store_.open_gate();
        backend_.stop();
        // The bus outlives the members its listener uses: let it deliver what is queued now.
        std::promise<void> drained;
        bus_.post([&] { drained.set_value(); });
        drained.get_future().wait();
    }
    void open_gate() {
        opened_ = true;
        store_.open_gate();
    }
    // A query and a count of everything, asked for now.
    void read_all() {
        backend_.query({nostr::Filter{}}, {5000, 500, 0}, [this](relay::QueryResult result) {
            queried_.set_value(std::move(result));
        });
        backend_.count({nostr::Filter{}}, 0, [this](relay::CountResult result) {
            counted_.set_value(std::move(result));
        });
    }

    GatedStore store_;
    bus::LocalBus bus_;
    telemetry::MetricsRegistry metrics_;
    relay::LocalBackend backend_;
    std::shared_ptr<const nostr::Event> event_ = std::make_shared<nostr::Event>(
        test_support::make_event(test_support::test_key(1), 1, 1'700'000'000));
    std::promise<uint64_t> announced_;
    std::promise<std::pair<store::PutOutcome, uint64_t>> acknowledged_;
    std::promise<relay::QueryResult> queried_;
    std::promise<relay::CountResult> counted_;
    bool opened_ = false;
};

class LocalBackendAnnounceAfterCommit : public LocalBackendAnnounce {
  protected:
    LocalBackendAnnounceAfterCommit() : LocalBackendAnnounce(false) {}
};

// The store takes nothing from the batch: the event is a duplicate.
class LocalBackendAnnounceNothingStored : public LocalBackendAnnounce {
  protected:
    LocalBackendAnnounceNothingStored() { store_.outcome = store::PutOutcome::duplicate; }
};

TEST_F(LocalBackendAnnounce, LiveSubscribersGetTheEventBeforeItsCommitAndTheOkComesAfter) {
    auto announced = announced_.get_future();
    auto acknowledged = acknowledged_.get_future();
    ASSERT_EQ(announced.wait_for(5s), std::future_status::ready)
        << "the event was not announced while its commit was held";
    EXPECT_EQ(announced.get(), 1u);
    EXPECT_EQ(acknowledged.wait_for(100ms), std::future_status::timeout)
        << "OK before the commit was durable";
    open_gate();
    ASSERT_EQ(acknowledged.wait_for(5s), std::future_status::ready);
    auto [outcome, seq] = acknowledged.get();
    EXPECT_EQ(outcome, store::PutOutcome::stored);
    EXPECT_EQ(seq, 1u);
}

TEST_F(LocalBackendAnnounce, ReadsStartedAfterTheAnnouncementWaitForTheCommit) {
    ASSERT_EQ(announced_.get_future().wait_for(5s), std::future_status::ready);
    read_all();
    auto query = queried_.get_future();
    auto count = counted_.get_future();
    EXPECT_EQ(query.wait_for(100ms), std::future_status::timeout)
        << "the query ran before the announced event's commit";
    // Asked for with the query, so it had as long.
    EXPECT_EQ(count.wait_for(0ms), std::future_status::timeout)
        << "the count ran before the announced event's commit";
    open_gate();
    ASSERT_EQ(query.wait_for(5s), std::future_status::ready);
    ASSERT_EQ(count.wait_for(5s), std::future_status::ready);
    relay::QueryResult result = query.get();
    EXPECT_EQ(result.events, std::vector<std::string>{event_->json});
    EXPECT_EQ(result.snapshot_seq, 1u);
    EXPECT_EQ(count.get().count, 1u);
}

TEST_F(LocalBackendAnnounce, AFailedCommitReleasesTheReadsWaitingForIt) {
    ASSERT_EQ(announced_.get_future().wait_for(5s), std::future_status::ready);
    read_all();
    store_.fail_commit = true;
    open_gate();
    auto acknowledged = acknowledged_.get_future();
    ASSERT_EQ(acknowledged.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(acknowledged.get().first, store::PutOutcome::error);
    auto query = queried_.get_future();
    ASSERT_EQ(query.wait_for(5s), std::future_status::ready);
    EXPECT_TRUE(query.get().events.empty());
    ASSERT_EQ(counted_.get_future().wait_for(5s), std::future_status::ready);
}

TEST_F(LocalBackendAnnounceAfterCommit, TheEventWaitsForItsCommit) {
    auto announced = announced_.get_future();
    EXPECT_EQ(announced.wait_for(100ms), std::future_status::timeout)
        << "announced before the commit although the backend was told not to";
    open_gate();
    ASSERT_EQ(announced.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(announced.get(), 1u);
    ASSERT_EQ(acknowledged_.get_future().wait_for(5s), std::future_status::ready);
}

TEST_F(LocalBackendAnnounceNothingStored, ACommitThatStoresNothingHoldsNoReadBack) {
    ASSERT_TRUE(store_.reached_gate(5s));
    read_all();  // the duplicate's commit is held at the gate
    auto query = queried_.get_future();
    ASSERT_EQ(query.wait_for(5s), std::future_status::ready)
        << "a read waited for a commit that announced nothing";
    EXPECT_TRUE(query.get().events.empty());
    ASSERT_EQ(counted_.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(announced_.get_future().wait_for(100ms), std::future_status::timeout)
        << "a duplicate was announced";
}

TEST_F(LocalBackendAnnounce, ReadsWithNoAnnouncedCommitInFlightRunAtOnce) {
    open_gate();
    ASSERT_EQ(acknowledged_.get_future().wait_for(5s), std::future_status::ready);
    read_all();
    auto query = queried_.get_future();
    ASSERT_EQ(query.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(query.get().events.size(), 1u);
}

}  // namespace
