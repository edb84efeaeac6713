// The Pendelbogen and the Art. 15 DSGVO report (see person_report.h).
#include "lotse/casework/person_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <set>

#include "casework/casework_internal.h"
#include "lotse/common/date.h"
#include "lotse/privacy/audit_log.h"
#include "lotse/privacy/policy_gate.h"

namespace lotse::casework {
namespace {

using domain::CategorySet;
using domain::DataCategory;
using privacy::PolicyGate;

constexpr const char* kDeniedBasis = "keine (Zugriff verweigert)";
constexpr const char* kReportBasis =
    "Art. 15 DSGVO, § 83 SGB X (Auskunft an die betroffene Person)";
constexpr const char* kPersonNotFound = "Person nicht gefunden.";

Result<std::map<std::string, std::string>> agency_names(store::Executor& x) {
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query("SELECT agency_key, name FROM agencies"));
  std::map<std::string, std::string> out;
  for (const auto& row : rows) out.emplace(row.text(0), row.text(1));
  return out;
}

Result<void> audit_denial(store::Executor& x, std::int64_t now_ms, const Reader& r,
                          std::string action, std::string object, ReadPath path) {
  return internal::audit(x, now_ms, r, std::move(action), std::move(object), kDeniedBasis,
                         boost::json::serialize(boost::json::object{
                             {"path", privacy::read_path_name(path)}, {"agency", r.agency_key}}));
}

// The gate's audit entry of a denied read (it audits and answers kNotFound).
Result<void> gate_denial(store::Executor& x, const Reader& r, std::int64_t case_id, ReadPath path,
                         std::int64_t now_ms) {
  auto denied = PolicyGate::read_case(x, r, case_id, path, now_ms, load_case_record);
  if (denied) return Error::internal("the policy gate allowed a read it had refused");
  if (denied.error().code != ErrorCode::kNotFound) return denied.error();
  return ok();
}

// § 65 SGB VIII in the Art. 15 report. The report is the controller's
// answer and only the agency that recorded the person generates it, so every
// note in it was recorded by that agency: for a Jugendamt its entrusted notes
// are its own data about the person and belong in the answer – § 65 guards
// against passing entrusted data *on*, not against the person's own access
// (LEGAL.md § 3). Two limits from LEGAL.md § 3 remain:
// - only the worker a note was entrusted to may pass it on (Rz 13): the gate
//   shows entrusted notes to that worker alone, so a colleague generating
//   the report gets them counted per worker (entrusted_elsewhere), not read;
// - the protection is the entruster's ("consent of the person who entrusted
//   them"; a parent's disclosure is not the young person's), and Art. 15
//   Abs. 4 DSGVO says the copy must not adversely affect others: a note
//   entrusted by a parent, foster parent or anyone else is listed with date
//   and worker, its content withheld until that worker decides to release it.
ReportNote report_note(domain::NoteData n) {
  ReportNote out;
  if (n.entrusted && n.entruster != "young_person") {
    out.withheld = true;
    out.withheld_reason = fmt::format(
        "Von einer anderen Person anvertraut (§ 65 SGB VIII). Den Inhalt gibt nur {} nach "
        "Prüfung heraus (Art. 15 Abs. 4 DSGVO).",
        n.author);
    n.body.clear();
  }
  out.note = std::move(n);
  return out;
}

}  // namespace

PersonReportService::PersonReportService(store::Database& db, Clock clock)
    : db_(db), clock_(std::move(clock)) {}

// ---- Pendelbogen ------------------------------------------------------------

