#include "lotse/app/catalogue_cli.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/catalogue/hsds_io.h"
#include "lotse/common/clock.h"
#include "lotse/organisation/seed.h"
#include "lotse/store/database.h"

namespace lotse::app {
namespace {

struct Options {
  std::string database = "sqlite:lotse.db";
  std::string format;  // json | csv | "" (by the path)
  std::string path;
  std::string actor = "-";
};

[[noreturn]] void finish(int code) {
  if (code == 0) throw CLI::Success();
  throw CLI::RuntimeError(code);
}

[[noreturn]] void fail(int code, const std::string& what) {
  std::cerr << "lotse: " << what << "\n";
  finish(code);
}

// A bar on a terminal; otherwise one line when a step starts and ends, so
// that logs stay short.
class ProgressBar {
 public:
  ProgressBar() : tty_(isatty(STDERR_FILENO)) {}
  ~ProgressBar() { done(); }

  void operator()(std::string_view stage, std::size_t done, std::size_t total) {
    if (total == 0) return;
    const int percent = static_cast<int>(done * 100 / total);
    if (tty_) {
      constexpr int kWidth = 30;
      const int filled = percent * kWidth / 100;
      std::cerr << fmt::format("\r{:<10} [{}{}] {:3} % ({}/{})", stage, std::string(filled, '#'),
                               std::string(kWidth - filled, '-'), percent, done, total)
                << std::flush;
      open_ = true;
    } else if (stage != stage_ || done == total) {
      if (stage != stage_ || last_percent_ != percent)
        std::cerr << fmt::format("{}: {} % ({}/{})\n", stage, percent, done, total);
      last_percent_ = percent;
    }
    stage_ = std::string(stage);
  }

  void done() {
    if (open_) std::cerr << "\n";
    open_ = false;
  }

 private:
  bool tty_;
  bool open_ = false;
  std::string stage_;
  int last_percent_ = -1;
};

std::unique_ptr<store::Database> open_migrated(const std::string& url) {
  auto db = store::open_database(url);
  if (!db) fail(2, "Datenbank " + url + " nicht nutzbar: " + db.error().message);
  auto version = store::migrate(**db);
  if (!version) fail(2, "Migration fehlgeschlagen: " + version.error().message);
  return std::move(*db);
}

catalogue::Format format_of(const Options& o) {
  auto f = catalogue::detect_format(o.path, o.format);
  if (!f) fail(2, f.error().message);
  return *f;
}

void run_import(const Options& o) {
  const catalogue::Format format = format_of(o);
  auto db = open_migrated(o.database);
  ProgressBar bar;
  bar("Lesen", 0, 1);
  catalogue::ReadResult read = catalogue::read_hsds(o.path, format);
  bar("Lesen", 1, 1);
  catalogue::CatalogueService service(*db, system_clock(), organisation::default_data_dir());
  auto outcome = service.import_hsds(
      {.username = o.actor, .request_id = "cli", .all_alliances = true}, read.data,
      [&](std::string_view stage, std::size_t done, std::size_t total) { bar(stage, done, total); },
      std::move(read.issues));
  bar.done();
  if (!outcome) fail(2, "Import fehlgeschlagen: " + outcome.error().message);
  if (!outcome->written) {
    for (const auto& issue : outcome->issues) std::cerr << "Fehler: " << issue.str() << "\n";
    fail(1, fmt::format("{} Fehler in {} – nichts importiert.", outcome->issues.size(), o.path));
  }
  std::cout << fmt::format(
      "HSDS-Import aus {}: {} neu, {} geändert, {} unverändert ({} Datensätze, {}).\n", o.path,
      outcome->inserted, outcome->updated, outcome->unchanged,
      outcome->inserted + outcome->updated + outcome->unchanged, db->describe());
  finish(0);
}

void run_export(const Options& o) {
  const catalogue::Format format = format_of(o);
  auto db = open_migrated(o.database);
  ProgressBar bar;
  catalogue::CatalogueService service(*db, system_clock(), organisation::default_data_dir());
  auto data = service.export_hsds([&](std::string_view stage, std::size_t done, std::size_t total) {
    bar(stage, done, total);
  });
  if (!data) fail(2, "Export fehlgeschlagen: " + data.error().message);
  bar("Schreiben", 0, 1);
  auto written = catalogue::write_hsds(*data, o.path, format);
  bar("Schreiben", 1, 1);
  bar.done();
  if (!written) fail(2, written.error().message);
  std::cout << fmt::format("HSDS-Export nach {} ({}): {} Datensätze aus {}.\n", o.path,
                           format == catalogue::Format::kJson ? "JSON" : "CSV-Tabellenpaket",
                           data->row_count(), db->describe());
  finish(0);
}

CLI::App* hsds_command(CLI::App& parent, const char* description,
                       const std::shared_ptr<Options>& o) {
  auto* cmd = parent.add_subcommand("hsds", description);
  cmd->add_option("path", o->path, "A .json file or a directory of CSV files")->required();
  cmd->add_option("--format", o->format, "json | csv (default: by the path)")
      ->check(CLI::IsMember({"json", "csv"}));
  cmd->add_option("--database", o->database, "Database URL: sqlite:PATH or postgresql://...")
      ->envname("LOTSE_DATABASE")
      ->capture_default_str();
  return cmd;
}

}  // namespace

void add_catalogue_commands(CLI::App& cli) {
  auto options = std::make_shared<Options>();
  auto* import_cmd = cli.add_subcommand("import", "Import data (HSDS 3.0 offer catalogue)");
  import_cmd->require_subcommand(1);
  auto* import_hsds =
      hsds_command(*import_cmd, "Import an HSDS 3.0 JSON document or CSV package", options);
  import_hsds->add_option("--as", options->actor, "Who imports (recorded in the audit log)")
      ->envname("LOTSE_ACTOR")
      ->capture_default_str();
  import_hsds->callback([options] { run_import(*options); });

  auto* export_cmd = cli.add_subcommand("export", "Export data (HSDS 3.0 offer catalogue)");
  export_cmd->require_subcommand(1);
  auto* export_hsds =
      hsds_command(*export_cmd, "Export the catalogue as HSDS 3.0 JSON or CSV", options);
  export_hsds->callback([options] { run_export(*options); });
}

}  // namespace lotse::app
