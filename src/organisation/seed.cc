#include "lotse/organisation/seed.h"

#include <cstdlib>
#include <stdexcept>

#include "lotse/common/csv.h"
#include "lotse/domain/agency_key.h"

namespace lotse::organisation {
namespace {

// The four partners of every alliance (RÜMSA: municipality with its
// Jugendamt, Jobcenter, Agentur für Arbeit, schools).
constexpr domain::AgencyKind kAllianceAgencies[] = {
    domain::AgencyKind::kJobcenter, domain::AgencyKind::kArbeitsagentur,
    domain::AgencyKind::kJugendamt, domain::AgencyKind::kSchule};

}  // namespace

std::string alliance_display_name(const std::string& official_name, const std::string& type) {
  if (type == "kreisfreie Stadt") {
    auto comma = official_name.find(',');
    return comma == std::string::npos ? official_name : official_name.substr(0, comma);
  }
  // Names like "Saalekreis" or "Altmarkkreis Salzwedel" already say what they are.
  if (official_name.find("kreis") != std::string::npos) return official_name;
  return "Landkreis " + official_name;
}

std::string slugify(const std::string& name) {
  std::string in = name;
  const std::string prefix = "Landkreis ";
  if (in.rfind(prefix, 0) == 0) in = in.substr(prefix.size());
  static const std::pair<std::string_view, std::string_view> kFold[] = {
      {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"}};
  std::string out;
  for (std::size_t i = 0; i < in.size();) {
    bool folded = false;
    for (auto [from, to] : kFold) {
      if (in.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (folded) continue;
    char c = in[i++];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string default_data_dir() {
  if (const char* env = std::getenv("LOTSE_DATA_DIR"); env && *env) return env;
  return LOTSE_DATA_DIR;
}

Result<SeedSummary> seed_organisations(store::Executor& x, const std::string& data_dir) {
  LOTSE_ASSIGN_OR_RETURN(CsvTable table,
                         read_csv_file(data_dir + "/municipalities/kreise_sachsen-anhalt.csv"));
  SeedSummary summary;
  try {
    const auto c_ags = table.column("kreis_ags"), c_name = table.column("kreis_name"),
               c_type = table.column("kreis_typ"), c_area = table.column("flaeche_km2"),
               c_pop = table.column("einwohner"), c_lat = table.column("lat_bevoelkerungsgewichtet"),
               c_lon = table.column("lon_bevoelkerungsgewichtet");
    for (const auto& row : table.rows) {
      const std::string& ags = row[c_ags];
      if (!domain::is_district_key(ags))
        return Error::invalid("kreis_ags", "not a Sachsen-Anhalt district key: " + ags);
      const std::string name = alliance_display_name(row[c_name], row[c_type]);
      LOTSE_TRY(x.exec(
          "INSERT INTO alliances (ags, slug, name, official_name, district_type, population, "
          "area_km2, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (ags) DO UPDATE SET slug = excluded.slug, name = excluded.name, "
          "official_name = excluded.official_name, district_type = excluded.district_type, "
          "population = excluded.population, area_km2 = excluded.area_km2, "
          "lat = excluded.lat, lon = excluded.lon",
          {ags, slugify(name), name, row[c_name], row[c_type],
           std::int64_t{std::stoll(row[c_pop])}, std::stod(row[c_area]), std::stod(row[c_lat]),
           std::stod(row[c_lon])}));
      ++summary.alliances;
      for (domain::AgencyKind kind : kAllianceAgencies) {
        LOTSE_TRY(x.exec(
            "INSERT INTO agencies (agency_key, alliance_ags, kind, legal_sphere, name) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (agency_key) DO UPDATE SET "
            "alliance_ags = excluded.alliance_ags, kind = excluded.kind, "
            "legal_sphere = excluded.legal_sphere, name = excluded.name",
            {domain::format_agency_key({ags, kind}), ags, std::string(domain::kind_name(kind)),
             std::string(domain::legal_sphere(kind)),
             std::string(domain::kind_label_de(kind)) + " " + name}));
        ++summary.agencies;
      }
    }
  } catch (const std::exception& e) {
    return Error::invalid("data", std::string("district table unreadable: ") + e.what());
  }
  LOTSE_TRY(x.exec(
      "INSERT INTO agencies (agency_key, alliance_ags, kind, legal_sphere, name) "
      "VALUES ('land', NULL, 'landesnetzwerkstelle', 'Land', ?) ON CONFLICT (agency_key) "
      "DO UPDATE SET name = excluded.name",
      {std::string("Landesnetzwerkstelle RÜMSA Sachsen-Anhalt")}));
  ++summary.agencies;
  return summary;
}

}  // namespace lotse::organisation
