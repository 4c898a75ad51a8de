// LocalBackend announces a stored event on the bus as soon as the store has decided on it,
// before its commit is durable, and still acknowledges it only after the commit. A read
// started after the announcement waits for that commit, so a REQ made in between cannot miss
// the event both live and in its stored answer.
#include <gtest/gtest.h>

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
// test opens the gate. Queries and counts see committed events only.
class GatedStore final : public store::Store {
  public:
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<store::PutResult>& results,
                 const store::Decided& decided) override {
        results.assign(batch.size(), {store::PutOutcome::stored, ""});
        uint64_t seq = committed_seq() + 1;
        if (decided) decided(seq);
        gate_.wait();
        std::lock_guard lock(mutex_);
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

  private:
    uint64_t committed_seq() {
        std::lock_guard lock(mutex_);
        return seq_;
    }
    std::promise<void> gate_open_;
    std::shared_future<void> gate_ = gate_open_.get_future().share();
    std::mutex mutex_;
    std::vector<std::string> committed_;
    uint64_t seq_ = 0;
};

class LocalBackendAnnounce : public ::testing::Test {
  protected:
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
    }
    void open_gate() {
        opened_ = true;
        store_.open_gate();
    }

    GatedStore store_;
    bus::LocalBus bus_;
    telemetry::MetricsRegistry metrics_;
    relay::LocalBackend backend_{store_, bus_, metrics_, {2, 0}};
    std::shared_ptr<const nostr::Event> event_ = std::make_shared<nostr::Event>(
        test_support::make_event(test_support::test_key(1), 1, 1'700'000'000));
    std::promise<uint64_t> announced_;
    std::promise<std::pair<store::PutOutcome, uint64_t>> acknowledged_;
    bool opened_ = false;
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
    std::promise<relay::QueryResult> queried;
    std::promise<relay::CountResult> counted;
    backend_.query({nostr::Filter{}}, {5000, 500, 0},
                   [&](relay::QueryResult result) { queried.set_value(std::move(result)); });
    backend_.count({nostr::Filter{}}, 0,
                   [&](relay::CountResult result) { counted.set_value(std::move(result)); });
    auto query = queried.get_future();
    auto count = counted.get_future();
    EXPECT_EQ(query.wait_for(100ms), std::future_status::timeout)
        << "the query ran before the announced event's commit";
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

TEST_F(LocalBackendAnnounce, ReadsWithNoAnnouncedCommitInFlightRunAtOnce) {
    open_gate();
    ASSERT_EQ(acknowledged_.get_future().wait_for(5s), std::future_status::ready);
    std::promise<relay::QueryResult> queried;
    backend_.query({nostr::Filter{}}, {5000, 500, 0},
                   [&](relay::QueryResult result) { queried.set_value(std::move(result)); });
    auto query = queried.get_future();
    ASSERT_EQ(query.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(query.get().events.size(), 1u);
}

}  // namespace
