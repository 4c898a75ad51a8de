// EVENT_HANDLER_TOKEN: the token check itself (services::ApiToken), the event handler's API
// refusing POST /event, /query and /count without it while GET /health and /metrics stay open,
// and a RemoteBackend over real sockets with the right token (every route works) and a wrong
// one (clients get "error:", every request is counted as failed). Also LogThrottle, which
// keeps a misconfigured token from logging a line per request.
#include "services/api_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "bus/local_bus.h"
#include "net/http_client.h"
#include "relay/event_policy.h"
#include "service_fixture.h"
#include "services/event_handler_api.h"
#include "services/log_throttle.h"
#include "services/remote_backend.h"
#include "test_events.h"
#include "test_http_server.h"

namespace {
using test_support::make_event;
using test_support::test_key;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kToken = "0123456789abcdef-the-right-token";

TEST(ApiToken, AcceptsOnlyTheBearerOfTheRightToken) {
    services::ApiToken token(kToken);
    EXPECT_TRUE(token.required());
    EXPECT_TRUE(token.accepts("Bearer " + kToken));
    EXPECT_TRUE(token.accepts("bearer " + kToken));  // the scheme is case-insensitive
    EXPECT_TRUE(token.accepts("BEARER  " + kToken));
    EXPECT_FALSE(token.accepts(""));
    EXPECT_FALSE(token.accepts(kToken));  // no scheme
    EXPECT_FALSE(token.accepts("Bearer"));
    EXPECT_FALSE(token.accepts("Bearer "));
    EXPECT_FALSE(token.accepts("Basic " + kToken));
    EXPECT_FALSE(token.accepts("Bearer" + kToken));
    EXPECT_FALSE(token.accepts("Bearer " + kToken + "x"));
    EXPECT_FALSE(token.accepts("Bearer " + kToken.substr(0, kToken.size() - 1)));
    EXPECT_FALSE(token.accepts("Bearer " + kToken + " "));
    std::string other = kToken;
    other.back() = 'X';
    EXPECT_FALSE(token.accepts("Bearer " + other));
    EXPECT_EQ(services::ApiToken::header_value(kToken), "Bearer " + kToken);
}

TEST(ApiToken, WithoutATokenEverythingIsAccepted) {
    services::ApiToken none("");
    EXPECT_FALSE(none.required());
    EXPECT_TRUE(none.accepts(""));
    EXPECT_TRUE(none.accepts("Bearer anything"));
}

TEST(ApiToken, ShortOrUnprintableTokensAreRefusedWithoutQuotingThem) {
    EXPECT_EQ(services::ApiToken::problem(kToken), "");
    EXPECT_EQ(services::ApiToken::problem(std::string(services::ApiToken::kMinLength, 'a')), "");
    const std::string bad[] = {"short-secret-15",  // one character short
                               "with a space in the middle", "tab\tinside-the-token",
                               "newline-in-the-token\r\nX-Injected: 1", "non-ascii-tokén-value"};
    for (const std::string& token : bad) {
        std::string why = services::ApiToken::problem(token);
        EXPECT_NE(why, "") << token;
        EXPECT_THAT(why, Not(HasSubstr(token))) << why;
    }
    EXPECT_THAT(services::ApiToken::problem("short-secret-15"), HasSubstr("at least 16"));
}

TEST(LogThrottle, OneLinePerIntervalCountingWhatItStandsFor) {
    services::LogThrottle throttle(std::chrono::seconds(60));
    auto t0 = services::LogThrottle::Clock::time_point{} + std::chrono::hours(1);
    EXPECT_EQ(throttle.occurred(t0), 1u);  // the first one at once
    EXPECT_EQ(throttle.occurred(t0 + std::chrono::seconds(1)), std::nullopt);
    EXPECT_EQ(throttle.occurred(t0 + std::chrono::seconds(59)), std::nullopt);
    // The next line reports the two held back and itself.
    EXPECT_EQ(throttle.occurred(t0 + std::chrono::seconds(60)), 3u);
    EXPECT_EQ(throttle.occurred(t0 + std::chrono::seconds(61)), std::nullopt);
    EXPECT_EQ(throttle.occurred(t0 + std::chrono::seconds(600)), 2u);
}

// The API without sockets, a token configured.
class TokenApiTest : public ::testing::Test {
  protected:
    TokenApiTest() : api_(stack_.backend(), config(), metrics_) {}

