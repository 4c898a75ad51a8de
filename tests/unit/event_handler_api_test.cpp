// EventHandlerApi without sockets: every route, status and body, against a real LMDB-backed
// LocalBackend; and the OK messages of POST /event compared with what the all-in-one relay
// answers to the same events, so the two paths cannot drift apart.
#include "services/event_handler_api.h"
#include "services/api_json.h"
#include "services/api_query_lines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "nostr/canonical.h"
#include "nostr/relay_message.h"
#include "relay/event_policy.h"
#include "relay/relay.h"
#include "service_fixture.h"
#include "test_events.h"

namespace {
using service_test::call;
using test_support::make_event;
using test_support::sign_event;
using test_support::test_key;
using ::testing::HasSubstr;
using ::testing::StartsWith;

relay::Limits test_limits() {
    relay::Limits limits;
    limits.max_event_tags = 3;
    limits.max_content_length = 20;
    limits.max_filters = 2;
    limits.max_limit = 3;
    limits.default_limit = 2;
    limits.created_at_future_seconds = 60;
    limits.created_at_past_seconds = 86400;
    return limits;
}

class ApiTest : public ::testing::Test {
  protected:
    ApiTest() : api_(stack_.backend(), {test_limits(), 4096}, metrics_) {}

    net::HttpServerResponse request(std::string method, std::string target, std::string body = {},
                                    bool too_large = false) {
        return call([this](net::HttpServerRequest r,
                           net::HttpRespond respond) { api_.handle(std::move(r), respond); },
                    std::move(method), std::move(target), std::move(body), too_large);
    }
    net::HttpServerResponse post(std::string target, std::string body) {
        return request("POST", std::move(target), std::move(body));
    }
    // POST /query asking for the line answer.
    net::HttpServerResponse post_query_lines(std::string body) {
        return call(
            [this](net::HttpServerRequest r, net::HttpRespond respond) {
                r.accept = "application/json, application/x-ndjson";
                api_.handle(std::move(r), respond);
            },
            "POST", "/query", std::move(body));
    }

