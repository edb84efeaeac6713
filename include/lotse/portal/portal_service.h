// The youth portal's own data: the alliance's public texts and contact
// details, and contact requests from young people (no account), routed by
// topic to the responsible agency of the alliance (domain/intake_routing.h)
// and worked off in that agency's intake queue (/anfragen).
//
//   PortalService portal(db, system_clock(), {.overdue_hours = 48});
//   auto sent = portal.submit({.alliance_ags = "15003", .need = "applications",
//                              .name = "Mia", .contact = "mia@example.org",
//                              .consent = true}, {.client = "203.0.113.7", .request_id = rid});
//   sent->reference   // "JBA-7K3Q-9"
//   auto queue = portal.queue(staff);              // audited intake.read
//   portal.assign(staff, id); portal.close(staff, id, "contacted");
//   portal.forward(staff, id, "15003-jc", "Fragt nach Bürgergeld");  // only 15003-jc sees it now
//   portal.purge_closed(30);                       // closed requests only, a fixed period
//   portal.run_retention("admin", /*dry_run=*/false);  // `lotse retention run`: both rules
//
// Protection: a contact request is social data once it names a young person.
// Only case workers of the agency it is routed to read it (every read
// audited, denials too, answered kNotFound so existence is not revealed);
// coordinators and the state office never see its content. Submissions are
// rate limited per client address (in the database: BLAKE2b of the address,
// kept one hour), a filled honeypot stores nothing, and sizes are limited.
//
// Forwarding (Kundensteuerung): the routed agency may pass a request that is
// not closed to another agency of the same alliance, with a reason. The
// reason may name the young person, so it is kept only with the request
// (deleted with it by retention) and the audit entry names ids and agencies.
//
// Errors: kInvalidArgument naming the field ("name", "contact", "need",
// "message", "consent"; "to_agency", "reason" when forwarding),
// kTooManyRequests, kNotFound, kForbidden, kConflict (closed request).
// Thread safety: safe to call concurrently (state lives in the database).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/clock.h"
#include "lotse/common/result.h"
#include "lotse/privacy/policy_gate.h"
#include "lotse/store/database.h"

namespace lotse::portal {

struct PortalOptions {
  int overdue_hours = 48;             // open requests older than this are flagged (1..720)
  int submissions_per_hour = 5;       // per client address
  int retention_days_after_close = 30;  // purge_closed() default; code default of the rule
                                        // contact_requests_closed
  // Code default of the rule contact_requests_unclosed: requests never
  // closed, counted from when they were sent. Half a year: a young person
  // who asked for help needs an answer within days (the queue marks a request
  // overdue after 48 hours), so a request still open after six months has
  // lost its purpose and only keeps a name and a phone number. Not shorter,
  // because a queue left unattended for a while (absence, holidays, an
  // agency that has not started using the queue yet) must still be worked
  // off, and the young person may still refer to the reference number in a
  // follow-up conversation within the same school half-year.
  int retention_days_unclosed = 180;
};

// Limits of the contact form (characters, UTF-8 code points).
inline constexpr std::size_t kMaxNameChars = 60;
inline constexpr std::size_t kMaxContactChars = 120;
inline constexpr std::size_t kMaxMessageChars = 1000;
inline constexpr std::size_t kMaxForwardReasonChars = 300;
// Version of the consent text shown with the form, stored with each request.
inline constexpr const char* kConsentTextVersion = "portal-consent-2025-1";

struct ContactDraft {
  std::string alliance_ags;
  std::string need;     // topic: a need key
  std::string name;     // first name or nickname
  std::string contact;  // phone number or e-mail address
  std::string message;  // optional
  bool consent = false;
  std::string honeypot;  // must stay empty
};

struct Client {
  std::string address;  // client IP as text (only its hash is stored)
  std::string request_id;
};

struct Submitted {
  std::string reference;  // shown to the young person
  bool stored = false;    // false: honeypot filled, nothing stored
};

// The alliance's public texts; defaults when the coordinator set none.
struct PortalTexts {
  std::string headline, intro, address, phone, email, hours_note;
  bool is_default = true;
  std::string updated_by;
  std::int64_t updated_at_ms = 0;
};

struct Coordinator {
  std::string username;
  std::string alliance_ags;
  std::string request_id;
};

enum class RequestStatus { kOpen, kAssigned, kClosed };
std::string_view status_name(RequestStatus s);

// One step of a request's way through the alliance.
struct Forwarding {
  std::string from_agency, to_agency, reason, forwarded_by;
  std::int64_t forwarded_at_ms = 0;
};

struct ContactRequest {
  std::int64_t id = 0;
  std::string reference, alliance_ags, need, routed_agency;
  std::string name, contact_kind, contact, message;
  std::int64_t created_at_ms = 0;
  RequestStatus status = RequestStatus::kOpen;
  std::string assigned_to, outcome, closed_by;
  std::int64_t closed_at_ms = 0;
  std::int64_t age_hours = 0;  // at the time of reading
  bool overdue = false;        // not closed and older than overdue_hours
  std::vector<Forwarding> forwards;  // oldest first; filled by get() only
};

struct Queue {
  std::vector<ContactRequest> open;  // open and assigned, oldest first
  std::int64_t open_count = 0, overdue_count = 0, mine_count = 0;
  std::vector<ContactRequest> closed;  // the latest 20 closed
};

// Outcomes when a request is closed.
struct Outcome {
  std::string_view key, label_de;
};
std::span<const Outcome> outcomes();

// Validation of "how to reach me": "phone" or "email", or kInvalidArgument
// on field "contact".
Result<std::string> contact_kind(std::string_view contact);
// "JBA-XXXX-C": 4 characters from an alphabet without 0/O, 1/I/L, plus a
// check character; check_reference() verifies the format and check.
// Every problem of a draft, in form order (name, contact, need, message,
// consent); empty when submit() would accept it. Does not look at the
// honeypot or the rate limit.
std::vector<Error> validate(const ContactDraft& d);

// Problems of a forwarding that need no database (in form order: to_agency,
// reason): no target chosen, reason empty, too long or with control
// characters. forward() also checks that the target is another agency of
// the request's alliance.
std::vector<Error> validate_forward(const std::string& to_agency, const std::string& reason);

std::string make_reference();
bool check_reference(std::string_view ref);

// Retention of contact requests, next to the case-work categories of
// `lotse retention` (casework/retention.h) in the retention_rules table.
// The period is in days (the table's column is called `months`: for these
// two categories it holds days; a unit column would need a migration). A
// category without a row runs on the code default of PortalOptions; `set`
// inserts the row.
inline constexpr const char* kRetentionClosed = "contact_requests_closed";      // after closing
inline constexpr const char* kRetentionUnclosed = "contact_requests_unclosed";  // after sending
bool is_retention_category(std::string_view category);

struct ContactRetentionRule {
  std::string category;  // kRetentionClosed | kRetentionUnclosed
  std::string label;     // German, for `lotse retention rules`
  int days = 0;
  int min_days = 1, max_days = 1;  // what set_retention_rule accepts
  std::string basis;
  std::string updated_by;  // "-" while the code default applies
  std::int64_t updated_at_ms = 0;
};

struct ContactRetentionRun {
  bool dry_run = false;
  std::int64_t at_ms = 0;
  int closed_days = 0, unclosed_days = 0;
  std::vector<std::int64_t> closed_ids;    // due (deleted unless dry run), ascending
  std::vector<std::int64_t> unclosed_ids;  // due (deleted unless dry run), ascending
};

class PortalService {
 public:
  PortalService(store::Database& db, Clock clock, PortalOptions options = {});