    static services::EventHandlerConfig config() {
        services::EventHandlerConfig config{relay::Limits{}, 4096};
        config.api_token = kToken;
        return config;
    }

    net::HttpServerResponse request(std::string method, std::string target, std::string body,
                                    std::string authorization, bool too_large = false) {
        auto promise = std::make_shared<std::promise<net::HttpServerResponse>>();
        net::HttpServerRequest r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.body = std::move(body);
        r.body_too_large = too_large;
        r.authorization = std::move(authorization);
        api_.handle(std::move(r), [promise](net::HttpServerResponse response) {
            promise->set_value(std::move(response));
        });
        auto future = promise->get_future();
        EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
        return future.get();
    }

    static void expect_unauthorized(const net::HttpServerResponse& response) {
        EXPECT_EQ(response.status, 401u);
        EXPECT_EQ(response.content_type, "application/json");
        EXPECT_THAT(response.body, StartsWith(R"({"error":"error: unauthorized: )"));
        EXPECT_EQ(response.headers, (net::HttpHeaders{{"WWW-Authenticate", "Bearer"}}));
    }

    service_test::LocalStack stack_;
    telemetry::MetricsRegistry metrics_;
    services::EventHandlerApi api_;
    nostr::Event event_ = make_event(test_key(31), 1, relay::unix_now() - 5, {}, "tok");
    const std::string query_ = R"({"filters":[{"kinds":[1]}]})";
};

TEST_F(TokenApiTest, PostRoutesWithoutTheRightTokenAre401AndDoNothing) {
    for (const std::string& authorization :
         {std::string(), std::string("Bearer wrong-token-of-enough-length"),
          std::string("Basic ") + kToken}) {
        expect_unauthorized(request("POST", "/event", event_.json, authorization));
        expect_unauthorized(request("POST", "/event", "[" + event_.json + "]", authorization));
        expect_unauthorized(request("POST", "/query", query_, authorization));
        expect_unauthorized(request("POST", "/count", query_, authorization));
    }
    // Refused before the body is looked at: an oversized body is not a 413 either.
    expect_unauthorized(request("POST", "/event", "", "", true));
    EXPECT_EQ(stack_.store().size(), 0u);
    auto metrics = request("GET", "/metrics", "", "");
    EXPECT_THAT(metrics.body,
                HasSubstr("nostpp_http_requests_total{route=\"/event\",status=\"401\"} 7\n"));
    EXPECT_THAT(metrics.body,
                HasSubstr("nostpp_http_requests_total{route=\"/count\",status=\"401\"} 3\n"));
    EXPECT_THAT(metrics.body, HasSubstr("nostpp_events_received_total 0\n"));
}

TEST_F(TokenApiTest, TheRightTokenIsServed) {
    const std::string bearer = "Bearer " + kToken;
    auto stored = request("POST", "/event", event_.json, bearer);
    EXPECT_EQ(stored.status, 200u);
    EXPECT_THAT(stored.body, StartsWith(R"({"accepted":true,"message":"","outcome":"stored")"));
    EXPECT_EQ(stored.headers, net::HttpHeaders{});
    auto found = request("POST", "/query", query_, bearer);
    EXPECT_EQ(found.status, 200u);
    EXPECT_THAT(found.body, HasSubstr(event_.json));
    auto counted = request("POST", "/count", query_, bearer);
    EXPECT_EQ(counted.status, 200u);
    EXPECT_THAT(counted.body, StartsWith(R"({"count":1)"));
    // The token does not change the other answers: a bad body is still a 400.
    EXPECT_EQ(request("POST", "/event", "{", bearer).status, 400u);
}

TEST_F(TokenApiTest, HealthAndMetricsStayOpen) {
    auto health = request("GET", "/health", "", "");
    EXPECT_EQ(health.status, 200u);
    EXPECT_EQ(health.body, R"({"status":"ok"})");
    auto metrics = request("GET", "/metrics", "", "Bearer wrong-token-of-enough-length");
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_THAT(metrics.body, HasSubstr("nostpp_http_requests_total"));
    // Routing errors come first: they say nothing about the token.
    EXPECT_EQ(request("GET", "/event", "", "").status, 405u);
    EXPECT_EQ(request("POST", "/nope", "", "").status, 404u);
}

TEST(NoTokenApi, WithoutATokenTheApiIsOpenAsBefore) {
    service_test::LocalStack stack;
    telemetry::MetricsRegistry metrics;
    services::EventHandlerApi api(stack.backend(), {relay::Limits{}, 4096}, metrics);
    nostr::Event event = make_event(test_key(32), 1, relay::unix_now() - 5, {}, "open");
    auto answer =
        service_test::call([&api](net::HttpServerRequest r,
                                  net::HttpRespond respond) { api.handle(std::move(r), respond); },
                           "POST", "/event", event.json);
    EXPECT_EQ(answer.status, 200u);
    EXPECT_EQ(stack.store().size(), 1u);
}

// An event handler with a token on 127.0.0.1, and a websocket handler's RemoteBackend whose
// HTTP client sends `client_token`.
class TokenOverHttp {
  public:
    explicit TokenOverHttp(const std::string& client_token)
        : api_(stack_.backend(), config(), handler_metrics_),
          server_([this](net::HttpServerRequest r,
                         net::HttpRespond respond) { api_.handle(std::move(r), respond); },
                  0, 1 << 20),
          client_(client_options(server_.url(), client_token)),
          backend_(client_, bus_, metrics_) {}

