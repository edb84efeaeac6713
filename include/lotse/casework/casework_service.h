// Joint case work: persons, cases, consents, legal-basis transfers, notes,
// the support chain (Förderkette) and handovers (Fallübergabe).
//
// Every read of case data goes through privacy::PolicyGate (decided, cut
// down, audited); every change is one write transaction with its audit
// entry. Only the recording agency (the controller) changes a case; partners
// see what consents or recorded legal bases allow.
//
//   CaseworkService cw(db, system_clock());
//   privacy::Reader me{.username = "15003-jc", .agency_key = "15003-jc",
//                      .case_worker = true, .request_id = rid};
//   auto pid = cw.create_person(me, {.given_name = "Lena", .family_name = "Schulz",
//                                    .birth_date = "2008-04-12"});
//   auto cid = cw.open_case(me, {.person_id = *pid, .phase = 4, .needs = {"applications"}});
//   auto consent = cw.record_consent(me, *cid, draft);
//   auto h = cw.create_handover(me, *cid, {.to_agency = "15003-ja", .reason = "…"});
//   cw.act_on_handover(ja, h->id, domain::HandoverAction::kReceive);
//
// Errors: kInvalidArgument naming the field; kNotFound for cases the caller
// may not see (existence is not revealed); kForbidden for actions the caller's
// agency may not take on a case it can see; kConflict for state conflicts.
//
// Thread safety: safe to call concurrently (state lives in the database).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/domain/case_record.h"
#include "lotse/domain/consent.h"
#include "lotse/domain/handover.h"
#include "lotse/privacy/audit_log.h"
#include "lotse/privacy/policy_gate.h"
#include "lotse/store/database.h"