    // A query answer with these events, at the current commit (2 events stored).
    static std::string api_events(const std::vector<std::string>& events) {
        std::string out = R"({"events":[)";
        for (size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + events[i];
        return out + R"(],"snapshot_seq":2})";
    }

    int64_t now_ = relay::unix_now();
    nostr::KeyPair alice_ = test_key(21);
    service_test::LocalStack stack_;
    telemetry::MetricsRegistry metrics_;
    services::EventHandlerApi api_;
};

TEST_F(ApiTest, PostEventStoresAndAnswersWithTheCommitSeq) {
    nostr::Event event = make_event(alice_, 1, now_ - 5, {}, "hello");
    auto first = post("/event", event.json);
    EXPECT_EQ(first.status, 200u);
    EXPECT_EQ(first.content_type, "application/json");
    EXPECT_THAT(first.body,
                StartsWith(R"({"accepted":true,"message":"","outcome":"stored","seq":)"));
    auto again = post("/event", event.json);
    EXPECT_EQ(
        again.body,
        R"({"accepted":true,"message":"duplicate: already have this event","outcome":"duplicate"})");
    EXPECT_EQ(stack_.store().size(), 1u);
}

TEST_F(ApiTest, EphemeralEventsArePublishedNotStored) {
    std::mutex mutex;
    std::vector<uint64_t> seen;
    stack_.bus().subscribe([&](const bus::LiveEvent& live) {
        std::lock_guard lock(mutex);
        seen.push_back(live.commit_seq);
    });
    nostr::Event event = make_event(alice_, 20001, now_, {}, "blip");
    auto reply = post("/event", event.json);
    EXPECT_EQ(reply.body, R"({"accepted":true,"message":"","outcome":"ephemeral"})");
    EXPECT_EQ(stack_.store().size(), 0u);
    std::lock_guard lock(mutex);
    // Answered only after delivery on the bus.
    EXPECT_EQ(seen, std::vector<uint64_t>{bus::kEphemeralSeq});
}

TEST_F(ApiTest, PostEventRefusals) {
    nostr::Event tampered = make_event(alice_, 1, now_, {}, "x");
    tampered.content = "y";
    tampered.json = nostr::serialize_event(tampered);
    EXPECT_EQ(
        post("/event", tampered.json).body,
        R"({"accepted":false,"message":"invalid: event id does not match the hash of its canonical serialization","outcome":"invalid"})");
    nostr::Event protected_event = make_event(alice_, 1, now_, {{"-"}}, "p");
    EXPECT_EQ(
        post("/event", protected_event.json).body,
        R"x({"accepted":false,"message":"auth-required: this event may only be published by its author; authenticate first (NIP-42)","outcome":"blocked"})x");
    EXPECT_EQ(
        post("/event", R"({"id":"x"})").body,
        R"({"accepted":false,"message":"invalid: 'id' must be 64 lowercase hex characters","outcome":"invalid"})");
    EXPECT_EQ(
        post("/event", "5").body,
        R"({"accepted":false,"message":"invalid: event must be a JSON object","outcome":"invalid"})");
    nostr::Event newer = make_event(alice_, 0, now_ - 10, {}, "new");
    nostr::Event older = make_event(alice_, 0, now_ - 20, {}, "old");
    EXPECT_THAT(post("/event", newer.json).body, HasSubstr(R"("outcome":"stored")"));
    auto superseded = post("/event", older.json);
    EXPECT_THAT(superseded.body, StartsWith(R"({"accepted":false,"message":")"));
    EXPECT_THAT(superseded.body, HasSubstr(R"("outcome":"superseded")"));
}

// NIP-70 behind a websocket-handler: it checked the author's NIP-42 authentication and says
// so in an envelope; everything else is still checked here.
TEST_F(ApiTest, AProtectedEventInAnAuthenticatedEnvelopeIsAccepted) {
    nostr::Event mine = make_event(alice_, 1, now_, {{"-"}}, "mine");
    std::string envelope = services::api::encode_authenticated_event(mine.json);
    EXPECT_THAT(post("/event", envelope).body,
                StartsWith(R"({"accepted":true,"message":"","outcome":"stored","seq":)"));
    nostr::Event forged = make_event(alice_, 1, now_, {{"-"}}, "forged");
    forged.sig[3] ^= 1;
    forged.json = nostr::serialize_event(forged);
    nostr::Event other = make_event(alice_, 1, now_ - 1, {{"-"}}, "batch");
    nostr::Event traced = make_event(alice_, 1, now_ - 2, {{"-"}}, "traced");
    std::string batch = "[" + services::api::encode_authenticated_event(forged.json) + "," +
                        services::api::encode_authenticated_event(other.json) + "," +
                        R"({"event":)" + other.json + R"(,"author_authenticated":false})" + "," +
                        R"({"event":7,"author_authenticated":true})" + "," +
                        R"({"event":)" + traced.json +
                        R"(,"author_authenticated":true,"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})" +
                        "]";
    std::string body = post("/event", batch).body;
    EXPECT_THAT(body, StartsWith(R"([{"accepted":false,"message":"invalid: signature)")) << body;
    EXPECT_THAT(body, HasSubstr(R"(},{"accepted":true,"message":"","outcome":"stored","seq":)"));
    EXPECT_THAT(body, HasSubstr(R"({"accepted":false,"message":"invalid: an envelope is )"));
    EXPECT_THAT(body,
                HasSubstr(R"({"accepted":false,"message":"invalid: event must be a JSON object")"));
    // A batch element's traceparent (tracing on) may sit in the envelope too: stored.
    EXPECT_EQ(stack_.store().size(), 3u) << body;
}

TEST_F(ApiTest, MalformedBodiesAre400) {
    for (std::string body : {"{", "", "[1,", "nope"}) {
        auto reply = post("/event", body);
        EXPECT_EQ(reply.status, 400u) << body;
        EXPECT_EQ(reply.body, R"({"error":"invalid: malformed JSON"})") << body;
    }
    EXPECT_EQ(post("/query", "{").status, 400u);
    EXPECT_EQ(post("/count", "[").status, 400u);
}

TEST_F(ApiTest, BatchAnswersEachEventInOrder) {
    nostr::Event a = make_event(alice_, 1, now_ - 3, {}, "a");
    nostr::Event b = make_event(alice_, 1, now_ - 2, {}, "b");
    nostr::Event too_many_tags =
        make_event(alice_, 1, now_, {{"t", "1"}, {"t", "2"}, {"t", "3"}, {"t", "4"}});
    std::string body =
        "[" + a.json + "," + too_many_tags.json + ",7," + b.json + "," + a.json + "]";
    auto reply = post("/event", body);
    ASSERT_EQ(reply.status, 200u);
    EXPECT_THAT(reply.body,
                StartsWith(R"([{"accepted":true,"message":"","outcome":"stored","seq":)"));
    EXPECT_THAT(
        reply.body,
        HasSubstr(
            R"j({"accepted":false,"message":"invalid: too many tags (4, max 3)","outcome":"invalid"},)j"
            R"({"accepted":false,"message":"invalid: event must be a JSON object","outcome":"invalid"},)"
            R"({"accepted":true,"message":"","outcome":"stored","seq":)"));
    // The same event twice in one batch: the second is a duplicate of the first.
    EXPECT_THAT(reply.body, HasSubstr(R"("outcome":"duplicate"}])"));
    EXPECT_EQ(stack_.store().size(), 2u);
    EXPECT_EQ(post("/event", "[]").body, "[]");
}

TEST_F(ApiTest, QueryReturnsNewestFirstWithTheSnapshot) {
    std::vector<nostr::Event> events;
    for (int i = 0; i < 4; ++i) {
        events.push_back(make_event(alice_, 1, now_ - 100 + i, {{"t", "x"}}, std::to_string(i)));
        ASSERT_THAT(post("/event", events.back().json).body, HasSubstr("stored"));
    }
    auto reply = post("/query", R"({"filters":[{"kinds":[1],"limit":2}]})");
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.body,
              R"({"events":[)" + events[3].json + "," + events[2].json + R"(],"snapshot_seq":4})");
    // No limit: the handler's own default_limit (2); a bigger limit is capped at max_limit (3).
    EXPECT_THAT(post("/query", R"({"filters":[{}]})").body,
                StartsWith(R"({"events":[)" + events[3].json + "," + events[2].json + "]"));
    EXPECT_THAT(post("/query", R"({"filters":[{"limit":100}]})").body,
                StartsWith(R"({"events":[)" + events[3].json + "," + events[2].json + "," +
                           events[1].json + "]"));
    // Two filters: one list, each event once.
    auto both = post("/query", R"({"filters":[{"#t":["x"],"limit":1},{"kinds":[1],"limit":1}]})");
    EXPECT_EQ(both.body, R"({"events":[)" + events[3].json + R"(],"snapshot_seq":4})");
}

TEST_F(ApiTest, QueryBatchAnswersEachQuery) {
    nostr::Event a = make_event(alice_, 1, now_ - 2, {{"t", "a"}});
    nostr::Event b = make_event(alice_, 7, now_ - 1, {{"t", "b"}});
    post("/event", a.json);
    post("/event", b.json);
    auto reply = post("/query", R"([{"filters":[{"#t":["a"]}]},{"filters":[]},5,)"
                                R"({"filters":[{"kinds":[7]}]},{"filters":[{},{},{}]}])");
    ASSERT_EQ(reply.status, 200u);
    EXPECT_EQ(reply.body, "[" + api_events({a.json}) + "," +
                              R"({"error":"invalid: at least one filter is required"},)"
                              R"({"error":"invalid: each query must be a JSON object"},)" +
                              api_events({b.json}) + "," +
                              R"j({"error":"invalid: too many filters (3, max 2)"}])j");
    EXPECT_EQ(post("/query", "[]").body, "[]");
    EXPECT_EQ(post("/query", "[{").status, 400u);
}

// Without the Accept header the JSON answer, exactly as before; with it the line answer, for
// one query and for a batch with failed queries, whose bad requests stay JSON errors.
TEST_F(ApiTest, QueryLinesOnlyWhenAccepted) {
    nostr::Event a = make_event(alice_, 1, now_ - 2, {{"t", "a"}}, "two\nlines");
    nostr::Event b = make_event(alice_, 7, now_ - 1, {{"t", "b"}}, "é 🎉");
    post("/event", a.json);
    post("/event", b.json);
    const std::string one = R"({"filters":[{"kinds":[1,7]}]})";
    auto json = post("/query", one);
    EXPECT_EQ(json.content_type, "application/json");
    EXPECT_EQ(json.body, api_events({b.json, a.json}));

    auto lines = post_query_lines(one);
    EXPECT_EQ(lines.status, 200u);
    EXPECT_EQ(lines.content_type, "application/x-ndjson");
    EXPECT_EQ(lines.body, "{\"snapshot_seq\":2,\"events\":2}\n" + b.json + "\n" + a.json + "\n");

    auto batch = post_query_lines(R"([{"filters":[{"#t":["a"]}]},{"filters":[]},5,)"
                                  R"({"filters":[{"#t":["none"]}]}])");
    EXPECT_EQ(batch.status, 200u);
    EXPECT_EQ(batch.content_type, "application/x-ndjson");
    EXPECT_EQ(batch.body, "{\"snapshot_seq\":2,\"events\":1}\n" + a.json + "\n" +
                              R"({"error":"invalid: at least one filter is required"})" "\n"
                              R"({"error":"invalid: each query must be a JSON object"})" "\n"
                              "{\"snapshot_seq\":2,\"events\":0}\n");
    std::vector<services::api::QueryReply> decoded;
    std::string error;
    ASSERT_TRUE(services::api::decode_query_lines(batch.body, 4, decoded, error)) << error;
    EXPECT_EQ(decoded[0].events, std::vector<std::string>{a.json});
    EXPECT_EQ(post_query_lines("[]").body, "");

    auto refused = post_query_lines(R"({"filters":[]})");
    EXPECT_EQ(refused.status, 400u);
    EXPECT_EQ(refused.content_type, "application/json");
    EXPECT_EQ(refused.body, R"({"error":"invalid: at least one filter is required"})");
}

TEST_F(ApiTest, InvalidFiltersAre400) {
    auto bad_kind = post("/query", R"({"filters":[{"kinds":["x"]}]})");
    EXPECT_EQ(bad_kind.status, 400u);
    EXPECT_EQ(bad_kind.body,
              R"({"error":"invalid: 'kinds' must hold integers between 0 and 65535"})");
    EXPECT_EQ(post("/query", R"({"filters":[]})").body,
              R"({"error":"invalid: at least one filter is required"})");
    EXPECT_EQ(post("/count", R"({"filters":[{},{},{}]})").body,
              R"j({"error":"invalid: too many filters (3, max 2)"})j");
    EXPECT_EQ(post("/query", R"({"filters":[{}],"x":1})").body,
              R"({"error":"invalid: unknown field 'x'"})");
    // An array is a batch of queries: each answered on its own. COUNT takes no batches.
    auto batch = post("/query", R"([{}])");
    EXPECT_EQ(batch.status, 200u);
    EXPECT_EQ(batch.body, R"([{"error":"invalid: the body must be {\"filters\":[<filter>...]}"}])");
    EXPECT_EQ(post("/count", R"([{}])").status, 400u);
    EXPECT_EQ(post("/query", R"({"filters":[{"search":"x"}]})").body,
              R"({"error":"unsupported: unknown filter field 'search'"})");
}

TEST_F(ApiTest, CountWithAndWithoutHyperLogLog) {
    std::string target(64, 'e');
    for (int i = 0; i < 3; ++i)
        ASSERT_THAT(
            post("/event", make_event(test_key(100 + i), 7, now_ - i, {{"e", target}}).json).body,
            HasSubstr("stored"));
    auto plain = post("/count", R"({"filters":[{"kinds":[7]}]})");
    EXPECT_EQ(plain.status, 200u);
    EXPECT_EQ(plain.body, R"({"count":3})");
    auto hll = post("/count", R"({"filters":[{"#e":[")" + target + R"("]}]})");
    EXPECT_THAT(hll.body, StartsWith(R"({"count":3,"hll":")"));
    EXPECT_EQ(hll.body.size(), std::string(R"({"count":3,"hll":""})").size() + 512);
}

TEST_F(ApiTest, RoutingErrors) {
    auto missing = request("GET", "/nothing");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_EQ(missing.body, R"({"error":"invalid: unknown route '/nothing'"})");
    auto wrong = request("GET", "/event");
    EXPECT_EQ(wrong.status, 405u);
    EXPECT_EQ(wrong.body, R"({"error":"invalid: /event takes POST, not GET"})");
    EXPECT_EQ(request("POST", "/health").status, 405u);
    EXPECT_EQ(request("DELETE", "/query").status, 405u);
    auto big = request("POST", "/event", {}, true);
    EXPECT_EQ(big.status, 413u);
    EXPECT_EQ(big.body, R"({"error":"invalid: request body larger than 4096 bytes"})");
    EXPECT_EQ(request("POST", "/query", std::string(5000, ' ')).status, 413u);
    EXPECT_EQ(request("GET", "/health?verbose=1").status, 200u);
}

TEST_F(ApiTest, HealthAndMetrics) {
    auto health = request("GET", "/health");
    EXPECT_EQ(health.status, 200u);
    EXPECT_EQ(health.body, R"({"status":"ok"})");
    post("/event", make_event(alice_, 1, now_, {}, "m").json);
    post("/event", "{");
    request("GET", "/x");
    auto metrics = request("GET", "/metrics");
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_THAT(metrics.content_type, StartsWith("text/plain; version=0.0.4"));
    EXPECT_THAT(metrics.body,
                HasSubstr("nostpp_http_requests_total{route=\"/event\",status=\"200\"} 1\n"));
    EXPECT_THAT(metrics.body,
                HasSubstr("nostpp_http_requests_total{route=\"/event\",status=\"400\"} 1\n"));
    EXPECT_THAT(metrics.body,
                HasSubstr("nostpp_http_requests_total{route=\"other\",status=\"404\"} 1\n"));
    EXPECT_THAT(metrics.body, HasSubstr("nostpp_events_accepted_total{outcome=\"stored\"} 1\n"));
    // The malformed body is a bad request, not an event.
    EXPECT_THAT(metrics.body, HasSubstr("nostpp_events_received_total 1\n"));
    // The /metrics request itself is still in flight while it renders.
    EXPECT_THAT(metrics.body, HasSubstr("nostpp_http_requests_in_flight 1\n"));
}

TEST_F(ApiTest, RejectedEventsAreCountedByPrefix) {
    nostr::Event old = make_event(alice_, 1, now_ - 2 * 86400, {}, "old");
    nostr::Event ok = make_event(alice_, 1, now_, {}, "ok");
    post("/event", "[" + old.json + "," + ok.json + "," + ok.json + "]");
    std::string text = metrics_.prometheus_text();
    EXPECT_THAT(text, HasSubstr("nostpp_events_received_total 3\n"));
    EXPECT_THAT(text, HasSubstr("nostpp_events_rejected_total{prefix=\"invalid\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("nostpp_events_accepted_total{outcome=\"stored\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("nostpp_events_accepted_total{outcome=\"duplicate\"} 1\n"));
}

TEST(ApiMetricsOff, MetricsRouteIsGoneWhenServedElsewhere) {
    service_test::LocalStack stack;
    telemetry::MetricsRegistry metrics;
    services::EventHandlerConfig config{test_limits(), 4096};
    config.serve_metrics = false;
    services::EventHandlerApi api(stack.backend(), config, metrics);
    auto reply = call([&](net::HttpServerRequest r,
                          net::HttpRespond respond) { api.handle(std::move(r), respond); },
                      "GET", "/metrics");
    EXPECT_EQ(reply.status, 404u);
    EXPECT_THAT(reply.body, HasSubstr("unknown route"));
}

// A backend whose store is broken.
class FailingBackend final : public relay::Backend {
  public:
    void submit(std::shared_ptr<const nostr::Event>, SubmitDone done) override {
        done({store::PutOutcome::error, "error: disk on fire"}, 0);
    }
    void query(std::vector<nostr::Filter>, store::QueryOptions,
               std::function<void(relay::QueryResult)> done) override {
        done({{}, 0, "error: query failed: disk on fire"});
    }
    void count(std::vector<nostr::Filter>, int64_t,
               std::function<void(relay::CountResult)> done) override {
        done({0, "", "error: count failed: disk on fire"});
    }
};

TEST(ApiErrors, StoreErrorsReachTheBody) {
    FailingBackend backend;
    telemetry::MetricsRegistry metrics;
    services::EventHandlerApi api(backend, {test_limits(), 4096}, metrics);
    net::HttpHandler handler = [&](net::HttpServerRequest r, net::HttpRespond respond) {
        api.handle(std::move(r), respond);
    };
    nostr::Event event = make_event(test_key(5), 1, relay::unix_now());
    auto put = call(handler, "POST", "/event", event.json);
    EXPECT_EQ(put.status, 200u);
    EXPECT_EQ(put.body, R"({"accepted":false,"message":"error: disk on fire","outcome":"error"})");
    auto query = call(handler, "POST", "/query", R"({"filters":[{}]})");
    EXPECT_EQ(query.status, 503u);
    EXPECT_EQ(query.body, R"({"error":"error: query failed: disk on fire"})");
    auto count = call(handler, "POST", "/count", R"({"filters":[{}]})");
    EXPECT_EQ(count.status, 503u);
    EXPECT_EQ(count.body, R"({"error":"error: count failed: disk on fire"})");
    auto health = call(handler, "GET", "/health");
    EXPECT_EQ(health.status, 503u);
    EXPECT_EQ(health.body,
              R"({"status":"unavailable","error":"error: query failed: disk on fire"})");
}

// The message of an OK answer ["OK",id,bool,"message"], as JSON text, from either path.
TEST(ApiMatchesRelay, SameOkMessagesAsTheAllInOneRelay) {
    service_test::LocalStack relay_stack, api_stack;
    relay::RelayConfig config;
    config.limits = test_limits();
    relay::Relay relay(config, relay_stack.backend(), relay_stack.bus(), relay_stack.metrics());
    auto out = std::make_shared<service_test::CaptureOutbound>();
    auto session = relay.open_session(out, "test");
    telemetry::MetricsRegistry metrics;
    services::EventHandlerApi api(api_stack.backend(), {config.limits, 1 << 20}, metrics);
    net::HttpHandler handler = [&](net::HttpServerRequest r, net::HttpRespond respond) {
        api.handle(std::move(r), respond);
    };

    int64_t now = relay::unix_now();
    nostr::KeyPair key = test_key(31);
    std::vector<std::string> cases;
    auto add = [&](const nostr::Event& event) { cases.push_back(event.json); };
    nostr::Event good = make_event(key, 1, now - 1, {}, "good");
    add(good);
    add(good);  // duplicate
    nostr::Event tampered = make_event(key, 1, now, {}, "x");
    tampered.content = "changed";
    tampered.json = nostr::serialize_event(tampered);
    add(tampered);
    nostr::Event bad_sig = make_event(key, 1, now, {}, "sig");
    bad_sig.sig[5] ^= 1;
    bad_sig.json = nostr::serialize_event(bad_sig);
    add(bad_sig);
    add(make_event(key, 1, now, {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
    add(make_event(key, 1, now, {}, std::string(21, 'z')));
    add(make_event(key, 1, now + 3600));
    add(make_event(key, 1, now - 2 * 86400));
    add(make_event(key, 1, now, {{"expiration", std::to_string(now - 10)}}));
    add(make_event(key, 1, now, {{"-"}}));
    add(make_event(key, 0, now - 5, {}, "profile v2"));
    add(make_event(key, 0, now - 50, {}, "profile v1"));  // superseded
    nostr::Event upper = make_event(key, 1, now);
    std::string upper_json = upper.json;
    std::string id_hex = nostr::to_hex(upper.id);
    std::string upper_id = id_hex;
    for (char& c : upper_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper_json.replace(upper_json.find(id_hex), id_hex.size(), upper_id);
    cases.push_back(upper_json);

    EXPECT_THAT(out->next(), StartsWith(R"(["AUTH",")"));  // the NIP-42 challenge on open
    for (const std::string& json : cases) {
        session->on_text("[\"EVENT\"," + json + "]");
        std::string ok = out->next();
        auto reply = call(handler, "POST", "/event", json);
        ASSERT_EQ(reply.status, 200u) << json;
        // ["OK","<id>",<bool>,"<message>"] -> the message and the flag, JSON-encoded.
        size_t flag_start = ok.find(',', 8) + 1;
        size_t message_start = ok.find(',', flag_start) + 1;
        std::string flag = ok.substr(flag_start, message_start - 1 - flag_start);
        std::string message = ok.substr(message_start, ok.size() - 1 - message_start);
        EXPECT_THAT(reply.body,
                    StartsWith("{\"accepted\":" + flag + ",\"message\":" + message + ","))
            << "relay said " << ok;
    }
}

}  // namespace
