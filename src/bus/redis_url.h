// Where a Redis server is and how to log in: parsed from a redis:// or unix:// URL. Passwords
// live only here and in the AUTH command; anything logged goes through redact_redis_url().
#pragma once
#include <string>
#include <string_view>

namespace bus {

struct RedisUrl {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string unix_path;  // non-empty: connect to this socket instead of host:port
    std::string username;   // "" = the default user (AUTH <password>)
    std::string password;   // "" = no AUTH
    int db = 0;             // SELECT when non-zero
};

// Accepts redis://[[user]:password@]host[:port][/db] (IPv6 as [addr]; user and password
// percent-decoded) and unix:///path/to.sock[?db=N&password=P&user=U]. Throws
// std::invalid_argument with a message that never contains the password.
RedisUrl parse_redis_url(std::string_view url);

// The URL with any password replaced by "***", for logs and error messages.
std::string redact_redis_url(std::string_view url);

}  // namespace bus
