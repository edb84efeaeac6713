// The young person's view of their data:
// - the Pendelbogen, a one-page summary of their journey across agencies
//   that holds only what they consented to share (the categories of the
//   case's active consents, never § 65 SGB VIII data);
// - the Art. 15 DSGVO report (Auskunft): everything the controller agency
//   holds about the person, who read it and when, and to whom it was passed
//   on which basis.
//
//   PersonReportService reports(db, system_clock());
//   auto bogen = reports.pendelbogen(me, case_id);    // owner agency only, else kNotFound
//   auto report = reports.report(me, person_id);      // owner agency only, else kNotFound
//
// Both read case content through privacy::PolicyGate (Pendelbogen:
// ReadPath::kPrint, report: ReadPath::kExport, one audited read per case).
// Only case workers of the agency that recorded the person (the controller)
// generate them; anyone else gets kNotFound, and the attempt is audited
// ("pendelbogen.denied" / "person.report_denied"), so that another agency,
// even one holding a consent, learns neither the data nor that the person
// is known here. Generating the report is audited as "person.report".
//
// Thread safety: safe to call concurrently (state lives in the database).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lotse/casework/casework_service.h"
#include "lotse/casework/retention.h"
#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/domain/case_record.h"
#include "lotse/domain/consent.h"
#include "lotse/store/database.h"

namespace lotse::casework {

// ---- Pendelbogen --------------------------------------------------------

struct PendelbogenHandover {
  std::string from_agency, to_agency, state;  // state: sent | received | accepted | completed
  std::int64_t sent_at_ms = 0;
};

struct PendelbogenDecision {
  std::string scheduled_at;  // "YYYY-MM-DD HH:MM" of the conference
  std::string text;
};

struct Pendelbogen {
  std::int64_t generated_at_ms = 0;
  // Cut to `shared` by the policy gate's cut(); notes are never on it.
  domain::CaseRecord record;
  // The union of the categories of the case's active consents, without
  // kEntrusted. Empty: the young person shares nothing at the moment.
  domain::CategorySet shared;
  std::vector<std::string> recipients;  // agency keys named in the active consents
  std::string shared_until;             // latest valid_until of the active consents
  // Handovers between the owner and consented recipients (no reasons: free
  // text may hold anything); only while something is shared at all.
  std::vector<PendelbogenHandover> handovers;
  // Decisions of the case's conferences, with kConferenceResults only.
  std::vector<PendelbogenDecision> decisions;
  std::map<std::string, std::string> agency_names;  // key -> name
};

// ---- Art. 15 report -----------------------------------------------------

struct ReportNote {
  domain::NoteData note;
  // § 65 SGB VIII content that this report does not release (body empty);
  // the reason says who can release it.
  bool withheld = false;
  std::string withheld_reason;
};

// Every version, superseded and withdrawn ones too, with its state at
// generation time.
using ReportConsent = ConsentView;

struct ReportTransfer {
  std::int64_t id = 0;
  std::string to_agency, legal_basis, reason;
  domain::CategorySet categories;
  std::string valid_until, recorded_by;
  std::int64_t recorded_at_ms = 0, revoked_at_ms = 0;
};

struct ReportHandoverEvent {
  std::int64_t at_ms = 0;
  std::string actor, agency_key, action, from_state, to_state;
};

struct ReportHandover {
  std::int64_t id = 0;
  std::string from_agency, to_agency, reason, state;
  std::int64_t created_at_ms = 0, sent_at_ms = 0;
  std::string due_on, decline_reason, decline_text;
  std::vector<ReportHandoverEvent> events;
};

struct ReportConferenceItem {
  std::string kind, text, owner_agency, due_on;
  bool done = false;
};

struct ReportConference {
  std::int64_t id = 0;
  std::string scheduled_at, host_agency, agenda, minutes;
  std::vector<std::pair<std::string, std::string>> participants;  // agency key, staff name
  std::vector<ReportConferenceItem> items;
};

struct ReportCase {
  domain::CaseRecord record;  // through the gate (kExport); its notes are in `notes`
  std::vector<ReportNote> notes;
  // Entrusted notes the gate shows only to the worker they were entrusted to
  // (§ 65 SGB VIII): not in this report, counted per worker, so the young
  // person knows whom to ask.
  std::map<std::string, int> entrusted_elsewhere;  // author -> notes
  std::vector<ReportConsent> consents;
  std::vector<ReportTransfer> transfers;
  std::vector<ReportHandover> handovers;
  std::vector<ReportConference> conferences;
};

// A basis on which data went, or may go, to another agency.
struct ReportRecipient {
  std::int64_t case_id = 0;
  std::string agency_key;
  std::string kind;   // consent | transfer | handover
  std::string basis;  // "Einwilligung Nr. 3 (Version 2)", "§ 69 SGB X: <reason>", ...
  domain::CategorySet categories;  // empty for handovers (they follow the case)
  std::string from, until;         // YYYY-MM-DD, empty if not applicable
  std::string state;               // consent state, "revoked"/"active", handover state
};

// Reads by other agencies as the audit log recorded them.
struct ReportDisclosure {
  std::string agency_key;
  std::int64_t reads = 0, last_at_ms = 0;
};

struct ReportAccess {
  bool read_log = false;  // seq counts in the read log's chain, else the change log's
  std::int64_t seq = 0, at_ms = 0;
  int item = 0;  // a list read's entry: its position in the batch stored as `seq` (else 0)
  std::string actor, agency, action, object, legal_basis, path;
};

struct PersonReport {
  std::int64_t generated_at_ms = 0;
  std::string generated_by;  // username
  std::string controller;    // agency key of the owner agency
  domain::PersonData person;
  std::int64_t person_created_at_ms = 0;
  std::string person_created_by;
  std::vector<ReportCase> cases;
  std::vector<ReportRecipient> recipients;
  std::vector<ReportDisclosure> disclosures;
  std::vector<ReportAccess> accesses;      // oldest first
  std::vector<RetentionRule> retention;    // Art. 15 Abs. 1 lit. d DSGVO
  std::map<std::string, std::string> agency_names;
};

class PersonReportService {
 public:
  // `db` must outlive the service.
  PersonReportService(store::Database& db, Clock clock);

  Result<Pendelbogen> pendelbogen(const Reader& r, std::int64_t case_id);
  Result<PersonReport> report(const Reader& r, std::int64_t person_id);

 private:
  store::Database& db_;
  Clock clock_;
};

}  // namespace lotse::casework
