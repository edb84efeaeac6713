#include "lotse/catalogue/gazetteer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "lotse/common/csv.h"

namespace lotse::catalogue {
namespace {

double to_double(const std::string& s) {
  try {
    return std::stod(s);
  } catch (...) {
    return 0;
  }
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace

std::string fold_text(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      const char* folded = nullptr;
      if (d == 0xA4 || d == 0x84)
        folded = "ae";
      else if (d == 0xB6 || d == 0x96)
        folded = "oe";
      else if (d == 0xBC || d == 0x9C)
        folded = "ue";
      else if (d == 0x9F)
        folded = "ss";
      if (folded) {
        out += folded;
        ++i;
        continue;
      }
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  }
  return out;
}

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0088 * std::asin(std::min(1.0, std::sqrt(a)));
}

Result<Gazetteer> Gazetteer::load(const std::string& data_dir) {
  Gazetteer g;
  LOTSE_ASSIGN_OR_RETURN(CsvTable plz,
                         read_csv_file(data_dir + "/postal_codes/geonames_plz_sachsen-anhalt.csv"));
  LOTSE_ASSIGN_OR_RETURN(CsvTable gem,
                         read_csv_file(data_dir + "/municipalities/gemeinden_sachsen-anhalt.csv"));
  try {
    const std::size_t zip = plz.column("zipcode"), place = plz.column("place"),
                      community = plz.column("community_code"), lat = plz.column("latitude"),
                      lon = plz.column("longitude");
    for (const auto& row : plz.rows) {
      if (row.size() <= std::max({zip, place, community, lat, lon})) continue;
      g.places_.push_back({row[zip], row[place], fold_text(row[place]), row[community],
                           to_double(row[lat]), to_double(row[lon])});
    }
    const std::size_t ags = gem.column("ags"), name = gem.column("name"),
                      kreis = gem.column("kreis_ags"), seat = gem.column("plz"),
                      glat = gem.column("lat"), glon = gem.column("lon"),
                      people = gem.column("einwohner");
    for (const auto& row : gem.rows) {
      if (row.size() <= std::max({ags, name, kreis, seat, glat, glon, people})) continue;
      Town t;
      t.ags = row[ags];
      t.official_name = row[name];
      // "Salzwedel, Hansestadt" → "Salzwedel": the part before the title.
      t.name = row[name].substr(0, row[name].find(", "));
      t.district_ags = row[kreis];
      t.postcode = row[seat];
      t.lat = to_double(row[glat]);
      t.lon = to_double(row[glon]);
      t.population = static_cast<std::int64_t>(to_double(row[people]));
      g.towns_.push_back(std::move(t));
    }
  } catch (const std::out_of_range&) {
    return Error::internal("gazetteer: a column is missing in the folded-in data in " + data_dir);
  }
  std::stable_sort(g.places_.begin(), g.places_.end(),
                   [](const Place& a, const Place& b) { return a.postcode < b.postcode; });
  if (g.places_.empty() || g.towns_.empty())
    return Error::internal("gazetteer: no postcodes or municipalities in " + data_dir);
  return g;
}

std::optional<GeoPoint> Gazetteer::postcode(std::string_view code) const {
  auto it = std::lower_bound(places_.begin(), places_.end(), code,
                             [](const Place& p, std::string_view c) { return p.postcode < c; });
  GeoPoint out;
  int n = 0;
  std::map<std::string, int> districts;
  for (; it != places_.end() && it->postcode == code; ++it) {
    out.lat += it->lat;
    out.lon += it->lon;
    ++districts[it->district_ags];
    if (n++ == 0) out.label = std::string(code) + " " + it->name;
  }
  if (n == 0) return std::nullopt;
  out.lat /= n;
  out.lon /= n;
  out.postcode = std::string(code);
  // A postcode crossing a district border belongs to the district of most of its places.
  out.district_ags =
      std::max_element(districts.begin(), districts.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  return out;
}

std::optional<GeoPoint> Gazetteer::town(std::string_view query) const {
  const std::string q = fold_text(query);
  if (q.empty()) return std::nullopt;
  auto from_town = [](const Town& t) {
    return GeoPoint{t.lat, t.lon, t.district_ags, t.name, t.postcode};
  };
  // Exact name, then prefix ("halle" → "Halle (Saale)"), most populous first.
  for (int pass = 0; pass < 2; ++pass) {
    const Town* best = nullptr;
    for (const Town& t : towns_) {
      const std::string f = fold_text(t.name);
      if ((pass == 0 ? f == q : starts_with(f, q)) && (!best || t.population > best->population))
        best = &t;
    }
    if (best) return from_town(*best);
  }
  for (int pass = 0; pass < 2; ++pass)
    for (const Place& p : places_)
      if (pass == 0 ? p.folded == q : starts_with(p.folded, q))
        return GeoPoint{p.lat, p.lon, p.district_ags, p.name, p.postcode};
  return std::nullopt;
}

std::vector<Town> Gazetteer::towns_of_district(std::string_view district_ags) const {
  std::vector<Town> out;
  for (const Town& t : towns_)
    if (t.district_ags == district_ags) out.push_back(t);
  std::stable_sort(out.begin(), out.end(),
                   [](const Town& a, const Town& b) { return a.population > b.population; });
  return out;
}

std::vector<GeoPoint> Gazetteer::postcodes_of_district(std::string_view district_ags) const {
  std::vector<GeoPoint> out;
  for (std::size_t i = 0; i < places_.size(); ++i) {
    if (i > 0 && places_[i].postcode == places_[i - 1].postcode) continue;
    auto p = postcode(places_[i].postcode);
    if (p && p->district_ags == district_ags) out.push_back(*p);
  }
  return out;
}

}  // namespace lotse::catalogue
