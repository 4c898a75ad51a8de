// Where the PostgreSQL database is: the --database-url flag / DATABASE_URL, or else the
// reference deployment's POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB / POSTGRES_HOST /
// POSTGRES_PORT. Shared by every subcommand that opens PostgreSQL, with redact_url() for
// logging one: a password never reaches a log.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace app {

struct PostgresParts {
    std::string user = "postgres";
    std::string password;  // empty: none (trust, peer or .pgpass authentication)
    std::string host = "localhost";
    std::string port = "5432";
    std::string database;  // empty: the user's name
};

// Looks an environment variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_env(const char* name);

// postgresql://user[:password]@host:port/database, each part percent-encoded (a password
// may contain '@', ':' or '/').
std::string build_database_url(const PostgresParts& parts);

// `url` when not empty; otherwise a URL built from POSTGRES_* when any of them is set
// (unset ones take PostgresParts' defaults); otherwise "" (no database configured).
std::string resolve_database_url(const std::string& url, const EnvLookup& env = process_env);

// `url` with every password replaced by "***": the user-info of a URL, a `password=` URL
// query parameter, or a `password=` keyword of a "key=value" connection string.
std::string redact_url(std::string_view url);

}  // namespace app
