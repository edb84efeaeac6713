// Runs the real `lotse` binary against a fresh database (SQLite and
// PostgreSQL): migrate, user administration, and `audit verify` catching a
// changed and a deleted audit row.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sys/wait.h>

#include "lotse/store/database.h"
#include "support/test_database.h"

namespace lotse::app {
namespace {

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr
};

Run lotse(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " " + LOTSE_BINARY + " " + args + " 2>&1";
  Run run{-1, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe)) run.output.append(buf.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class CliDb : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = lotse::testing::test_database_url();
    auto db = store::open_database(url_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    // Organisation data for account tests, through the real CLI is slow
    // (demo hashes 72 passwords); seed the few rows the tests need instead.
    ASSERT_TRUE(db_->write([](store::Executor& x) -> Result<void> {
      LOTSE_TRY(x.exec(
          "INSERT INTO alliances (ags, slug, name, official_name, district_type, population, "
          "area_km2, lat, lon) VALUES ('15003', 'magdeburg', 'Magdeburg', 'Magdeburg, "
          "Landeshauptstadt', 'kreisfreie Stadt', 237565, 201.01, 52.1, 11.6)"));
      LOTSE_TRY(x.exec("INSERT INTO agencies (agency_key, alliance_ags, kind, legal_sphere, name) "
                       "VALUES ('15003-jc', '15003', 'jobcenter', 'SGB II', 'Jobcenter Magdeburg')"));
      return ok();
    }));
  }

  // Four audited account changes: add, add, passwd, disable.
  void make_history() {
    const std::string pw = "LOTSE_PASSWORD=ein-sicheres-passwort";
    ASSERT_EQ(lotse("user add 15003-jc --role case_worker --name Erika --agency 15003-jc --as admin "
                    "--database " + url_, pw).exit_code, 0);
    ASSERT_EQ(lotse("user add koord --role coordinator --name Kim --alliance 15003 --as admin "
                    "--database " + url_, pw).exit_code, 0);
    ASSERT_EQ(lotse("user passwd koord --as admin --database " + url_,
                    "LOTSE_PASSWORD=noch-ein-passwort").exit_code, 0);
    ASSERT_EQ(lotse("user disable koord --as admin --database " + url_).exit_code, 0);
  }

  void tamper(const std::string& statement) {
    auto r = db_->write([&](store::Executor& x) -> Result<void> {
      if (x.dialect() == store::Dialect::kPostgres) {
        LOTSE_TRY(x.exec_script("DROP TRIGGER audit_log_no_update ON audit_log"));
      } else {
        LOTSE_TRY(x.exec_script("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete"));
      }
      LOTSE_TRY(x.exec(statement));
      return ok();
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  std::string url_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(CliDb, HelpListsTheCommands) {
  auto r = lotse("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"serve", "migrate", "demo", "user", "audit"})
    EXPECT_NE(r.output.find(cmd), std::string::npos) << cmd;
}

TEST_F(CliDb, MigrateIsIdempotent) {
  auto first = lotse("migrate --database " + url_);
  auto second = lotse("migrate --database " + url_);
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(first.output, second.output);
  EXPECT_EQ(first.output.find("password"), std::string::npos);
}

TEST_F(CliDb, DatabaseUrlFromEnvironment) {
  auto r = lotse("user list", "LOTSE_DATABASE=" + url_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(CliDb, UserAdministrationRoundTrip) {
  make_history();
  auto list = lotse("user list --database " + url_);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("15003-jc\tcase_worker\tJobcenter Magdeburg\tactive"), std::string::npos)
      << list.output;
  EXPECT_NE(list.output.find("koord\tcoordinator\tMagdeburg\tdisabled"), std::string::npos)
      << list.output;
}

TEST_F(CliDb, BadAccountInputIsRefusedAndChangesNothing) {
  auto short_pw = lotse("user add x1 --role admin --name X --database " + url_, "LOTSE_PASSWORD=kurz");
  EXPECT_NE(short_pw.exit_code, 0);
  EXPECT_NE(short_pw.output.find("password"), std::string::npos) << short_pw.output;
  auto bad_role = lotse("user add x2 --role root --name X --database " + url_,
                        "LOTSE_PASSWORD=ein-sicheres-passwort");
  EXPECT_NE(bad_role.exit_code, 0);
  auto bad_agency = lotse("user add x3 --role case_worker --name X --agency 15003-xx --database " + url_,
                          "LOTSE_PASSWORD=ein-sicheres-passwort");
  EXPECT_NE(bad_agency.exit_code, 0);
  auto n = db_->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM users"); });
  EXPECT_EQ(*n, 0);
  auto audit = db_->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM audit_log"); });
  EXPECT_EQ(*audit, 0);
}

TEST_F(CliDb, AuditVerifyPassesOnAnIntactLog) {
  make_history();
  auto r = lotse("audit verify --database " + url_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("OK, 4 entries"), std::string::npos) << r.output;
}

TEST_F(CliDb, AuditVerifyNamesAChangedRow) {
  make_history();
  tamper("UPDATE audit_log SET object = 'user:someone-else' WHERE seq = 2");
  auto r = lotse("audit verify --database " + url_);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAILED at entry 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("changed"), std::string::npos) << r.output;
}

TEST_F(CliDb, AuditVerifyNamesADeletedRow) {
  make_history();
  tamper("DELETE FROM audit_log WHERE seq = 3");
  auto r = lotse("audit verify --database " + url_);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAILED at entry 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace lotse::app
