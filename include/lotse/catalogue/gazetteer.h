// Where a postcode or town of Sachsen-Anhalt is: the folded-in GeoNames
// postcode points (data/postal_codes/geonames_plz_sachsen-anhalt.csv,
// CC BY 4.0) and the Destatis municipality centres
// (data/municipalities/gemeinden_sachsen-anhalt.csv, dl-de/by-2-0). Loaded
// once into memory (1,339 + 218 rows); the portal asks it on every search,
// so it never touches the database.
//
//   auto g = Gazetteer::load(data_dir);
//   auto p = g->postcode("39104");        // centre of the postcode, district 15003
//   auto t = g->town("Salzwedel");        // best match by name (folded: "Groß" = "gross")
//   double km = distance_km(p->lat, p->lon, t->lat, t->lon);
//
// Thread safety: immutable after load(); share it freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/result.h"

namespace lotse::catalogue {

struct GeoPoint {
  double lat = 0, lon = 0;
  std::string district_ags;  // 5-digit AGS of the district (= alliance key)
  std::string label;         // "39104 Magdeburg", "Salzwedel"
  std::string postcode;      // the postcode, or the municipality's seat postcode
};

struct Town {
  std::string ags;   // 8-digit municipality key
  std::string name;  // "Salzwedel" (official "Salzwedel, Hansestadt")
  std::string official_name;
  std::string district_ags;
  std::string postcode;  // of the administrative seat
  double lat = 0, lon = 0;
  std::int64_t population = 0;
};

class Gazetteer {
 public:
  static Result<Gazetteer> load(const std::string& data_dir);

  // The mean of the postcode's GeoNames points; nullopt if unknown.
  std::optional<GeoPoint> postcode(std::string_view postcode) const;
  // A municipality by name (exact, then prefix, on folded names), else a
  // GeoNames place (village, district of a town) by name.
  std::optional<GeoPoint> town(std::string_view name) const;
  // The municipalities of a district, most populous first.
  std::vector<Town> towns_of_district(std::string_view district_ags) const;
  const std::vector<Town>& towns() const { return towns_; }
  // Postcodes of a district with their centres, ascending.
  std::vector<GeoPoint> postcodes_of_district(std::string_view district_ags) const;

 private:
  struct Place {
    std::string postcode, name, folded, district_ags;
    double lat = 0, lon = 0;
  };
  std::vector<Place> places_;  // sorted by postcode
  std::vector<Town> towns_;
};

// Great-circle distance (haversine, mean Earth radius 6371.0088 km).
double distance_km(double lat1, double lon1, double lat2, double lon2);

// Lowercase ASCII, ä→ae, ö→oe, ü→ue, ß→ss: "Groß Börnecke" → "gross boernecke".
std::string fold_text(std::string_view s);

}  // namespace lotse::catalogue
