#include "lotse/domain/intake_routing.h"

#include "lotse/domain/case_vocabulary.h"

namespace lotse::domain {
namespace {

constexpr IntakeRoute kRoutes[] = {
    {"careers_orientation", AgencyKind::kArbeitsagentur, "Berufsberatung (§ 29 ff. SGB III)"},
    {"applications", AgencyKind::kArbeitsagentur, "Ausbildungsvermittlung (§ 35 SGB III)"},
    {"school_qualification", AgencyKind::kSchule, "Schulabschluss und Schulwechsel (Schulrecht)"},
    {"language", AgencyKind::kJobcenter, "Sprachförderung und Integration (SGB II)"},
    {"housing", AgencyKind::kJugendamt, "Jugendwohnen (§ 13 Abs. 3 SGB VIII)"},
    {"debts", AgencyKind::kJobcenter, "Schuldnerberatung und Leistungen (§ 16a SGB II)"},
    {"health_addiction", AgencyKind::kJugendamt, "Jugendsozialarbeit, Suchtberatung (§ 13 SGB VIII)"},
    {"family", AgencyKind::kJugendamt, "Hilfe für junge Menschen und Familien (SGB VIII)"},
    {"care_leaver", AgencyKind::kJugendamt, "Hilfe für junge Volljährige (§ 41 SGB VIII)"},
    {"disability", AgencyKind::kArbeitsagentur, "Berufliche Reha (§ 19 SGB III)"},
    {"residence_status", AgencyKind::kJugendamt, "Jugendmigrationsberatung (SGB VIII)"},
    {"motivation", AgencyKind::kJugendamt, "Jugendberufshilfe (§ 13 SGB VIII)"},
    {"mobility", AgencyKind::kJobcenter, "Mobilitätshilfen (§ 16 SGB II)"},
    {"childcare", AgencyKind::kJugendamt, "Kinderbetreuung (§ 24 SGB VIII)"},
};

}  // namespace

std::span<const IntakeRoute> intake_routes() { return kRoutes; }

Result<AgencyKind> route_need(std::string_view need, std::string field) {
  for (const auto& r : kRoutes)
    if (r.need == need) return r.agency;
  return Error::invalid(std::move(field), "Unbekanntes Thema: " + std::string(need));
}

Result<std::string> routed_agency_key(std::string_view alliance_ags, std::string_view need) {
  if (!is_district_key(alliance_ags))
    return Error::invalid("alliance", "Unbekanntes Bündnis: " + std::string(alliance_ags));
  LOTSE_ASSIGN_OR_RETURN(AgencyKind kind, route_need(need));
  return format_agency_key({.ags = std::string(alliance_ags), .kind = kind});
}

}  // namespace lotse::domain
