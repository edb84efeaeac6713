// The young person's view of their data, as printable pages for case
// workers of the agency that recorded the person:
//   GET /faelle/{id}/pendelbogen   one A4 page in "du" form: the journey
//                                  across agencies, only what the active
//                                  consents share (never § 65 data);
//   GET /personen/{id}/auskunft    the Art. 15 DSGVO report (Auskunft).
//
// Both read through casework::PersonReportService, which reads case content
// through the policy gate and audits it; anyone but the owner agency's case
// workers gets the 404 page (existence is not revealed), other roles 403.
// These handlers only turn the results into view data.
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lotse/casework/person_report.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/consent.h"
#include "lotse/domain/handover.h"
#include "lotse/web/web_context.h"
#include "web/page_support.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using namespace pages;  // NOLINT: the shared page helpers
using domain::CategorySet;
using domain::DataCategory;

std::string need_label(std::string_view key) {
  for (const auto& n : domain::all_needs())
    if (n.key == key) return std::string(n.label_de);
  return std::string(key);
}

json::array category_labels(const CategorySet& set) {
  json::array out;
  for (DataCategory c : domain::all_categories())
    if (set.has(c)) out.push_back(json::string(domain::category_label_de(c)));
  return out;
}

// "21.11.2026, 17:54": times are stored in UTC and shown in German civil time
// (CET/CEST by the EU rule, common/date.h), the time the young person and
// the staff lived them; independent of the server's own zone.
std::string german_time(std::int64_t ms) {
  return ms > 0 ? format_berlin(ms) : "";
}

// The German civil date: an entry at 23:30 UTC belongs to the next day there.
std::string german_day(std::int64_t ms) {
  return ms > 0 ? berlin_time(ms).date.german() : "";
}

// "2026-03-10 14:00" -> "10.03.2026, 14:00"
std::string german_slot(const std::string& slot) {
  if (slot.size() < 10) return slot;
  std::string out = german_date(slot.substr(0, 10));
  if (slot.size() > 11) out += ", " + slot.substr(11);
  return out;
}

std::string period(const std::string& start, const std::string& end) {
  return trim((start.empty() ? "" : german_date(start)) + (end.empty() ? "" : " – " + german_date(end)));
}

class ReportPages {
 public:
  explicit ReportPages(WebContext& web) : web_(web) {}

  void add_routes(Router& router, const std::shared_ptr<ReportPages>& self) {
    router.add("GET", "/faelle/{id}/pendelbogen",
               [self](Request& r) { return self->pendelbogen(r); });
    router.add("GET", "/personen/{id}/auskunft", [self](Request& r) { return self->auskunft(r); });
  }

 private:
  std::string msg(const Request& r, std::string_view key) const { return web_.msg(r, key); }

  // A catalogue label, or `fallback` when the catalogue has none (the
  // catalogue answers unknown keys with the key itself).
  std::string label(const Request& r, const std::string& key, const std::string& fallback) const {
    std::string text = msg(r, key);
    return text == key ? fallback : text;
  }

  std::optional<std::int64_t> id_of(const Request& r) const {
    auto it = r.path_params.find("id");
    return it == r.path_params.end() ? std::nullopt : parse_id(it->second);
  }

  static std::string name_of(const std::map<std::string, std::string>& names,
                             const std::string& key) {
    auto it = names.find(key);
    return it == names.end() ? key : it->second;
  }

  // ---- Pendelbogen ------------------------------------------------------

