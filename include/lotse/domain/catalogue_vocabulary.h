// The words of the offer catalogue's German JBA profile, as stored and as
// shown: legal spheres of an offer, target groups, funding kinds, kinds of
// contact points (Anlaufstellen) and the HSDS service status. Needs
// (Bedarfslagen) and transition phases are the case-work ones
// (case_vocabulary.h), so that a case's needs find matching offers.
//
//   validate_catalogue_term(target_groups(), "parents", "target_groups")   // Result<std::string>
//   catalogue_term_label(offer_legal_spheres(), "sgb3")                    // "SGB III"
//   is_virtual_contact_kind("chat")                                        // true
//
// Pure data and functions, no I/O; safe to use from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "lotse/common/result.h"

namespace lotse::domain {

struct CatalogueTerm {
  std::string_view key;       // as stored: "sgb3"
  std::string_view label_de;  // as shown: "SGB III"
};

// Legal sphere (Rechtskreis) an offer belongs to: sgb2, sgb3, sgb8, school, other.
std::span<const CatalogueTerm> offer_legal_spheres();
// parents, special_support, migrants_refugees, companies, schools_teachers,
// disability, special_school.
std::span<const CatalogueTerm> target_groups();
// standard_instrument (Regelinstrument), regional_budget, esf, land, bund.
std::span<const CatalogueTerm> funding_kinds();
// central_office, school, youth_centre, third_party, mobile_stop (decentral
// and mobile counselling), chat, video, messenger, phone (virtual channels).
std::span<const CatalogueTerm> contact_point_kinds();
// HSDS service.status: active, inactive, defunct, "temporarily closed".
std::span<const CatalogueTerm> offer_statuses();

// Virtual channels have no address: HSDS location_type "virtual" with a URL
// or a phone number instead.
bool is_virtual_contact_kind(std::string_view kind);

// `key` if it is one of `terms`, else an error naming `field` and listing
// the allowed keys.
Result<std::string> validate_catalogue_term(std::span<const CatalogueTerm> terms,
                                            std::string_view key, std::string field);
// The German label of `key`, or `key` itself if unknown.
std::string_view catalogue_term_label(std::span<const CatalogueTerm> terms, std::string_view key);

}  // namespace lotse::domain