namespace lotse::casework {

using privacy::Reader;
using privacy::ReadPath;

struct CaseworkOptions {
  int handover_due_working_days = 5;  // a sent handover is overdue after this
};

struct NewPerson {
  std::string given_name, family_name, birth_date;  // required; birth_date YYYY-MM-DD
  std::string street, postcode, city, phone, email;
  std::string school, school_qualification, nationality, residence_status;
};

struct NewCase {
  std::int64_t person_id = 0;  // a person recorded by the caller's agency
  std::int64_t phase = 0;      // 1..5
  std::vector<std::string> needs;
  std::string goals;
};

struct CaseUpdate {
  std::optional<std::int64_t> phase;
  std::optional<std::string> status;       // open | paused | closed
  std::optional<std::string> destination;  // required when closing
  std::optional<std::string> goals;
  std::optional<std::vector<std::string>> needs;
};

// Which cases a list shows: the agency's own (it is their controller), the
// ones partners shared with it (by consent or legal-basis transfer), or both.
enum class CaseScope { kAll, kOwn, kShared };

struct ListFilter {
  std::optional<std::string> status;  // open | paused | closed
  int limit = 50;                     // 1..200
  int offset = 0;
  CaseScope scope = CaseScope::kAll;
  // Only what a list line on a page shows: the case's agencies, phase,
  // status, destination and dates, the person's name and birth date (no
  // address, contact, school or residence data, goals, needs, support chain
  // or notes). The gate decides, cuts and audits the same way.
  bool summary = false;
};

// One page of a case list. Shared cases are decided one by one by the gate,
// so a page of them may hold fewer than `limit` entries and there is no
// total; own cases are always visible to their owner and are counted.
struct CasePage {
  std::vector<domain::CaseRecord> cases;
  bool more = false;            // a further page exists
  std::int64_t own_total = -1;  // scope kOwn: all own cases matching the filter
};

struct ConsentView {
  domain::Consent consent;
  std::string state;         // domain::consent_state_name at the time of reading
  std::string withdrawn_by;  // username, when withdrawn
};

struct NewTransfer {
  std::string to_agency;
  std::string legal_basis;  // § 69 SGB X | § 50 SGB II | § 31a SGB III
  std::string reason;       // required: the task the transfer serves
  domain::CategorySet categories;
  std::string valid_until;  // YYYY-MM-DD, at most one year ahead
  // A Jugendamt must state per transfer that it does not endanger the
  // success of the help (§ 64 Abs. 2 SGB VIII).
  bool does_not_endanger_help = false;
};

struct NewNote {
  std::string body;               // 1..20000 chars
  std::string visibility = "own"; // own | partners
  // § 65 SGB VIII. Jugendamt notes default to entrusted unless the caller
  // says otherwise; only a Jugendamt can record entrusted notes.
  std::optional<bool> entrusted;
  std::string entruster;          // who entrusted it: young_person | parent | foster_parent | other
};

struct NewSupportStep {
  std::string measure;             // free text until the catalogue exists
  std::string responsible_agency;  // an agency key
  std::string provider;
  std::string planned_start, planned_end;  // YYYY-MM-DD or empty
  std::string status = "planned";          // planned | running | done | cancelled
  // A catalogue offer (HSDS service id) of the case's alliance, or empty.
  std::string offer_id;
};

struct NewHandover {
  std::string to_agency;
  std::string reason;     // required
  bool move_lead = true;  // on acceptance the lead moves to the receiver
  bool send_now = true;   // false keeps a draft
};

struct HandoverView {
  std::int64_t id = 0, case_id = 0;
  std::string from_agency, to_agency, from_agency_name, to_agency_name;
  std::string reason, state;  // state: domain::handover_state_name
  bool move_lead = true;
  std::int64_t created_at_ms = 0, sent_at_ms = 0;
  std::string due_on;            // YYYY-MM-DD, empty while a draft
  bool overdue = false;          // open and past due_on
  bool suspended = false;        // the receiver has no consent or legal basis any more
  std::string decline_reason, decline_text;
  // What the viewing agency may see of the person (cut by the policy gate):
  std::string person_name;       // "Lena Schulz", or empty without master data
  std::string person_birth_date;  // YYYY-MM-DD, with the name only
};

// Everything the case page shows, read in one transaction (case_view).
struct CaseView {
  domain::CaseRecord record;                          // cut by the gate
  std::optional<std::vector<ConsentView>> consents;   // for the owning agency only
  std::vector<HandoverView> handovers;                // as case_handovers gives them
};

// Which entries of a box a page lists: all of them, the open ones (sent or
// received, waiting for the receiver), or the overdue ones among those,
// listed longest overdue first (by due date). The counts stay those of the
// whole box.
enum class BoxFilter { kAll, kOpen, kOverdue };

struct Inbox {
  std::vector<HandoverView> incoming;  // to the caller's agency: sent, received, accepted
  std::vector<HandoverView> outgoing;  // from it: draft, sent, received, accepted, declined
  // Counted in SQL over the whole box, not only the page listed: *_total is
  // the number of entries of the box (the sum of all its pages); open means
  // sent or received; overdue means open and past due.
  int incoming_open = 0, incoming_overdue = 0, outgoing_open = 0, outgoing_overdue = 0;
  int incoming_total = 0, outgoing_total = 0;

  // How many entries of a box `filter` lists (all pages of it).
  int incoming_count(BoxFilter filter) const {
    return count(filter, incoming_total, incoming_open, incoming_overdue);
  }
  int outgoing_count(BoxFilter filter) const {
    return count(filter, outgoing_total, outgoing_open, outgoing_overdue);
  }
  static int count(BoxFilter filter, int total, int open, int overdue) {
    return filter == BoxFilter::kOpen ? open : filter == BoxFilter::kOverdue ? overdue : total;
  }
};

// One page of each box of the inbox, newest first (overdue: by due date). A large agency has
// thousands of open handovers: lists are paged, the counts are not.
struct InboxPage {
  int limit = 50;           // entries per box, 1..500
  int incoming_offset = 0;  // >= 0
  int outgoing_offset = 0;
  bool incoming = true;     // false: leave that box (list and counts) empty
  bool outgoing = true;
  BoxFilter incoming_filter = BoxFilter::kAll;
  BoxFilter outgoing_filter = BoxFilter::kAll;
};

struct AccessLogEntry {
  std::int64_t at_ms = 0;
  std::string actor, agency, action, legal_basis, path;
};

// The person search's in-memory copy of the name vocabulary (casework_service.cc).
struct SearchVocabularyCache;

class CaseworkService {
 public:
  // `db` must outlive the service.
  CaseworkService(store::Database& db, Clock clock, CaseworkOptions options = {});