Result<Pendelbogen> PersonReportService::pendelbogen(const Reader& r, std::int64_t case_id) {
  LOTSE_TRY(internal::require_case_worker(r));
  const std::int64_t now = clock_();
  // The gate's audit entry is written right after this read transaction. A
  // denial returns "nothing" from the callback and is answered after that,
  // so that its audit entry is kept.
  auto made = db_.read([&](store::Executor& x) -> Result<std::optional<Pendelbogen>> {
    LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access, PolicyGate::decide(x, r, case_id, now));
    if (!access.allowed) {
      LOTSE_TRY(gate_denial(x, r, case_id, ReadPath::kPrint, now));
      return std::optional<Pendelbogen>();
    }
    // A partner holding a consent may read the case, but the Pendelbogen is
    // the controller's document for the young person: refused like an
    // unknown case, and on record.
    if (!access.owner) {
      LOTSE_TRY(audit_denial(x, now, r, "pendelbogen.denied", fmt::format("case:{}", case_id),
                             ReadPath::kPrint));
      return std::optional<Pendelbogen>();
    }
    LOTSE_ASSIGN_OR_RETURN(
        domain::CaseRecord full,
        PolicyGate::read_case(x, r, case_id, ReadPath::kPrint, now, load_case_record));

    Pendelbogen out;
    out.generated_at_ms = now;
    // Only what the young person shares: the categories of the consents
    // active right now (a withdrawal or expiry counts from the next
    // request), never § 65 data, whatever a consent names.
    LOTSE_ASSIGN_OR_RETURN(std::vector<ReportConsent> consents,
                           internal::load_consents(x, case_id, now, /*newest_first=*/false));
    std::set<std::string> recipients;
    Date until{};
    for (const auto& c : consents) {
      if (c.state != domain::consent_state_name(domain::ConsentState::kActive)) continue;
      out.shared = out.shared | c.consent.terms.categories;
      recipients.insert(c.consent.terms.recipients.begin(), c.consent.terms.recipients.end());
      if (out.shared_until.empty() || c.consent.terms.valid_until > until) {
        until = c.consent.terms.valid_until;
        out.shared_until = until.str();
      }
    }
    out.shared.remove(DataCategory::kEntrusted);
    out.recipients.assign(recipients.begin(), recipients.end());
    // The gate's own cut, as for a partner holding exactly these categories.
    out.record = PolicyGate::cut(
        std::move(full),
        privacy::CaseAccess{.allowed = true, .owner = false, .categories = out.shared}, r);
    out.record.notes.clear();  // a one-page summary carries no notes

    if (!out.shared.empty()) {
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows handovers,
          x.query("SELECT from_agency, to_agency, state, sent_at FROM handovers WHERE case_id = ? "
                  "AND state IN ('sent', 'received', 'accepted', 'completed') ORDER BY id",
                  {case_id}));
      auto shared_with = [&](const std::string& agency) {
        return agency == out.record.owner_agency || recipients.contains(agency);
      };
      for (const auto& h : handovers)
        if (shared_with(h.text(0)) && shared_with(h.text(1)))
          out.handovers.push_back({.from_agency = h.text(0),
                                   .to_agency = h.text(1),
                                   .state = h.text(2),
                                   .sent_at_ms = h.integer(3)});
    }
    if (out.shared.has(DataCategory::kConferenceResults)) {
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows decisions,
          x.query("SELECT c.scheduled_at, i.text FROM conference_items i JOIN conferences c ON "
                  "c.id = i.conference_id WHERE c.case_id = ? AND i.kind = 'decision' "
                  "ORDER BY c.scheduled_at, i.id",
                  {case_id}));
      for (const auto& d : decisions)
        out.decisions.push_back({.scheduled_at = d.text(0), .text = d.text(1)});
    }
    LOTSE_ASSIGN_OR_RETURN(out.agency_names, agency_names(x));
    return std::optional<Pendelbogen>(std::move(out));
  });
  if (!made) return made.error();
  if (!*made) return Error::not_found(internal::kCaseNotFound);
  return std::move(**made);
}

// ---- Art. 15 report ---------------------------------------------------------

