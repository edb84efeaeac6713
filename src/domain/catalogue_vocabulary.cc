#include "lotse/domain/catalogue_vocabulary.h"

namespace lotse::domain {
namespace {

constexpr CatalogueTerm kLegalSpheres[] = {
    {"sgb2", "SGB II"},   {"sgb3", "SGB III"},   {"sgb8", "SGB VIII"},
    {"school", "Schule"}, {"other", "Sonstige"},
};

constexpr CatalogueTerm kTargetGroups[] = {
    {"parents", "Eltern"},
    {"special_support", "Junge Menschen mit besonderem Förderbedarf"},
    {"migrants_refugees", "Zugewanderte und Geflüchtete"},
    {"companies", "Betriebe"},
    {"schools_teachers", "Schulen und Lehrkräfte"},
    {"disability", "Junge Menschen mit Behinderung"},
    {"special_school", "Förderschülerinnen und Förderschüler"},
};

constexpr CatalogueTerm kFundingKinds[] = {
    {"standard_instrument", "Regelinstrument"},
    {"regional_budget", "Regionalbudget"},
    {"esf", "Europäischer Sozialfonds (ESF Plus)"},
    {"land", "Landesmittel"},
    {"bund", "Bundesmittel"},
};

constexpr CatalogueTerm kContactPointKinds[] = {
    {"central_office", "Zentrale Anlaufstelle der Jugendberufsagentur"},
    {"school", "Beratung in der Schule"},
    {"youth_centre", "Beratung im Jugendzentrum"},
    {"third_party", "Beratung bei einem Träger"},
    {"mobile_stop", "Haltestelle des Beratungsbusses"},
    {"chat", "Chat"},
    {"video", "Videoberatung"},
    {"messenger", "Messenger"},
    {"phone", "Telefon"},
};

constexpr CatalogueTerm kStatuses[] = {
    {"active", "aktiv"},
    {"inactive", "inaktiv"},
    {"defunct", "eingestellt"},
    {"temporarily closed", "vorübergehend geschlossen"},
};

}  // namespace

std::span<const CatalogueTerm> offer_legal_spheres() {
  return kLegalSpheres;
}
std::span<const CatalogueTerm> target_groups() {
  return kTargetGroups;
}
std::span<const CatalogueTerm> funding_kinds() {
  return kFundingKinds;
}
std::span<const CatalogueTerm> contact_point_kinds() {
  return kContactPointKinds;
}
std::span<const CatalogueTerm> offer_statuses() {
  return kStatuses;
}

bool is_virtual_contact_kind(std::string_view kind) {
  return kind == "chat" || kind == "video" || kind == "messenger" || kind == "phone";
}

Result<std::string> validate_catalogue_term(std::span<const CatalogueTerm> terms,
                                            std::string_view key, std::string field) {
  std::string allowed;
  for (const auto& t : terms) {
    if (t.key == key) return std::string(key);
    if (!allowed.empty()) allowed += ", ";
    allowed += t.key;
  }
  return Error::invalid(std::move(field), "Unbekannter Wert \"" + std::string(key) +
                                              "\" (erlaubt: " + allowed + ").");
}

std::string_view catalogue_term_label(std::span<const CatalogueTerm> terms, std::string_view key) {
  for (const auto& t : terms)
    if (t.key == key) return t.label_de;
  return key;
}

}  // namespace lotse::domain
