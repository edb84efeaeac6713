// Alliances (one per district of Sachsen-Anhalt, keyed by the 5-digit AGS)
// and their agencies: Jobcenter (SGB II), Agentur für Arbeit (SGB III),
// Jugendamt (SGB VIII), school authority, plus the state network office.
//
//   auto alliances = Directory::alliances(x);            // ordered by AGS
//   auto agency = Directory::find_agency(x, "15003-jc");  // kNotFound if unknown
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::organisation {

struct Alliance {
  std::string ags;            // "15003"
  std::string slug;           // "magdeburg"
  std::string name;           // "Magdeburg"
  std::string official_name;  // "Magdeburg, Landeshauptstadt"
  std::string district_type;  // "kreisfreie Stadt" | "Landkreis"
  std::int64_t population = 0;
  double area_km2 = 0, lat = 0, lon = 0;
};

struct Agency {
  std::string key;           // "15003-jc"; "land" for the state network office
  std::string alliance_ags;  // empty for the state network office
  std::string kind;          // jobcenter | arbeitsagentur | jugendamt | schule | landesnetzwerkstelle
  std::string legal_sphere;  // "SGB II" | "SGB III" | "SGB VIII" | "Schule" | "Land"
  std::string name;          // "Jobcenter Magdeburg"
};

class Directory {
 public:
  static Result<std::vector<Alliance>> alliances(store::Executor& x);
  static Result<Alliance> find_alliance(store::Executor& x, const std::string& ags);
  static Result<std::vector<Agency>> agencies(store::Executor& x, const std::string& alliance_ags);
  static Result<Agency> find_agency(store::Executor& x, const std::string& key);
};

}  // namespace lotse::organisation