  Response pendelbogen(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = id_of(r);
    if (!id) return web_.error_page(r, 404);
    casework::PersonReportService reports(web_.db, web_.clock);
    auto bogen = reports.pendelbogen(c->reader, *id);
    if (!bogen) return web_.failure(r, bogen.error());
    const auto& k = bogen->record;
    const auto& names = bogen->agency_names;
    const CategorySet& shared = bogen->shared;

    json::object data{{"case_url", "/faelle/" + std::to_string(k.id)},
                      {"as_of", german_day(bogen->generated_at_ms)},
                      {"lead_agency", name_of(names, k.lead_agency)},
                      {"owner_agency", name_of(names, k.owner_agency)},
                      {"owner_is_lead", k.owner_agency == k.lead_agency},
                      {"shares", !shared.empty()},
                      {"shared_categories", category_labels(shared)},
                      {"shared_until", german_date(bogen->shared_until)}};
    json::array recipients;
    for (const auto& key : bogen->recipients) recipients.push_back(json::string(name_of(names, key)));
    data["recipients"] = std::move(recipients);

    if (shared.has(DataCategory::kMasterData))
      data["person"] = json::object{{"name", person_name(k)},
                                    {"birth_date", german_date(k.person.birth_date)}};
    if (shared.has(DataCategory::kSchoolData) &&
        (!k.person.school.empty() || !k.person.school_qualification.empty()))
      data["school"] = json::object{
          {"text", trim(k.person.school + (k.person.school.empty() ||
                                                   k.person.school_qualification.empty()
                                               ? ""
                                               : ", ") +
                        k.person.school_qualification)}};
    if (shared.has(DataCategory::kNeedsGoals)) {
      json::array needs;
      for (const auto& n : k.needs) needs.push_back(json::string(need_label(n)));
      data["journey"] = json::object{
          {"phase", k.phase > 0 ? std::string(domain::phase_label_de(k.phase)) : std::string()},
          {"status", k.status.empty() ? std::string() : msg(r, "case.status." + k.status)},
          {"needs", std::move(needs)},
          {"goals", k.goals}};
    }
    if (shared.has(DataCategory::kSupportChain)) {
      json::array steps;
      for (const auto& s : k.support_chain)
        steps.push_back(json::object{{"measure", s.measure},
                                     {"responsible", name_of(names, s.responsible_agency)},
                                     {"provider", s.provider},
                                     {"period", period(s.planned_start, s.planned_end)},
                                     {"status", msg(r, "step.status." + s.status)}});
      data["chain"] = json::object{{"empty", steps.empty()}, {"steps", std::move(steps)}};
    }
    json::array handovers;
    for (const auto& h : bogen->handovers)
      handovers.push_back(json::object{{"from", name_of(names, h.from_agency)},
                                       {"to", name_of(names, h.to_agency)},
                                       {"on", german_day(h.sent_at_ms)},
                                       {"state", msg(r, "handover.state." + h.state)}});
    data["has_handovers"] = !handovers.empty();
    data["handovers"] = std::move(handovers);
    json::array decisions;
    for (const auto& d : bogen->decisions)
      decisions.push_back(json::object{{"on", german_slot(d.scheduled_at)}, {"text", d.text}});
    data["has_decisions"] = !decisions.empty();
    data["decisions"] = std::move(decisions);
    Response res = render(web_, r, 200, "pendelbogen", std::move(data), "pendelbogen.title", *c);
    res.set_header("Cache-Control", "no-store");
    return res;
  }

  // ---- Auskunft (Art. 15 DSGVO) ------------------------------------------

