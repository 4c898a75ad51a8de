// The websocket-handler's backend: writes and queries go to the event handler over HTTP
// (docs/event-handler-api.md). Events and queries travel in batches (request_batcher.h):
// while earlier requests are out, new ones queue and leave together in the next request, so
// under load the hop costs one round trip per batch, not per event or REQ. A stored event is
// published on this process's bus before its OK is sent, so an OK never overtakes this
// handler's own live delivery. The event handler verifies ids and signatures
// (verifies_events()). Every request's latency and failures are counted by route
// (nostpp_event_handler_request_duration_seconds, nostpp_event_handler_errors_total). Each
// event, query and count gets a client span (`POST /event`, ...) whose context travels to the
// event handler: the `traceparent` header names the first item, and in a batch every element
// carries its own "traceparent" member.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>

#include "bus/bus.h"
#include "net/http_client.h"
#include "relay/backend.h"
#include "services/log_throttle.h"
#include "services/request_batcher.h"
#include "telemetry/span.h"
#include "telemetry/metrics.h"

namespace services {

struct RemoteBackendOptions {
    // POST /event requests in flight at once, and events per request. Keep max_bytes within
    // the event handler's --max-request-bytes.
    BatchLimits events{8, 256, 4 * 131072, 16384};
    // POST /query requests in flight at once, and queries per request. Fewer requests in
    // flight than the pool has connections leaves room for events and makes batches form.
    BatchLimits queries{4, 32, 4 * 131072, 16384};
};

class RemoteBackend final : public relay::Backend {
  public:
    // `client`, `bus` and `metrics` must outlive the backend; `client` answers on its own
    // thread.
    RemoteBackend(net::HttpClient& client, bus::Bus& bus, telemetry::MetricsRegistry& metrics,
                  RemoteBackendOptions options = {});
    ~RemoteBackend() override;

    void submit(std::shared_ptr<const nostr::Event> event, SubmitDone done) override;
    // Sent in an {"event":…,"author_authenticated":true} envelope.
    void submit_authenticated(std::shared_ptr<const nostr::Event> event, SubmitDone done) override;
    // The event handler applies its own max_limit/default_limit; `options` is not sent.
    void query(std::vector<nostr::Filter> filters, store::QueryOptions options,
               std::function<void(relay::QueryResult)> done) override;
    void count(std::vector<nostr::Filter> filters, int64_t now,
               std::function<void(relay::CountResult)> done) override;
    bool verifies_events() const override { return true; }

  private:
    struct PendingEvent {
        std::shared_ptr<const nostr::Event> event;
        SubmitDone done;
        telemetry::Span span;
        std::string envelope;  // the authenticated envelope, or "" to send the event as is
        const std::string& text() const { return envelope.empty() ? event->json : envelope; }
    };
    void add_event(PendingEvent item);
    struct PendingQuery {
        std::string json;  // {"filters":[...]}
        std::function<void(relay::QueryResult)> done;
        telemetry::Span span;
        const std::string& text() const { return json; }
    };
    void send_events(std::vector<PendingEvent> batch, std::function<void()> finished);
    void finish_events(std::vector<PendingEvent>& batch, const net::HttpResponse& response,
                       std::chrono::steady_clock::time_point start);
    void send_queries(std::vector<PendingQuery> batch, std::function<void()> finished);

    enum Route { event_route, query_route, count_route };
    struct RouteMetrics {
        telemetry::Histogram* seconds;
        telemetry::Counter* errors;
    };
    // One request to the event handler ended (`unreadable`: a 200 whose body could not be
    // used): its latency, whether it failed, and a refused token (logged at most once a
    // minute: every request fails alike).
    void observe(Route route, std::chrono::steady_clock::time_point start,
                 const net::HttpResponse& response, bool unreadable);

    net::HttpClient& client_;
    std::array<RouteMetrics, 3> routes_{};
    bus::Bus& bus_;
    LogThrottle unauthorized_log_{std::chrono::seconds(60)};
    RequestBatcher<PendingEvent> events_;
    RequestBatcher<PendingQuery> queries_;
};

}  // namespace services