    store::PutResult submit(const nostr::Event& event) {
        std::promise<store::PutResult> put;
        backend_.submit(std::make_shared<const nostr::Event>(event),
                        [&](store::PutResult r, uint64_t) { put.set_value(std::move(r)); });
        return put.get_future().get();
    }
    relay::QueryResult query() {
        std::promise<relay::QueryResult> queried;
        backend_.query({nostr::Filter{}}, {},
                       [&](relay::QueryResult r) { queried.set_value(std::move(r)); });
        return queried.get_future().get();
    }
    relay::CountResult count() {
        std::promise<relay::CountResult> counted;
        backend_.count({nostr::Filter{}}, relay::unix_now(),
                       [&](relay::CountResult r) { counted.set_value(std::move(r)); });
        return counted.get_future().get();
    }
    std::string metrics() { return metrics_.prometheus_text(); }

  private:
    static services::EventHandlerConfig config() {
        services::EventHandlerConfig config{relay::Limits{}, 1 << 20};
        config.api_token = kToken;
        return config;
    }
    static net::HttpClientOptions client_options(const std::string& url, const std::string& token) {
        net::HttpClientOptions options{url, 2};
        options.headers = {{"Authorization", services::ApiToken::header_value(token)}};
        return options;
    }

    service_test::LocalStack stack_;
    telemetry::MetricsRegistry handler_metrics_;
    services::EventHandlerApi api_;
    test_support::TestServer server_;
    net::HttpClient client_;
    bus::LocalBus bus_;
    telemetry::MetricsRegistry metrics_;  // the websocket handler's
    services::RemoteBackend backend_;
};

TEST(TokenOverHttp, TheRightTokenTravelsWithEveryRequest) {
    TokenOverHttp link(kToken);
    nostr::Event event = make_event(test_key(33), 1, relay::unix_now() - 5, {}, "over http");
    EXPECT_EQ(link.submit(event).outcome, store::PutOutcome::stored);
    auto found = link.query();
    EXPECT_EQ(found.error, "");
    EXPECT_EQ(found.events, std::vector<std::string>{event.json});
    auto counted = link.count();
    EXPECT_EQ(counted.error, "");
    EXPECT_EQ(counted.count, 1u);
}

TEST(TokenOverHttp, AWrongTokenGivesClientsAnErrorAndCountsAsAFailure) {
    TokenOverHttp link("a-token-of-enough-length-but-wrong");
    const std::string expected =
        "error: relay misconfigured: the event handler refused this websocket handler's token; "
        "try again later";
    auto put = link.submit(make_event(test_key(34), 1, relay::unix_now() - 5, {}, "refused"));
    EXPECT_EQ(put.outcome, store::PutOutcome::error);
    EXPECT_EQ(put.message, expected);
    EXPECT_EQ(link.query().error, expected);
    EXPECT_EQ(link.count().error, expected);
    service_test::expect_one_error_per_route(link.metrics());
}

}  // namespace
