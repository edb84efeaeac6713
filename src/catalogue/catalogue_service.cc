// CatalogueService: construction, the gazetteer, and whole-data-set import
// and export. Offers and contact points are in catalogue_offers.cc, the HSDS
// API documents in hsds_documents.cc.
#include "lotse/catalogue/catalogue_service.h"

#include <fmt/format.h>

#include <map>

#include "catalogue/catalogue_internal.h"
#include "lotse/catalogue/jba_profile.h"
#include "lotse/domain/case_vocabulary.h"

namespace lotse::catalogue {
using namespace internal;  // NOLINT: the layer's own helpers
using hsds::Record;
using hsds::TableSpec;

int NeedsPhaseMatrix::count(std::string_view need, int phase) const {
  if (phase < 1 || phase > 5) return 0;
  for (std::size_t i = 0; i < needs.size(); ++i)
    if (needs[i] == need) return counts[i][static_cast<std::size_t>(phase - 1)];
  return 0;
}

std::vector<std::pair<std::string, int>> NeedsPhaseMatrix::gaps() const {
  std::vector<std::pair<std::string, int>> out;
  for (std::size_t i = 0; i < needs.size(); ++i)
    for (int p = 1; p <= 5; ++p)
      if (counts[i][static_cast<std::size_t>(p - 1)] == 0) out.emplace_back(needs[i], p);
  return out;
}

CatalogueService::CatalogueService(store::Database& db, Clock clock, std::string data_dir)
    : db_(db), clock_(std::move(clock)), data_dir_(std::move(data_dir)) {}

Result<std::shared_ptr<const Gazetteer>> CatalogueService::gazetteer() {
  std::lock_guard lock(gazetteer_mutex_);
  if (!gazetteer_) {
    LOTSE_ASSIGN_OR_RETURN(Gazetteer g, Gazetteer::load(data_dir_));
    gazetteer_ = std::make_shared<const Gazetteer>(std::move(g));
  }
  return gazetteer_;
}

Result<ImportOutcome> CatalogueService::import_hsds(const Editor& e, const Dataset& data,
                                                    const Progress& progress,
                                                    std::vector<Issue> issues_so_far) {
  if (!e.all_alliances)
    return Error::forbidden("Ganze HSDS-Datenbestände importiert nur die Verwaltung.");
  ImportOutcome out;
  out.issues = std::move(issues_so_far);
  auto report = [&](std::string_view stage, std::size_t done, std::size_t total) {
    if (progress) progress(stage, done, total);
  };
  const std::int64_t now = clock_();
  std::map<std::string, std::size_t> written_per_table;
  auto written = write([&](store::Executor& x) -> Result<void> {
    // The vocabulary first, so that files may refer to profile terms
    // without carrying them; rolled back with everything else on a problem.
    LOTSE_TRY(ensure_vocabulary(x));
    report("Prüfen", 0, 1);
    LOTSE_ASSIGN_OR_RETURN(KnownIds known, stored_ids(x));
    LOTSE_ASSIGN_OR_RETURN(ProfileContext profile, stored_profile(x));
    for (Issue& i : check_dataset(data, known)) out.issues.push_back(std::move(i));
    for (Issue& i : check_profile(data, profile)) out.issues.push_back(std::move(i));
    report("Prüfen", 1, 1);
    if (!out.issues.empty())
      return Error::invalid("data",
                            fmt::format("{} Fehler, nichts importiert.", out.issues.size()));

    const std::size_t total = data.row_count();
    std::size_t done = 0;
    for (const TableData& t : data.tables) {
      if (t.rows.empty()) continue;
      LOTSE_ASSIGN_OR_RETURN(std::vector<Record> stored, select_records(x, *t.spec));
      std::map<std::string, Record> by_id;
      for (auto& r : stored) by_id[*r[0]] = std::move(r);
      for (const Record& r : t.rows) {
        auto it = by_id.find(*r[0]);
        if (it != by_id.end() && it->second == r) {
          ++out.unchanged;
        } else {
          LOTSE_TRY(upsert(x, *t.spec, r));
          ++(it == by_id.end() ? out.inserted : out.updated);
          ++written_per_table[std::string(t.spec->name)];
        }
        if (++done % 100 == 0 || done == total) report("Schreiben", done, total);
      }
    }
    LOTSE_TRY(reindex(x, true, {}, {}));
    std::string details = fmt::format(R"({{"rows":{},"inserted":{},"updated":{},"unchanged":{}}})",
                                      total, out.inserted, out.updated, out.unchanged);
    return audit(x, now, e, "catalogue.import", "hsds", details);
  });
  if (!written) {
    if (!out.issues.empty()) return out;  // written stays false: nothing changed
    return written.error();
  }
  out.written = true;
  return out;
}

Result<Dataset> CatalogueService::export_hsds(const Progress& progress) {
  return db_.read([&](store::Executor& x) -> Result<Dataset> {
    Dataset out;
    const std::size_t n = out.tables.size();
    for (std::size_t i = 0; i < n; ++i) {
      TableData& t = out.tables[i];
      LOTSE_ASSIGN_OR_RETURN(t.rows, select_records(x, *t.spec));
      t.lines.assign(t.rows.size(), 0);
      if (progress) progress("Lesen", i + 1, n);
    }
    // Sorted here, not in SQL: PostgreSQL's collation and SQLite's byte
    // order may differ, and the export must be the same on both.
    out.sort_by_id();
    return out;
  });
}

}  // namespace lotse::catalogue
