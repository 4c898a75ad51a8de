// Runs the shared store suite against PostgreSQL: every test gets the process's database
// emptied (tables truncated, commit sequence reset); reopen closes every connection and
// connects again.
#include "pg_test_database.h"
#include "store_suite.h"

namespace store_test {
namespace {

std::unique_ptr<store::Store> open_store() {
    return store::PgStore::open(pg_options(pg_database_url()));
}

StoreFactory postgres_factory() {
    return StoreFactory{
        "Postgres",
        [] {
            auto store = open_store();  // migrates a new database
            pg_reset(pg_database_url());
            return store;
        },
        [](std::unique_ptr<store::Store> store) {
            store.reset();
            return open_store();
        },
    };
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreSuite, ::testing::Values(postgres_factory()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace store_test
