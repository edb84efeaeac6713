// The Art. 15 DSGVO report as JSON: GET /api/v1/persons/{id}/report.
// One ApiRoute table (see api_support.h), registered behind the API guard
// (Bearer token, case worker) and described in the OpenAPI document by
// api.cc. What the report holds and who may have it is decided by
// casework::PersonReportService; this file only renders it.
#include <boost/json.hpp>
#include <string>

#include "lotse/casework/person_report.h"
#include "lotse/common/date.h"
#include "lotse/web/web_context.h"
#include "web/api_support.h"

namespace lotse::web {
namespace json = boost::json;

namespace {

using namespace api;  // NOLINT: the shared API helpers

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object agency(const casework::PersonReport& r, const std::string& key) {
  auto it = r.agency_names.find(key);
  return json::object{{"key", key}, {"name", it == r.agency_names.end() ? key : it->second}};
}

json::object person_json(const casework::PersonReport& r) {
  const auto& p = r.person;
  return json::object{{"id", p.id},
                      {"given_name", p.given_name},
                      {"family_name", p.family_name},
                      {"birth_date", p.birth_date},
                      {"street", p.street},
                      {"postcode", p.postcode},
                      {"city", p.city},
                      {"phone", p.phone},
                      {"email", p.email},
                      {"nationality", p.nationality},
                      {"residence_status", p.residence_status},
                      {"school", p.school},
                      {"school_qualification", p.school_qualification},
                      {"created_at", timestamp(r.person_created_at_ms)},
                      {"created_by", r.person_created_by}};
}

json::object case_report_json(const casework::ReportCase& rc) {
  const auto& c = rc.record;
  json::array steps;
  for (const auto& s : c.support_chain)
    steps.push_back(json::object{{"id", s.id},
                                 {"position", s.position},
                                 {"measure", s.measure},
                                 {"responsible_agency", s.responsible_agency},
                                 {"provider", s.provider},
                                 {"planned_start", text_or_null(s.planned_start)},
                                 {"planned_end", text_or_null(s.planned_end)},
                                 {"actual_start", text_or_null(s.actual_start)},
                                 {"actual_end", text_or_null(s.actual_end)},
                                 {"status", s.status}});
  json::array notes;
  for (const auto& rn : rc.notes) {
    const auto& n = rn.note;
    json::object o{{"id", n.id},
                   {"agency", n.agency_key},
                   {"author", n.author},
                   {"visibility", n.visibility},
                   {"entrusted", n.entrusted},
                   {"entruster", text_or_null(n.entruster)},
                   {"created_at", timestamp(n.created_at_ms)}};
    if (rn.withheld) {
      o["withheld"] = true;
      o["withheld_reason"] = rn.withheld_reason;
    } else {
      o["body"] = n.body;
    }
    notes.push_back(std::move(o));
  }
  json::array elsewhere;
  for (const auto& [author, n] : rc.entrusted_elsewhere)
    elsewhere.push_back(json::object{{"author", author}, {"notes", n}});
  json::array consents;
  for (const auto& cv : rc.consents) {
    const auto& k = cv.consent;
    consents.push_back(json::object{
        {"id", k.id},
        {"version", k.version},
        {"state", cv.state},
        {"recipients", string_array(k.terms.recipients)},
        {"categories", string_array(k.terms.categories.names())},
        {"purposes", string_array(k.terms.purposes)},
        {"valid_from", k.terms.valid_from.str()},
        {"valid_until", k.terms.valid_until.str()},
        {"form", std::string(domain::form_name(k.terms.form))},
        {"evidence_ref", k.terms.evidence_ref},
        {"given_by", std::string(domain::giver_name(k.terms.given_by))},
        {"guardian_name", text_or_null(k.terms.guardian_name)},
        {"custody", k.terms.custody ? json::value(domain::custody_name(*k.terms.custody))
                                    : json::value(nullptr)},
        {"second_guardian_name", text_or_null(k.terms.second_guardian_name)},
        {"insight_confirmed", k.terms.insight_confirmed ? json::value(*k.terms.insight_confirmed)
                                                        : json::value(nullptr)},
        {"insight_reason", text_or_null(k.terms.insight_reason)},
        {"recorded_by", k.recorded_by},
        {"recorded_at", timestamp(k.recorded_at_ms)},
        {"superseded_at", k.superseded_at_ms ? timestamp(*k.superseded_at_ms) : json::value(nullptr)},
        {"withdrawn_at", k.withdrawn_at_ms ? timestamp(*k.withdrawn_at_ms) : json::value(nullptr)},
        {"withdrawn_by", text_or_null(cv.withdrawn_by)}});
  }
  json::array transfers;
  for (const auto& t : rc.transfers)
    transfers.push_back(json::object{{"id", t.id},
                                     {"to_agency", t.to_agency},
                                     {"legal_basis", t.legal_basis},
                                     {"reason", t.reason},
                                     {"categories", string_array(t.categories.names())},
                                     {"valid_until", t.valid_until},
                                     {"recorded_by", t.recorded_by},
                                     {"recorded_at", timestamp(t.recorded_at_ms)},
                                     {"revoked_at", timestamp(t.revoked_at_ms)}});
  json::array handovers;
  for (const auto& h : rc.handovers) {
    json::array events;
    for (const auto& e : h.events)
      events.push_back(json::object{{"at", timestamp(e.at_ms)},
                                    {"actor", e.actor},
                                    {"agency", e.agency_key},
                                    {"action", e.action},
                                    {"from_state", text_or_null(e.from_state)},
                                    {"to_state", e.to_state}});
    handovers.push_back(json::object{{"id", h.id},
                                     {"from_agency", h.from_agency},
                                     {"to_agency", h.to_agency},
                                     {"reason", h.reason},
                                     {"state", h.state},
                                     {"created_at", timestamp(h.created_at_ms)},
                                     {"sent_at", timestamp(h.sent_at_ms)},
                                     {"due_on", text_or_null(h.due_on)},
                                     {"decline_reason", text_or_null(h.decline_reason)},
                                     {"decline_text", text_or_null(h.decline_text)},
                                     {"events", std::move(events)}});
  }
  json::array conferences;
  for (const auto& conf : rc.conferences) {
    json::array participants, items;
    for (const auto& [key, staff] : conf.participants)
      participants.push_back(json::object{{"agency", key}, {"staff_name", text_or_null(staff)}});
    for (const auto& i : conf.items)
      items.push_back(json::object{{"kind", i.kind},
                                   {"text", i.text},
                                   {"owner_agency", text_or_null(i.owner_agency)},
                                   {"due_on", text_or_null(i.due_on)},
                                   {"done", i.done}});
    conferences.push_back(json::object{{"id", conf.id},
                                       {"scheduled_at", conf.scheduled_at},
                                       {"host_agency", conf.host_agency},
                                       {"agenda", conf.agenda},
                                       {"minutes", conf.minutes},
                                       {"participants", std::move(participants)},
                                       {"items", std::move(items)}});
  }
  return json::object{{"id", c.id},
                      {"owner_agency", c.owner_agency},
                      {"lead_agency", c.lead_agency},
                      {"phase", c.phase},
                      {"status", c.status},
                      {"destination", text_or_null(c.destination)},
                      {"goals", c.goals},
                      {"needs", string_array(c.needs)},
                      {"opened_at", timestamp(c.opened_at_ms)},
                      {"closed_at", timestamp(c.closed_at_ms)},
                      {"support_chain", std::move(steps)},
                      {"notes", std::move(notes)},
                      {"entrusted_elsewhere", std::move(elsewhere)},
                      {"consents", std::move(consents)},
                      {"transfers", std::move(transfers)},
                      {"handovers", std::move(handovers)},
                      {"conferences", std::move(conferences)}};
}

json::object report_json(const casework::PersonReport& r) {
  json::array cases, recipients, disclosures, accesses, retention;
  for (const auto& rc : r.cases) cases.push_back(case_report_json(rc));
  for (const auto& rec : r.recipients)
    recipients.push_back(json::object{{"case_id", rec.case_id},
                                      {"agency", agency(r, rec.agency_key)},
                                      {"kind", rec.kind},
                                      {"basis", rec.basis},
                                      {"categories", string_array(rec.categories.names())},
                                      {"from", text_or_null(rec.from)},
                                      {"until", text_or_null(rec.until)},
                                      {"state", rec.state}});
  for (const auto& d : r.disclosures)
    disclosures.push_back(json::object{{"agency", agency(r, d.agency_key)},
                                       {"reads", d.reads},
                                       {"last_at", timestamp(d.last_at_ms)}});
  for (const auto& a : r.accesses)
    accesses.push_back(json::object{{"log", a.read_log ? "read_log" : "audit_log"},
                                    {"seq", a.seq},
                                    {"item", a.item},
                                    {"at", timestamp(a.at_ms)},
                                    {"actor", a.actor},
                                    {"agency", text_or_null(a.agency)},
                                    {"action", a.action},
                                    {"object", a.object},
                                    {"legal_basis", a.legal_basis},
                                    {"path", text_or_null(a.path)}});
  for (const auto& rule : r.retention)
    retention.push_back(json::object{{"category", rule.category},
                                     {"label", rule.label},
                                     {"months", rule.months},
                                     {"basis", rule.basis}});
  return json::object{{"generated_at", timestamp(r.generated_at_ms)},
                      {"generated_by", r.generated_by},
                      {"controller", agency(r, r.controller)},
                      {"person", person_json(r)},
                      {"cases", std::move(cases)},
                      {"recipients", std::move(recipients)},
                      {"disclosures", std::move(disclosures)},
                      {"accesses", std::move(accesses)},
                      {"retention", std::move(retention)}};
}

Response person_report(WebContext& web, Request& r, const privacy::Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  casework::PersonReportService reports(web.db, web.clock);
  auto report = reports.report(me, *id);
  if (!report) return web.failure(r, report.error());
  Response res = json_response(200, report_json(*report));
  // Social data: never kept by shared caches or the browser.
  res.set_header("Cache-Control", "no-store");
  return res;
}

constexpr api::ApiRoute kRoutes[] = {
    {"GET", "/api/v1/persons/{id}/report", person_report,
     "Art. 15 DSGVO report: all data the caller's agency holds about the person, who read it "
     "and when, and to whom it went on which basis (the agency that recorded the person only; "
     "404 for everyone else, audited)",
     nullptr, 200, nullptr},
};

}  // namespace

api::ApiModule api::person_report_api() { return {kRoutes, "{}"}; }

}  // namespace lotse::web
