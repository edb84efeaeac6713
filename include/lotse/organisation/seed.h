// Seeds the organisation model from the folded-in Destatis district table
// (data/municipalities/kreise_sachsen-anhalt.csv, dl-de/by-2-0): 14 alliances,
// four agencies each (Jobcenter, Agentur für Arbeit, Jugendamt, school
// authority) and the state network office. Idempotent (upserts).
//
//   auto n = seed_organisations(x, data_dir());   // n->alliances == 14
#pragma once

#include <string>

#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::organisation {

struct SeedSummary {
  int alliances = 0;
  int agencies = 0;
};

Result<SeedSummary> seed_organisations(store::Executor& x, const std::string& data_dir);

// The compiled-in data directory (the repo's data/), overridable by LOTSE_DATA_DIR.
std::string default_data_dir();

// "Dessau-Roßlau, Stadt" -> "Dessau-Roßlau"; "Harz" (Landkreis) -> "Landkreis Harz".
std::string alliance_display_name(const std::string& official_name, const std::string& type);
// "Landkreis Mansfeld-Südharz" -> "mansfeld-suedharz".
std::string slugify(const std::string& name);

}  // namespace lotse::organisation
