// Test doubles that run a relay::ClientSession without a network or a store (unit tests, the
// client-message fuzz harness): everything answers at once on the calling thread, so all of a
// message's answers exist when on_text() returns.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "relay/backend.h"
#include "relay/outbound.h"

namespace test_support {

// Keeps every frame the relay sends.
class RecordingOutbound final : public relay::Outbound {
  public:
    void send(std::string text) override { frames.push_back(std::move(text)); }
    void close(std::string_view) override { closed = true; }
    std::vector<std::string> frames;
    bool closed = false;
};

// Stores every event, finds nothing, counts zero. Its snapshot is commit 0, so events published
// later with a higher commit sequence go to live subscriptions. With hold_queries, queries
// wait for finish_queries(), as if they were running meanwhile.
class InstantBackend final : public relay::Backend {
  public:
    void submit(std::shared_ptr<const nostr::Event>, SubmitDone done) override {
        done(store::PutResult{store::PutOutcome::stored, ""}, 1);
    }
    void query(std::vector<nostr::Filter>, store::QueryOptions,
               std::function<void(relay::QueryResult)> done) override {
        if (hold_queries)
            running_.push_back(std::move(done));
        else
            done(relay::QueryResult{});
    }
    // Answers the held queries: nothing found, the store seen up to commit `snapshot_seq`.
    void finish_queries(uint64_t snapshot_seq) {
        auto running = std::move(running_);
        running_.clear();
        for (auto& done : running) {
            relay::QueryResult result;
            result.snapshot_seq = snapshot_seq;
            done(std::move(result));
        }
    }
    bool hold_queries = false;
    void count(std::vector<nostr::Filter>, int64_t,
               std::function<void(relay::CountResult)> done) override {
        done(relay::CountResult{});
    }

  private:
    std::vector<std::function<void(relay::QueryResult)>> running_;
};

// Delivers on the publishing thread.
class DirectBus final : public bus::Bus {
  public:
    void publish(const bus::LiveEvent& event, std::function<void()> delivered) override {
        for (auto& listener : listeners_) listener(event);
        if (delivered) delivered();
    }
    void subscribe(bus::Listener listener) override { listeners_.push_back(std::move(listener)); }

  private:
    std::vector<bus::Listener> listeners_;
};

}  // namespace test_support
