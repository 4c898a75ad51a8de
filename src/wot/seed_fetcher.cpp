#include "wot/seed_fetcher.h"

#include <utility>  // before Asio: awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>
#include <span>
#include <unordered_map>

#include "nostr/event_parser.h"
#include "nostr/relay_message_parser.h"
#include "wot/trust_set.h"

namespace wot {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using asio::use_awaitable;

struct WsUrl {
    bool tls = false;
    std::string host, port, target;
};

std::optional<WsUrl> parse_ws_url(const std::string& url) {
    WsUrl out;
    std::string rest;
    if (url.rfind("wss://", 0) == 0) {
        out.tls = true;
        rest = url.substr(6);
    } else if (url.rfind("ws://", 0) == 0) {
        rest = url.substr(5);
    } else {
        return std::nullopt;
    }
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    out.target = slash == std::string::npos ? "/" : rest.substr(slash);
    size_t colon = authority.rfind(':');
    bool bracketed = !authority.empty() && authority.front() == '[';
    if (colon != std::string::npos && (!bracketed || authority[colon - 1] == ']')) {
        out.host = authority.substr(0, colon);
        out.port = authority.substr(colon + 1);
    } else {
        out.host = authority;
        out.port = out.tls ? "443" : "80";
    }
    if (bracketed && out.host.size() > 2) out.host = out.host.substr(1, out.host.size() - 2);
    if (out.host.empty() || out.port.empty()) return std::nullopt;
    return out;
}

std::string req_message(const std::string& subscription, std::span<const nostr::Bytes32> authors) {
    std::string out = "[\"REQ\",\"" + subscription + "\",{\"kinds\":[3],\"authors\":[";
    for (size_t i = 0; i < authors.size(); ++i) {
        if (i) out.push_back(',');
        out += '"' + nostr::to_hex(authors[i]) + '"';
    }
    out += "],\"limit\":" + std::to_string(authors.size()) + "}]";
    return out;
}

// What one relay conversation contributes; merged after all relays are done.
struct Collector {
    const PubkeySet& wanted;
    size_t max_events;
    std::unordered_map<nostr::Bytes32, nostr::Event, PubkeyHash>& newest;
    size_t received = 0;

