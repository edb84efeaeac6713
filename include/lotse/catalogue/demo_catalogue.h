// The demo catalogue of `lotse demo`: for every alliance the standard
// instruments of SGB II, III and VIII, schools, regional projects and third
// parties (Berufsberatung § 29 ff. SGB III, Berufseinstiegsbegleitung § 49,
// BvB § 51, EQ § 54a, AsA § 74 SGB III, Jugendberufshilfe § 13 SGB VIII,
// § 16h SGB II, Schuldner- und Suchtberatung § 16a SGB II, Jugendwohnen
// § 13 Abs. 3 SGB VIII, Kompetenzfeststellung, Bewerbungstraining,
// Praktikumsbörse, …) with needs, phases, target groups, providers and
// funding; contact points at real towns of the district (Destatis
// municipality centres, GeoNames postcodes): the central JBA office, decentral
// counselling in a school, a youth centre and at a provider, virtual channels
// (chat, video, messenger, phone), and a counselling bus with stops, days and
// times in the rural districts Altmarkkreis Salzwedel and Stendal.
//
// Deterministic: ids are name-based UUIDs and every choice follows from the
// alliance key, so two runs — or two installations — produce identical data.
// A few offers are left out in some alliances, so that the needs × phases
// overview has gaps to show. Streets, phone numbers and web addresses are
// made up (".example" domains) and marked as demo data.
//
//   auto summary = load_demo_catalogue(db, system_clock(), data_dir);
//   summary->offers, summary->contact_points
//
// Thread safety: like CatalogueService (one import transaction).
#pragma once

#include <string>

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/catalogue/hsds_io.h"
#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::catalogue {

struct DemoCatalogueSummary {
  int alliances = 0, organizations = 0, offers = 0, contact_points = 0, bus_stops = 0;
  std::size_t rows = 0;  // HSDS records in the data set
};

// The demo data set for the alliances in the database (seed them first).
Result<Dataset> demo_catalogue(CatalogueService& catalogue, store::Database& db,
                               DemoCatalogueSummary* summary = nullptr);

// Builds the data set and imports it (upsert: running it again changes nothing).
Result<DemoCatalogueSummary> load_demo_catalogue(store::Database& db, Clock clock,
                                                 const std::string& data_dir);

}  // namespace lotse::catalogue
