#include "relay/client_session.h"

#include <spdlog/spdlog.h>

#include "nostr/relay_message.h"
#include "relay/connection_auth.h"
#include "relay/event_policy.h"
#include "relay/live_subscription.h"
#include "relay/nip42.h"
#include "relay/read_restriction.h"
#include "relay/relay.h"
#include "relay/subscription_index.h"
#include "relay/tracing.h"

namespace relay {
namespace rm = nostr::relay_message;

namespace {

nostr::Verb verb_of(const nostr::ClientMessage& message) {
    if (const auto* rejected = std::get_if<nostr::RejectedMessage>(&message)) return rejected->verb;
    // The variant's alternatives before RejectedMessage, in order.
    static constexpr nostr::Verb kByIndex[] = {nostr::Verb::event, nostr::Verb::req,
                                               nostr::Verb::close, nostr::Verb::count,
                                               nostr::Verb::auth};
    return kByIndex[message.index()];
}

bool debug_logging() {
    return spdlog::should_log(spdlog::level::debug);
}

}  // namespace

ClientSession::ClientSession(RelayContext& context, std::shared_ptr<Outbound> out,
                             std::string remote_address)
    : context_(context),
      out_(std::move(out)),
      remote_address_(std::move(remote_address)),
      opened_(std::chrono::steady_clock::now()),
      budget_(context.config.limits.rate, opened_),
      auth_(std::make_shared<ConnectionAuth>()) {
    if (!context_.auth_read_kinds->empty())
        read_restriction_ = std::make_shared<ReadRestriction>(context_.auth_read_kinds, auth_);
    context_.metrics.connections.add(1);
    context_.metrics.connections_opened.inc();
    spdlog::debug("{}: connection open", remote_address_);
    out_->send(rm::auth(auth_->challenge()));  // NIP-42: every connection may authenticate
}

ClientSession::~ClientSession() { on_close(); }

void ClientSession::on_text(std::string_view text) {
    ++messages_;
    nostr::ClientMessage message = nostr::parse_client_message(text);
    context_.metrics.message(verb_of(message)).inc();
    if (!within_message_budget(message)) return;
    std::visit([this](auto& m) { handle(m); }, message);
}

bool ClientSession::within_message_budget(const nostr::ClientMessage& message) {
    auto verdict = budget_.message(std::chrono::steady_clock::now());
    if (verdict == ratelimit::ConnectionBudget::Verdict::pass) return true;
    context_.metrics.rate_limits.limited(ratelimit::Limit::messages);
    const std::string why = "rate-limited: more than " +
                            std::to_string(context_.config.limits.rate.messages_per_second) +
                            " messages per second; slow down";
    // The NIP-01 answer its verb expects, so the client's pending call ends.
    if (const auto* event = std::get_if<nostr::EventMessage>(&message)) {
        context_.metrics.events.received();
        context_.metrics.events.rejected(why);
        out_->send(rm::ok(event->event.id, false, why));
    } else if (const auto* req = std::get_if<nostr::ReqMessage>(&message)) {
        end_subscription(req->subscription_id);
        out_->send(rm::closed(req->subscription_id, why));
    } else if (const auto* count = std::get_if<nostr::CountMessage>(&message)) {
        out_->send(rm::closed(count->subscription_id, why));
    } else if (const auto* auth = std::get_if<nostr::AuthMessage>(&message)) {
        out_->send(rm::ok(auth->event.id, false, why));  // NIP-42: AUTH is answered with OK
    } else if (const auto* rejected = std::get_if<nostr::RejectedMessage>(&message);
               rejected && !rejected->event_id.empty()) {
        // An unusable EVENT or AUTH whose id could be read: the OK its client waits for.
        if (rejected->verb == nostr::Verb::event) {
            context_.metrics.events.received();
            context_.metrics.events.rejected(why);
        }
        out_->send(rm::ok(rejected->event_id, false, why));
    } else {
        out_->send(rm::notice(why));
    }
    if (verdict == ratelimit::ConnectionBudget::Verdict::close) {
        spdlog::debug("{}: closing a connection that keeps flooding", remote_address_);
        out_->close("rate-limited: too many messages");
    }
    return false;
}

std::string ClientSession::check_query_budget(const std::string& subscription_id) {
    if (budget_.query(std::chrono::steady_clock::now())) return {};
    context_.metrics.rate_limits.limited(ratelimit::Limit::reqs);
    return rm::closed(subscription_id,
                      "rate-limited: more than " +
                          std::to_string(context_.config.limits.rate.reqs_per_minute) +
                          " REQ/COUNT per minute; try again later");
}

void ClientSession::on_binary() {
    ++messages_;
    context_.metrics.message(nostr::Verb::unknown).inc();
    if (!within_message_budget(nostr::RejectedMessage{})) return;
    out_->send(rm::notice("invalid: binary frames are not supported; send JSON text frames"));
}

void ClientSession::on_rejected(nostr::RejectedMessage message) {
    ++messages_;
    context_.metrics.message(message.verb).inc();
    if (!within_message_budget(message)) return;
    handle(message);
}

void ClientSession::on_close() {
    for (auto& [id, subscription] : subscriptions_) {
        context_.subscriptions->remove(subscription);
        subscription->close();
    }
    subscriptions_.clear();
    if (closed_) return;
    closed_ = true;
    context_.metrics.connections.add(-1);
    spdlog::debug("{}: connection closed after {:.3f} s, {} messages", remote_address_,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - opened_).count(),
                  messages_);
}

