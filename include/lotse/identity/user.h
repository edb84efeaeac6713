// Accounts and roles.
//
//   Role r = *parse_role("case_worker");
//   role_name(r) == "case_worker"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lotse/common/result.h"

namespace lotse::identity {

enum class Role { kCaseWorker, kCoordinator, kStateOffice, kAdmin };

std::string_view role_name(Role role);  // "case_worker", "coordinator", "state_office", "admin"
Result<Role> parse_role(std::string_view name);

// A user as every layer above identity sees it (never the password hash).
struct User {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  Role role = Role::kCaseWorker;
  std::string agency_key;     // case workers (and the state office: "land"); else empty
  std::string agency_name;
  std::string alliance_ags;   // case workers and coordinators; else empty
  std::string alliance_name;
  bool disabled = false;
};

// Who acts, for audit entries: username (or "-") and the request id.
struct Actor {
  std::string username = "-";
  std::string request_id = "cli";
  std::string remote_address;
};

}  // namespace lotse::identity
