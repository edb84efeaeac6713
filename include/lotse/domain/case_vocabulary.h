// The words of joint case work, as stored and as shown:
// data categories (what a consent or a legal-basis transfer may cover), needs
// (Bedarfslagen), case status, destinations (Verbleib), transition phases.
//
//   CategorySet c = CategorySet::of({DataCategory::kMasterData, DataCategory::kNotes});
//   c.has(DataCategory::kNotes) == true
//   parse_category("school_data")              // Result<DataCategory>
//   validate_phase(6)                          // error naming "phase"
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/result.h"

namespace lotse::domain {

// Data categories of a case. kEntrusted is § 65 SGB VIII data: it never
// leaves the Jugendamt unless a consent names exactly this category.
enum class DataCategory : std::uint8_t {
  kMasterData,         // name, birth date, address, contact, nationality/residence
  kSchoolData,         // school, school qualification
  kNeedsGoals,         // phase, needs, goals, status, destination
  kSupportChain,       // Förderkette
  kConferenceResults,  // Fallberatung: minutes, decisions, tasks
  kNotes,              // notes shared with consented partners
  kEntrusted,          // anvertraute Daten (§ 65 SGB VIII)
};
inline constexpr int kCategoryCount = 7;

std::string_view category_name(DataCategory c);      // "master_data", ...
std::string_view category_label_de(DataCategory c);  // "Stammdaten", ...
Result<DataCategory> parse_category(std::string_view name, std::string field = "categories");
std::span<const DataCategory> all_categories();

class CategorySet {
 public:
  CategorySet() = default;
  static CategorySet of(std::initializer_list<DataCategory> cs);
  static CategorySet all();
  static CategorySet from_bits(std::uint32_t bits) { return CategorySet(bits); }
  bool has(DataCategory c) const { return bits_ & bit(c); }
  void add(DataCategory c) { bits_ |= bit(c); }
  void remove(DataCategory c) { bits_ &= ~bit(c); }
  CategorySet operator|(CategorySet o) const { return CategorySet(bits_ | o.bits_); }
  CategorySet operator&(CategorySet o) const { return CategorySet(bits_ & o.bits_); }
  bool empty() const { return bits_ == 0; }
  std::uint32_t bits() const { return bits_; }
  std::vector<std::string> names() const;  // in category order
  bool operator==(const CategorySet&) const = default;

 private:
  explicit CategorySet(std::uint32_t bits) : bits_(bits) {}
  static std::uint32_t bit(DataCategory c) { return 1u << static_cast<unsigned>(c); }
  std::uint32_t bits_ = 0;
};

// Parses a list of category names; rejects unknown and duplicate names.
Result<CategorySet> parse_categories(const std::vector<std::string>& names,
                                     std::string field = "categories");

// Needs (Bedarfslagen): a maintained list; keys as stored.
struct Need {
  std::string_view key;       // "applications"
  std::string_view label_de;  // "Bewerbung"
};
std::span<const Need> all_needs();
Result<std::string> validate_need(std::string_view key, std::string field = "needs");

enum class CaseStatus { kOpen, kPaused, kClosed };
std::string_view status_name(CaseStatus s);  // "open", "paused", "closed"
Result<CaseStatus> parse_status(std::string_view s, std::string field = "status");

// Verbleib when a case is closed.
std::span<const std::string_view> all_destinations();  // "company_training", ...
std::string_view destination_label_de(std::string_view key);
Result<std::string> validate_destination(std::string_view key, std::string field = "destination");

// Transition phase 1 (from class 7) … 5 (after training).
Result<int> validate_phase(std::int64_t phase, std::string field = "phase");
std::string_view phase_label_de(int phase);

// Legal bases for a transfer without consent (LEGAL.md § 1).
std::span<const std::string_view> transfer_legal_bases();  // "§ 69 SGB X", "§ 50 SGB II", "§ 31a SGB III"
Result<std::string> validate_legal_basis(std::string_view basis, std::string field = "legal_basis");

}  // namespace lotse::domain
