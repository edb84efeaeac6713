// `lotse demo --persons N`: N synthetic young people (14–25) with their
// cases, consents (active, expired, withdrawn, superseded; various recipients
// and categories), legal-basis transfers, notes, Förderkette steps and
// handovers in every state, spread over the agencies of the 14 alliances in
// proportion to the districts' population, with names drawn from the
// weighted tables in data/names/ and postcodes/places of the agency's
// district (data/municipalities/).
//
// Written straight to the store in large transactions with prepared
// statements (not one service call per row), so a million persons take
// minutes; the audit log gets one summary entry for the whole generation,
// since nothing real was recorded or read. The search index and the share
// table follow through the triggers of migration 3. Deterministic: the same
// seed on the same day (ages and dates are relative to the clock) gives the
// same data. Needs the organisations and demo accounts (load_demo) first.
//
//   auto summary = generate_people(db, system_clock(),
//                                  {.persons = 100000, .seed = 7, .data_dir = "data"},
//                                  [](std::int64_t done, std::int64_t total) { ... });
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::app {

struct SyntheticOptions {
  std::int64_t persons = 0;
  std::uint64_t seed = 1;
  std::string data_dir;     // the repo's data/ (names, municipalities)
  int batch = 20000;        // persons per transaction
};

struct SyntheticSummary {
  std::int64_t persons = 0, cases = 0, consents = 0, transfers = 0, notes = 0, steps = 0,
               handovers = 0;
  double seconds = 0;
};

// Called after every transaction with the persons written so far.
using SyntheticProgress = std::function<void(std::int64_t done, std::int64_t total)>;

Result<SyntheticSummary> generate_people(store::Database& db, Clock clock,
                                         const SyntheticOptions& options,
                                         const SyntheticProgress& progress = {});

}  // namespace lotse::app
