// RemoteBackend against a real event handler (EventHandlerApi + HttpServer + LocalBackend on
// LMDB) on 127.0.0.1: the OK comes after this process's bus delivery, events are batched,
// queries and counts come back intact, and an unreachable event handler gives prompt errors.
#include "services/remote_backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "bus/local_bus.h"
#include "nostr/canonical.h"
#include "nostr/filter_json.h"
#include "relay/event_policy.h"
#include "service_fixture.h"
#include "services/event_handler_api.h"
#include "telemetry/span_queue.h"
#include "telemetry/tracer.h"
#include "test_events.h"

namespace {
using test_support::make_event;
using test_support::test_key;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

// The event handler side, listening on a free port of 127.0.0.1. With `answers_in_lines`
// false it plays an event handler from before the line answer: it never sees the Accept
// header, so it answers POST /query in JSON.
class EventHandler {
  public:
    explicit EventHandler(bool answers_in_lines = true) {
        relay::Limits limits;
        limits.max_filters = 2;
        api_ = std::make_unique<services::EventHandlerApi>(
            stack_.backend(), services::EventHandlerConfig{limits, 1 << 20}, metrics_);
        server_ = std::make_unique<net::HttpServer>(
            net::ServerOptions{"127.0.0.1", 0, 2}, net::HttpServerOptions{},
            [this, answers_in_lines](net::HttpServerRequest r, net::HttpRespond respond) {
                if (!answers_in_lines) r.accept.clear();
                if (r.accept.find("application/x-ndjson") != std::string::npos) ++line_requests;
                api_->handle(std::move(r), respond);
            });
        server_->listen();
        thread_ = std::thread([this] { server_->run(); });
    }
    ~EventHandler() {
        server_->stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->local_port()); }
    std::atomic<int> line_requests{0};  // requests that asked for the line answer
    uint64_t event_requests() { return requests("/event"); }
    uint64_t query_requests() { return requests("/query"); }
    uint64_t requests(const std::string& route) {
        return metrics_
            .counter("nostpp_http_requests_total", "", {{"route", route}, {"status", "200"}})
            .value();
    }

  private:
    service_test::LocalStack stack_;
    telemetry::MetricsRegistry metrics_;
    std::unique_ptr<services::EventHandlerApi> api_;
    std::unique_ptr<net::HttpServer> server_;
    std::thread thread_;
};

struct Submitted {
    store::PutResult result;
    uint64_t seq = 0;
    bool delivered_first = false;  // the bus had delivered the event when the OK came
};

class RemoteTest : public ::testing::Test {
  protected:
    explicit RemoteTest(bool answers_in_lines = true)
        : handler_(answers_in_lines),
          client_({handler_.url(), 4}),
          backend_(client_, bus_, metrics_, {{2, 256, 1 << 20, 16384}, {1, 32, 1 << 20, 16384}}) {
        bus_.subscribe([this](const bus::LiveEvent& live) {
            std::lock_guard lock(mutex_);
            delivered_.emplace_back(nostr::to_hex(live.event->id), live.commit_seq);
        });
    }

    bool was_delivered(const nostr::Event& event, uint64_t seq) {
        std::lock_guard lock(mutex_);
        for (auto& [id, s] : delivered_)
            if (id == nostr::to_hex(event.id) && s == seq) return true;
        return false;
    }

    std::future<Submitted> submit(const nostr::Event& event) {
        auto promise = std::make_shared<std::promise<Submitted>>();
        auto shared = std::make_shared<const nostr::Event>(event);
        backend_.submit(shared, [this, promise, shared](store::PutResult result, uint64_t seq) {
            promise->set_value({result, seq, was_delivered(*shared, seq)});
        });
        return promise->get_future();
    }

    std::future<relay::QueryResult> start_query(const std::string& filters_json,
                                                store::QueryOptions options = {}) {
        std::vector<nostr::Filter> filters;
        std::string error;
        EXPECT_TRUE(nostr::parse_filters_json(filters_json, filters, error)) << error;
        auto promise = std::make_shared<std::promise<relay::QueryResult>>();
        backend_.query(filters, options,
                       [promise](relay::QueryResult r) { promise->set_value(std::move(r)); });
        return promise->get_future();
    }
    relay::QueryResult query(const std::string& filters_json, store::QueryOptions options = {}) {
        return start_query(filters_json, options).get();
    }

