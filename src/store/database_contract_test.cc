// The contract every module relies on, run against both adapters: CTest runs
// this file's "*Db" suites as store_db_sqlite and store_db_postgres.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lotse/store/database.h"
#include "store/migrations_list.h"
#include "store/postgres_database.h"
#include "support/pg_cluster.h"
#include "support/test_database.h"

namespace lotse::store {
namespace {

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const auto& assert_ok_ = (expr);                            \
    ASSERT_TRUE(assert_ok_.ok()) << assert_ok_.error().message; \
  } while (0)

#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const auto& expect_ok_ = (expr);                            \
    EXPECT_TRUE(expect_ok_.ok()) << expect_ok_.error().message; \
  } while (0)

// Portable DDL for the tests' own scratch tables.
constexpr const char* kScratchTables = R"sql(
CREATE TABLE scratch (
  k INTEGER PRIMARY KEY,
  i BIGINT,
  d DOUBLE PRECISION,
  r REAL,
  s TEXT
);
CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO counter (id, n) VALUES (1, 0);
)sql";

class StoreContractDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    ASSERT_TRUE(db_);
    ASSERT_OK(db_->write([](Executor& x) { return x.exec_script(kScratchTables); }));
  }

  std::int64_t count(const std::string& table) {
    auto n = db_->read([&](Executor& x) { return x.query_int("SELECT COUNT(*) FROM " + table); });
    EXPECT_TRUE(n.ok()) << n.error().message;
    return n ? *n : -1;
  }

  static Result<void> add_alliance(Executor& x, const std::string& ags) {
    LOTSE_TRY(
        x.exec("INSERT INTO alliances (ags, slug, name, official_name, district_type, population, "
               "area_km2, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {ags, "slug-" + ags, "Dessau-Roßlau", "Dessau-Roßlau, Stadt", "kreisfreie Stadt",
                std::int64_t{74895}, 244.74, 51.8356, 12.2423}));
    return ok();
  }

  static Result<std::int64_t> add_user(Executor& x, const std::string& username) {
    return x.query_int(
        "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) "
        "VALUES (?, ?, 'case_worker', 'hash', ?, ?) RETURNING id",
        {username, "Name of " + username, std::int64_t{1700000000}, std::int64_t{1700000000}});
  }

  std::unique_ptr<Database> db_;
};

TEST_F(StoreContractDb, SchemaHasAllTables) {
  auto tables = db_->read([](Executor& x) -> Result<std::set<std::string>> {
    const char* sql = x.dialect() == Dialect::kSqlite
                          ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                          : "SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'public'";
    LOTSE_ASSIGN_OR_RETURN(Rows rows, x.query(sql));
    std::set<std::string> names;
    for (const Row& r : rows) names.insert(r.text(0));
    return names;
  });
  ASSERT_OK(tables);
  for (const char* t : {"alliances", "agencies", "users", "sessions", "api_tokens",
                        "sign_in_failures", "audit_log", "audit_head", "schema_migrations"}) {
    EXPECT_TRUE(tables->contains(t)) << "missing table " << t;
  }
}

TEST_F(StoreContractDb, MigrateIsIdempotent) {
  ASSERT_GE(latest_schema_version(), 1);
  for (int i = 0; i < 2; ++i) {
    auto v = migrate(*db_);
    ASSERT_OK(v);
    EXPECT_EQ(*v, latest_schema_version());
  }
  EXPECT_EQ(count("schema_migrations"), static_cast<std::int64_t>(all_migrations().size()));
  auto head =
      db_->read([](Executor& x) { return x.query_one("SELECT seq, hash FROM audit_head"); });
  ASSERT_OK(head);
  EXPECT_EQ(head->integer(0), 0);
  EXPECT_EQ(head->text(1), "genesis");
}

