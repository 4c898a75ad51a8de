// The routes of `nostpp event-handler` (docs/event-handler-api.md): POST /event, /query,
// /count, GET /health, /metrics. Independent of the HTTP library and of the store: it gets
// requests from net::HttpServer (or a test) and works through a relay::Backend, so the same
// validation, group commit and bus publication as the all-in-one relay apply.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "net/http_server.h"
#include "ratelimit/pubkey_budget.h"
#include "relay/backend.h"
#include "relay/relay_config.h"
#include "relay/write_gate.h"
#include "services/api_token.h"
#include "services/log_throttle.h"
#include "telemetry/metrics.h"

namespace services {

class ApiMetrics;

struct EventHandlerConfig {
    relay::Limits limits;  // event policy, max_filters, max_limit, default_limit
    uint64_t max_request_bytes = 4 * 131072;
    const relay::WriteGate* write_gate = nullptr;     // the Web of Trust, when on
    ratelimit::PubkeyBudget* event_budget = nullptr;  // events per pubkey, when limited
    // GET /metrics on the API port; off when metrics are disabled or served on their own
    // address (--metrics false, --metrics-bind).
    bool serve_metrics = true;
    // EVENT_HANDLER_TOKEN: when set, POST /event, /query and /count need it
    // (`Authorization: Bearer <token>`, else 401); GET /health and /metrics stay open.
    std::string api_token = {};
};

class EventHandlerApi {
  public:
    // `backend` (a relay::LocalBackend in production) and `metrics` must outlive the API.
    EventHandlerApi(relay::Backend& backend, EventHandlerConfig config,
                    telemetry::MetricsRegistry& metrics);
    ~EventHandlerApi();

    // Any I/O thread. `respond` is called once, possibly later from another thread (an
    // event is answered after its commit).
    void handle(net::HttpServerRequest request, net::HttpRespond respond);

  private:
    class Exchange;
    // `traceparent`: the request's W3C header (docs/event-handler-api.md, "Tracing").
    void post_event(const std::shared_ptr<Exchange>& exchange, const std::string& body,
                    const std::string& traceparent);
    // `lines`: the request accepts the line answer (api_query_lines.h).
    void post_query(const std::shared_ptr<Exchange>& exchange, const std::string& body,
                    const std::string& traceparent, bool lines);
    void post_count(const std::shared_ptr<Exchange>& exchange, const std::string& body,
                    const std::string& traceparent);
    void get_health(const std::shared_ptr<Exchange>& exchange);
    // Answers 401 (and logs, at most once a minute) when the request lacks the token.
    bool refuse_unauthorized(const std::shared_ptr<Exchange>& exchange,
                             const std::string& authorization);

    relay::Backend& backend_;
    EventHandlerConfig config_;
    ApiToken token_;
    LogThrottle unauthorized_log_{std::chrono::seconds(60)};
    std::unique_ptr<ApiMetrics> metrics_;
};

}  // namespace services