    EventHandler handler_;
    net::HttpClient client_;
    bus::LocalBus bus_;
    telemetry::MetricsRegistry metrics_;  // the websocket handler's
    services::RemoteBackend backend_;
    std::mutex mutex_;
    std::vector<std::pair<std::string, uint64_t>> delivered_;
    int64_t now_ = relay::unix_now();
};

TEST_F(RemoteTest, StoredEventIsDeliveredLocallyBeforeItsOk) {
    EXPECT_TRUE(backend_.verifies_events());
    nostr::Event event = make_event(test_key(1), 1, now_, {}, "remote");
    Submitted first = submit(event).get();
    EXPECT_EQ(first.result.outcome, store::PutOutcome::stored);
    EXPECT_GT(first.seq, 0u);
    EXPECT_TRUE(first.delivered_first);
    Submitted again = submit(event).get();
    EXPECT_EQ(again.result.outcome, store::PutOutcome::duplicate);
    EXPECT_EQ(again.result.message, "duplicate: already have this event");

    nostr::Event ephemeral = make_event(test_key(1), 20002, now_, {}, "blip");
    Submitted blip = submit(ephemeral).get();
    EXPECT_EQ(blip.result.outcome, store::PutOutcome::stored);
    EXPECT_EQ(blip.seq, bus::kEphemeralSeq);
    EXPECT_TRUE(blip.delivered_first);
}

TEST_F(RemoteTest, AProtectedEventOfAnAuthenticatedAuthorIsAcceptedByTheEventHandler) {
    nostr::Event event = make_event(test_key(3), 1, now_, {{"-"}}, "protected");
    EXPECT_EQ(submit(event).get().result.message.rfind("auth-required: ", 0), 0u);
    auto promise = std::make_shared<std::promise<store::PutResult>>();
    backend_.submit_authenticated(
        std::make_shared<const nostr::Event>(event),
        [promise](store::PutResult result, uint64_t) { promise->set_value(result); });
    EXPECT_EQ(promise->get_future().get().outcome, store::PutOutcome::stored);
}

TEST_F(RemoteTest, TheEventHandlerVerifies) {
    nostr::Event event = make_event(test_key(2), 1, now_, {}, "signed");
    event.sig[0] ^= 1;
    event.json = nostr::serialize_event(event);
    Submitted refused = submit(event).get();
    EXPECT_FALSE(refused.result.accepted());
    EXPECT_EQ(refused.result.message, "invalid: signature verification failed");
    std::lock_guard lock(mutex_);
    EXPECT_TRUE(delivered_.empty());
}

TEST_F(RemoteTest, ConcurrentEventsTravelInBatches) {
    constexpr int kEvents = 600;
    std::vector<nostr::Event> events;
    for (int i = 0; i < kEvents; ++i)
        events.push_back(make_event(test_key(3), 1, now_ - i, {}, std::to_string(i)));
    // Submitted in a burst, as a busy websocket-handler would.
    std::vector<std::future<Submitted>> futures;
    for (const auto& event : events) futures.push_back(submit(event));
    for (auto& future : futures) {
        ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
        Submitted done = future.get();
        EXPECT_EQ(done.result.outcome, store::PutOutcome::stored) << done.result.message;
        EXPECT_TRUE(done.delivered_first);
    }
    // At most 2 batches in flight of up to 256 events: far fewer requests than events.
    EXPECT_LE(handler_.event_requests(), 12u);
    auto all = query(R"([{"limit":1000}])");
    EXPECT_EQ(all.events.size(), size_t{kEvents});
}