  const PortalOptions& options() const { return options_; }

  // Public texts.
  Result<PortalTexts> texts(const std::string& alliance_ags);
  Result<void> update_texts(const Coordinator& c, const PortalTexts& t);

  // Young people.
  Result<Submitted> submit(const ContactDraft& d, const Client& client);

  // Staff of the routed agency (case workers only).
  Result<Queue> queue(const privacy::Reader& r);
  Result<ContactRequest> get(const privacy::Reader& r, std::int64_t id);
  Result<void> assign(const privacy::Reader& r, std::int64_t id);
  Result<void> close(const privacy::Reader& r, std::int64_t id, const std::string& outcome);
  // Routes the request to `to_agency` (another agency of its alliance) and
  // records the step; the request becomes open and unassigned there, and
  // the forwarding agency no longer sees it. kNotFound unless the request is
  // routed to the reader's agency (checked first, so nothing else is
  // revealed), kConflict when closed, then kInvalidArgument on "to_agency"
  // or "reason". One transaction, audited as intake.forward without the
  // reason.
  Result<void> forward(const privacy::Reader& r, std::int64_t id, const std::string& to_agency,
                       const std::string& reason);

  // Retention: deletes requests closed more than `days` days ago (default:
  // options().retention_days_after_close), audited; returns how many.
  Result<std::int64_t> purge_closed(std::optional<int> days = std::nullopt,
                                    const std::string& request_id = "cli");

  // The two retention rules of contact requests (code defaults when no row).
  Result<std::vector<ContactRetentionRule>> retention_rules();
  // Errors name "category" or "days" (outside the rule's range); nothing
  // changes then. Audited with the old and the new period.
  Result<ContactRetentionRule> set_retention_rule(const std::string& actor,
                                                  const std::string& category, std::int64_t days);
  // Deletes the closed requests closed at least closed_days ago and the
  // never-closed ones sent at least unclosed_days ago, in one transaction with
  // one audit entry naming them by id only (none when nothing was due). A
  // dry run only counts: no change, no audit entry. On SQLite the deleted
  // cells are overwritten (secure_delete), so the names leave the file too.
  Result<ContactRetentionRun> run_retention(const std::string& actor, bool dry_run);

 private:
  Result<ContactRequest> load_routed(store::Executor& x, const privacy::Reader& r,
                                     std::int64_t id, std::int64_t now);
  store::Database& db_;
  Clock clock_;
  PortalOptions options_;
};

}  // namespace lotse::portal
