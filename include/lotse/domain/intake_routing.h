// Kundensteuerung: which agency of an alliance answers a young person's
// contact request, by the topic (need) the young person chose. One table,
// shown to coordinators on /koordination/portal.
//
//   auto kind = route_need("applications");   // AgencyKind::kArbeitsagentur
//   auto key = routed_agency_key("15003", "housing");   // "15003-ja"
//
// Pure data, no I/O; safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "lotse/common/result.h"
#include "lotse/domain/agency_key.h"

namespace lotse::domain {

struct IntakeRoute {
  std::string_view need;       // a key of all_needs()
  AgencyKind agency;           // who takes the request
  std::string_view reason_de;  // why, in one line (shown to coordinators)
};

// One route per need, in all_needs() order.
std::span<const IntakeRoute> intake_routes();
// The agency kind for a need; kInvalidArgument naming `field` if unknown.
Result<AgencyKind> route_need(std::string_view need, std::string field = "need");
// "<ags>-<suffix>" of the responsible agency in the alliance.
Result<std::string> routed_agency_key(std::string_view alliance_ags, std::string_view need);

}  // namespace lotse::domain
