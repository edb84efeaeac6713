// A case as loaded from the store, before and after the policy gate cuts it
// down to what a reader may see. `visible` says which categories survived;
// fields of other categories are empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lotse/domain/case_vocabulary.h"

namespace lotse::domain {

struct PersonData {  // kMasterData, except school and school_qualification (kSchoolData)
  std::int64_t id = 0;
  std::string owner_agency;
  std::string given_name, family_name, birth_date;
  std::string street, postcode, city, phone, email;
  std::string nationality, residence_status;
  std::string school, school_qualification;
};

struct NoteData {  // kNotes; entrusted ones kEntrusted
  std::int64_t id = 0;
  std::string agency_key, author, body;
  std::string visibility;  // "own" | "partners"
  bool entrusted = false;
  std::string entruster;
  std::int64_t created_at_ms = 0;
};

struct SupportStepData {  // kSupportChain
  std::int64_t id = 0;
  int position = 0;
  std::string measure, responsible_agency, provider;
  std::string planned_start, planned_end, actual_start, actual_end;
  std::string status;  // planned | running | done | cancelled
  std::string offer_id;
};

struct CaseRecord {
  std::int64_t id = 0;
  std::int64_t person_id = 0;
  std::string owner_agency;  // always visible to whoever may see the case at all
  std::string lead_agency;
  // kNeedsGoals
  int phase = 0;
  std::string status, destination, goals;
  std::vector<std::string> needs;
  std::int64_t opened_at_ms = 0, closed_at_ms = 0;
  PersonData person;
  std::vector<SupportStepData> support_chain;
  std::vector<NoteData> notes;
  CategorySet visible;  // set by the policy gate
};

}  // namespace lotse::domain