void ClientSession::log_rejected(uint32_t kind, std::string_view message) const {
    spdlog::debug("{}: event of kind {} rejected ({})", remote_address_, kind,
                  EventCounters::prefix_of(message));
}

void ClientSession::handle(nostr::RejectedMessage& message) {
    if (!message.ends_subscription.empty()) end_subscription(message.ends_subscription);
    // An EVENT that could not even be read is an event received and rejected as invalid.
    if (message.verb == nostr::Verb::event) {
        context_.metrics.events.received();
        context_.metrics.events.rejected("invalid:");
        spdlog::debug("{}: unreadable event rejected (invalid)", remote_address_);
    }
    out_->send(std::move(message.reply));
}

void ClientSession::handle(nostr::EventMessage& message) {
    nostr::Event& event = message.event;
    // Each EVENT starts a trace: from here to its OK, through the backend (and the event
    // handler) to the commit.
    telemetry::Span span =
        telemetry::start_span(tracing::kEventSpan, telemetry::SpanKind::server, {});
    tracing::set_event(span, event);
    EventCounters& counters = context_.metrics.events;
    counters.received();
    // NIP-70: a protected event needs its author authenticated on this connection (an
    // unauthenticated connection skips the tag scan: check_event_policy refuses it anyway).
    AuthorAuth author = AuthorAuth::none;
    if (auth_->any() && event.is_protected())
        author = auth_->has(event.pubkey) ? AuthorAuth::author : AuthorAuth::other;
    std::string refusal = auth_required_refusal();
    // A backend that verifies events itself (the event handler behind RemoteBackend) is the
    // trust boundary: checking the signature here too would only spend CPU twice.
    if (refusal.empty())
        refusal = check_incoming_event(event, context_.config.limits, unix_now(),
                                       !context_.backend.verifies_events(), context_.write_gate,
                                       context_.event_budget, author);
    if (!refusal.empty()) {
        counters.rejected(refusal);
        log_rejected(event.kind, refusal);
        out_->send(rm::ok(event.id, false, refusal));
        tracing::set_ok(span, false, refusal);
        span.end();
        return;
    }
    auto shared = std::make_shared<const nostr::Event>(std::move(event));
    // The callback may run after this session is gone, but not after the relay (its backend
    // stops first), so it may use the relay's counters. The address is copied only for a log.
    std::string remote = debug_logging() ? remote_address_ : std::string();
    telemetry::ContextScope scope(span.context());
    auto done = [out = out_, id = shared->id, kind = shared->kind, &counters,
                 remote = std::move(remote), span](store::PutResult result,
                                                   uint64_t commit_seq) mutable {
        counters.settled(result, commit_seq);
        if (!result.accepted())
            spdlog::debug("{}: event of kind {} rejected ({})", remote, kind,
                          EventCounters::prefix_of(result.message));
        out->send(rm::ok(id, result.accepted(), result.message));
        tracing::set_ok(span, result.accepted(), result.message);
        span.end();
    };
    if (author == AuthorAuth::author)
        context_.backend.submit_authenticated(std::move(shared), std::move(done));
    else
        context_.backend.submit(std::move(shared), std::move(done));
}