TEST_F(StoreContractDb, ConcurrentMigrationsOfAnEmptyDatabase) {
  // Several processes starting at once all migrate; each has its own
  // Database (and pool) here, like separate processes.
  const std::string url = lotse::testing::test_empty_database_url();
  constexpr int kMigrators = 3;
  std::vector<Result<int>> results(kMigrators, Error::internal("not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kMigrators; ++t) {
    threads.emplace_back([&, t] {
      auto db = open_database(url);
      if (!db) {
        results[t] = db.error();
        return;
      }
      results[t] = migrate(**db);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_OK(r);
    EXPECT_EQ(*r, latest_schema_version());
  }
  auto db = open_database(url);
  ASSERT_OK(db);
  auto n = (*db)->read(
      [](Executor& x) { return x.query_int("SELECT COUNT(*) FROM schema_migrations"); });
  ASSERT_OK(n);
  EXPECT_EQ(*n, static_cast<std::int64_t>(all_migrations().size()));
}

TEST_F(StoreContractDb, ValuesRoundTrip) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  struct Case {
    std::int64_t k;
    Value i, d, s;
  };
  const std::vector<Case> cases = {
      {1, kMax, 0.1, std::string("Dessau-Roßlau")},
      {2, kMin, -2.5e-300, std::string("Fuchs 🦊 and 漢字")},
      {3, std::int64_t{9007199254740993}, 1e300, std::string("")},
      {4, std::int64_t{-1}, 3.141592653589793, std::string("it's \"quoted\" ? \\ %")},
      {5, nullptr, nullptr, nullptr},
  };
  ASSERT_OK(db_->write([&](Executor& x) -> Result<void> {
    for (const Case& c : cases) {
      LOTSE_TRY(
          x.exec("INSERT INTO scratch (k, i, d, s) VALUES (?, ?, ?, ?)", {c.k, c.i, c.d, c.s}));
    }
    return ok();
  }));
  auto rows =
      db_->read([](Executor& x) { return x.query("SELECT k, i, d, s FROM scratch ORDER BY k"); });
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), cases.size());

  const Row& r1 = (*rows)[0];
  EXPECT_EQ(r1.integer(0), 1);
  EXPECT_EQ(r1.integer(1), kMax);
  EXPECT_EQ(r1.text(1), "9223372036854775807");
  EXPECT_EQ(r1.real(2), 0.1);
  EXPECT_EQ(r1.text(2), "0.1");
  EXPECT_EQ(r1.text(3), "Dessau-Roßlau");

  const Row& r2 = (*rows)[1];
  EXPECT_EQ(r2.integer(1), kMin);
  EXPECT_EQ(r2.real(2), -2.5e-300);
  EXPECT_EQ(r2.text(3), "Fuchs 🦊 and 漢字");

  const Row& r3 = (*rows)[2];
  EXPECT_EQ(r3.integer(1), 9007199254740993);
  EXPECT_EQ(r3.real(2), 1e300);
  EXPECT_FALSE(r3.is_null(3)) << "the empty string is not NULL";
  EXPECT_EQ(r3.text(3), "");
  EXPECT_EQ(r3.optional_text(3), std::optional<std::string>(""));

  const Row& r4 = (*rows)[3];
  EXPECT_EQ(r4.integer(1), -1);
  EXPECT_EQ(r4.real(2), 3.141592653589793);
  EXPECT_EQ(r4.text(3), "it's \"quoted\" ? \\ %");

  const Row& r5 = (*rows)[4];
  for (std::size_t c = 1; c <= 3; ++c) {
    EXPECT_TRUE(r5.is_null(c));
    EXPECT_EQ(r5.text(c), "");
    EXPECT_EQ(r5.optional_text(c), std::nullopt);
  }
  EXPECT_EQ(r5.integer(1), 0);
  EXPECT_EQ(r5.real(2), 0.0);
}

TEST_F(StoreContractDb, RealColumnsKeepAboutSixSignificantDigits) {
  // REAL is a 4-byte float on PostgreSQL (8 bytes on SQLite): fine for
  // coordinates and areas, not for money or counts.
  ASSERT_OK(db_->write([](Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("INSERT INTO scratch (k, r) VALUES (1, ?)", {51.8356}));
    return ok();
  }));
  auto r = db_->read([](Executor& x) { return x.query_one("SELECT r FROM scratch"); });
  ASSERT_OK(r);
  EXPECT_NEAR(r->real(0), 51.8356, 51.8356 * 1e-6);
}

TEST_F(StoreContractDb, LargeTextRoundTrips) {
  std::string big;
  for (int i = 0; big.size() < (1 << 20); ++i) big += "Zeile " + std::to_string(i) + " äöü\n";
  ASSERT_OK(db_->write([&](Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("INSERT INTO scratch (k, s) VALUES (1, ?)", {big}));
    return ok();
  }));
  auto r = db_->read([](Executor& x) { return x.query_one("SELECT s FROM scratch WHERE k = 1"); });
  ASSERT_OK(r);
  EXPECT_EQ(r->text(0), big);
}

