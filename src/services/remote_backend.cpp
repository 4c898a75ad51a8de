#include "services/remote_backend.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "services/api_json.h"
#include "services/api_query_lines.h"
#include "telemetry/tracer.h"

namespace services {
namespace {

using api::Outcome;

const std::string kUnavailable = "error: event handler unavailable: ";
// The event handler refused this process's EVENT_HANDLER_TOKEN (HTTP 401): the operator's
// mistake, not the client's; the log says what to fix.
const std::string kUnauthorized =
    "error: relay misconfigured: the event handler refused this websocket handler's token; "
    "try again later";
constexpr int kHttpUnauthorized = 401;

// The message for a request that got no usable answer.
std::string failure_message(const net::HttpResponse& response) {
    if (!response.error.empty()) return kUnavailable + response.error;
    if (response.status == kHttpUnauthorized) return kUnauthorized;
    std::string error = api::decode_error(response.body);
    // A 4xx names what was wrong with the request ("invalid: ..."): passed on as it is, like
    // a 5xx's own "error: ..." message (e.g. "error: query failed: ...").
    bool client_error = response.status >= 400 && response.status < 500;
    if (!error.empty() && (client_error || error.starts_with("error:"))) return error;
    return kUnavailable + "HTTP " + std::to_string(response.status) +
           (error.empty() ? "" : ": " + error);
}

// The answers to a batch of `queries`: in lines as asked, or in JSON from an event handler
// that predates the line answer (a rolling upgrade restarts the roles one at a time).
bool decode_answer(const net::HttpResponse& response, size_t queries,
                   std::vector<api::QueryReply>& replies, std::string& error) {
    if (response.content_type.starts_with(api::kQueryLinesMediaType))
        return api::decode_query_lines(response.body, queries, replies, error);
    if (!api::decode_query_replies(response.body, queries > 1, replies, error)) return false;
    if (replies.size() == queries) return true;
    error = "bad answer to POST /query: wrong number of answers";
    return false;
}

// For the error counter: no answer, a server error, a refused token, or a 200 that could not
// be read. Another 4xx is the event handler's answer about the request, not its failure.
bool handler_failed(const net::HttpResponse& response, bool unreadable) {
    return !response.error.empty() || response.status == 0 || response.status >= 500 ||
           response.status == kHttpUnauthorized || (response.status == 200 && unreadable);
}

store::PutResult put_result(const api::EventReply& reply) {
    switch (reply.outcome) {
        case Outcome::stored:
        case Outcome::ephemeral:
            return {store::PutOutcome::stored, reply.message};
        case Outcome::duplicate:
            return {store::PutOutcome::duplicate, reply.message};
        case Outcome::superseded:
            return {store::PutOutcome::superseded, reply.message};
        case Outcome::deleted:
            return {store::PutOutcome::deleted, reply.message};
        case Outcome::invalid:
        case Outcome::blocked:
        case Outcome::error:
            break;
    }
    return {store::PutOutcome::error, reply.message};
}

// An item's size in a batch request: its text, plus its trace context when it has one.
template <class Item>
uint64_t batch_size_of(const Item& item) {
    return item.text().size() + (item.span.context().valid() ? api::kTraceparentMemberBytes : 0);
}

// An array of the items' texts, each with its "traceparent" member when traced, or the one
// text alone (see the API document).
template <class Item>
std::string join(const std::vector<Item>& batch) {
    if (batch.size() == 1) return batch.front().text();
    size_t size = 2;
    for (const auto& item : batch) size += batch_size_of(item) + 1;
    std::string body;
    body.reserve(size);
    body.push_back('[');
    for (size_t i = 0; i < batch.size(); ++i) {
        if (i) body.push_back(',');
        const telemetry::SpanContext& trace = batch[i].span.context();
        if (trace.valid())
            api::append_with_traceparent(body, batch[i].text(),
                                         telemetry::format_traceparent(trace));
        else
            body += batch[i].text();
    }
    body.push_back(']');
    return body;
}

void describe_request(telemetry::Span& span, std::string_view route, size_t batch_size) {
    span.set_attribute("http.request.method", "POST");
    span.set_attribute("url.path", route);
    span.set_attribute("nostpp.batch.size", batch_size);
}

// The W3C header of a request: the context of its (first) item's client span.
net::HttpHeaders trace_header(const telemetry::Span& span) {
    if (!span.context().valid()) return {};
    return {{"traceparent", telemetry::format_traceparent(span.context())}};
}

template <class Item>
net::HttpHeaders trace_headers(std::vector<Item>& batch, std::string_view route) {
    for (auto& item : batch) describe_request(item.span, route, batch.size());
    return trace_header(batch.front().span);
}

// Ends an item's client span with the outcome of its request.
void end_client_span(telemetry::Span& span, const net::HttpResponse& response,
                     std::string_view failure) {
    if (response.status) span.set_attribute("http.response.status_code", response.status);
    if (!failure.empty()) span.set_error(failure);
    span.end();
}

}  // namespace

RemoteBackend::RemoteBackend(net::HttpClient& client, bus::Bus& bus,
                             telemetry::MetricsRegistry& metrics, RemoteBackendOptions options)
    : client_(client),
      bus_(bus),
      events_(
          options.events, [](const PendingEvent& item) { return batch_size_of(item); },
          [this](std::vector<PendingEvent> batch, std::function<void()> finished) {
              send_events(std::move(batch), std::move(finished));
          }),
      queries_(
          options.queries, [](const PendingQuery& item) { return batch_size_of(item); },
          [this](std::vector<PendingQuery> batch, std::function<void()> finished) {
              send_queries(std::move(batch), std::move(finished));
          }) {
    const char* paths[] = {"/event", "/query", "/count"};
    for (size_t i = 0; i < routes_.size(); ++i) {
        telemetry::Labels route{{"route", paths[i]}};
        routes_[i].seconds = &metrics.histogram(
            "nostpp_event_handler_request_duration_seconds",
            "Requests to the event handler: time to the answer, by route (a request carries a "
            "batch)",
            telemetry::latency_buckets_seconds(), route);
        routes_[i].errors = &metrics.counter(
            "nostpp_event_handler_errors_total",
            "Requests to the event handler without a usable answer (unreachable, timeout, "
            "HTTP error, bad body), by route",
            route);
    }
}

RemoteBackend::~RemoteBackend() = default;

void RemoteBackend::observe(Route route, std::chrono::steady_clock::time_point start,
                            const net::HttpResponse& response, bool unreadable) {
    auto now = std::chrono::steady_clock::now();
    routes_[route].seconds->observe(std::chrono::duration<double>(now - start).count());
    if (handler_failed(response, unreadable)) routes_[route].errors->inc();
    if (response.status != kHttpUnauthorized) return;
    if (auto count = unauthorized_log_.occurred(now))
        spdlog::error(
            "the event handler refused {} request(s) since the last report with HTTP 401: "
            "EVENT_HANDLER_TOKEN is missing here or differs from the event handler's; clients "
            "get \"{}\"",
            *count, kUnauthorized);
}

void RemoteBackend::submit(std::shared_ptr<const nostr::Event> event, SubmitDone done) {
    add_event({std::move(event), std::move(done),
               telemetry::start_span("POST /event", telemetry::SpanKind::client), {}});
}

void RemoteBackend::submit_authenticated(std::shared_ptr<const nostr::Event> event,
                                         SubmitDone done) {
    std::string envelope = api::encode_authenticated_event(event->json);
    add_event({std::move(event), std::move(done),
               telemetry::start_span("POST /event", telemetry::SpanKind::client),
               std::move(envelope)});
}

void RemoteBackend::add_event(PendingEvent item) {
    if (!events_.add(item)) {
        const char* message =
            "rate-limited: too many events waiting for the event handler; try again";
        item.span.set_error(message);
        item.span.end();
        item.done({store::PutOutcome::error, message}, 0);
    }
}

void RemoteBackend::send_events(std::vector<PendingEvent> batch, std::function<void()> finished) {
    std::string body = join(batch);
    net::HttpHeaders headers = trace_headers(batch, "/event");
    auto shared = std::make_shared<std::vector<PendingEvent>>(std::move(batch));
    client_.post("/event", std::move(body), std::move(headers),
                 [this, shared, finished = std::move(finished),
                  start = std::chrono::steady_clock::now()](net::HttpResponse response) {
                     finish_events(*shared, response, start);
                     finished();
                 });
}

void RemoteBackend::finish_events(std::vector<PendingEvent>& batch,
                                  const net::HttpResponse& response,
                                  std::chrono::steady_clock::time_point start) {
    std::vector<api::EventReply> replies;
    std::string error;
    bool answered = response.error.empty() && response.status == 200;
    if (answered && !api::decode_event_replies(response.body, batch.size() > 1, replies, error))
        replies.clear();
    observe(event_route, start, response, replies.size() != batch.size());
    if (replies.size() != batch.size()) {
        std::string message =
            answered ? kUnavailable + (error.empty() ? "wrong number of answers" : error)
                     : failure_message(response);
        for (auto& item : batch) {
            end_client_span(item.span, response, message);
            item.done({store::PutOutcome::error, message}, 0);
        }
        return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
        const api::EventReply& reply = replies[i];
        PendingEvent& item = batch[i];
        end_client_span(item.span, response, {});
        store::PutResult result = put_result(reply);
        if (reply.outcome != Outcome::stored && reply.outcome != Outcome::ephemeral) {
            item.done(std::move(result), 0);
            continue;
        }
        uint64_t seq = reply.outcome == Outcome::stored ? reply.seq : bus::kEphemeralSeq;
        // OK only after this process's subscribers have the event.
        bus_.publish({item.event, seq}, [done = std::move(item.done), result = std::move(result),
                                         seq] { done(result, seq); });
    }
}

void RemoteBackend::query(std::vector<nostr::Filter> filters, store::QueryOptions options,
                          std::function<void(relay::QueryResult)> done) {
    // This handler's limits (the ones its NIP-11 advertises) travel as each filter's limit;
    // the event handler then applies its own on top, so the smaller of the two wins.
    for (nostr::Filter& filter : filters)
        filter.limit = std::min(filter.limit.value_or(options.default_limit), options.max_limit);
    PendingQuery item{api::encode_filters_request(filters), std::move(done),
                      telemetry::start_span("POST /query", telemetry::SpanKind::client)};
    if (!queries_.add(item)) {
        const char* message = "rate-limited: too many queries waiting for the event handler";
        item.span.set_error(message);
        item.span.end();
        item.done({{}, 0, message});
    }
}

void RemoteBackend::send_queries(std::vector<PendingQuery> batch, std::function<void()> finished) {
    std::string body = join(batch);
    net::HttpHeaders headers = trace_headers(batch, "/query");
    // The line answer: each event's bytes are kept as they arrive, not re-serialized.
    headers.emplace_back("Accept", api::kQueryLinesMediaType);
    auto shared = std::make_shared<std::vector<PendingQuery>>(std::move(batch));
    client_.post(
        "/query", std::move(body), std::move(headers),
        [this, shared, finished = std::move(finished),
         start = std::chrono::steady_clock::now()](net::HttpResponse response) {
            std::vector<PendingQuery>& batch = *shared;
            std::vector<api::QueryReply> replies;
            std::string error, failure;
            bool unreadable = false;
            if (!response.error.empty() || response.status != 200)
                failure = failure_message(response);
            else if (!decode_answer(response, batch.size(), replies, error))
                failure = kUnavailable + error, unreadable = true;
            observe(query_route, start, response, unreadable);
            for (size_t i = 0; i < batch.size(); ++i) {
                relay::QueryResult result;
                if (!failure.empty()) {
                    result.error = failure;
                } else {
                    result.events = std::move(replies[i].events);
                    result.snapshot_seq = replies[i].snapshot_seq;
                    result.error = std::move(replies[i].error);
                }
                end_client_span(batch[i].span, response, result.error);
                batch[i].done(std::move(result));
            }
            finished();
        });
}

void RemoteBackend::count(std::vector<nostr::Filter> filters, int64_t,
                          std::function<void(relay::CountResult)> done) {
    telemetry::Span span = telemetry::start_span("POST /count", telemetry::SpanKind::client);
    describe_request(span, "/count", 1);
    client_.post(
        "/count", api::encode_filters_request(filters), trace_header(span),
        [this, done = std::move(done), span,
         start = std::chrono::steady_clock::now()](net::HttpResponse response) mutable {
            relay::CountResult result;
            std::string error;
            bool unreadable = false;
            if (!response.error.empty() || response.status != 200)
                result.error = failure_message(response);
            else if (!api::decode_count_reply(response.body, result.count, result.hll_hex, error))
                result.error = kUnavailable + error, unreadable = true;
            end_client_span(span, response, result.error);
            observe(count_route, start, response, unreadable);
            done(std::move(result));
        });
}

}  // namespace services