  Result<std::int64_t> create_person(const Reader& r, const NewPerson& p);
  Result<std::int64_t> open_case(const Reader& r, const NewCase& c);
  Result<domain::CaseRecord> get_case(const Reader& r, std::int64_t case_id, ReadPath path);
  Result<std::vector<domain::CaseRecord>> list_cases(const Reader& r, const ListFilter& f);
  Result<CasePage> case_page(const Reader& r, const ListFilter& f);
  // How many cases the caller's agency has recorded (a count, no case data).
  Result<std::int64_t> own_case_count(const Reader& r);
  // Name search over the cases the caller may see with master data.
  // `summary`: load only what a list line shows (as ListFilter::summary).
  Result<std::vector<domain::CaseRecord>> search(const Reader& r, const std::string& query, int limit,
                                                 bool summary = false);
  Result<void> update_case(const Reader& r, std::int64_t case_id, const CaseUpdate& u);

  Result<std::int64_t> record_consent(const Reader& r, std::int64_t case_id,
                                      const domain::ConsentDraft& d);
  Result<std::vector<ConsentView>> consents(const Reader& r, std::int64_t case_id);
  Result<void> withdraw_consent(const Reader& r, std::int64_t consent_id);
  Result<std::int64_t> record_transfer(const Reader& r, std::int64_t case_id, const NewTransfer& t);

  Result<std::int64_t> add_note(const Reader& r, std::int64_t case_id, const NewNote& n);
  Result<std::int64_t> add_support_step(const Reader& r, std::int64_t case_id,
                                        const NewSupportStep& s);

  Result<HandoverView> create_handover(const Reader& r, std::int64_t case_id, const NewHandover& h);
  Result<HandoverView> act_on_handover(const Reader& r, std::int64_t handover_id,
                                       domain::HandoverAction action,
                                       const std::string& decline_reason = "",
                                       const std::string& decline_text = "");
  // The first 500 of each box (as before paging existed).
  Result<Inbox> inbox(const Reader& r);
  Result<Inbox> inbox(const Reader& r, const InboxPage& page);
  Result<std::vector<HandoverView>> handovers(const Reader& r, bool incoming);
  // The handovers of one case as they appear in the caller's boxes
  // (incoming first, then outgoing; newest first): what the case page shows,
  // without building the whole inbox.
  Result<std::vector<HandoverView>> case_handovers(const Reader& r, std::int64_t case_id);
  // The case page's reads at once: get_case (path kItem), for the owner
  // consents(), and case_handovers(); the same decisions and audit entries
  // as the three calls, in one transaction.
  Result<CaseView> case_view(const Reader& r, std::int64_t case_id);

  // Who read or changed this case (owner agency only).
  Result<std::vector<AccessLogEntry>> access_log(const Reader& r, std::int64_t case_id);

 private:
  store::Database& db_;
  Clock clock_;
  CaseworkOptions options_;
  // The person search's copy of the name vocabulary (SQLite), shared by
  // the server's threads, read again whenever the database's changed.
  std::shared_ptr<SearchVocabularyCache> vocabulary_;
};

// Loads a full case record (no cutting, no audit): the loader the policy
// gate calls. Exposed for tests.
Result<domain::CaseRecord> load_case_record(store::Executor& x, std::int64_t case_id);
// Its two halves: the case with its person, and the rest (needs, support
// chain, notes) added to such a summary.
Result<domain::CaseRecord> load_case_summary(store::Executor& x, std::int64_t case_id);
Result<domain::CaseRecord> load_case_details(store::Executor& x, domain::CaseRecord summary);

}  // namespace lotse::casework
