// The series a relay counts as it serves clients (session_metrics.h, backend_metrics.h):
// connections, messages by verb, events by outcome and by rejection prefix, live
// subscriptions, group commits and queries; and store failures counted by operation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

#include "relay/event_policy.h"
#include "relay/relay.h"
#include "service_fixture.h"
#include "test_events.h"

namespace {
using service_test::CaptureOutbound;
using test_support::event_message;
using test_support::make_event;
using test_support::test_key;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The value of one series line (`name{labels}`) in the registry's text, or -1 if absent.
double series(telemetry::MetricsRegistry& registry, const std::string& line) {
    std::string text = registry.prometheus_text();
    size_t at = text.find("\n" + line + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + line.size() + 2));
}

class RelayMetricsTest : public ::testing::Test {
  protected:
    double value(const std::string& line) { return series(stack_.metrics(), line); }

    service_test::LocalStack stack_;
    relay::Relay relay_{relay::RelayConfig{}, stack_.backend(), stack_.bus(), stack_.metrics()};
    int64_t now_ = relay::unix_now();
};

TEST_F(RelayMetricsTest, EverySeriesExistsBeforeAnyTraffic) {
    for (const char* line :
         {"nostpp_connections", "nostpp_connections_total", "nostpp_subscriptions",
          "nostpp_client_messages_total{verb=\"EVENT\"}",
          "nostpp_client_messages_total{verb=\"unknown\"}", "nostpp_events_received_total",
          "nostpp_events_accepted_total{outcome=\"stored\"}",
          "nostpp_events_rejected_total{prefix=\"invalid\"}",
          "nostpp_events_rejected_total{prefix=\"other\"}", "nostpp_commit_duration_seconds_count",
          "nostpp_commit_batch_size_count",
          "nostpp_query_duration_seconds_count{operation=\"query\"}",
          "nostpp_store_errors_total{operation=\"put\"}", "nostpp_expired_events_purged_total",
          "nostpp_auth_total{outcome=\"ok\"}", "nostpp_auth_total{outcome=\"challenge\"}"})
        EXPECT_EQ(value(line), 0) << line;
}

