// The German JBA profile of HSDS 3.0: how an offer's alliance, legal sphere,
// legal basis, transition phases, needs, target groups, funding, capacity
// and waiting time, and a contact point's alliance and kind, are carried in
// plain HSDS — as `attribute` rows linking a service or location to a term of
// one of the profile's taxonomies (attribute.value carries the legal basis,
// capacity and waiting days). Everything else uses HSDS fields directly
// (status, minimum_age/maximum_age, eligibility_description,
// fees_description, cost_option, funding.source, schedules, addresses, …).
// See src/catalogue/HSDS_PROFILE.md.
//
// Taxonomy and term ids are name-based UUIDs (name_uuid), so every Lotse
// installation uses the same ids and exports from different ones merge.
//
//   std::string id = profile_term_id(Facet::kNeed, "applications");
//   LOTSE_TRY(add_profile_vocabulary(data, {{"15003", "Magdeburg"}}));
//   auto issues = check_profile(data, context);        // unknown codes, wrong links, …
//   auto profiles = derive_profiles(attributes);       // for the catalogue index
//
// Pure data and functions; safe to use from any thread.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lotse/catalogue/hsds_io.h"
#include "lotse/common/result.h"

namespace lotse::catalogue {

// A UUID derived from `name` (RFC 9562 version 8: SHA-256 of
// "lotse:" + name): stable ids for profile terms and the demo catalogue.
std::string name_uuid(std::string_view name);
// A random UUID (version 4) for records created in Lotse.
std::string random_uuid();

enum class Facet {
  kAlliance,     // code: AGS "15003"; service or location
  kLegalSphere,  // sgb2 | sgb3 | sgb8 | school | other; service
  kPhase,        // "1" … "5"; service
  kNeed,         // case-work need keys; service
  kTargetGroup,  // domain::target_groups(); service
  kFunding,      // domain::funding_kinds(); service
  kContactKind,  // domain::contact_point_kinds(); location
  kDetail,       // legal_basis | capacity | waiting_days, value in attribute.value; service
};

struct ProfileTaxonomy {
  Facet facet;
  std::string_view key;   // "jba-need": the name the id is derived from
  std::string_view name;  // "JBA: Bedarfslagen"
  std::string_view description;
  bool multi;  // several terms per service/location
};

std::span<const ProfileTaxonomy> profile_taxonomies();
const ProfileTaxonomy& profile_taxonomy(Facet facet);
std::string profile_taxonomy_id(Facet facet);
std::string profile_term_id(Facet facet, std::string_view code);
std::optional<Facet> facet_of_taxonomy(std::string_view taxonomy_id);
// Codes of kDetail terms.
inline constexpr std::string_view kLegalBasis = "legal_basis";
inline constexpr std::string_view kCapacity = "capacity";
inline constexpr std::string_view kWaitingDays = "waiting_days";

// Adds the profile's taxonomies and terms (one alliance term per
// (ags, name)) to the data set.
Result<void> add_profile_vocabulary(
    Dataset& data, const std::vector<std::pair<std::string, std::string>>& alliances);

// What is stored already, for checking an import that adds to it.
struct ProfileContext {
  std::set<std::string> alliances;  // AGS of the alliances table
  // Stored taxonomy terms: id → (taxonomy_id, code).
  std::map<std::string, std::pair<std::string, std::string>> terms;
  // Stored attributes on profile terms: attribute id → (link_id, term id).
  std::map<std::string, std::pair<std::string, std::string>> attributes;
};

// Profile checks of an import: codes of profile terms (unknown need keys,
// phases outside 1–5, unknown alliances, …), attributes linking the wrong
// kind of record, values of legal basis/capacity/waiting days, and at most
// one alliance, legal sphere, contact-point kind and detail per record.
std::vector<Issue> check_profile(const Dataset& data, const ProfileContext& context);

// One attribute on a profile term, as the index derivation reads it.
struct ProfileAttribute {
  std::string link_id, link_entity;
  Facet facet;
  std::string code, value;
};

struct ServiceProfile {
  std::string alliance_ags, legal_sphere, legal_basis;
  std::vector<std::string> phases, needs, target_groups, funding;  // sorted, unique
  std::optional<std::int64_t> capacity, waiting_days;
};

struct LocationProfile {
  std::string alliance_ags, kind;
};

struct DerivedProfiles {
  std::map<std::string, ServiceProfile> services;    // by service id
  std::map<std::string, LocationProfile> locations;  // by location id
};

// Single-valued facets given twice keep the smallest code (imports refuse
// that; this only makes the derivation deterministic).
DerivedProfiles derive_profiles(const std::vector<ProfileAttribute>& attributes);

}  // namespace lotse::catalogue
