#include "lotse/organisation/directory.h"

namespace lotse::organisation {
namespace {

constexpr const char* kAllianceColumns =
    "ags, slug, name, official_name, district_type, population, area_km2, lat, lon";
constexpr const char* kAgencyColumns = "agency_key, alliance_ags, kind, legal_sphere, name";

Alliance alliance_from(const store::Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4),
          r.integer(5), r.real(6), r.real(7), r.real(8)};
}

Agency agency_from(const store::Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)};
}

}  // namespace

Result<std::vector<Alliance>> Directory::alliances(store::Executor& x) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query(std::string("SELECT ") + kAllianceColumns + " FROM alliances ORDER BY ags"));
  std::vector<Alliance> out;
  for (const auto& r : rows) out.push_back(alliance_from(r));
  return out;
}

Result<Alliance> Directory::find_alliance(store::Executor& x, const std::string& ags) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query(std::string("SELECT ") + kAllianceColumns + " FROM alliances WHERE ags = ?", {ags}));
  if (rows.empty()) return Error::not_found("unknown alliance " + ags);
  return alliance_from(rows.front());
}

Result<std::vector<Agency>> Directory::agencies(store::Executor& x,
                                                const std::string& alliance_ags) {
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                         x.query(std::string("SELECT ") + kAgencyColumns +
                                     " FROM agencies WHERE alliance_ags = ? ORDER BY agency_key",
                                 {alliance_ags}));
  std::vector<Agency> out;
  for (const auto& r : rows) out.push_back(agency_from(r));
  return out;
}

Result<Agency> Directory::find_agency(store::Executor& x, const std::string& key) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query(std::string("SELECT ") + kAgencyColumns + " FROM agencies WHERE agency_key = ?",
              {key}));
  if (rows.empty()) return Error::not_found("unknown agency " + key);
  return agency_from(rows.front());
}

}  // namespace lotse::organisation