TEST_F(RelayMetricsTest, CountsConnectionsMessagesEventsAndSubscriptions) {
    auto out = std::make_shared<CaptureOutbound>();
    auto session = relay_.open_session(out, "127.0.0.1");
    EXPECT_EQ(value("nostpp_connections"), 1);
    EXPECT_EQ(value("nostpp_connections_total"), 1);
    EXPECT_THAT(out->next(), HasSubstr(R"(["AUTH",")"));  // the NIP-42 challenge

    nostr::KeyPair key = test_key(41);
    nostr::Event stored = make_event(key, 1, now_ - 2, {}, "one");
    session->on_text(event_message(stored));
    EXPECT_THAT(out->next(), HasSubstr("true"));
    session->on_text(event_message(stored));  // duplicate: OK true
    EXPECT_THAT(out->next(), HasSubstr("duplicate:"));
    session->on_text(event_message(make_event(key, 20001, now_, {}, "ephemeral")));
    EXPECT_THAT(out->next(), HasSubstr("true"));
    std::string forged = event_message(make_event(key, 1, now_, {}, "forged"));
    forged.replace(forged.find("forged"), 6, "change");  // the id no longer matches
    session->on_text(forged);
    EXPECT_THAT(out->next(), HasSubstr("invalid:"));
    nostr::Event future = make_event(key, 1, now_ + 86400, {}, "future");
    session->on_text(event_message(future));
    EXPECT_THAT(out->next(), HasSubstr("invalid:"));
    session->on_text(R"(["EVENT",{"id":"nope"}])");  // unreadable
    EXPECT_THAT(out->next(), HasSubstr("invalid:"));
    session->on_text(R"(["HELLO"])");
    EXPECT_THAT(out->next(), StartsWith(R"(["NOTICE")"));
    session->on_rejected({"[\"NOTICE\",\"invalid: message too large\"]", nostr::Verb::unknown});
    EXPECT_THAT(out->next(), HasSubstr("too large"));

    session->on_text(R"(["REQ","a",{"kinds":[1]}])");
    EXPECT_THAT(out->next(), HasSubstr(stored.json));
    EXPECT_THAT(out->next(), StartsWith(R"(["EOSE","a")"));
    session->on_text(R"(["REQ","b",{"kinds":[7]}])");
    EXPECT_THAT(out->next(), StartsWith(R"(["EOSE","b")"));
    EXPECT_EQ(value("nostpp_subscriptions"), 2);
    session->on_text(R"(["CLOSE","a"])");
    EXPECT_EQ(value("nostpp_subscriptions"), 1);
    session->on_text(R"(["COUNT","c",{"kinds":[1]}])");
    EXPECT_THAT(out->next(), StartsWith(R"(["COUNT","c",{"count":1)"));

    EXPECT_EQ(value("nostpp_client_messages_total{verb=\"EVENT\"}"), 6);
    EXPECT_EQ(value("nostpp_client_messages_total{verb=\"REQ\"}"), 2);
    EXPECT_EQ(value("nostpp_client_messages_total{verb=\"CLOSE\"}"), 1);
    EXPECT_EQ(value("nostpp_client_messages_total{verb=\"COUNT\"}"), 1);
    EXPECT_EQ(value("nostpp_client_messages_total{verb=\"unknown\"}"), 2);
    EXPECT_EQ(value("nostpp_events_received_total"), 6);
    EXPECT_EQ(value("nostpp_events_accepted_total{outcome=\"stored\"}"), 1);
    EXPECT_EQ(value("nostpp_events_accepted_total{outcome=\"duplicate\"}"), 1);
    EXPECT_EQ(value("nostpp_events_accepted_total{outcome=\"ephemeral\"}"), 1);
    EXPECT_EQ(value("nostpp_events_rejected_total{prefix=\"invalid\"}"), 3);
    // Two commits (the event and its duplicate; ephemeral events are not stored).
    EXPECT_EQ(value("nostpp_commit_batch_size_count"), 2);
    EXPECT_EQ(value("nostpp_commit_batch_size_sum"), 2);
    EXPECT_EQ(value("nostpp_commit_duration_seconds_count"), 2);
    EXPECT_EQ(value("nostpp_query_duration_seconds_count{operation=\"query\"}"), 2);
    EXPECT_EQ(value("nostpp_query_duration_seconds_count{operation=\"count\"}"), 1);

    session->on_close();
    EXPECT_EQ(value("nostpp_subscriptions"), 0);
    EXPECT_EQ(value("nostpp_connections"), 0);
    session.reset();  // closes again: counted once
    EXPECT_EQ(value("nostpp_connections"), 0);
    EXPECT_EQ(value("nostpp_connections_total"), 1);
}

TEST(EventCounters, PrefixesOfOkMessages) {
    using relay::EventCounters;
    EXPECT_EQ(EventCounters::prefix_of("blocked: no"), "blocked");
    EXPECT_EQ(EventCounters::prefix_of("rate-limited: slow down"), "rate-limited");
    EXPECT_EQ(EventCounters::prefix_of("auth-required: who are you"), "auth-required");
    EXPECT_EQ(EventCounters::prefix_of("mute: shh"), "mute");
    EXPECT_EQ(EventCounters::prefix_of("weird: x"), "other");
    EXPECT_EQ(EventCounters::prefix_of("no prefix"), "other");
    EXPECT_EQ(EventCounters::prefix_of(""), "other");
}

// A store whose every operation fails, as PostgreSQL does when it is unreachable.
class FailingStore final : public store::Store {
  public:
    uint64_t put(std::span<const nostr::Event* const> batch, std::vector<store::PutResult>& results,
                 const store::Decided&) override {
        results.assign(batch.size(), {store::PutOutcome::error, "error: could not store event"});
        return 0;
    }
    uint64_t query(const std::vector<nostr::Filter>&, const store::QueryOptions&,
                   const store::EventSink&) override {
        throw std::runtime_error("database unreachable");
    }
    uint64_t count(const std::vector<nostr::Filter>&, int64_t, store::HyperLogLog*, int) override {
        throw std::runtime_error("database unreachable");
    }
    size_t purge_expired(int64_t) override { throw std::runtime_error("database unreachable"); }
    bool erase(const nostr::Bytes32&) override { return false; }
    uint64_t size() override { return 0; }
    void put_setting(std::string_view, std::string_view) override {
        throw std::runtime_error("database unreachable");
    }
    std::optional<std::string> get_setting(std::string_view) override {
        throw std::runtime_error("database unreachable");
    }
};

TEST(BackendMetrics, StoreFailuresAreCountedByOperationAndLoggedOnce) {
    std::ostringstream log;
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
    FailingStore store;
    bus::LocalBus bus;
    telemetry::MetricsRegistry metrics;
    relay::LocalBackend backend(store, bus, metrics, {1, 0});
    backend.start();
    relay::Relay relay({}, backend, bus, metrics);
    auto out = std::make_shared<CaptureOutbound>();
    auto session = relay.open_session(out, "127.0.0.1");
    EXPECT_THAT(out->next(), HasSubstr(R"(["AUTH",")"));  // the NIP-42 challenge
    session->on_text(event_message(make_event(test_key(42), 1, relay::unix_now())));
    EXPECT_THAT(out->next(), HasSubstr("error:"));
    session->on_text(R"(["REQ","a",{}])");
    EXPECT_THAT(out->next(), StartsWith(R"(["CLOSED","a","error:)"));
    session->on_text(R"(["COUNT","c",{}])");
    EXPECT_THAT(out->next(), StartsWith(R"(["CLOSED","c","error:)"));
    EXPECT_EQ(series(metrics, "nostpp_store_errors_total{operation=\"put\"}"), 1);
    EXPECT_EQ(series(metrics, "nostpp_store_errors_total{operation=\"query\"}"), 1);
    EXPECT_EQ(series(metrics, "nostpp_store_errors_total{operation=\"count\"}"), 1);
    EXPECT_EQ(series(metrics, "nostpp_events_rejected_total{prefix=\"error\"}"), 1);
    session.reset();
    backend.stop();
    spdlog::set_default_logger(previous);
    // One warning for the outage, not one per failed operation.
    std::string text = log.str();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    EXPECT_THAT(text, HasSubstr("store write failed: error: could not store event")) << text;
}

}  // namespace