Result<PersonReport> PersonReportService::report(const Reader& r, std::int64_t person_id) {
  LOTSE_TRY(internal::require_case_worker(r));
  // The storage periods (Art. 15 Abs. 1 lit. d DSGVO), read before the
  // write transaction.
  RetentionService retention(db_, clock_);
  LOTSE_ASSIGN_OR_RETURN(std::vector<RetentionRule> rules, retention.rules());
  const std::int64_t now = clock_();

  // A write transaction, unlike the other gated reads: the report's own
  // reads of the cases are entries of the log it lists, and the person is
  // owed the log as it stands when the report is handed out.
  auto made = db_.write([&](store::Executor& x) -> Result<std::optional<PersonReport>> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows persons,
        x.query("SELECT owner_agency, given_name, family_name, birth_date, street, postcode, "
                "city, phone, email, nationality, residence_status, school, "
                "school_qualification, created_by, created_at FROM persons WHERE id = ?",
                {person_id}));
    // Only the controller answers: another agency, with or without a
    // consent on one of the cases, gets the same answer as for nobody.
    if (persons.empty() || persons[0].text(0) != r.agency_key) {
      LOTSE_TRY(audit_denial(x, now, r, "person.report_denied", fmt::format("person:{}", person_id),
                             ReadPath::kExport));
      return std::optional<PersonReport>();
    }
    PersonReport out;
    out.generated_at_ms = now;
    out.generated_by = r.username;
    out.controller = r.agency_key;
    out.retention = rules;
    // The person's own master data as the controller recorded it (a person
    // may have no case yet, so there is no case read to take it from).
    const store::Row& p = persons[0];
    out.person = {.id = person_id,
                  .owner_agency = p.text(0),
                  .given_name = p.text(1),
                  .family_name = p.text(2),
                  .birth_date = p.text(3),
                  .street = p.text(4),
                  .postcode = p.text(5),
                  .city = p.text(6),
                  .phone = p.text(7),
                  .email = p.text(8),
                  .nationality = p.text(9),
                  .residence_status = p.text(10),
                  .school = p.text(11),
                  .school_qualification = p.text(12)};
    out.person_created_by = p.text(13);
    out.person_created_at_ms = p.integer(14);

    // The audit objects naming this person's records, with the action that
    // created each: entries older than the creation belong to an earlier
    // record that had the same id (SQLite may hand out the id of a deleted
    // last row again) and must not appear in this person's report.
    std::map<std::string, std::string> objects{
        {fmt::format("person:{}", person_id), "person.create"}};

    LOTSE_ASSIGN_OR_RETURN(
        store::Rows case_ids,
        x.query("SELECT id FROM cases WHERE person_id = ? ORDER BY id", {person_id}));
    for (const auto& row : case_ids) {
      const std::int64_t case_id = row.integer(0);
      objects.emplace(fmt::format("case:{}", case_id), "case.open");
      // Case content only through the gate: one audited export read per case.
      LOTSE_ASSIGN_OR_RETURN(
          domain::CaseRecord record,
          PolicyGate::read_case(x, r, case_id, ReadPath::kExport, now, load_case_record));
      ReportCase rc;
      for (auto& n : record.notes) rc.notes.push_back(report_note(std::move(n)));
      record.notes.clear();
      rc.record = std::move(record);
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows elsewhere,
          x.query("SELECT author, COUNT(*) FROM notes WHERE case_id = ? AND entrusted = 1 AND "
                  "author <> ? GROUP BY author ORDER BY author",
                  {case_id, r.username}));
      for (const auto& e : elsewhere)
        rc.entrusted_elsewhere[e.text(0)] = static_cast<int>(e.integer(1));

      LOTSE_ASSIGN_OR_RETURN(rc.consents,
                             internal::load_consents(x, case_id, now, /*newest_first=*/false));
      for (const auto& c : rc.consents)
        objects.emplace(fmt::format("consent:{}", c.consent.id), "consent.record");

      LOTSE_ASSIGN_OR_RETURN(
          store::Rows transfers,
          x.query("SELECT id, to_agency, legal_basis, reason, categories, valid_until, "
                  "recorded_by, recorded_at, revoked_at FROM legal_transfers WHERE case_id = ? "
                  "ORDER BY id",
                  {case_id}));
      for (const auto& t : transfers)
        rc.transfers.push_back(
            {.id = t.integer(0),
             .to_agency = t.text(1),
             .legal_basis = t.text(2),
             .reason = t.text(3),
             .categories = CategorySet::from_bits(static_cast<std::uint32_t>(t.integer(4))),
             .valid_until = t.text(5),
             .recorded_by = t.text(6),
             .recorded_at_ms = t.integer(7),
             .revoked_at_ms = t.integer(8)});

      LOTSE_ASSIGN_OR_RETURN(
          store::Rows handovers,
          x.query("SELECT id, from_agency, to_agency, reason, state, created_at, sent_at, "
                  "due_on, decline_reason, decline_text FROM handovers WHERE case_id = ? "
                  "ORDER BY id",
                  {case_id}));
      for (const auto& h : handovers) {
        ReportHandover rh{.id = h.integer(0),
                          .from_agency = h.text(1),
                          .to_agency = h.text(2),
                          .reason = h.text(3),
                          .state = h.text(4),
                          .created_at_ms = h.integer(5),
                          .sent_at_ms = h.integer(6),
                          .due_on = h.text(7),
                          .decline_reason = h.text(8),
                          .decline_text = h.text(9)};
        LOTSE_ASSIGN_OR_RETURN(
            store::Rows events,
            x.query("SELECT at, actor, agency_key, action, from_state, to_state FROM "
                    "handover_events WHERE handover_id = ? ORDER BY at",
                    {rh.id}));
        for (const auto& e : events)
          rh.events.push_back({.at_ms = e.integer(0),
                               .actor = e.text(1),
                               .agency_key = e.text(2),
                               .action = e.text(3),
                               .from_state = e.text(4),
                               .to_state = e.text(5)});
        objects.emplace(fmt::format("handover:{}", rh.id), "handover.create");
        rc.handovers.push_back(std::move(rh));
      }

      LOTSE_ASSIGN_OR_RETURN(
          store::Rows conferences,
          x.query("SELECT id, scheduled_at, host_agency, agenda, minutes FROM conferences "
                  "WHERE case_id = ? ORDER BY scheduled_at, id",
                  {case_id}));
      for (const auto& c : conferences) {
        ReportConference conf{.id = c.integer(0),
                              .scheduled_at = c.text(1),
                              .host_agency = c.text(2),
                              .agenda = c.text(3),
                              .minutes = c.text(4)};
        LOTSE_ASSIGN_OR_RETURN(
            store::Rows participants,
            x.query("SELECT agency_key, staff_name FROM conference_participants WHERE "
                    "conference_id = ? ORDER BY agency_key, staff_name",
                    {conf.id}));
        for (const auto& pr : participants) conf.participants.emplace_back(pr.text(0), pr.text(1));
        LOTSE_ASSIGN_OR_RETURN(
            store::Rows items,
            x.query("SELECT kind, text, owner_agency, due_on, done FROM conference_items WHERE "
                    "conference_id = ? ORDER BY id",
                    {conf.id}));
        for (const auto& it : items)
          conf.items.push_back({.kind = it.text(0),
                                .text = it.text(1),
                                .owner_agency = it.text(2),
                                .due_on = it.text(3),
                                .done = it.integer(4) != 0});
        objects.emplace(fmt::format("conference:{}", conf.id), "conference.create");
        rc.conferences.push_back(std::move(conf));
      }

      // To whom and on which basis: consents, recorded legal bases, and
      // handovers that took the case to another agency.
      for (const auto& c : rc.consents)
        for (const auto& agency : c.consent.terms.recipients)
          out.recipients.push_back(
              {.case_id = case_id,
               .agency_key = agency,
               .kind = "consent",
               .basis = fmt::format("Einwilligung Nr. {} (Version {}), § 67b SGB X", c.consent.id,
                                    c.consent.version),
               .categories = c.consent.terms.categories,
               .from = c.consent.terms.valid_from.str(),
               .until = c.consent.terms.valid_until.str(),
               .state = c.state});
      for (const auto& t : rc.transfers)
        out.recipients.push_back({.case_id = case_id,
                                  .agency_key = t.to_agency,
                                  .kind = "transfer",
                                  .basis = fmt::format("{}: {}", t.legal_basis, t.reason),
                                  .categories = t.categories,
                                  .from = Date::from_unix_ms(t.recorded_at_ms).str(),
                                  .until = t.valid_until,
                                  .state = t.revoked_at_ms ? "revoked" : "recorded"});
      for (const auto& h : rc.handovers)
        if (h.state == "accepted" || h.state == "completed")
          out.recipients.push_back(
              {.case_id = case_id,
               .agency_key = h.to_agency,
               .kind = "handover",
               .basis = fmt::format("Fallübergabe Nr. {}", h.id),
               .from = h.sent_at_ms ? Date::from_unix_ms(h.sent_at_ms).str() : std::string(),
               .state = h.state});
      out.cases.push_back(std::move(rc));
    }

    // Who read or changed these records, and when.
    // (Entries about an earlier record with a reused id are left out by
    // entries_about.)
    std::vector<privacy::AuditRecord> records;
    for (const auto& [object, creation] : objects) records.push_back({object, creation});
    LOTSE_ASSIGN_OR_RETURN(std::vector<privacy::AuditEntry> entries,
                           privacy::AuditLog::entries_about(x, records));
    std::map<std::string, ReportDisclosure> disclosures;
    for (const auto& e : entries) {
      ReportAccess a{.read_log = e.read_log,
                     .seq = e.seq,
                     .at_ms = e.at_ms,
                     .item = e.item,
                     .actor = e.event.actor,
                     .action = e.event.action,
                     .object = e.event.object,
                     .legal_basis = e.event.legal_basis};
      boost::system::error_code ec;
      boost::json::value details = boost::json::parse(e.event.details_json, ec);
      if (!ec && details.is_object()) {
        const auto& o = details.as_object();
        if (auto* ag = o.if_contains("agency"); ag && ag->is_string()) a.agency = ag->as_string();
        if (auto* path = o.if_contains("path"); path && path->is_string())
          a.path = path->as_string();
      }
      if (a.action == "case.read" && !a.agency.empty() && a.agency != out.controller) {
        auto& d = disclosures[a.agency];
        d.agency_key = a.agency;
        ++d.reads;
        d.last_at_ms = std::max(d.last_at_ms, a.at_ms);
      }
      out.accesses.push_back(std::move(a));
    }
    for (auto& [agency, d] : disclosures) out.disclosures.push_back(std::move(d));
    LOTSE_ASSIGN_OR_RETURN(out.agency_names, agency_names(x));

    // The generation itself (after the query, so a report does not list
    // itself; the next one will).
    LOTSE_TRY(internal::audit(x, now, r, "person.report", fmt::format("person:{}", person_id),
                              kReportBasis,
                              boost::json::serialize(boost::json::object{
                                  {"path", privacy::read_path_name(ReadPath::kExport)},
                                  {"agency", r.agency_key},
                                  {"cases", static_cast<std::int64_t>(out.cases.size())}})));
    return std::optional<PersonReport>(std::move(out));
  });
  if (!made) return made.error();
  if (!*made) return Error::not_found(kPersonNotFound);
  return std::move(**made);
}

}  // namespace lotse::casework
