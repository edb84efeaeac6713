// Fresh databases for tests, on the backend named by LOTSE_TEST_BACKEND
// ("sqlite", the default, or "postgres"). Test suites whose name ends in "Db"
// use these; CTest runs them once per backend (<layer>_db_sqlite and
// <layer>_db_postgres).
//
//   TEST(UserStoreDb, CreatesUser) {
//     auto db = lotse::testing::test_database();   // migrated, empty
//     ...
//   }
//   // A URL for the `lotse` CLI run as a subprocess:
//   std::string url = lotse::testing::test_database_url();
//
// SQLite: a new file in a per-process temporary directory, removed at exit.
// PostgreSQL: a new database (t_<pid>_<n>) on a throwaway PostgreSQL 15
// cluster started once per process (see pg_cluster.h); the database is
// dropped when the returned Database is destroyed.
//
// Failures to provide a database abort the test process with a message on
// stderr: a database test must never be skipped silently.
#pragma once

#include <memory>
#include <string>

#include "lotse/store/database.h"

namespace lotse::testing {

// A fresh, migrated, empty database.
std::unique_ptr<store::Database> test_database();

// The URL of a fresh, migrated, empty database (nobody holds it open).
std::string test_database_url();

// The URL of a fresh database without any tables, for migration tests.
std::string test_empty_database_url();

// "sqlite" or "postgres".
std::string test_backend_name();

}  // namespace lotse::testing