  json::object case_data(const Request& r, const casework::ReportCase& rc,
                         const std::map<std::string, std::string>& names) {
    const auto& k = rc.record;
    json::array needs;
    for (const auto& n : k.needs) needs.push_back(json::string(need_label(n)));
    json::array steps;
    for (const auto& s : k.support_chain)
      steps.push_back(json::object{
          {"measure", s.measure},
          {"responsible", name_of(names, s.responsible_agency)},
          {"provider", s.provider},
          {"planned", period(s.planned_start, s.planned_end)},
          {"actual", period(s.actual_start, s.actual_end)},
          {"status", msg(r, "step.status." + s.status)}});
    json::array notes;
    for (const auto& rn : rc.notes)
      notes.push_back(json::object{
          {"at", german_time(rn.note.created_at_ms)},
          {"author", rn.note.author},
          {"agency", name_of(names, rn.note.agency_key)},
          {"visibility", msg(r, "note.visibility." + rn.note.visibility)},
          {"entrusted", rn.note.entrusted},
          {"entruster", rn.note.entruster.empty()
                            ? std::string()
                            : label(r, "report.entruster." + rn.note.entruster, rn.note.entruster)},
          {"body", rn.note.body},
          {"withheld", rn.withheld},
          {"withheld_reason", rn.withheld_reason}});
    json::array elsewhere;
    for (const auto& [author, n] : rc.entrusted_elsewhere)
      elsewhere.push_back(json::object{{"author", author}, {"notes", n}});
    json::array consents;
    for (const auto& cv : rc.consents) {
      const auto& t = cv.consent.terms;
      json::array recipients, purposes;
      for (const auto& key : t.recipients) recipients.push_back(json::string(name_of(names, key)));
      for (const auto& p : t.purposes) purposes.push_back(json::string(p));
      consents.push_back(json::object{
          {"id", cv.consent.id},
          {"version", cv.consent.version},
          {"state", msg(r, "consent.state." + cv.state)},
          {"recipients", std::move(recipients)},
          {"categories", category_labels(t.categories)},
          {"purposes", std::move(purposes)},
          {"valid", t.valid_from.german() + " – " + t.valid_until.german()},
          {"form", msg(r, "consent.form." + std::string(domain::form_name(t.form)))},
          {"evidence_ref", t.evidence_ref},
          {"given_by", msg(r, "report.given_by." + std::string(domain::giver_name(t.given_by)))},
          {"guardian_name", t.guardian_name},
          {"custody", t.custody ? msg(r, "report.custody." +
                                             std::string(domain::custody_name(*t.custody)))
                                : std::string()},
          {"second_guardian_name", t.second_guardian_name},
          {"insight", t.insight_confirmed
                          ? msg(r, *t.insight_confirmed ? "report.insight.yes" : "report.insight.no")
                          : std::string()},
          {"insight_reason", t.insight_reason},
          {"recorded", german_time(cv.consent.recorded_at_ms) + " · " + cv.consent.recorded_by},
          {"withdrawn", cv.consent.withdrawn_at_ms
                            ? german_time(*cv.consent.withdrawn_at_ms) + " · " + cv.withdrawn_by
                            : std::string()}});
    }
    json::array transfers;
    for (const auto& tr : rc.transfers)
      transfers.push_back(json::object{{"to", name_of(names, tr.to_agency)},
                                       {"basis", tr.legal_basis},
                                       {"reason", tr.reason},
                                       {"categories", category_labels(tr.categories)},
                                       {"until", german_date(tr.valid_until)},
                                       {"recorded", german_time(tr.recorded_at_ms) + " · " +
                                                        tr.recorded_by},
                                       {"revoked", german_time(tr.revoked_at_ms)}});
    json::array handovers;
    for (const auto& h : rc.handovers) {
      json::array events;
      for (const auto& e : h.events)
        events.push_back(json::object{
            {"at", german_time(e.at_ms)},
            {"actor", e.actor},
            {"agency", name_of(names, e.agency_key)},
            {"state", msg(r, "handover.state." + e.to_state)}});
      handovers.push_back(json::object{
          {"from", name_of(names, h.from_agency)},
          {"to", name_of(names, h.to_agency)},
          {"reason", h.reason},
          {"state", msg(r, "handover.state." + h.state)},
          {"decline", h.decline_reason.empty()
                          ? std::string()
                          : std::string(domain::decline_reason_label_de(h.decline_reason)) +
                                (h.decline_text.empty() ? "" : ": " + h.decline_text)},
          {"events", std::move(events)}});
    }
    json::array conferences;
    for (const auto& conf : rc.conferences) {
      json::array participants, decisions, tasks;
      for (const auto& [key, staff] : conf.participants)
        participants.push_back(
            json::string(name_of(names, key) + (staff.empty() ? "" : " (" + staff + ")")));
      for (const auto& i : conf.items) {
        if (i.kind == "decision") {
          decisions.push_back(json::string(i.text));
        } else {
          tasks.push_back(json::object{{"text", i.text},
                                       {"owner", i.owner_agency.empty()
                                                     ? std::string()
                                                     : name_of(names, i.owner_agency)},
                                       {"due", german_date(i.due_on)},
                                       {"done", i.done}});
        }
      }
      conferences.push_back(json::object{{"on", german_slot(conf.scheduled_at)},
                                         {"host", name_of(names, conf.host_agency)},
                                         {"agenda", conf.agenda},
                                         {"minutes", conf.minutes},
                                         {"participants", std::move(participants)},
                                         {"decisions", std::move(decisions)},
                                         {"tasks", std::move(tasks)}});
    }
    return json::object{
        {"id", k.id},
        {"url", "/faelle/" + std::to_string(k.id)},
        {"phase", k.phase > 0 ? std::string(domain::phase_label_de(k.phase)) : std::string()},
        {"status", k.status.empty() ? std::string() : msg(r, "case.status." + k.status)},
        {"destination", k.destination.empty()
                            ? std::string()
                            : std::string(domain::destination_label_de(k.destination))},
        {"opened", german_day(k.opened_at_ms)},
        {"closed", german_day(k.closed_at_ms)},
        {"owner", name_of(names, k.owner_agency)},
        {"lead", name_of(names, k.lead_agency)},
        {"needs", std::move(needs)},
        {"goals", k.goals},
        {"has_steps", !steps.empty()},
        {"steps", std::move(steps)},
        {"has_notes", !notes.empty()},
        {"notes", std::move(notes)},
        {"has_elsewhere", !elsewhere.empty()},
        {"elsewhere", std::move(elsewhere)},
        {"has_consents", !consents.empty()},
        {"consents", std::move(consents)},
        {"has_transfers", !transfers.empty()},
        {"transfers", std::move(transfers)},
        {"has_handovers", !handovers.empty()},
        {"handovers", std::move(handovers)},
        {"has_conferences", !conferences.empty()},
        {"conferences", std::move(conferences)}};
  }