TEST_F(RemoteTest, QueryAndCountComeBackIntact) {
    nostr::Event a = make_event(test_key(4), 1, now_ - 2, {{"t", "q"}}, "quote \" and \n newline");
    nostr::Event b = make_event(test_key(5), 1, now_ - 1, {{"t", "q"}}, "é 🎉");
    Submitted stored_a = submit(a).get();
    Submitted stored_b = submit(b).get();
    auto result = query(R"([{"#t":["q"]}])");
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(result.events, (std::vector<std::string>{b.json, a.json}));
    EXPECT_GE(result.snapshot_seq, stored_b.seq);
    EXPECT_EQ(handler_.line_requests, 1);  // the answer came in lines

    std::vector<nostr::Filter> filters;
    std::string error;
    ASSERT_TRUE(nostr::parse_filters_json(R"([{"#t":["q"]}])", filters, error));
    std::promise<relay::CountResult> counted;
    backend_.count(filters, now_, [&](relay::CountResult r) { counted.set_value(std::move(r)); });
    auto count = counted.get_future().get();
    EXPECT_EQ(count.error, "");
    EXPECT_EQ(count.count, 2u);
    EXPECT_EQ(count.hll_hex.size(), 512u);

    // The event handler's own limits apply, and its "invalid:" message reaches the client.
    auto refused = query(R"([{},{},{}])");
    EXPECT_EQ(refused.error, "invalid: too many filters (3, max 2)");

    // Every request was timed by route; a refusal (400) is an answer, not an error.
    std::string text = metrics_.prometheus_text();
    for (const char* route : {"/event", "/query", "/count"}) {
        std::string labels = std::string("{route=\"") + route + "\"}";
        EXPECT_THAT(text, HasSubstr("nostpp_event_handler_errors_total" + labels + " 0\n"));
        EXPECT_THAT(text, Not(HasSubstr("nostpp_event_handler_request_duration_seconds_count" +
                                        labels + " 0\n")))
            << text;
    }
    EXPECT_THAT(text, HasSubstr("nostpp_event_handler_request_duration_seconds_count{route=\"/"
                                "query\"} 2\n"));
}

// The websocket handler's --max-limit and --default-limit (advertised in its NIP-11) bound
// what the event handler returns, even when the event handler's own limits are larger.
TEST_F(RemoteTest, ThisHandlersLimitsBoundTheEventHandlersAnswer) {
    for (int i = 0; i < 6; ++i)
        ASSERT_EQ(submit(make_event(test_key(8), 1, now_ - i, {{"t", "lim"}})).get().result.outcome,
                  store::PutOutcome::stored);
    store::QueryOptions options{/*max_limit=*/3, /*default_limit=*/2, now_};
    EXPECT_EQ(query(R"([{"#t":["lim"],"limit":100}])", options).events.size(), 3u);
    EXPECT_EQ(query(R"([{"#t":["lim"]}])", options).events.size(), 2u);
    EXPECT_EQ(query(R"([{"#t":["lim"],"limit":1}])", options).events.size(), 1u);
    EXPECT_EQ(query(R"([{"#t":["lim"],"limit":0}])", options).events.size(), 0u);
    EXPECT_EQ(query(R"([{"#t":["lim"]}])").events.size(), 6u);  // defaults: 500 of 5000
}

TEST_F(RemoteTest, ConcurrentQueriesTravelInBatchesWithTheirOwnAnswers) {
    std::vector<nostr::Event> events;
    for (int i = 0; i < 20; ++i) {
        events.push_back(make_event(test_key(7), 1, now_ - i, {{"t", "n" + std::to_string(i)}}));
        ASSERT_EQ(submit(events.back()).get().result.outcome, store::PutOutcome::stored);
    }
    uint64_t requests_before = handler_.query_requests();
    std::vector<std::future<relay::QueryResult>> futures;
    for (int round = 0; round < 10; ++round)
        for (int i = 0; i < 20; ++i)
            futures.push_back(start_query(R"([{"#t":["n)" + std::to_string(i) + R"("]}])"));
    futures.push_back(start_query(R"([{},{},{}])"));  // refused, alone, inside a batch
    for (size_t k = 0; k + 1 < futures.size(); ++k) {
        auto result = futures[k].get();
        EXPECT_EQ(result.error, "");
        EXPECT_EQ(result.events, std::vector<std::string>{events[k % 20].json});
    }
    EXPECT_EQ(futures.back().get().error, "invalid: too many filters (3, max 2)");
    // One query request in flight at a time (this fixture): 201 queries in far fewer requests.
    EXPECT_LE(handler_.query_requests() - requests_before, 40u);
}

// A websocket handler upgraded before its event handler still reads the JSON answer.
class RemoteToOlderEventHandlerTest : public RemoteTest {
  protected:
    RemoteToOlderEventHandlerTest() : RemoteTest(false) {}
};

TEST_F(RemoteToOlderEventHandlerTest, JsonAnswersOfSingleQueriesAndBatchesAreRead) {
    std::vector<nostr::Event> events;
    for (int i = 0; i < 5; ++i) {
        events.push_back(
            make_event(test_key(9), 1, now_ - i, {{"t", "o" + std::to_string(i)}}, "a \n b é"));
        ASSERT_EQ(submit(events.back()).get().result.outcome, store::PutOutcome::stored);
    }
    auto single = query(R"([{"#t":["o0"]}])");
    EXPECT_EQ(single.error, "");
    EXPECT_EQ(single.events, std::vector<std::string>{events[0].json});
    std::vector<std::future<relay::QueryResult>> futures;
    for (int round = 0; round < 8; ++round)
        for (int i = 0; i < 5; ++i)
            futures.push_back(start_query(R"([{"#t":["o)" + std::to_string(i) + R"("]}])"));
    futures.push_back(start_query(R"([{},{},{}])"));
    for (size_t k = 0; k + 1 < futures.size(); ++k) {
        auto result = futures[k].get();
        EXPECT_EQ(result.error, "");
        EXPECT_EQ(result.events, std::vector<std::string>{events[k % 5].json});
    }
    EXPECT_EQ(futures.back().get().error, "invalid: too many filters (3, max 2)");
    EXPECT_EQ(handler_.line_requests, 0);
}

TEST(RemoteDown, UnreachableEventHandlerFailsPromptly) {
    std::string url;
    {
        EventHandler gone;
        url = gone.url();
    }
    net::HttpClient client({url, 4});
    bus::LocalBus bus;
    telemetry::MetricsRegistry metrics;
    services::RemoteBackend backend(client, bus, metrics);
    auto start = Clock::now();
    std::promise<store::PutResult> put;
    backend.submit(
        std::make_shared<const nostr::Event>(make_event(test_key(6), 1, relay::unix_now())),
        [&](store::PutResult r, uint64_t) { put.set_value(std::move(r)); });
    std::promise<relay::QueryResult> queried;
    backend.query({nostr::Filter{}}, {},
                  [&](relay::QueryResult r) { queried.set_value(std::move(r)); });
    std::promise<relay::CountResult> counted;
    backend.count({nostr::Filter{}}, 0,
                  [&](relay::CountResult r) { counted.set_value(std::move(r)); });
    auto put_result = put.get_future().get();
    EXPECT_EQ(put_result.outcome, store::PutOutcome::error);
    EXPECT_THAT(put_result.message, StartsWith("error: event handler unavailable: cannot connect"));
    EXPECT_THAT(queried.get_future().get().error, StartsWith("error: event handler unavailable: "));
    EXPECT_THAT(counted.get_future().get().error, StartsWith("error: event handler unavailable: "));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
    service_test::expect_one_error_per_route(metrics.prometheus_text());
}

}  // namespace

namespace {

// Records every span of the process (both sides of the hop run here) while it lives.
class TraceCapture {
  public:
    TraceCapture() {
        telemetry::install_tracer(std::make_shared<const telemetry::Tracer>(
            telemetry::Sampler{telemetry::SamplerType::always_on, 1.0}, queue_));
    }
    ~TraceCapture() { telemetry::install_tracer(nullptr); }

    // The spans ended so far, once `count` spans named `name` are among them (bounded wait).
    const std::vector<telemetry::SpanData>& wait_for(const std::string& name, size_t count) {
        auto deadline = Clock::now() + std::chrono::seconds(10);
        while (Clock::now() < deadline) {
            queue_->take(spans_, 100000, Clock::now());
            size_t n = std::count_if(spans_.begin(), spans_.end(),
                                     [&](const auto& span) { return span.name == name; });
            if (n >= count) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return spans_;
    }

    static const telemetry::SpanData* child_of(const std::vector<telemetry::SpanData>& spans,
                                               const telemetry::SpanContext& parent,
                                               const std::string& name) {
        for (const auto& span : spans)
            if (span.name == name && span.parent_span_id == parent.span_id &&
                span.context.trace_id == parent.trace_id)
                return &span;
        return nullptr;
    }
    static const telemetry::AttributeValue* attribute(const telemetry::SpanData& span,
                                                      std::string_view key) {
        for (const auto& a : span.attributes)
            if (a.key == key) return &a.value;
        return nullptr;
    }

  private:
    std::shared_ptr<telemetry::SpanQueue> queue_ =
        std::make_shared<telemetry::SpanQueue>(100000, 100000);
    std::vector<telemetry::SpanData> spans_;
};

}  // namespace

TEST_F(RemoteTest, EachBatchedEventCarriesItsOwnTraceToTheEventHandler) {
    TraceCapture capture;
    std::vector<nostr::Event> events;
    std::vector<telemetry::Span> roots;
    std::vector<std::future<Submitted>> answers;
    for (int i = 0; i < 40; ++i) {
        events.push_back(make_event(test_key(30), 1, now_, {}, "traced " + std::to_string(i)));
        roots.push_back(telemetry::start_span("nostr.EVENT", telemetry::SpanKind::server, {}));
        telemetry::ContextScope scope(roots.back().context());
        answers.push_back(submit(events.back()));
    }
    for (auto& answer : answers) EXPECT_EQ(answer.get().result.outcome, store::PutOutcome::stored);
    const auto& spans = capture.wait_for("store.commit", events.size());

    size_t batched = 0;
    for (size_t i = 0; i < events.size(); ++i) {
        SCOPED_TRACE(i);
        const auto* client = TraceCapture::child_of(spans, roots[i].context(), "POST /event");
        ASSERT_TRUE(client);
        EXPECT_EQ(client->kind, telemetry::SpanKind::client);
        const auto* server = TraceCapture::child_of(spans, client->context, "POST /event");
        ASSERT_TRUE(server) << "the event handler's span is the child of this item's client span";
        EXPECT_EQ(server->kind, telemetry::SpanKind::server);
        EXPECT_EQ(std::get<std::string>(*TraceCapture::attribute(*server, "nostr.event.id")),
                  nostr::to_hex(events[i].id));
        const auto* commit = TraceCapture::child_of(spans, server->context, "store.commit");
        ASSERT_TRUE(commit);
        EXPECT_GE(std::get<int64_t>(*TraceCapture::attribute(*commit, "nostpp.commit.batch_size")),
                  1);
        batched += std::get<int64_t>(*TraceCapture::attribute(*server, "nostpp.batch.size")) > 1;
    }
    EXPECT_GT(batched, 0u) << "40 events at once on 2 request slots travel in batches";
}

TEST_F(RemoteTest, QueriesAndCountsCarryTheirTraceToo) {
    TraceCapture capture;
    std::vector<telemetry::Span> roots;
    std::vector<std::future<relay::QueryResult>> answers;
    for (int i = 0; i < 10; ++i) {
        roots.push_back(telemetry::start_span("nostr.REQ", telemetry::SpanKind::server, {}));
        telemetry::ContextScope scope(roots.back().context());
        answers.push_back(start_query(R"([{"kinds":[1]}])"));
    }
    for (auto& answer : answers) EXPECT_EQ(answer.get().error, "");
    telemetry::Span count_root =
        telemetry::start_span("nostr.COUNT", telemetry::SpanKind::server, {});
    {
        telemetry::ContextScope scope(count_root.context());
        std::promise<relay::CountResult> counted;
        backend_.count({nostr::Filter{}}, now_,
                       [&](relay::CountResult r) { counted.set_value(std::move(r)); });
        EXPECT_EQ(counted.get_future().get().error, "");
    }
    const auto& spans = capture.wait_for("store.query", roots.size());
    capture.wait_for("store.count", 1);
    for (size_t i = 0; i < roots.size(); ++i) {
        SCOPED_TRACE(i);
        const auto* client = TraceCapture::child_of(spans, roots[i].context(), "POST /query");
        ASSERT_TRUE(client);
        const auto* server = TraceCapture::child_of(spans, client->context, "POST /query");
        ASSERT_TRUE(server);
        EXPECT_TRUE(TraceCapture::child_of(spans, server->context, "store.query"));
    }
    const auto* client = TraceCapture::child_of(spans, count_root.context(), "POST /count");
    ASSERT_TRUE(client);
    const auto* server = TraceCapture::child_of(spans, client->context, "POST /count");
    ASSERT_TRUE(server) << "a single request's context travels in the traceparent header";
    EXPECT_TRUE(TraceCapture::child_of(spans, server->context, "store.count"));
}