    void offer(nostr::Event event) {
        if (event.kind != 3 || !wanted.count(event.pubkey)) return;
        if (!nostr::verify_event(event).empty()) return;  // forged or corrupted: ignored
        auto [it, inserted] = newest.try_emplace(event.pubkey, event);
        if (inserted) return;
        // Replaceable-event order: newer created_at, then the lower id.
        const nostr::Event& kept = it->second;
        if (event.created_at > kept.created_at ||
            (event.created_at == kept.created_at && event.id < kept.id))
            it->second = std::move(event);
    }
};

template <class Stream>
asio::awaitable<void> ask_in_batches(websocket::stream<Stream>& ws,
                                     const std::vector<nostr::Bytes32>& authors,
                                     const SeedFetchOptions& options, Collector& collector) {
    beast::flat_buffer buffer;
    for (size_t start = 0, n = 0; start < authors.size();
         start += options.authors_per_request, ++n) {
        size_t count = std::min(options.authors_per_request, authors.size() - start);
        std::string subscription = "wot-" + std::to_string(n);
        co_await ws.async_write(
            asio::buffer(req_message(subscription, {authors.data() + start, count})),
            use_awaitable);
        for (bool done = false; !done;) {
            buffer.clear();
            co_await ws.async_read(buffer, use_awaitable);
            std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
            auto message = nostr::parse_relay_message(text);
            if (auto* event = std::get_if<nostr::RelayEventMessage>(&message)) {
                if (event->subscription_id != subscription) continue;
                if (++collector.received > collector.max_events)
                    throw std::runtime_error("more events than asked for; stopped");
                collector.offer(std::move(event->event));
            } else if (auto* eose = std::get_if<nostr::RelayEoseMessage>(&message)) {
                done = eose->subscription_id == subscription;
            } else if (auto* closed = std::get_if<nostr::RelayClosedMessage>(&message)) {
                if (closed->subscription_id == subscription)
                    throw std::runtime_error("subscription closed: " + closed->message);
            }
        }
        co_await ws.async_write(asio::buffer("[\"CLOSE\",\"" + subscription + "\"]"),
                                use_awaitable);
    }
}

template <class Stream>
asio::awaitable<void> converse(websocket::stream<Stream>& ws, const WsUrl& url,
                               const std::vector<nostr::Bytes32>& authors,
                               const SeedFetchOptions& options, Collector& collector) {
    // From here on the WebSocket layer owns the timeouts (Beast's rule for websocket streams).
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout timeouts{options.connect_timeout, options.read_timeout, false};
    ws.set_option(timeouts);
    ws.read_message_max(options.max_message_bytes);
    std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    co_await ws.async_handshake(host + ":" + url.port, url.target, use_awaitable);
    co_await ask_in_batches(ws, authors, options, collector);
    beast::error_code ignored;
    co_await ws.async_close(websocket::close_code::normal,
                            asio::redirect_error(use_awaitable, ignored));
}

asio::awaitable<void> fetch_one(WsUrl url, const std::vector<nostr::Bytes32>& authors,
                                const SeedFetchOptions& options, Collector& collector,
                                ssl::context& tls) {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(executor);
    auto endpoints = co_await resolver.async_resolve(url.host, url.port, use_awaitable);
    if (!url.tls) {
        websocket::stream<beast::tcp_stream> ws(executor);
        beast::get_lowest_layer(ws).expires_after(options.connect_timeout);
        co_await beast::get_lowest_layer(ws).async_connect(endpoints, use_awaitable);
        co_await converse(ws, url, authors, options, collector);
        co_return;
    }
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(executor, tls);
    beast::get_lowest_layer(ws).expires_after(options.connect_timeout);
    co_await beast::get_lowest_layer(ws).async_connect(endpoints, use_awaitable);
    if (!SSL_set_tlsext_host_name(ws.next_layer().native_handle(), url.host.c_str()))
        throw std::runtime_error("cannot set the TLS server name");
    ws.next_layer().set_verify_callback(ssl::host_name_verification(url.host));
    co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_awaitable);
    co_await converse(ws, url, authors, options, collector);
}

}  // namespace

SeedFetchReport fetch_follow_lists(const std::vector<std::string>& relay_urls,
                                   const std::vector<nostr::Bytes32>& authors,
                                   const SeedFetchOptions& options) {
    SeedFetchReport report;
    if (authors.empty() || relay_urls.empty()) return report;
    PubkeySet wanted(authors.begin(), authors.end());
    std::vector<nostr::Bytes32> unique(wanted.begin(), wanted.end());
    std::unordered_map<nostr::Bytes32, nostr::Event, PubkeyHash> newest;

    ssl::context tls(ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);

    // Declared before the io_context: coroutines abandoned at the deadline refer to them
    // until the io_context destroys them.
    std::vector<std::unique_ptr<Collector>> collectors;
    std::vector<bool> finished(relay_urls.size(), false);
    asio::io_context io;
    for (size_t i = 0; i < relay_urls.size(); ++i) {
        auto url = parse_ws_url(relay_urls[i]);
        if (!url) {
            report.errors.push_back(relay_urls[i] + ": not a ws:// or wss:// URL");
            continue;
        }
        auto& collector = *collectors.emplace_back(
            std::make_unique<Collector>(Collector{wanted, options.max_events_per_relay, newest}));
        asio::co_spawn(io, fetch_one(*url, unique, options, collector, tls),
                       [&, i](std::exception_ptr error) {
                           finished[i] = true;
                           if (!error) {
                               ++report.relays_ok;
                               return;
                           }
                           try {
                               std::rethrow_exception(error);
                           } catch (const std::exception& e) {
                               report.errors.push_back(relay_urls[i] + ": " + e.what());
                           }
                       });
    }
    // Everything runs on this thread; a relay still talking at the deadline is abandoned
    // (its coroutine is destroyed with the io_context).
    io.run_for(options.total_timeout);
    for (size_t i = 0; i < relay_urls.size(); ++i)
        if (!finished[i] && parse_ws_url(relay_urls[i]))
            report.errors.push_back(relay_urls[i] + ": did not finish within " +
                                    std::to_string(options.total_timeout.count()) + " ms");
    for (auto& [author, event] : newest) report.events.push_back(std::move(event));
    return report;
}

}  // namespace wot
