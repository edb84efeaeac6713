// Runs the real `lotse import hsds` / `lotse export hsds` against fresh
// databases (SQLite and PostgreSQL): the round trip export → import into an
// empty catalogue → export gives identical files in both formats; importing
// twice changes nothing; a broken package is refused with every problem
// listed (file, line, field) and nothing written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lotse/catalogue/demo_catalogue.h"
#include "lotse/catalogue/hsds_model.h"
#include "lotse/catalogue/jba_profile.h"
#include "lotse/organisation/seed.h"
#include "lotse/store/database.h"
#include "support/test_database.h"

namespace lotse::app {
namespace {

namespace fs = std::filesystem;

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr
};

Run lotse(const std::string& args) {
  const std::string cmd = std::string(LOTSE_BINARY) + " " + args + " 2>&1";
  Run run{-1, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe)) run.output.append(buf.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CatalogueCliDb : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lotse-cat-cli-" + lotse::testing::test_backend_name() +
                                        "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A database with the organisation model (the alliances the catalogue
  // refers to) and, if asked, the demo catalogue.
  std::string database(bool with_catalogue) {
    const std::string url = lotse::testing::test_database_url();
    auto db = store::open_database(url);
    EXPECT_TRUE(db) << db.error().message;
    auto seeded = (*db)->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    });
    EXPECT_TRUE(seeded) << seeded.error().message;
    if (with_catalogue) {
      auto loaded =
          catalogue::load_demo_catalogue(**db, system_clock(), organisation::default_data_dir());
      EXPECT_TRUE(loaded) << loaded.error().message;
    }
    return url;
  }

  std::int64_t rows(const std::string& url, const std::string& table) {
    auto db = store::open_database(url);
    auto n = (*db)->read(
        [&](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM " + table); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  fs::path dir_;
};

TEST_F(CatalogueCliDb, ExportImportExportGivesIdenticalFiles) {
  const std::string source = database(true);
  auto json = lotse("export hsds " + (dir_ / "a.json").string() + " --database " + source);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("HSDS-Export"), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("Lesen: 100 %"), std::string::npos) << json.output;  // progress
  auto csv = lotse("export hsds " + (dir_ / "a").string() + " --format csv --database " + source);
  ASSERT_EQ(csv.exit_code, 0) << csv.output;

  // JSON into one empty catalogue, CSV into another, each exported again in both formats.
  for (const std::string from : {"a.json", "a"}) {
    const std::string target = database(false);
    auto imported =
        lotse("import hsds " + (dir_ / from).string() + " --database " + target + " --as admin");
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    // New, apart from the profile's vocabulary, which every catalogue change sets up.
    EXPECT_NE(imported.output.find(" neu, 0 geändert, 70 unverändert"), std::string::npos)
        << imported.output;
    EXPECT_NE(imported.output.find("Schreiben: 100 %"), std::string::npos) << imported.output;
    const std::string b = "b-" + std::string(from == "a" ? "csv" : "json");
    ASSERT_EQ(
        lotse("export hsds " + (dir_ / (b + ".json")).string() + " --database " + target).exit_code,
        0);
    ASSERT_EQ(lotse("export hsds " + (dir_ / b).string() + " --format csv --database " + target)
                  .exit_code,
              0);
    EXPECT_EQ(read_text(dir_ / "a.json"), read_text(dir_ / (b + ".json"))) << from;
    for (const auto& t : catalogue::hsds::tables())
      EXPECT_EQ(read_text(dir_ / "a" / t.file), read_text(dir_ / b / t.file))
          << from << " " << t.file;
    // Twice: nothing new, nothing changed.
    auto again = lotse("import hsds " + (dir_ / from).string() + " --database " + target);
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find(" 0 neu, 0 geändert"), std::string::npos) << again.output;
    EXPECT_EQ(rows(target, "hsds_service"), rows(source, "hsds_service"));
  }
}

TEST_F(CatalogueCliDb, BrokenPackageIsRefusedWithEveryProblem) {
  const std::string url = database(false);
  const fs::path bad = dir_ / "bad";
  fs::create_directories(bad);
  const std::string org = "11111111-1111-4111-8111-111111111111";
  std::ofstream(bad / "organizations.csv") << "id,name,description\n" << org << ",Träger,Text\n";
  std::ofstream(bad / "services.csv")
      << "id,organization_id,name,status\n"
      << "22222222-2222-4222-8222-222222222222," << org << ",Gut,active\n"
      << "33333333-3333-4333-8333-333333333333," << org << ",Schlecht,offen\n"
      << "22222222-2222-4222-8222-222222222222," << org << ",Doppelt,active\n";
  std::ofstream(bad / "locations.csv")
      << "id,location_type,latitude,longitude\n"
      << "44444444-4444-4444-8444-444444444444,physical,52.1,200\n";
  std::ofstream(bad / "schedules.csv") << "id,location_id,freq,byday\n"
                                       << "55555555-5555-4555-8555-555555555555,"
                                       << "66666666-6666-4666-8666-666666666666,DAILY,MO\n";
  auto r = lotse("import hsds " + bad.string() + " --database " + url);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const char* expected :
       {"services.csv, Zeile 3 (Datensatz 2), Feld \"status\"",
        "services.csv, Zeile 4 (Datensatz 3), Feld \"id\"",
        "locations.csv, Zeile 2 (Datensatz 1), Feld \"longitude\"",
        "schedules.csv, Zeile 2 (Datensatz 1), Feld \"location_id\"",
        "schedules.csv, Zeile 2 (Datensatz 1), Feld \"freq\"", "6 Fehler", "nichts importiert"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
  EXPECT_EQ(rows(url, "hsds_organization"), 0);
  EXPECT_EQ(rows(url, "hsds_taxonomy"), 0);
  EXPECT_EQ(rows(url, "audit_log"), 0);

  auto no_alliances = lotse("import hsds " + bad.string() + " --format xml --database " + url);
  EXPECT_NE(no_alliances.exit_code, 0);
  EXPECT_NE(no_alliances.output.find("--format"), std::string::npos) << no_alliances.output;
  auto missing = lotse("import hsds " + (dir_ / "nothing.json").string() + " --database " + url);
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("nothing.json"), std::string::npos) << missing.output;
}

TEST_F(CatalogueCliDb, HelpNamesTheCommands) {
  auto r = lotse("import hsds --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("--format"), std::string::npos) << r.output;
  EXPECT_NE(lotse("--help").output.find("export"), std::string::npos);
}

}  // namespace
}  // namespace lotse::app
