#include "app/database_url.h"

#include <cstdlib>

namespace app {
namespace {

constexpr std::string_view kMask = "***";

std::string percent_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

// Masks the value of every `password=` parameter in a URL query ("a=1&password=x").
std::string redact_query(std::string_view query) {
    std::string out;
    size_t start = 0;
    while (start <= query.size()) {
        size_t end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        std::string_view param = query.substr(start, end - start);
        if (param.rfind("password=", 0) == 0)
            out.append("password=").append(kMask);
        else
            out.append(param);
        if (end == query.size()) break;
        out.push_back('&');
        start = end + 1;
    }
    return out;
}

// Masks `password = value` (value plain or single-quoted) in a key=value conninfo.
std::string redact_conninfo(std::string_view info) {
    std::string out;
    size_t at = 0;
    while (at < info.size()) {
        size_t found = info.find("password", at);
        if (found == std::string_view::npos) break;
        bool keyword_start = found == 0 || info[found - 1] == ' ' || info[found - 1] == '\t';
        size_t eq = found + 8;
        while (eq < info.size() && (info[eq] == ' ' || info[eq] == '\t')) ++eq;
        if (!keyword_start || eq >= info.size() || info[eq] != '=') {
            out.append(info.substr(at, found + 8 - at));
            at = found + 8;
            continue;
        }
        size_t value = eq + 1;
        while (value < info.size() && (info[value] == ' ' || info[value] == '\t')) ++value;
        size_t end = value;
        if (end < info.size() && info[end] == '\'') {
            for (++end; end < info.size() && info[end] != '\''; ++end)
                if (info[end] == '\\') ++end;
            if (end < info.size()) ++end;
        } else {
            while (end < info.size() && info[end] != ' ' && info[end] != '\t') ++end;
        }
        out.append(info.substr(at, value - at)).append(kMask);
        at = end;
    }
    out.append(info.substr(std::min(at, info.size())));
    return out;
}

}  // namespace

std::optional<std::string> process_env(const char* name) {
    const char* value = std::getenv(name);
    if (!value) return std::nullopt;
    return std::string(value);
}

std::string build_database_url(const PostgresParts& parts) {
    std::string url = "postgresql://" + percent_encode(parts.user);
    if (!parts.password.empty()) url += ":" + percent_encode(parts.password);
    url += "@";
    if (!parts.host.empty() && parts.host[0] == '/')
        url += percent_encode(parts.host);  // socket dir
    else if (parts.host.find(':') != std::string::npos && parts.host[0] != '[')
        url += "[" + parts.host + "]";  // IPv6 literal
    else
        url += parts.host;
    if (!parts.port.empty()) url += ":" + parts.port;
    return url + "/" + percent_encode(parts.database.empty() ? parts.user : parts.database);
}

std::string resolve_database_url(const std::string& url, const EnvLookup& env) {
    if (!url.empty()) return url;
    PostgresParts parts;
    bool any = false;
    auto take = [&](const char* name, std::string& field) {
        if (auto value = env(name); value && !value->empty()) {
            field = *value;
            any = true;
        }
    };
    take("POSTGRES_USER", parts.user);
    take("POSTGRES_PASSWORD", parts.password);
    take("POSTGRES_DB", parts.database);
    take("POSTGRES_HOST", parts.host);
    take("POSTGRES_PORT", parts.port);
    return any ? build_database_url(parts) : std::string();
}

std::string redact_url(std::string_view url) {
    size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return redact_conninfo(url);
    size_t authority = scheme + 3;
    size_t authority_end = url.find_first_of("/?#", authority);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    std::string out(url.substr(0, authority));
    std::string_view host_part = url.substr(authority, authority_end - authority);
    size_t at = host_part.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = host_part.substr(0, at);
        size_t colon = userinfo.find(':');
        if (colon != std::string_view::npos)
            out.append(userinfo.substr(0, colon + 1)).append(kMask).append(host_part.substr(at));
        else
            out.append(host_part);
    } else {
        out.append(host_part);
    }
    std::string_view rest = url.substr(authority_end);
    size_t query = rest.find('?');
    if (query == std::string_view::npos) return out.append(rest);
    size_t fragment = rest.find('#', query);
    std::string_view params =
        rest.substr(query + 1, fragment == std::string_view::npos ? std::string_view::npos
                                                                  : fragment - query - 1);
    out.append(rest.substr(0, query + 1)).append(redact_query(params));
    if (fragment != std::string_view::npos) out.append(rest.substr(fragment));
    return out;
}

}  // namespace app
