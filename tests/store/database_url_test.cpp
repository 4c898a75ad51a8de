// app/database_url: the PostgreSQL URL from flags or POSTGRES_* variables, and redaction of
// passwords for logs.
#include "app/database_url.h"

#include <gtest/gtest.h>

#include <map>

namespace {

app::EnvLookup env(std::map<std::string, std::string> values) {
    return [values](const char* name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

TEST(DatabaseUrl, ExplicitUrlWins) {
    EXPECT_EQ(app::resolve_database_url("postgresql://a@b/c", env({{"POSTGRES_USER", "x"}})),
              "postgresql://a@b/c");
}

TEST(DatabaseUrl, NothingConfiguredIsEmpty) {
    EXPECT_EQ(app::resolve_database_url("", env({})), "");
}

TEST(DatabaseUrl, BuiltFromPostgresVariables) {
    EXPECT_EQ(app::resolve_database_url("", env({{"POSTGRES_USER", "nostr"},
                                                 {"POSTGRES_PASSWORD", "s3cret"},
                                                 {"POSTGRES_DB", "relay"},
                                                 {"POSTGRES_HOST", "db"},
                                                 {"POSTGRES_PORT", "6543"}})),
              "postgresql://nostr:s3cret@db:6543/relay");
    // defaults: user postgres, localhost:5432, database named after the user
    EXPECT_EQ(app::resolve_database_url("", env({{"POSTGRES_PASSWORD", "pw"}})),
              "postgresql://postgres:pw@localhost:5432/postgres");
    EXPECT_EQ(app::resolve_database_url("", env({{"POSTGRES_USER", "alice"}})),
              "postgresql://alice@localhost:5432/alice");
}

TEST(DatabaseUrl, PartsArePercentEncoded) {
    app::PostgresParts parts;
    parts.user = "us er";
    parts.password = "p@ss:w/rd?#%";
    parts.host = "::1";
    parts.database = "my db";
    EXPECT_EQ(app::build_database_url(parts),
              "postgresql://us%20er:p%40ss%3Aw%2Frd%3F%23%25@[::1]:5432/my%20db");
    parts.host = "/var/run/postgresql";
    parts.password.clear();
    EXPECT_EQ(app::build_database_url(parts),
              "postgresql://us%20er@%2Fvar%2Frun%2Fpostgresql:5432/my%20db");
}

TEST(DatabaseUrl, RedactsPasswords) {
    EXPECT_EQ(app::redact_url("postgresql://nostr:s3cret@db:5432/relay"),
              "postgresql://nostr:***@db:5432/relay");
    EXPECT_EQ(app::redact_url("postgres://u:p%40ss@h/d?sslmode=require&password=x2#frag"),
              "postgres://u:***@h/d?sslmode=require&password=***#frag");
    EXPECT_EQ(app::redact_url("postgresql://nostr@db/relay"), "postgresql://nostr@db/relay");
    EXPECT_EQ(app::redact_url("postgresql://db/relay"), "postgresql://db/relay");
    EXPECT_EQ(app::redact_url("host=db user=u password=s3cret dbname=relay"),
              "host=db user=u password=*** dbname=relay");
    EXPECT_EQ(app::redact_url("host=db password = 'it\\'s a secret' dbname=x"),
              "host=db password = *** dbname=x");
    // a password holding '@' is still fully hidden
    EXPECT_EQ(app::redact_url("postgresql://u:a@b@h/d"), "postgresql://u:***@h/d");
    std::string built = app::resolve_database_url("", env({{"POSTGRES_PASSWORD", "p@ss:word"}}));
    EXPECT_EQ(app::redact_url(built).find("p%40ss"), std::string::npos) << app::redact_url(built);
}

}  // namespace