  Response auskunft(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = id_of(r);
    if (!id) return web_.error_page(r, 404);
    casework::PersonReportService reports(web_.db, web_.clock);
    auto report = reports.report(c->reader, *id);
    if (!report) return web_.failure(r, report.error());
    const auto& rep = *report;
    const auto& names = rep.agency_names;
    const auto& p = rep.person;

    json::array cases;
    for (const auto& rc : rep.cases) cases.push_back(case_data(r, rc, names));
    json::array recipients;
    for (const auto& rec : rep.recipients)
      recipients.push_back(json::object{
          {"agency", name_of(names, rec.agency_key)},
          {"case_id", rec.case_id},
          {"kind", msg(r, "report.recipient." + rec.kind)},
          {"basis", rec.basis},
          {"has_categories", !rec.categories.empty()},
          {"categories", category_labels(rec.categories)},
          {"period", period(rec.from, rec.until)},
          {"state", rec.kind == "consent"    ? msg(r, "consent.state." + rec.state)
                    : rec.kind == "handover" ? msg(r, "handover.state." + rec.state)
                                             : msg(r, "report.transfer_state." + rec.state)}});
    json::array disclosures;
    for (const auto& d : rep.disclosures)
      disclosures.push_back(json::object{{"agency", name_of(names, d.agency_key)},
                                         {"reads", d.reads},
                                         {"last", german_time(d.last_at_ms)}});
    json::array accesses;
    for (const auto& a : rep.accesses)
      accesses.push_back(json::object{
          {"at", german_time(a.at_ms)},
          {"actor", a.actor},
          {"agency", a.agency.empty() ? std::string() : name_of(names, a.agency)},
          {"action", label(r, "report.action." + a.action, a.action)},
          {"path", a.path.empty() ? std::string() : label(r, "report.path." + a.path, a.path)},
          {"basis", a.legal_basis}});
    json::array retention;
    for (const auto& rule : rep.retention)
      retention.push_back(json::object{{"label", rule.label},
                                       {"months", rule.months},
                                       {"basis", rule.basis}});
    const std::string address =
        trim(p.street + (p.street.empty() ? "" : ", ") + trim(p.postcode + " " + p.city));
    json::object data{
        {"json_url", "/api/v1/persons/" + std::to_string(p.id) + "/report"},
        {"person_name", trim(p.given_name + " " + p.family_name)},
        {"controller", name_of(names, rep.controller)},
        {"generated", german_time(rep.generated_at_ms)},
        {"generated_by", rep.generated_by},
        {"person",
         json::object{{"given_name", p.given_name},
                      {"family_name", p.family_name},
                      {"birth_date", german_date(p.birth_date)},
                      {"address", address},
                      {"phone", p.phone},
                      {"email", p.email},
                      {"nationality", p.nationality},
                      {"residence_status", p.residence_status},
                      {"school", p.school},
                      {"school_qualification", p.school_qualification},
                      {"recorded", german_time(rep.person_created_at_ms) + " · " +
                                       rep.person_created_by}}},
        {"has_cases", !cases.empty()},
        {"cases", std::move(cases)},
        {"has_recipients", !recipients.empty()},
        {"recipients", std::move(recipients)},
        {"has_disclosures", !disclosures.empty()},
        {"disclosures", std::move(disclosures)},
        {"has_accesses", !accesses.empty()},
        {"accesses", std::move(accesses)},
        {"retention", std::move(retention)}};
    Response res = render(web_, r, 200, "person_report", std::move(data), "report.title", *c);
    res.set_header("Cache-Control", "no-store");
    return res;
  }

  WebContext& web_;
};

}  // namespace

void register_person_report_pages(Router& router, WebContext& web) {
  auto pages = std::make_shared<ReportPages>(web);
  pages->add_routes(router, pages);
}

}  // namespace lotse::web
