#include "lotse/domain/agency_key.h"

#include <algorithm>

namespace lotse::domain {
namespace {

struct KindInfo {
  AgencyKind kind;
  std::string_view suffix, name, sphere, label;
};

constexpr KindInfo kKinds[] = {
    {AgencyKind::kJobcenter, "jc", "jobcenter", "SGB II", "Jobcenter"},
    {AgencyKind::kArbeitsagentur, "aa", "arbeitsagentur", "SGB III", "Agentur für Arbeit"},
    {AgencyKind::kJugendamt, "ja", "jugendamt", "SGB VIII", "Jugendamt"},
    {AgencyKind::kSchule, "schule", "schule", "Schule", "Schulbehörde"},
    {AgencyKind::kLandesnetzwerkstelle, "", "landesnetzwerkstelle", "Land", "Landesnetzwerkstelle"},
};

const KindInfo& info(AgencyKind kind) {
  return *std::find_if(std::begin(kKinds), std::end(kKinds),
                       [&](const KindInfo& k) { return k.kind == kind; });
}

}  // namespace

bool is_district_key(std::string_view ags) {
  return ags.size() == 5 && ags.substr(0, 2) == "15" &&
         std::all_of(ags.begin(), ags.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<AgencyKey> parse_agency_key(std::string_view key) {
  if (key == "land") return AgencyKey{"", AgencyKind::kLandesnetzwerkstelle};
  auto dash = key.find('-');
  if (dash == std::string_view::npos || !is_district_key(key.substr(0, dash)))
    return Error::invalid("agency", "Stellenschlüssel wie 15003-jc erwartet: " + std::string(key));
  auto suffix = key.substr(dash + 1);
  for (const auto& k : kKinds)
    if (!k.suffix.empty() && k.suffix == suffix) return AgencyKey{std::string(key.substr(0, dash)), k.kind};
  return Error::invalid("agency", "Unbekannte Art der Stelle: " + std::string(suffix) +
                                      " (jc, aa, ja, schule)");
}

std::string format_agency_key(const AgencyKey& key) {
  if (key.kind == AgencyKind::kLandesnetzwerkstelle) return "land";
  return key.ags + "-" + std::string(info(key.kind).suffix);
}

std::string_view legal_sphere(AgencyKind kind) { return info(kind).sphere; }
std::string_view kind_name(AgencyKind kind) { return info(kind).name; }
std::string_view kind_suffix(AgencyKind kind) { return info(kind).suffix; }
std::string_view kind_label_de(AgencyKind kind) { return info(kind).label; }

}  // namespace lotse::domain
