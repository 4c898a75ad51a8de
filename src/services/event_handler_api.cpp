#include "services/event_handler_api.h"

#include <spdlog/spdlog.h>

#include "bus/bus.h"
#include "nostr/canonical.h"
#include "nostr/event_parser.h"
#include "relay/event_policy.h"
#include "relay/tracing.h"
#include "services/api_json.h"
#include "services/api_metrics.h"
#include "services/api_query_lines.h"
#include "services/api_tracing.h"
#include "services/gather.h"

namespace services {
namespace {

using api::Outcome;

constexpr std::string_view kMalformed = "invalid: malformed JSON";
constexpr std::string_view kUnauthorized =
    "error: unauthorized: this API needs the event handler token "
    "(Authorization: Bearer <EVENT_HANDLER_TOKEN>)";
api::EventReply refusal(const std::string& message) {
    bool invalid = message.compare(0, 8, "invalid:") == 0;
    return {false, message, invalid ? Outcome::invalid : Outcome::blocked, 0};
}

api::EventReply reply_of(const store::PutResult& result, uint64_t commit_seq) {
    switch (result.outcome) {
        case store::PutOutcome::stored:
            if (commit_seq == bus::kEphemeralSeq)
                return {true, result.message, Outcome::ephemeral, 0};
            return {true, result.message, Outcome::stored, commit_seq};
        case store::PutOutcome::duplicate:
            return {true, result.message, Outcome::duplicate, 0};
        case store::PutOutcome::superseded:
            return {false, result.message, Outcome::superseded, 0};
        case store::PutOutcome::deleted:
            return {false, result.message, Outcome::deleted, 0};
        case store::PutOutcome::error:
            break;
    }
    return {false, result.message.empty() ? "error: storing the event failed" : result.message,
            Outcome::error, 0};
}

// A debug line per event answered OK false: its kind (-1: unreadable) and the prefix of the
// message, never its content.
void log_rejected(int64_t kind, std::string_view message) {
    std::string_view prefix = relay::EventCounters::prefix_of(message);
    if (kind < 0) return spdlog::debug("unreadable event rejected ({})", prefix);
    spdlog::debug("event of kind {} rejected ({})", kind, prefix);
}

std::string_view route_of(std::string_view path) {
    for (std::string_view route : {"/event", "/query", "/count", "/health", "/metrics"})
        if (path == route) return route;
    return "other";
}

}  // namespace

// One request in progress: answers it once and counts it.
class EventHandlerApi::Exchange {
  public:
    Exchange(ApiMetrics& metrics, std::string_view route, net::HttpRespond respond)
        : metrics_(metrics), route_(route), respond_(std::move(respond)) {
        metrics_.request_started();
    }

    void answer(unsigned status, std::string body, std::string content_type = "application/json",
                net::HttpHeaders headers = {}) {
        metrics_.request_answered(route_, status);
        respond_({status, std::move(content_type), std::move(body), std::move(headers)});
    }
    void error(unsigned status, std::string_view message, net::HttpHeaders headers = {}) {
        answer(status, api::encode_error(message), "application/json", std::move(headers));
    }

