// `lotse demo`: the organisation model from real data plus demo accounts,
// all with the password "demo":
//   <ags>-jc, <ags>-aa, <ags>-ja, <ags>-schule  case workers, one per agency
//   <ags>-koord                                 coordinator, one per alliance
//   land                                        state network office
//   admin                                       administrator
// Idempotent: existing accounts are left alone.
//
//   auto summary = load_demo(db, system_clock(), data_dir, [](int done, int total) {...});
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::app {

struct DemoSummary {
  int alliances = 0;
  int agencies = 0;
  int users_created = 0;
  int users_existing = 0;
};

using Progress = std::function<void(int done, int total)>;

Result<DemoSummary> load_demo(store::Database& db, Clock clock, const std::string& data_dir,
                              const Progress& progress = {});

// Lines like "15003-jc  Fachkraft  Jobcenter Magdeburg" for the accounts that
// exist; empty when the demo was not loaded.
Result<std::vector<std::string>> demo_login_lines(store::Database& db);

inline constexpr const char* kDemoPassword = "demo";

}  // namespace lotse::app
