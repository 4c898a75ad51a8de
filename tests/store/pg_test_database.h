// PostgreSQL for the store tests: the server is started by the ctest fixture
// (scripts/test-server.sh, see CMakeLists.txt), which writes its URL to
// $NOSTPP_TEST_PG_DIR/url. Each test process works in databases of its own (named after its
// pid, dropped at exit), so test processes running in parallel never share tables.
#pragma once
#include <string>

#include "store/postgres/pg_store.h"

namespace store_test {

// The server's URL. Throws (failing the test, never skipping it) when the fixture's URL
// file is missing.
std::string pg_server_url();

// URL of this process's database `<name>` (created empty on first use; "" = the default).
std::string pg_database_url(const std::string& name = "");

// `server_url` naming another database.
std::string with_database(const std::string& server_url, const std::string& database);

// Options for a store on `url` (small pools, the default statement timeout).
store::PgStoreOptions pg_options(const std::string& url);

// Empties every table of the store schema and resets the commit sequence.
void pg_reset(const std::string& url);

// Runs one statement without values (test setup and inspection); returns the first column
// of the first row as text ("" when there is none).
std::string pg_exec(const std::string& url, const std::string& sql);

}  // namespace store_test