TEST_F(StoreContractDb, NulInTextIsRejected) {
  auto r = db_->write([](Executor& x) {
    return x.exec("INSERT INTO scratch (k, s) VALUES (1, ?)", {std::string("a\0b", 3)});
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(count("scratch"), 0);
}

TEST_F(StoreContractDb, InsertReturningId) {
  auto ids = db_->write([](Executor& x) -> Result<std::vector<std::int64_t>> {
    LOTSE_ASSIGN_OR_RETURN(std::int64_t a, add_user(x, "15003-jc"));
    LOTSE_ASSIGN_OR_RETURN(std::int64_t b, add_user(x, "15003-aa"));
    return std::vector<std::int64_t>{a, b};
  });
  ASSERT_OK(ids);
  EXPECT_GT((*ids)[0], 0);
  EXPECT_GT((*ids)[1], (*ids)[0]);
  auto name = db_->read([&](Executor& x) {
    return x.query_one("SELECT username FROM users WHERE id = ?", {(*ids)[1]});
  });
  ASSERT_OK(name);
  EXPECT_EQ(name->text(0), "15003-aa");
}

TEST_F(StoreContractDb, QuestionMarksInLiteralsAreNotPlaceholders) {
  auto row = db_->read([](Executor& x) {
    return x.query_one(
        "SELECT '?', 'it''s ?', ? AS \"what?\", ? -- trailing comment?\n"
        "/* and a block comment? */",
        {std::string("a"), std::int64_t{2}});
  });
  ASSERT_OK(row);
  ASSERT_EQ(row->size(), 4u);
  EXPECT_EQ(row->text(0), "?");
  EXPECT_EQ(row->text(1), "it's ?");
  EXPECT_EQ(row->text(2), "a");
  EXPECT_EQ(row->integer(3), 2);
}

TEST_F(StoreContractDb, LargeIntegerParametersInExpressions) {
  // Millisecond timestamps exceed 32 bits; `? - 3600000` must not be
  // computed in a 32-bit type.
  auto v = db_->read([](Executor& x) {
    return x.query_int("SELECT ? - 3600000", {std::int64_t{1'700'000'000'000}});
  });
  ASSERT_OK(v);
  EXPECT_EQ(*v, 1'699'996'400'000);
}

TEST_F(StoreContractDb, ParameterCountMismatchIsAnError) {
  auto r = db_->read([](Executor& x) { return x.query("SELECT ?, ?", {std::int64_t{1}}); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST_F(StoreContractDb, OneStatementPerQuery) {
  auto r = db_->write(
      [](Executor& x) { return x.exec("UPDATE counter SET n = 1; UPDATE counter SET n = 2"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

TEST_F(StoreContractDb, ManyDistinctStatements) {
  // More distinct statements than a connection caches (code building SQL
  // with IN lists of varying length), some of them repeated.
  auto sum = db_->write([](Executor& x) -> Result<std::int64_t> {
    std::int64_t total = 0;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 300; ++i) {
        LOTSE_ASSIGN_OR_RETURN(std::int64_t v,
                               x.query_int("SELECT ? + " + std::to_string(i), {std::int64_t{1}}));
        total += v;
      }
    }
    return total;
  });
  ASSERT_OK(sum);
  EXPECT_EQ(*sum, 2 * (300 + 299 * 300 / 2));
}

TEST_F(StoreContractDb, QueryOneAndQueryInt) {
  auto missing = db_->read([](Executor& x) {
    return x.query_one("SELECT k FROM scratch WHERE k = ?", {std::int64_t{42}});
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto n = db_->read([](Executor& x) { return x.query_int("SELECT COUNT(*) FROM counter"); });
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1);
  // MAX() of nothing is NULL, read as 0.
  auto none = db_->read([](Executor& x) { return x.query_int("SELECT MAX(k) FROM scratch"); });
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
}

TEST_F(StoreContractDb, BooleanExpressionsReadAsIntegers) {
  auto row = db_->read([](Executor& x) {
    return x.query_one(
        "SELECT EXISTS (SELECT 1 FROM counter), EXISTS (SELECT 1 FROM scratch), 2 > 1");
  });
  ASSERT_OK(row);
  EXPECT_EQ(row->integer(0), 1);
  EXPECT_EQ(row->integer(1), 0);
  EXPECT_EQ(row->integer(2), 1);
}

TEST_F(StoreContractDb, ExecReturnsRowsChanged) {
  auto changes = db_->write([](Executor& x) -> Result<std::vector<std::int64_t>> {
    std::vector<std::int64_t> out;
    for (std::int64_t k = 1; k <= 3; ++k) {
      LOTSE_ASSIGN_OR_RETURN(std::int64_t n,
                             x.exec("INSERT INTO scratch (k, i) VALUES (?, ?)", {k, k * 10}));
      out.push_back(n);
    }
    LOTSE_ASSIGN_OR_RETURN(std::int64_t updated, x.exec("UPDATE scratch SET i = i + 1"));
    out.push_back(updated);
    LOTSE_ASSIGN_OR_RETURN(std::int64_t none,
                           x.exec("UPDATE scratch SET i = 0 WHERE k = ?", {std::int64_t{99}}));
    out.push_back(none);
    LOTSE_ASSIGN_OR_RETURN(std::int64_t select, x.exec("SELECT k FROM scratch"));
    out.push_back(select);
    LOTSE_ASSIGN_OR_RETURN(std::int64_t ddl, x.exec("CREATE TABLE extra (a INTEGER)"));
    out.push_back(ddl);
    return out;
  });
  ASSERT_OK(changes);
  EXPECT_EQ(*changes, (std::vector<std::int64_t>{1, 1, 1, 3, 0, 0, 0}));
}

TEST_F(StoreContractDb, WriteRollsBackWhenTheCallbackReturnsAnError) {
  auto r = db_->write([](Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("INSERT INTO scratch (k) VALUES (1)"));
    LOTSE_TRY(x.exec("UPDATE counter SET n = 5"));
    return Error::conflict("changed my mind");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message, "changed my mind");
  EXPECT_EQ(count("scratch"), 0);
  auto n = db_->read([](Executor& x) { return x.query_int("SELECT n FROM counter"); });
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0);
}

TEST_F(StoreContractDb, WriteRollsBackWhenTheCallbackThrows) {
  auto r = db_->write([](Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("INSERT INTO scratch (k) VALUES (1)"));
    throw std::runtime_error("boom");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("boom"), std::string::npos);
  EXPECT_EQ(count("scratch"), 0);
  // The connection went back to the pool in a usable state, and statements
  // prepared in the rolled-back transaction still work.
  ASSERT_OK(db_->write([](Executor& x) { return x.exec("INSERT INTO scratch (k) VALUES (1)"); }));
  ASSERT_OK(db_->write([](Executor& x) { return x.exec("DELETE FROM scratch"); }));
  for (int i = 0; i < 10; ++i) {
    EXPECT_OK(db_->write([&](Executor& x) {
      return x.exec("INSERT INTO scratch (k) VALUES (?)", {std::int64_t{i}});
    }));
  }
  EXPECT_EQ(count("scratch"), 10);
}

TEST_F(StoreContractDb, ReadSeesCommittedDataInOneSnapshot) {
  ASSERT_OK(db_->write([](Executor& x) { return x.exec("INSERT INTO scratch (k) VALUES (1)"); }));
  EXPECT_EQ(count("scratch"), 1);

  auto seen = db_->read([&](Executor& x) -> Result<std::vector<std::int64_t>> {
    std::vector<std::int64_t> out;
    LOTSE_ASSIGN_OR_RETURN(std::int64_t before, x.query_int("SELECT COUNT(*) FROM scratch"));
    out.push_back(before);
    // Another thread commits while this read transaction is open.
    Result<std::int64_t> other = Error::internal("not run");
    std::thread writer([&] {
      other = db_->write([](Executor& w) { return w.exec("INSERT INTO scratch (k) VALUES (2)"); });
    });
    writer.join();
    if (!other) return other.error();
    LOTSE_ASSIGN_OR_RETURN(std::int64_t after, x.query_int("SELECT COUNT(*) FROM scratch"));
    out.push_back(after);
    return out;
  });
  ASSERT_OK(seen);
  EXPECT_EQ(*seen, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(count("scratch"), 2);
}

TEST_F(StoreContractDb, ReadRefusesWrites) {
  auto r = db_->read([](Executor& x) { return x.exec("INSERT INTO scratch (k) VALUES (1)"); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_EQ(count("scratch"), 0);
}

// Kept work that inserts scratch row k.
Executor::Work insert_scratch(std::int64_t k) {
  return [k](Executor& w) -> Result<void> {
    LOTSE_TRY(w.exec("INSERT INTO scratch (k) VALUES (?)", {k}));
    return ok();
  };
}

// A gated read keeps its audit entries for after the snapshot: read()
// writes them before it returns, and hands back nothing if that fails.
TEST_F(StoreContractDb, WorkKeptByAReadIsWrittenBeforeReadReturns) {
  auto seen = db_->read([](Executor& x) -> Result<std::int64_t> {
    EXPECT_TRUE(x.read_only());
    LOTSE_TRY(x.write_after_read(insert_scratch(7)));
    LOTSE_TRY(x.write_after_read(insert_scratch(8)));
    // Not yet: the snapshot cannot see what is kept for later.
    return x.query_int("SELECT COUNT(*) FROM scratch");
  });
  ASSERT_OK(seen);
  EXPECT_EQ(*seen, 0);
  EXPECT_EQ(count("scratch"), 2);
}

TEST_F(StoreContractDb, ReadFailsWhenItsKeptWorkCannotBeWritten) {
  ASSERT_OK(db_->write([](Executor& x) { return x.exec("INSERT INTO scratch (k) VALUES (1)"); }));
  auto seen = db_->read([](Executor& x) -> Result<std::int64_t> {
    LOTSE_TRY(x.write_after_read(insert_scratch(2)));
    // The same key again: the kept work fails as a whole, both rows go.
    LOTSE_TRY(x.write_after_read(insert_scratch(1)));
    return x.query_int("SELECT COUNT(*) FROM scratch");
  });
  ASSERT_FALSE(seen.ok());
  EXPECT_EQ(seen.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("scratch"), 1);
}

TEST_F(StoreContractDb, WorkKeptByAFailedReadIsDropped) {
  auto seen = db_->read([](Executor& x) -> Result<std::int64_t> {
    LOTSE_TRY(x.write_after_read(insert_scratch(3)));
    return Error::not_found("nothing here");
  });
  ASSERT_FALSE(seen.ok());
  EXPECT_EQ(seen.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count("scratch"), 0);
}

TEST_F(StoreContractDb, WorkKeptInsideAWriteRunsInThatTransaction) {
  auto r = db_->write([](Executor& x) -> Result<void> {
    EXPECT_FALSE(x.read_only());
    LOTSE_TRY(x.write_after_read(insert_scratch(4)));
    LOTSE_ASSIGN_OR_RETURN(std::int64_t n, x.query_int("SELECT COUNT(*) FROM scratch"));
    EXPECT_EQ(n, 1);
    return Error::invalid("k", "rolled back with the rest");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(count("scratch"), 0);
}

TEST_F(StoreContractDb, UniqueViolationIsConflictAndWritesNothing) {
  ASSERT_OK(db_->write([](Executor& x) { return add_alliance(x, "15001"); }));
  auto r = db_->write([](Executor& x) -> Result<void> {
    LOTSE_TRY(add_alliance(x, "15002"));
    return add_alliance(x, "15001");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict) << r.error().message;
  EXPECT_EQ(count("alliances"), 1);

  auto dup_user = db_->write([](Executor& x) -> Result<void> {
    LOTSE_TRY(add_user(x, "same"));
    LOTSE_TRY(add_user(x, "same"));
    return ok();
  });
  ASSERT_FALSE(dup_user.ok());
  EXPECT_EQ(dup_user.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("users"), 0);
}

TEST_F(StoreContractDb, IgnoredErrorStillRollsBackTheTransaction) {
  // On PostgreSQL any failed statement aborts the transaction; both
  // adapters therefore fail the write even if the callback ignores it.
  auto r = db_->write([](Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("INSERT INTO scratch (k) VALUES (1)"));
    auto dup = x.exec("INSERT INTO scratch (k) VALUES (1)");
    EXPECT_FALSE(dup.ok());
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(count("scratch"), 0);
}

TEST_F(StoreContractDb, ForeignKeyViolationIsConflict) {
  auto r = db_->write([](Executor& x) {
    return x.exec(
        "INSERT INTO agencies (agency_key, alliance_ags, kind, legal_sphere, name) "
        "VALUES ('99999-jc', '99999', 'jobcenter', 'SGB II', 'Nowhere')");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict) << r.error().message;
  EXPECT_EQ(count("agencies"), 0);
}

TEST_F(StoreContractDb, CheckViolationIsConflict) {
  auto r = db_->write([](Executor& x) {
    return x.exec(
        "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) "
        "VALUES ('x', 'X', 'emperor', 'h', 0, 0)");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict) << r.error().message;
}

TEST_F(StoreContractDb, DeletingAUserCascadesToSessions) {
  ASSERT_OK(db_->write([](Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(std::int64_t id, add_user(x, "leaver"));
    LOTSE_TRY(
        x.exec("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, "
               "remote_address) VALUES ('h1', ?, 'c', 0, 0, '127.0.0.1')",
               {id}));
    LOTSE_TRY(x.exec("DELETE FROM users WHERE id = ?", {id}));
    return ok();
  }));
  EXPECT_EQ(count("sessions"), 0);
}

TEST_F(StoreContractDb, ConcurrentWritersLoseNoUpdate) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto r = db_->write(
            [](Executor& x) { return x.exec("UPDATE counter SET n = n + 1 WHERE id = 1"); });
        if (!r) {
          ++failures;
          ADD_FAILURE() << r.error().message;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto n = db_->read([](Executor& x) { return x.query_int("SELECT n FROM counter WHERE id = 1"); });
  ASSERT_OK(n);
  EXPECT_EQ(*n, kThreads * kIncrements);
}

TEST_F(StoreContractDb, ReadModifyWriteAfterLockingTheRowLosesNoUpdate) {
  // The portable way to read, compute and write back: take the row lock
  // with an UPDATE first. (SQLite serialises writers anyway; PostgreSQL's
  // write() is READ COMMITTED, where a plain SELECT-then-UPDATE loses
  // updates.)
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        EXPECT_OK(db_->write([](Executor& x) -> Result<void> {
          LOTSE_TRY(x.exec("UPDATE counter SET n = n WHERE id = 1"));
          LOTSE_ASSIGN_OR_RETURN(std::int64_t n, x.query_int("SELECT n FROM counter WHERE id = 1"));
          LOTSE_TRY(x.exec("UPDATE counter SET n = ? WHERE id = 1", {n + 1}));
          return ok();
        }));
      }
    });
  }
  for (auto& t : threads) t.join();
  auto n = db_->read([](Executor& x) { return x.query_int("SELECT n FROM counter WHERE id = 1"); });
  ASSERT_OK(n);
  EXPECT_EQ(*n, kThreads * kIncrements);
}

TEST_F(StoreContractDb, AuditLogIsAppendOnly) {
  ASSERT_OK(db_->write([](Executor& x) {
    return x.exec(
        "INSERT INTO audit_log (seq, at, actor, action, object, legal_basis, request_id, details, "
        "prev_hash, hash) VALUES (1, 1700000000000, '-', 'test', 'x', 'test', 'r1', '{}', "
        "'genesis', 'h1')");
  }));
  auto update =
      db_->write([](Executor& x) { return x.exec("UPDATE audit_log SET actor = 'mallory'"); });
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.error().code, ErrorCode::kInternal);
  EXPECT_NE(update.error().message.find("append-only"), std::string::npos)
      << update.error().message;
  auto del = db_->write([](Executor& x) { return x.exec("DELETE FROM audit_log"); });
  ASSERT_FALSE(del.ok());
  EXPECT_EQ(del.error().code, ErrorCode::kInternal);
  auto actor = db_->read([](Executor& x) { return x.query_one("SELECT actor FROM audit_log"); });
  ASSERT_OK(actor);
  EXPECT_EQ(actor->text(0), "-");
  // Appending still works.
  EXPECT_OK(db_->write([](Executor& x) {
    return x.exec(
        "INSERT INTO audit_log (seq, at, actor, action, object, legal_basis, request_id, details, "
        "prev_hash, hash) VALUES (2, 1700000000001, '-', 'test', 'x', 'test', 'r2', '{}', 'h1', "
        "'h2')");
  }));
}

TEST_F(StoreContractDb, UnknownUrlSchemeIsInvalid) {
  auto db = open_database("mysql://x");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(db.error().field, "database");
  EXPECT_NE(db.error().message.find("mysql"), std::string::npos);

  auto with_password = open_database("mysql://admin:hunter2pw@db.example/lotse");
  ASSERT_FALSE(with_password.ok());
  EXPECT_EQ(with_password.error().message.find("hunter2pw"), std::string::npos);

  auto empty = open_database("sqlite:");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().field, "database");
}

TEST_F(StoreContractDb, PostgresPasswordIsNeverShown) {
  EXPECT_EQ(
      describe_postgres_url("postgresql://lotse:s3cr%40t@db.example:5433/lotse?sslmode=require"),
      "postgresql://lotse@db.example:5433/lotse");
  EXPECT_EQ(describe_postgres_url("postgres://lotse@db.example/lotse?password=s3cr3t"),
            "postgresql://lotse@db.example/lotse");

  // An unreachable server: the error names the server, not the password.
  auto unreachable = open_database("postgresql://lotse:s3cr3tpw@127.0.0.1:1/lotse");
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(unreachable.error().message.find("s3cr3tpw"), std::string::npos)
      << unreachable.error().message;
  EXPECT_NE(unreachable.error().message.find("127.0.0.1"), std::string::npos);

  if (lotse::testing::test_backend_name() != "postgres") return;
  // A real server (trust authentication accepts any password).
  const int port = lotse::testing::PgCluster::instance().port();
  const std::string base = "postgresql://postgres:s3cr3tpw@127.0.0.1:" + std::to_string(port);
  auto db = open_database(base + "/postgres");
  ASSERT_OK(db);
  EXPECT_EQ((*db)->describe(),
            "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/postgres");
  auto missing = open_database(base + "/no_such_database");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(missing.error().message.find("s3cr3tpw"), std::string::npos) << missing.error().message;
  auto bad_sql = (*db)->read([](Executor& x) { return x.query("SELECT nonsense FROM nowhere"); });
  ASSERT_FALSE(bad_sql.ok());
  EXPECT_EQ(bad_sql.error().message.find("s3cr3tpw"), std::string::npos);
}

// PostgreSQL only (SQLite has no server connection to lose): a pooled
// connection killed while idle is replaced transparently; one killed inside
// a transaction fails that transaction with kUnavailable, and the next works.
TEST_F(StoreContractDb, LostConnectionsAreReplaced) {
  if (db_->dialect() != Dialect::kPostgres) return;
  // describe() has no password, and the test cluster needs none.
  auto admin = open_database(db_->describe());
  ASSERT_OK(admin);
  auto kill_others = [&] {
    return (*admin)->write([](Executor& x) {
      return x.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    });
  };

  ASSERT_OK(db_->read([](Executor& x) { return x.query("SELECT 1"); }));
  ASSERT_OK(kill_others());
  auto after_idle_kill = db_->read([](Executor& x) { return x.query_int("SELECT 41 + 1"); });
  ASSERT_OK(after_idle_kill);
  EXPECT_EQ(*after_idle_kill, 42);

  auto killed_mid_transaction = db_->write([&](Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec("INSERT INTO scratch (k) VALUES (1)"));
    auto killed = kill_others();
    if (!killed) return killed.error();
    LOTSE_TRY(x.exec("INSERT INTO scratch (k) VALUES (2)"));
    return ok();
  });
  ASSERT_FALSE(killed_mid_transaction.ok());
  EXPECT_EQ(killed_mid_transaction.error().code, ErrorCode::kUnavailable)
      << killed_mid_transaction.error().message;
  EXPECT_EQ(count("scratch"), 0);
  ASSERT_OK(db_->write([](Executor& x) { return x.exec("INSERT INTO scratch (k) VALUES (3)"); }));
  EXPECT_EQ(count("scratch"), 1);
}

TEST_F(StoreContractDb, DialectMatchesBackend) {
  const Dialect expected =
      lotse::testing::test_backend_name() == "postgres" ? Dialect::kPostgres : Dialect::kSqlite;
  EXPECT_EQ(db_->dialect(), expected);
  auto seen = db_->read([](Executor& x) -> Result<Dialect> { return x.dialect(); });
  ASSERT_OK(seen);
  EXPECT_EQ(*seen, expected);
  EXPECT_FALSE(db_->describe().empty());
}

}  // namespace
}  // namespace lotse::store