std::string ClientSession::auth_required_refusal() const {
    if (!context_.config.auth.required || auth_->any()) return {};
    return "auth-required: this relay serves authenticated clients only; answer the AUTH "
           "challenge first (NIP-42)";
}

std::string ClientSession::check_auth_access(const std::vector<nostr::Filter>& filters) const {
    if (std::string refusal = auth_required_refusal(); !refusal.empty()) return refusal;
    if (!read_restriction_ || !read_restriction_->may_match(filters)) return {};
    if (!auth_->any() && read_restriction_->named_by(filters))
        return "auth-required: these kinds are only served to their participants; "
               "authenticate first (NIP-42)";
    return {};
}

std::string ClientSession::check_filters(const std::string& subscription_id,
                                         size_t filter_count) const {
    const Limits& limits = context_.config.limits;
    if (subscription_id.size() > limits.max_subid_length)
        return rm::closed(subscription_id, "invalid: subscription id longer than " +
                                               std::to_string(limits.max_subid_length));
    if (filter_count > limits.max_filters)
        return rm::closed(subscription_id, "invalid: too many filters (" +
                                               std::to_string(filter_count) + ", max " +
                                               std::to_string(limits.max_filters) + ")");
    return {};
}

void ClientSession::end_subscription(const std::string& subscription_id) {
    auto it = subscriptions_.find(subscription_id);
    if (it == subscriptions_.end()) return;
    context_.subscriptions->remove(it->second);
    it->second->close();
    subscriptions_.erase(it);
}

void ClientSession::handle(nostr::ReqMessage& message) {
    const std::string& id = message.subscription_id;
    // Ends at EOSE (or CLOSED): the stored events' part of the REQ.
    telemetry::Span span =
        telemetry::start_span(tracing::kReqSpan, telemetry::SpanKind::server, {});
    span.set_attribute("nostr.filters", message.filters.size());
    // A REQ with an existing id replaces that subscription; refused, it still ends it, as the
    // CLOSED answer tells the client.
    end_subscription(id);
    if (std::string refusal = check_filters(id, message.filters.size()); !refusal.empty()) {
        tracing::set_closed(span, "invalid:");
        span.end();
        out_->send(std::move(refusal));
        return;
    }
    if (std::string refusal = check_query_budget(id); !refusal.empty()) {
        tracing::set_closed(span, "rate-limited:");
        span.end();
        out_->send(std::move(refusal));
        return;
    }
    if (std::string refusal = check_auth_access(message.filters); !refusal.empty()) {
        tracing::set_closed(span, refusal);
        span.end();
        out_->send(rm::closed(id, refusal));
        return;
    }
    std::erase_if(subscriptions_, [](const auto& entry) { return entry.second->is_closed(); });
    const Limits& limits = context_.config.limits;
    if (subscriptions_.size() >= limits.max_subscriptions) {
        tracing::set_closed(span, "blocked:");
        span.end();
        out_->send(rm::closed(id, "blocked: too many open subscriptions (max " +
                                      std::to_string(limits.max_subscriptions) + ")"));
        return;
    }
    // Only subscriptions that could see a participant-only kind pay for the check.
    bool restricted = read_restriction_ && read_restriction_->may_match(message.filters);
    auto subscription = std::make_shared<LiveSubscription>(
        id, std::move(message.filters), out_, restricted ? read_restriction_ : nullptr);
    // Registered before the query starts: events committed meanwhile are held, not lost.
    context_.subscriptions->add(subscription);
    subscriptions_.emplace(id, subscription);
    store::QueryOptions options{limits.max_limit, limits.default_limit, unix_now()};
    telemetry::ContextScope scope(span.context());
    context_.backend.query(subscription->filters, options,
                           [subscription, span](QueryResult result) mutable {
                               subscription->finish_initial_query(result);
                               span.set_attribute("nostr.req.events", result.events.size());
                               if (!result.error.empty()) tracing::set_closed(span, result.error);
                               span.end();
                           });
}

