#include "lotse/domain/case_vocabulary.h"

#include <algorithm>
#include <array>

namespace lotse::domain {
namespace {

struct CategoryInfo {
  DataCategory c;
  std::string_view name, label;
};

constexpr std::array<CategoryInfo, kCategoryCount> kCategories = {{
    {DataCategory::kMasterData, "master_data", "Stammdaten"},
    {DataCategory::kSchoolData, "school_data", "Schuldaten"},
    {DataCategory::kNeedsGoals, "needs_goals", "Bedarfe und Ziele"},
    {DataCategory::kSupportChain, "support_chain", "Förderkette"},
    {DataCategory::kConferenceResults, "conference_results", "Ergebnisse der Fallberatung"},
    {DataCategory::kNotes, "notes", "Vermerke"},
    {DataCategory::kEntrusted, "entrusted", "Anvertraute Daten (§ 65 SGB VIII)"},
}};

constexpr std::array<DataCategory, kCategoryCount> kCategoryList = {
    DataCategory::kMasterData,        DataCategory::kSchoolData, DataCategory::kNeedsGoals,
    DataCategory::kSupportChain,      DataCategory::kConferenceResults,
    DataCategory::kNotes,             DataCategory::kEntrusted};

constexpr Need kNeeds[] = {
    {"careers_orientation", "Berufsorientierung"},
    {"applications", "Bewerbung"},
    {"school_qualification", "Schulabschluss"},
    {"language", "Sprache"},
    {"housing", "Wohnen"},
    {"debts", "Schulden"},
    {"health_addiction", "Gesundheit und Sucht"},
    {"family", "Familie"},
    {"care_leaver", "Care Leaver"},
    {"disability", "Behinderung"},
    {"residence_status", "Aufenthaltsstatus"},
    {"motivation", "Motivation und Alltagsstruktur"},
    {"mobility", "Mobilität"},
    {"childcare", "Kinderbetreuung"},
};

constexpr std::array<std::string_view, 7> kDestinations = {
    "company_training", "school_training", "further_school", "bvb", "work", "other", "unknown"};
constexpr std::array<std::string_view, 7> kDestinationLabels = {
    "Betriebliche Ausbildung", "Schulische Ausbildung", "Weiterführende Schule",
    "Berufsvorbereitung (BvB)", "Arbeit", "Sonstiges", "Unbekannt"};

constexpr std::array<std::string_view, 3> kLegalBases = {"§ 69 SGB X", "§ 50 SGB II",
                                                         "§ 31a SGB III"};

}  // namespace

std::string_view category_name(DataCategory c) { return kCategories[static_cast<int>(c)].name; }
std::string_view category_label_de(DataCategory c) { return kCategories[static_cast<int>(c)].label; }
std::span<const DataCategory> all_categories() { return kCategoryList; }

Result<DataCategory> parse_category(std::string_view name, std::string field) {
  for (const auto& info : kCategories)
    if (info.name == name) return info.c;
  return Error::invalid(field, "Unbekannte Datenkategorie: " + std::string(name));
}

CategorySet CategorySet::of(std::initializer_list<DataCategory> cs) {
  CategorySet s;
  for (DataCategory c : cs) s.add(c);
  return s;
}

CategorySet CategorySet::all() { return CategorySet((1u << kCategoryCount) - 1); }

std::vector<std::string> CategorySet::names() const {
  std::vector<std::string> out;
  for (DataCategory c : kCategoryList)
    if (has(c)) out.emplace_back(category_name(c));
  return out;
}

Result<CategorySet> parse_categories(const std::vector<std::string>& names, std::string field) {
  CategorySet set;
  for (const auto& n : names) {
    LOTSE_ASSIGN_OR_RETURN(DataCategory c, parse_category(n, field));
    if (set.has(c)) return Error::invalid(field, "Datenkategorie doppelt: " + n);
    set.add(c);
  }
  return set;
}

std::span<const Need> all_needs() { return kNeeds; }

Result<std::string> validate_need(std::string_view key, std::string field) {
  for (const auto& n : kNeeds)
    if (n.key == key) return std::string(key);
  return Error::invalid(field, "Unbekannte Bedarfslage: " + std::string(key));
}

std::string_view status_name(CaseStatus s) {
  switch (s) {
    case CaseStatus::kOpen: return "open";
    case CaseStatus::kPaused: return "paused";
    case CaseStatus::kClosed: return "closed";
  }
  return "open";
}

Result<CaseStatus> parse_status(std::string_view s, std::string field) {
  if (s == "open") return CaseStatus::kOpen;
  if (s == "paused") return CaseStatus::kPaused;
  if (s == "closed") return CaseStatus::kClosed;
  return Error::invalid(field, "Status muss open, paused oder closed sein.");
}

std::span<const std::string_view> all_destinations() { return kDestinations; }

std::string_view destination_label_de(std::string_view key) {
  for (std::size_t i = 0; i < kDestinations.size(); ++i)
    if (kDestinations[i] == key) return kDestinationLabels[i];
  return key;
}

Result<std::string> validate_destination(std::string_view key, std::string field) {
  if (std::find(kDestinations.begin(), kDestinations.end(), key) == kDestinations.end())
    return Error::invalid(field, "Unbekannter Verbleib: " + std::string(key));
  return std::string(key);
}

Result<int> validate_phase(std::int64_t phase, std::string field) {
  if (phase < 1 || phase > 5) return Error::invalid(field, "Die Phase muss zwischen 1 und 5 liegen.");
  return static_cast<int>(phase);
}

std::string_view phase_label_de(int phase) {
  static constexpr std::string_view kLabels[] = {
      "Phase 1: ab Klasse 7", "Phase 2: ab Klasse 9", "Phase 3: Abgangsklasse",
      "Phase 4: nach der Schule", "Phase 5: nach der Ausbildung"};
  return phase >= 1 && phase <= 5 ? kLabels[phase - 1] : std::string_view("?");
}

std::span<const std::string_view> transfer_legal_bases() { return kLegalBases; }

Result<std::string> validate_legal_basis(std::string_view basis, std::string field) {
  if (std::find(kLegalBases.begin(), kLegalBases.end(), basis) == kLegalBases.end())
    return Error::invalid(field, "Rechtsgrundlage muss § 69 SGB X, § 50 SGB II oder § 31a SGB III sein.");
  return std::string(basis);
}

}  // namespace lotse::domain
