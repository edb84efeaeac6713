// Consent (Einwilligung, § 67b SGB X, Art. 7 DSGVO) as a value with its
// rules, no I/O. A consent names purposes, recipient agencies, data
// categories and a validity period; it is given by the young person (15 or
// older, at 15–17 only with a recorded insight assessment) or the guardians
// (Personensorgeberechtigte: under 15, or 15–17 lacking insight); it is
// versioned (a new version supersedes the old) and can be withdrawn with
// effect for the future.
//
//   ConsentDraft d{...};
//   if (auto ok = validate_consent(d, owner_agency, birth_date, today); !ok) ...
//   consent_state(c, now_ms) == ConsentState::kActive
//   c.covers("15003-ja", DataCategory::kNotes, now_ms)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lotse/common/date.h"
#include "lotse/common/result.h"
#include "lotse/domain/case_vocabulary.h"

namespace lotse::domain {

enum class ConsentForm { kWritten, kElectronic };
enum class ConsentGiver { kYoungPerson, kGuardian };
// Who holds custody (Personensorge). With joint custody both parents declare
// (§ 36 SGB I applied to consents), so the form then names two guardians.
enum class Custody { kSole, kJoint };

// What a case worker submits.
struct ConsentDraft {
  std::vector<std::string> purposes;    // at least one, each 3..500 chars
  std::vector<std::string> recipients;  // agency keys, at least one, not the owner agency
  CategorySet categories;               // at least one
  Date valid_from;
  Date valid_until;                     // after valid_from, at most 2 years later
  ConsentForm form = ConsentForm::kWritten;
  std::string evidence_ref;             // file number / scan reference; required
  ConsentGiver given_by = ConsentGiver::kYoungPerson;
  std::string guardian_name;            // required when given_by is kGuardian
  bool informed_of_refusal_and_withdrawal = false;  // must be true
  // Insight assessment (Einsichtsfähigkeit), recorded by the case worker:
  // did the young person understand purpose, recipients, data categories,
  // voluntariness and withdrawal? Consent is höchstpersönlich, so at 15–17
  // (on valid_from) it is mandatory: yes → the young person consents
  // themself; no → the guardians do. Empty: not assessed.
  std::optional<bool> insight_confirmed;
  std::string insight_reason;  // how it was checked; 10..500 chars when assessed
  std::optional<Custody> custody;     // required when given_by is kGuardian
  std::string second_guardian_name;   // required with joint custody
};

struct Consent {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  int version = 1;
  ConsentDraft terms;
  std::string recorded_by;  // username
  std::int64_t recorded_at_ms = 0;
  std::optional<std::int64_t> withdrawn_at_ms;
  std::optional<std::int64_t> superseded_at_ms;  // a newer version replaced it

  // True if this consent lets `agency` receive `category` at `now_ms`.
  bool covers(const std::string& agency, DataCategory category, std::int64_t now_ms) const;
};

enum class ConsentState { kActive, kNotYetValid, kExpired, kWithdrawn, kSuperseded };
ConsentState consent_state(const Consent& c, std::int64_t now_ms);
std::string_view consent_state_name(ConsentState s);  // "active", "expired", ...

std::string_view form_name(ConsentForm f);      // "written" | "electronic"
Result<ConsentForm> parse_form(std::string_view s);
std::string_view giver_name(ConsentGiver g);    // "young_person" | "guardian"
Result<ConsentGiver> parse_giver(std::string_view s);
std::string_view custody_name(Custody c);      // "sole" | "joint"
Result<Custody> parse_custody(std::string_view s);

// At 15, 16 or 17 on `on` an insight assessment must be recorded (whoever
// gives the consent). False when the birth date is unknown.
bool insight_assessment_required(std::optional<Date> birth_date, Date on);

// Checks a draft against the rules; the first error names its field.
// `known_agency` answers whether an agency key exists. Entrusted data (§ 65)
// can only be consented to when the owner agency is a Jugendamt. Age rules,
// taken on the consent's start date (valid_from): under 15 the guardians
// consent (§ 36 SGB I); at 15–17 an insight assessment is mandatory, and it
// decides who consents (with insight the young person, höchstpersönlich;
// without it the guardians); from 18 only the person themself. Guardians
// state sole or joint custody; joint custody names both.
Result<void> validate_consent(const ConsentDraft& d, const std::string& owner_agency,
                              std::optional<Date> birth_date, Date today,
                              const std::function<bool(const std::string&)>& known_agency);

}  // namespace lotse::domain
