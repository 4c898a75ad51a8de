#include "pg_test_database.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>

namespace store_test {
namespace {

std::mutex& mutex() {
    static std::mutex m;
    return m;
}
std::set<std::string>& created() {
    static std::set<std::string> names;
    return names;
}

// Text-mode exec through libpq directly: test scaffolding, independent of the code under test.
std::string run(const std::string& url, const std::string& sql) {
    std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(url.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error("cannot connect to test PostgreSQL at " + url + ": " +
                                 PQerrorMessage(conn.get()));
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(conn.get(), sql.c_str()),
                                                          &PQclear);
    auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw std::runtime_error("test SQL failed (" + sql +
                                 "): " + PQresultErrorMessage(result.get()));
    if (status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0 && PQnfields(result.get()) > 0)
        return PQgetvalue(result.get(), 0, 0);
    return "";
}

struct DropDatabases : ::testing::Environment {
    void TearDown() override {
        std::lock_guard lock(mutex());
        for (const auto& name : created()) {
            try {
                run(pg_server_url(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (const std::exception& e) {
                std::fprintf(stderr, "could not drop test database %s: %s\n", name.c_str(),
                             e.what());
            }
        }
    }
};
const auto* const drop_databases = ::testing::AddGlobalTestEnvironment(new DropDatabases);

}  // namespace

std::string pg_server_url() {
    const char* dir = std::getenv("NOSTPP_TEST_PG_DIR");
    if (!dir || !*dir)
        throw std::runtime_error(
            "NOSTPP_TEST_PG_DIR is not set: run these tests through ctest, whose "
            "postgres_server fixture starts PostgreSQL (or set it to a directory whose `url` "
            "file holds a server URL, e.g. after scripts/test-server.sh postgres start DIR)");
    std::ifstream file(std::string(dir) + "/url");
    std::string url;
    if (!file || !std::getline(file, url) || url.empty())
        throw std::runtime_error(
            std::string("no PostgreSQL test server: ") + dir +
            "/url is missing or empty (the postgres_server fixture, "
            "scripts/test-server.sh postgres start DIR, did not run or failed)");
    return url;
}

// The test servers' URLs end in "/postgres".
std::string with_database(const std::string& server_url, const std::string& database) {
    size_t slash = server_url.rfind('/');
    if (slash == std::string::npos || slash < server_url.find("://") + 3)
        throw std::runtime_error("unexpected test server URL " + server_url);
    return server_url.substr(0, slash + 1) + database;
}

std::string pg_database_url(const std::string& name) {
    // Identifiers cannot be statement parameters; this one is made of digits and our own
    // fixed letters only.
    std::string database =
        "nostpp_test_" + std::to_string(getpid()) + (name.empty() ? "" : "_" + name);
    std::string server = pg_server_url();
    std::lock_guard lock(mutex());
    if (created().insert(database).second) {
        run(server, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        run(server, "CREATE DATABASE " + database);
    }
    return with_database(server, database);
}

store::PgStoreOptions pg_options(const std::string& url) {
    store::PgStoreOptions options;
    options.write_url = url;
    options.read_pool_size = 2;
    options.connect_timeout_s = 5;
    return options;
}

void pg_reset(const std::string& url) {
    run(url, "TRUNCATE events, tags, deleted_ids, deleted_addrs, settings; UPDATE meta SET seq = 0");
}

std::string pg_exec(const std::string& url, const std::string& sql) {
    return run(url, sql);
}

}  // namespace store_test