void ClientSession::handle(nostr::CloseMessage& message) { end_subscription(message.subscription_id); }

void ClientSession::handle(nostr::CountMessage& message) {
    const std::string& id = message.subscription_id;
    telemetry::Span span =
        telemetry::start_span(tracing::kCountSpan, telemetry::SpanKind::server, {});
    span.set_attribute("nostr.filters", message.filters.size());
    std::string refusal = check_filters(id, message.filters.size());
    std::string_view prefix = "invalid:";
    if (refusal.empty()) {
        refusal = check_query_budget(id);
        prefix = "rate-limited:";
    }
    if (!refusal.empty()) {
        tracing::set_closed(span, prefix);
        span.end();
        out_->send(std::move(refusal));
        return;
    }
    if (refusal = check_auth_access(message.filters); !refusal.empty()) {
        tracing::set_closed(span, refusal);
        span.end();
        out_->send(rm::closed(id, refusal));
        return;
    }
    // A count must not include (nor reveal) events of participant-only kinds this connection
    // may not read: its filters are narrowed to the authenticated participants.
    bool narrowed = read_restriction_ && read_restriction_->may_match(message.filters);
    if (narrowed) {
        auto limited = read_restriction_->narrow_to_participants(message.filters);
        if (!limited || limited->size() > context_.config.limits.max_filters) {
            refusal =
                limited ? "restricted: too many filters once participant-only kinds are "
                          "limited to their participants; send fewer"
                        : "restricted: a COUNT filter without 'kinds' would include kinds "
                          "served only to their participants; name the kinds";
            tracing::set_closed(span, refusal);
            span.end();
            out_->send(rm::closed(id, refusal));
            return;
        }
        message.filters = std::move(*limited);
    }
    telemetry::ContextScope scope(span.context());
    context_.backend.count(std::move(message.filters), unix_now(),
                           [out = out_, id, span, narrowed](CountResult result) mutable {
                               if (!result.error.empty()) {
                                   out->send(rm::closed(id, result.error));
                                   tracing::set_closed(span, result.error);
                               } else {
                                   // The HyperLogLog of narrowed filters is not the one asked
                                   // for.
                                   out->send(rm::count(id, result.count,
                                                       narrowed ? "" : result.hll_hex));
                                   span.set_attribute("nostr.count", result.count);
                               }
                               span.end();
                           });
}

void ClientSession::handle(nostr::AuthMessage& message) {
    const nostr::Event& event = message.event;
    const AuthConfig& config = context_.config.auth;
    AuthVerdict verdict =
        check_auth_event(event, auth_->challenge(), context_.config.info.relay_url, unix_now(),
                         config.window_seconds);
    if (verdict.check == AuthCheck::ok && !auth_->add(event.pubkey))
        verdict = {AuthCheck::too_many, "restricted: at most " +
                                            std::to_string(ConnectionAuth::kMaxPubkeys) +
                                            " pubkeys may authenticate on one connection"};
    context_.metrics.auth(verdict.check).inc();
    spdlog::debug("{}: AUTH {}", remote_address_, auth_check_name(verdict.check));
    // Never stored nor published: it only changes what this connection may do.
    out_->send(rm::ok(event.id, verdict.check == AuthCheck::ok, verdict.message));
}

}  // namespace relay
