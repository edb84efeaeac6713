// Keys of the organisation model. An alliance is keyed by its district's
// 5-digit AGS (Amtlicher Gemeindeschlüssel, Kreisebene); Sachsen-Anhalt's all
// start with "15". An agency key is "<ags>-<kind>" with kind one of jc
// (Jobcenter, SGB II), aa (Agentur für Arbeit, SGB III), ja (Jugendamt,
// SGB VIII), schule (school authority); the state network office is "land".
//
//   auto k = parse_agency_key("15003-jc");   // k->ags == "15003", k->kind == AgencyKind::kJobcenter
//   legal_sphere(AgencyKind::kJugendamt)     // "SGB VIII"
#pragma once

#include <string>
#include <string_view>

#include "lotse/common/result.h"

namespace lotse::domain {

enum class AgencyKind { kJobcenter, kArbeitsagentur, kJugendamt, kSchule, kLandesnetzwerkstelle };

struct AgencyKey {
  std::string ags;  // empty for the state network office
  AgencyKind kind;
};

bool is_district_key(std::string_view ags);
Result<AgencyKey> parse_agency_key(std::string_view key);
std::string format_agency_key(const AgencyKey& key);

std::string_view legal_sphere(AgencyKind kind);  // "SGB II", "SGB III", "SGB VIII", "Schule", "Land"
std::string_view kind_name(AgencyKind kind);     // as stored: "jobcenter", ...
std::string_view kind_suffix(AgencyKind kind);   // "jc", "aa", "ja", "schule", "" (land)
std::string_view kind_label_de(AgencyKind kind); // "Jobcenter", "Agentur für Arbeit", ...

}  // namespace lotse::domain
