#include "bus/redis_url.h"

#include <charconv>
#include <stdexcept>

namespace bus {
namespace {

int parse_number(std::string_view text, int max, const char* what) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0 ||
        value > max)
        throw std::invalid_argument(std::string("redis url: invalid ") + what);
    return value;
}

std::string percent_decode(std::string_view text, const char* what) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        unsigned value = 0;
        auto [end, ec] = std::from_chars(text.data() + i + 1,
                                         text.data() + std::min(i + 3, text.size()), value, 16);
        if (ec != std::errc() || end != text.data() + i + 3)
            throw std::invalid_argument(std::string("redis url: bad percent-escape in ") + what);
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

// user:password@ (either part may be empty).
void parse_userinfo(std::string_view userinfo, RedisUrl& out) {
    size_t colon = userinfo.find(':');
    out.username = percent_decode(userinfo.substr(0, colon), "user name");
    if (colon != std::string_view::npos)
        out.password = percent_decode(userinfo.substr(colon + 1), "password");
}

void parse_host_port(std::string_view hostport, RedisUrl& out) {
    std::string_view port;
    if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
        size_t close = hostport.find(']');
        if (close == std::string_view::npos) throw std::invalid_argument("redis url: bad host");
        out.host = std::string(hostport.substr(1, close - 1));
        std::string_view rest = hostport.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') throw std::invalid_argument("redis url: bad host");
            port = rest.substr(1);
        }
    } else {
        size_t colon = hostport.rfind(':');
        out.host = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
    }
    if (out.host.empty()) out.host = "127.0.0.1";
    if (!port.empty()) out.port = parse_number(port, 65535, "port");
}

// unix:///path?db=N&password=P&user=U
void parse_unix_query(std::string_view query, RedisUrl& out) {
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        size_t eq = pair.find('=');
        std::string_view name = pair.substr(0, eq);
        std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
        if (name == "db")
            out.db = parse_number(value, 1 << 20, "db number");
        else if (name == "password")
            out.password = percent_decode(value, "password");
        else if (name == "user")
            out.username = percent_decode(value, "user name");
        else
            throw std::invalid_argument("redis url: unknown parameter " + std::string(name));
    }
}

}  // namespace

RedisUrl parse_redis_url(std::string_view url) {
    RedisUrl out;
    if (url.starts_with("unix://")) {
        std::string_view rest = url.substr(7);
        size_t q = rest.find('?');
        out.unix_path = std::string(rest.substr(0, q));
        if (out.unix_path.empty()) throw std::invalid_argument("redis url: missing socket path");
        if (q != std::string_view::npos) parse_unix_query(rest.substr(q + 1), out);
        return out;
    }
    if (url.starts_with("rediss://"))
        throw std::invalid_argument("redis url: TLS (rediss://) is not supported by this build");
    if (!url.starts_with("redis://"))
        throw std::invalid_argument("redis url: must start with redis:// or unix://");
    std::string_view rest = url.substr(8);
    // The last '@' ends the credentials, so an unescaped '/' or '@' in a password still parses.
    size_t at = rest.rfind('@');
    if (at != std::string_view::npos) {
        parse_userinfo(rest.substr(0, at), out);
        rest = rest.substr(at + 1);
    }
    size_t slash = rest.find_first_of("/?#");
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
    parse_host_port(rest.substr(0, slash), out);
    if (path.starts_with("/")) path = path.substr(1);
    path = path.substr(0, path.find_first_of("?#"));
    if (!path.empty()) out.db = parse_number(path, 1 << 20, "db number");
    return out;
}

std::string redact_redis_url(std::string_view url) {
    std::string out(url);
    size_t scheme = out.find("://");
    if (scheme != std::string::npos) {
        size_t start = scheme + 3;
        size_t at = out.rfind('@');  // as in parse_redis_url: the last '@' ends the credentials
        if (at != std::string::npos && at >= start) {
            size_t colon = out.find(':', start);
            if (colon != std::string::npos && colon < at)
                out.replace(colon + 1, at - colon - 1, "***");
        }
    }
    // unix://...?password=P
    for (size_t pos = out.find("password="); pos != std::string::npos;
         pos = out.find("password=", pos + 1)) {
        size_t value = pos + 9;
        size_t end = out.find('&', value);
        if (end == std::string::npos) end = out.size();
        out.replace(value, end - value, "***");
    }
    return out;
}

}  // namespace bus
