// Case conferences (Fallberatung): case workers of several agencies of one
// alliance discuss a case on a consent-checked view and record minutes,
// decisions and tasks (owner agency, due date, done).
//
//   ConferenceService conf(db, system_clock());
//   auto id = conf.create(jc, {.case_id = case_id, .scheduled_at = "2026-03-10 14:00",
//                              .participants = {{"15003-ja", "Frau Weber"}},
//                              .agenda = "Wohnsituation, nächste Schritte"});
//   auto view = conf.get(ja, *id);            // the case as the Jugendamt may see it
//   conf.set_minutes(jc, *id, "…");
//   auto task = conf.add_item(jc, *id, {.kind = "task", .text = "Hilfeplan prüfen",
//                                       .owner_agency = "15003-ja", .due_on = "2026-03-20"});
//   auto box = conf.tasks(ja);                // the Jugendamt's Posteingang
//   conf.mark_task_done(ja, *task);
//
// Two modes. A named conference belongs to a case of the host agency (the
// case's owner) and may only invite agencies that can read the case right
// now through an active consent naming them or a recorded legal-basis
// transfer; every read of it goes through privacy::PolicyGate with the
// reader's own agency, so each participant sees what its basis allows, and
// a withdrawal counts from the very next request. An anonymous conference
// (for cases without consent) carries no case link and no identity, only a
// summary written by the host.
//
// Results of a named conference (minutes, decisions, tasks of other
// agencies) are data category conference_results: a participant sees them
// only if its basis grants that category; the host always does. A task is
// always visible to the agency that owns it, with its due date; the person's
// name only with master data.
//
// Errors as in CaseworkService: kInvalidArgument naming the field;
// kNotFound for conferences (and cases) the caller may not see — a denied
// read of a conference is audited; kForbidden for actions the caller may
// not take on a conference it sees; kConflict for state conflicts.
//
// Thread safety: safe to call concurrently (state lives in the database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lotse/casework/casework_service.h"
#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/domain/case_record.h"
#include "lotse/privacy/policy_gate.h"
#include "lotse/store/database.h"

namespace lotse::casework {

struct ConferenceParticipant {
  std::string agency;      // agency key of the same alliance as the host
  std::string staff_name;  // optional: who attends for it
};

struct NewConference {
  // Named mode: a case of the caller's agency. Must be empty in anonymous mode.
  std::optional<std::int64_t> case_id;
  bool anonymous = false;
  // Anonymous mode only (required there): what the participants need to
  // know, without names.
  std::string case_summary;
  // Anonymous mode started from a case page: the summary is checked against
  // that case's names (read through the gate), and the case is not stored.
  std::optional<std::int64_t> source_case_id;
  std::string scheduled_at;  // "YYYY-MM-DD HH:MM" (or with 'T'), local time
  std::vector<ConferenceParticipant> participants;  // at least one other agency
  std::string agenda;
};

struct NewConferenceItem {
  std::string kind;          // decision | task
  std::string text;          // 1..2000 characters
  std::string owner_agency;  // tasks: the conference's host or a participant
  std::string due_on;        // tasks: YYYY-MM-DD, not in the past
};

struct ConferenceItemView {
  std::int64_t id = 0, conference_id = 0;
  std::string kind, text;
  std::string owner_agency, owner_agency_name, due_on;  // tasks
  bool done = false, overdue = false;
  std::int64_t done_at_ms = 0;
  std::string done_by;
  std::string agency_key, created_by;  // who recorded it
  std::int64_t created_at_ms = 0;
};

struct ConferenceParticipantView {
  std::string agency, agency_name, staff_name;
};

struct ConferenceView {
  std::int64_t id = 0;
  bool anonymous = false;
  std::string scheduled_at;  // "YYYY-MM-DD HH:MM"
  std::string host_agency, host_agency_name, created_by;
  std::int64_t created_at_ms = 0;
  std::vector<ConferenceParticipantView> participants;
  bool host = false;  // the viewer's agency hosts it
  // Named mode: whether the viewer can read the case now, and the case cut
  // by the policy gate for the viewer (absent without access).
  bool case_access = false;
  std::optional<domain::CaseRecord> case_record;
  std::string agenda;        // empty when the viewer has no basis for a named conference
  std::string case_summary;  // anonymous mode
  // Minutes and decisions: only when results_visible.
  bool results_visible = false;
  std::string minutes, minutes_by;
  std::int64_t minutes_at_ms = 0;
  std::vector<ConferenceItemView> decisions;
  // All tasks when results_visible, else only those the viewer's agency owns.
  std::vector<ConferenceItemView> tasks;
  bool may_record = false;  // may write minutes, decisions and tasks
};

struct ConferenceSummary {
  std::int64_t id = 0;
  bool anonymous = false;
  std::string scheduled_at;
  bool upcoming = false;  // scheduled today or later
  std::string host_agency, host_agency_name;
  bool host = false;
  std::vector<ConferenceParticipantView> participants;
  std::int64_t case_id = 0;  // named mode, only while the viewer can read the case
  std::string person_name;   // only with master data
  int open_tasks = 0;        // of the viewer's agency
};

struct ConferenceFilter {
  std::optional<std::int64_t> case_id;  // only conferences of this case the viewer can read
};

struct TaskView {
  ConferenceItemView task;
  std::string conference_scheduled_at;
  bool anonymous = false;
  std::string person_name;  // only with master data
};

struct TaskInbox {
  std::vector<TaskView> open;  // tasks the caller's agency owns, not done, earliest due first
  int open_count = 0, overdue_count = 0;  // always the listed items
};

class ConferenceService {
 public:
  // `db` must outlive the service.
  ConferenceService(store::Database& db, Clock clock);

  Result<std::int64_t> create(const Reader& r, const NewConference& c);
  // Conferences the caller's agency hosts or takes part in: upcoming first
  // (soonest first), then past ones (latest first).
  Result<std::vector<ConferenceSummary>> list(const Reader& r, const ConferenceFilter& f = {});
  Result<ConferenceView> get(const Reader& r, std::int64_t conference_id);
  Result<void> set_minutes(const Reader& r, std::int64_t conference_id, const std::string& minutes);
  Result<std::int64_t> add_item(const Reader& r, std::int64_t conference_id,
                                const NewConferenceItem& item);
  // The task's owner agency or the host; returns the conference id.
  Result<std::int64_t> mark_task_done(const Reader& r, std::int64_t task_id);
  Result<TaskInbox> tasks(const Reader& r);

 private:
  store::Database& db_;
  Clock clock_;
};

// Parses "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" (errors name `field`) and
// returns the canonical "YYYY-MM-DD HH:MM".
Result<std::string> parse_conference_time(std::string_view text,
                                          std::string field = "scheduled_at");

// Whether an anonymous summary names the person: the whole given or family
// name as words (case and umlaut spelling ignored: "Müller" = "MUELLER"),
// or one of their parts of three or more letters that is not a particle
// ("von", "der"), also in the genitive ("Lenas"). Words only, so "Al" does
// not match "Alltag".
bool summary_names_person(std::string_view summary, std::string_view given_name,
                          std::string_view family_name);

}  // namespace lotse::casework