  private:
    ApiMetrics& metrics_;
    std::string_view route_;
    net::HttpRespond respond_;
};

EventHandlerApi::EventHandlerApi(relay::Backend& backend, EventHandlerConfig config,
                                 telemetry::MetricsRegistry& metrics)
    : backend_(backend),
      config_(config),
      token_(config_.api_token),
      metrics_(std::make_unique<ApiMetrics>(metrics)) {}

EventHandlerApi::~EventHandlerApi() = default;

void EventHandlerApi::handle(net::HttpServerRequest request, net::HttpRespond respond) {
    std::string_view path = request.target;
    path = path.substr(0, path.find('?'));
    std::string_view route = route_of(path);
    auto exchange = std::make_shared<Exchange>(*metrics_, route, std::move(respond));
    if (route == "other" || (route == "/metrics" && !config_.serve_metrics))
        return exchange->error(404, "invalid: unknown route '" + std::string(path) + "'");
    bool is_post = route == "/event" || route == "/query" || route == "/count";
    std::string_view method = is_post ? "POST" : "GET";
    if (request.method != method)
        return exchange->error(405, "invalid: " + std::string(route) + " takes " +
                                        std::string(method) + ", not " + request.method);
    if (is_post && refuse_unauthorized(exchange, request.authorization)) return;
    if (request.body_too_large || request.body.size() > config_.max_request_bytes)
        return exchange->error(413, "invalid: request body larger than " +
                                        std::to_string(config_.max_request_bytes) + " bytes");
    if (route == "/event") return post_event(exchange, request.body, request.traceparent);
    if (route == "/query")
        return post_query(exchange, request.body, request.traceparent,
                          api::accepts_query_lines(request.accept));
    if (route == "/count") return post_count(exchange, request.body, request.traceparent);
    if (route == "/health") return get_health(exchange);
    exchange->answer(200, metrics_->text(), std::string(telemetry::kPrometheusContentType));
}

bool EventHandlerApi::refuse_unauthorized(const std::shared_ptr<Exchange>& exchange,
                                          const std::string& authorization) {
    if (token_.accepts(authorization)) return false;
    if (auto count = unauthorized_log_.occurred(LogThrottle::Clock::now()))
        spdlog::warn(
            "refused {} request(s) without the right token since the last warning "
            "(Authorization: Bearer <EVENT_HANDLER_TOKEN>): is a websocket-handler configured "
            "with another EVENT_HANDLER_TOKEN, or without one?",
            *count);
    exchange->error(401, kUnauthorized, {{"WWW-Authenticate", "Bearer"}});
    return true;
}

namespace {

// The filters of one query, or why they cannot be used ("" when they can).
std::string read_query(const std::string& json, bool batch, const relay::Limits& limits,
                       std::vector<nostr::Filter>& filters) {
    std::string error;
    if (batch && json.empty()) return "invalid: each query must be a JSON object";
    if (!api::decode_filters_request(json, filters, error)) return error;
    if (filters.empty()) return "invalid: at least one filter is required";
    if (filters.size() > limits.max_filters)
        return "invalid: too many filters (" + std::to_string(filters.size()) + ", max " +
               std::to_string(limits.max_filters) + ")";
    return {};
}

}  // namespace

void EventHandlerApi::post_event(const std::shared_ptr<Exchange>& exchange, const std::string& body,
                                 const std::string& traceparent) {
    api::BatchRequest request;
    std::string error;
    if (!api::decode_batch_request(body, request, error)) return exchange->error(400, error);

    // Checked first, all of them: a single body that is not JSON is a bad request.
    const int64_t now = relay::unix_now();
    std::vector<std::shared_ptr<const nostr::Event>> events(request.items.size());
    std::vector<std::string> refusals(request.items.size());
    std::vector<int64_t> kinds(request.items.size(), -1);  // for logs; -1: unreadable
    for (size_t i = 0; i < request.items.size(); ++i) {
        const std::string& text = request.items[i];
        std::string& why = refusals[i];
        if (request.batch && text.empty()) {
            why = "invalid: event must be a JSON object";
            continue;
        }
        // A protected event the websocket-handler admitted (NIP-70 after NIP-42).
        std::string unwrapped;
        bool authenticated = api::decode_event_envelope(text, unwrapped, why);
        if (!why.empty()) continue;
        nostr::Event event;
        if (!nostr::parse_event_json(authenticated ? unwrapped : text, event, why)) {
            if (!request.batch && why == kMalformed) return exchange->error(400, kMalformed);
            continue;
        }
        kinds[i] = event.kind;
        why = relay::check_incoming_event(
            event, config_.limits, now, true, config_.write_gate, config_.event_budget,
            authenticated ? relay::AuthorAuth::author : relay::AuthorAuth::none);
        if (why.empty()) events[i] = std::make_shared<const nostr::Event>(std::move(event));
    }

    ItemSpans spans = start_item_spans("POST /event", "/event", request, traceparent);
    auto gather = std::make_shared<Gather>(
        [exchange](std::string out) { exchange->answer(200, std::move(out)); },
        request.batch ? Gather::Join::array : Gather::Join::one, request.items.size());
    auto settle = [this, gather, spans](size_t index, int64_t kind, const api::EventReply& reply) {
        metrics_->event(reply);
        if (!reply.accepted) log_rejected(kind, reply.message);
        if (spans) end_event_span((*spans)[index], reply);
        std::string out;
        api::append_event_reply(out, reply);
        gather->set(index, std::move(out));
    };
    for (size_t i = 0; i < events.size(); ++i) {
        if (!events[i]) {
            settle(i, kinds[i], refusal(refusals[i]));
            continue;
        }
        if (spans) relay::tracing::set_event((*spans)[i], *events[i]);
        telemetry::ContextScope scope(item_context(spans, i));
        backend_.submit(std::move(events[i]),
                        [settle, i, kind = kinds[i]](store::PutResult result, uint64_t seq) {
                            settle(i, kind, reply_of(result, seq));
                        });
    }
    gather->seal();
}

void EventHandlerApi::post_query(const std::shared_ptr<Exchange>& exchange, const std::string& body,
                                 const std::string& traceparent, bool lines) {
    api::BatchRequest request;
    std::string error;
    if (!api::decode_batch_request(body, request, error)) return exchange->error(400, error);
    store::QueryOptions options{config_.limits.max_limit, config_.limits.default_limit,
                                relay::unix_now()};
    ItemSpans spans = start_item_spans("POST /query", "/query", request, traceparent);
    // Ends item `index`'s span with what its query found.
    auto end_span = [spans](size_t index, const relay::QueryResult* result, std::string_view why) {
        if (!spans) return;
        telemetry::Span& span = (*spans)[index];
        if (result) span.set_attribute("nostpp.query.events", result->events.size());
        if (!why.empty()) relay::tracing::set_closed(span, why);
        span.end();
    };
    // The line answer (api_query_lines.h) may carry events as they are: they come from the
    // store as nostr::Event::json, compact JSON in which serialize_event escaped every control
    // character, so no event contains a raw newline.
    auto encode = [lines](const relay::QueryResult& result) {
        std::string out;
        if (lines)
            api::append_query_lines(out, result.events, result.snapshot_seq);
        else
            api::append_query_reply(out, result.events, result.snapshot_seq);
        return out;
    };
    const std::string_view content_type = lines ? api::kQueryLinesMediaType : "application/json";
    if (!request.batch) {
        std::vector<nostr::Filter> filters;
        std::string why = read_query(request.items[0], false, config_.limits, filters);
        if (!why.empty()) {
            end_span(0, nullptr, why);
            return exchange->error(400, why);
        }
        telemetry::ContextScope scope(item_context(spans, 0));
        backend_.query(std::move(filters), options,
                       [exchange, end_span, encode, content_type](relay::QueryResult result) {
                           end_span(0, &result, result.error);
                           if (!result.error.empty()) return exchange->error(503, result.error);
                           exchange->answer(200, encode(result), std::string(content_type));
                       });
        return;
    }
    // A batch is answered 200 with one answer per query; a query that fails gets an
    // {"error":...} answer of its own.
    auto gather = std::make_shared<Gather>(
        [exchange, content_type](std::string out) {
            exchange->answer(200, std::move(out), std::string(content_type));
        },
        lines ? Gather::Join::concatenate : Gather::Join::array, request.items.size());
    auto encode_failure = [lines](std::string_view why) {
        std::string out;
        if (lines)
            api::append_query_error_line(out, why);
        else
            out = api::encode_error(why);
        return out;
    };
    std::vector<relay::QueryBatchItem> queries;
    queries.reserve(request.items.size());
    for (size_t i = 0; i < request.items.size(); ++i) {
        std::vector<nostr::Filter> filters;
        std::string why = read_query(request.items[i], true, config_.limits, filters);
        if (!why.empty()) {
            end_span(i, nullptr, why);
            gather->set(i, encode_failure(why));
            continue;
        }
        queries.push_back(
            {std::move(filters),
             [gather, i, end_span, encode, encode_failure](relay::QueryResult result) {
                 end_span(i, &result, result.error);
                 gather->set(i,
                             result.error.empty() ? encode(result) : encode_failure(result.error));
             },
             item_context(spans, i)});
    }
    // Together: the query cache looks them all up in one Redis round trip.
    if (!queries.empty()) backend_.query_batch(std::move(queries), options);
    gather->seal();
}

void EventHandlerApi::post_count(const std::shared_ptr<Exchange>& exchange, const std::string& body,
                                 const std::string& traceparent) {
    telemetry::Span span = start_server_span("POST /count", "/count", traceparent, 1);
    std::vector<nostr::Filter> filters;
    std::string why = read_query(body, false, config_.limits, filters);
    if (!why.empty()) {
        relay::tracing::set_closed(span, why);
        span.end();
        return exchange->error(400, why);
    }
    telemetry::ContextScope scope(span.context());
    backend_.count(std::move(filters), relay::unix_now(),
                   [exchange, span](relay::CountResult result) mutable {
                       if (!result.error.empty())
                           relay::tracing::set_closed(span, result.error);
                       else
                           span.set_attribute("nostr.count", result.count);
                       span.end();
                       if (!result.error.empty()) return exchange->error(503, result.error);
                       exchange->answer(200, api::encode_count_reply(result.count, result.hll_hex));
                   });
}

void EventHandlerApi::get_health(const std::shared_ptr<Exchange>& exchange) {
    // A point lookup of an id nobody has: cheap, but it goes through the query pool and a
    // real read of the store, so a wedged pool or an unreachable database shows.
    nostr::Filter probe;
    probe.ids = std::vector<nostr::Bytes32>{nostr::Bytes32{}};
    store::QueryOptions options{1, 1, relay::unix_now()};
    backend_.query({probe}, options, [exchange](relay::QueryResult result) {
        if (result.error.empty()) return exchange->answer(200, R"({"status":"ok"})");
        std::string body = R"({"status":"unavailable","error":)";
        nostr::append_json_string(body, result.error);
        exchange->answer(503, body + "}");
    });
}

}  // namespace services
