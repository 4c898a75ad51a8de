#include "loadgen/endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace loadgen {
namespace {

bool is_loopback_v4(const in_addr& a) {
    return (ntohl(a.s_addr) >> 24) == 127;
}

bool is_loopback_v6(const in6_addr& a) {
    return IN6_IS_ADDR_LOOPBACK(&a);
}

// Numeric literal check: returns the canonical text when `host` is a loopback literal.
std::optional<std::string> loopback_literal(const std::string& host) {
    char text[INET6_ADDRSTRLEN] = {};
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        if (!is_loopback_v4(v4)) return std::nullopt;
        inet_ntop(AF_INET, &v4, text, sizeof text);
        return std::string(text);
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        if (!is_loopback_v6(v6)) return std::nullopt;
        inet_ntop(AF_INET6, &v6, text, sizeof text);
        return std::string(text);
    }
    return std::nullopt;
}

// Resolves `localhost`; nullopt if resolution fails or yields anything non-loopback (an
// /etc/hosts entry pointing elsewhere must not turn the bench outward). IPv4 preferred.
std::optional<std::string> resolve_localhost(std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (int rc = getaddrinfo("localhost", nullptr, &hints, &list); rc != 0) {
        error = std::string("cannot resolve localhost: ") + gai_strerror(rc);
        return std::nullopt;
    }
    std::optional<std::string> v4, v6;
    bool outward = false;
    char text[INET6_ADDRSTRLEN] = {};
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            auto* sa = reinterpret_cast<sockaddr_in*>(ai->ai_addr);
            if (!is_loopback_v4(sa->sin_addr))
                outward = true;
            else if (!v4)
                v4 = inet_ntop(AF_INET, &sa->sin_addr, text, sizeof text);
        } else if (ai->ai_family == AF_INET6) {
            auto* sa = reinterpret_cast<sockaddr_in6*>(ai->ai_addr);
            if (!is_loopback_v6(sa->sin6_addr))
                outward = true;
            else if (!v6)
                v6 = inet_ntop(AF_INET6, &sa->sin6_addr, text, sizeof text);
        }
    }
    freeaddrinfo(list);
    if (outward) {
        error = "localhost resolves to a non-loopback address; refusing";
        return std::nullopt;
    }
    if (v4) return v4;
    if (v6) return v6;
    error = "localhost did not resolve to any address";
    return std::nullopt;
}

}  // namespace

std::optional<Endpoint> parse_loopback_url(std::string_view url, std::string& error) {
    constexpr std::string_view scheme = "ws://";
    if (url.substr(0, scheme.size()) != scheme) {
        error = "url must start with ws:// (TLS is not supported: loopback only)";
        return std::nullopt;
    }
    std::string_view rest = url.substr(scheme.size());
    Endpoint ep;
    size_t slash = rest.find('/');
    ep.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    std::string_view authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos) {
        error = "url must not contain credentials";
        return std::nullopt;
    }

    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "unterminated [ in url";
            return std::nullopt;
        }
        ep.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') {
            error = "unexpected text after ] in url";
            return std::nullopt;
        }
        if (!after.empty()) port_text = after.substr(1);
    } else {
        size_t colon = authority.rfind(':');
        ep.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }

    ep.port = 80;
    if (!port_text.empty()) {
        unsigned value = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
            value > 65535) {
            error = "invalid port in url";
            return std::nullopt;
        }
        ep.port = static_cast<uint16_t>(value);
    }

    if (ep.host == "localhost") {
        auto address = resolve_localhost(error);
        if (!address) return std::nullopt;
        ep.address = *address;
    } else if (auto address = loopback_literal(ep.host)) {
        ep.address = *address;
    } else {
        error = "refusing host '" + ep.host + "': only localhost, 127.0.0.0/8 and ::1 are allowed";
        return std::nullopt;
    }
    return ep;
}

}  // namespace loadgen
