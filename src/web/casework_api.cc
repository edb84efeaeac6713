// The JSON API of joint case work (/api/v1/…), authenticated with a Bearer
// token. Handlers are thin: parse the body, call CaseworkService, render the
// result. Every rule about who may see or change what lives in the service
// and its policy gate; this file only decides how answers look.
//
// The routes are one table (kRoutes, see api_support.h) that both registers
// the handlers and produces the OpenAPI document (api.cc), so the document
// cannot drift from what is served.
#include <boost/json.hpp>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/casework/casework_service.h"
#include "lotse/common/clock.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/consent.h"
#include "lotse/domain/handover.h"
#include "lotse/web/problem.h"
#include "lotse/web/web_context.h"
#include "web/api_support.h"

namespace lotse::web {
namespace json = boost::json;
using casework::Reader;
using casework::ReadPath;
using domain::DataCategory;

namespace {

using namespace api;  // NOLINT: the shared API helpers

// ---- handlers ----------------------------------------------------------


Response create_person(WebContext& web, Request& r, const Reader& me) {
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewPerson p{.given_name = f.string("given_name"),
                        .family_name = f.string("family_name"),
                        .birth_date = f.string("birth_date"),
                        .street = f.opt_string("street").value_or(""),
                        .postcode = f.opt_string("postcode").value_or(""),
                        .city = f.opt_string("city").value_or(""),
                        .phone = f.opt_string("phone").value_or(""),
                        .email = f.opt_string("email").value_or(""),
                        .school = f.opt_string("school").value_or(""),
                        .school_qualification = f.opt_string("school_qualification").value_or(""),
                        .nationality = f.opt_string("nationality").value_or(""),
                        .residence_status = f.opt_string("residence_status").value_or("")};
  if (f.error()) return web.failure(r, *f.error());
  auto id = web.casework.create_person(me, p);
  if (!id) return web.failure(r, id.error());
  return created("/api/v1/persons/" + std::to_string(*id), json::object{{"id", *id}});
}

// Phase is checked here as well as in the service so that a wrong phase is
// answered the same way before any database work.
std::optional<std::int64_t> checked_phase(Fields& f, std::optional<std::int64_t> phase) {
  if (phase)
    if (auto ok = domain::validate_phase(*phase); !ok) f.take(ok.error());
  return phase;
}

Response create_case(WebContext& web, Request& r, const Reader& me) {
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewCase c{.person_id = f.integer("person_id"),
                      .phase = checked_phase(f, f.integer("phase")).value_or(0),
                      .needs = f.opt_strings("needs").value_or(std::vector<std::string>{}),
                      .goals = f.opt_string("goals").value_or("")};
  if (f.error()) return web.failure(r, *f.error());
  auto id = web.casework.open_case(me, c);
  if (!id) return web.failure(r, id.error());
  return created("/api/v1/cases/" + std::to_string(*id), json::object{{"id", *id}});
}

Response list_cases(WebContext& web, Request& r, const Reader& me) {
  auto limit = query_int(r, "limit", 50);
  if (!limit) return web.failure(r, limit.error());
  Result<std::vector<domain::CaseRecord>> cases = std::vector<domain::CaseRecord>{};
  if (auto q = r.query_param("q")) {
    cases = web.casework.search(me, *q, *limit);
  } else {
    auto offset = query_int(r, "offset", 0);
    if (!offset) return web.failure(r, offset.error());
    casework::ListFilter filter{.limit = *limit, .offset = *offset};
    if (auto s = r.query_param("status"); s && !s->empty()) {
      if (auto ok = domain::parse_status(*s); !ok) return web.failure(r, ok.error());
      filter.status = *s;
    }
    cases = web.casework.list_cases(me, filter);
  }
  if (!cases) return web.failure(r, cases.error());
  json::array items;
  for (const auto& c : *cases) items.push_back(case_json(c));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response get_case(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  auto c = web.casework.get_case(me, *id, ReadPath::kApi);
  if (!c) return web.failure(r, c.error());
  return json_response(200, case_json(*c));
}

Response update_case(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::CaseUpdate u{.phase = checked_phase(f, f.opt_int("phase")),
                         .status = f.opt_string("status"),
                         .destination = f.opt_string("destination"),
                         .goals = f.opt_string("goals"),
                         .needs = f.opt_strings("needs")};
  if (f.error()) return web.failure(r, *f.error());
  if (auto ok = web.casework.update_case(me, *id, u); !ok) return web.failure(r, ok.error());
  auto c = web.casework.get_case(me, *id, ReadPath::kApi);
  if (!c) return web.failure(r, c.error());
  return json_response(200, case_json(*c));
}

// A consent as the API shows it: the shared consent_json plus who gave it
// and the insight assessment (LEGAL.md § 2 "Age"). null where not recorded:
// no assessment (adults, under 15, consents recorded before it existed) or
// not the guardians' path.
json::object consent_with_assessment(const casework::ConsentView& v) {
  const auto& t = v.consent.terms;
  const bool guardian = t.given_by == domain::ConsentGiver::kGuardian;
  auto text = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
  json::object o = consent_json(v);
  o["guardian_name"] = guardian ? text(t.guardian_name) : json::value(nullptr);
  o["custody"] = guardian && t.custody ? json::value(domain::custody_name(*t.custody))
                                       : json::value(nullptr);
  o["second_guardian_name"] = guardian ? text(t.second_guardian_name) : json::value(nullptr);
  o["insight_confirmed"] = t.insight_confirmed ? json::value(*t.insight_confirmed)
                                               : json::value(nullptr);
  o["insight_reason"] = t.insight_confirmed ? text(t.insight_reason) : json::value(nullptr);
  return o;
}

Response record_consent(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  domain::ConsentDraft d;
  d.recipients = f.strings("recipients");
  const auto categories = f.strings("categories");
  d.purposes = f.strings("purposes");
  const auto from = f.opt_string("valid_from");
  const auto until = f.string("valid_until");
  const auto form = f.string("form");
  d.evidence_ref = f.string("evidence_ref");
  const auto given_by = f.string("given_by");
  d.guardian_name = f.opt_string("guardian_name").value_or("");
  const auto informed = f.opt_bool("informed");
  d.insight_confirmed = f.opt_bool("insight_confirmed");
  d.insight_reason = f.opt_string("insight_reason").value_or("");
  const auto custody = f.opt_string("custody");
  d.second_guardian_name = f.opt_string("second_guardian_name").value_or("");
  if (!f.error() && !informed) f.take(Error::invalid("informed", "Das Feld informed fehlt."));
  if (f.error()) return web.failure(r, *f.error());
  // Conversions in field order, so the first wrong field is the one named.
  auto cats = domain::parse_categories(categories, "categories");
  if (!cats) return web.failure(r, cats.error());
  d.categories = *cats;
  if (from) {
    auto date = Date::parse(*from, "valid_from");
    if (!date) return web.failure(r, date.error());
    d.valid_from = *date;
  } else {
    // "Today" where the consent is given: German civil date, not UTC's.
    d.valid_from = berlin_time(web.clock()).date;
  }
  auto date = Date::parse(until, "valid_until");
  if (!date) return web.failure(r, date.error());
  d.valid_until = *date;
  auto parsed_form = domain::parse_form(form);
  if (!parsed_form) return web.failure(r, Error::invalid("form", parsed_form.error().message));
  d.form = *parsed_form;
  auto giver = domain::parse_giver(given_by);
  if (!giver) return web.failure(r, Error::invalid("given_by", giver.error().message));
  d.given_by = *giver;
  d.informed_of_refusal_and_withdrawal = *informed;
  if (custody) {
    auto parsed = domain::parse_custody(*custody);
    if (!parsed) return web.failure(r, parsed.error());
    d.custody = *parsed;
  }

  auto consent_id = web.casework.record_consent(me, *id, d);
  if (!consent_id) return web.failure(r, consent_id.error());
  // A new consent supersedes the previous one for the same case; the version
  // it got is only known to the store. The answer is the consent as stored,
  // so a client sees which guardian details were kept.
  json::object body_out{{"id", *consent_id}, {"version", 1}};
  if (auto all = web.casework.consents(me, *id))
    for (const auto& v : *all)
      if (v.consent.id == *consent_id) body_out = consent_with_assessment(v);
  return created("/api/v1/consents/" + std::to_string(*consent_id), std::move(body_out));
}

Response list_consents(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  auto all = web.casework.consents(me, *id);
  if (!all) return web.failure(r, all.error());
  json::array items;
  for (const auto& v : *all) items.push_back(consent_with_assessment(v));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response withdraw_consent(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  if (auto ok = web.casework.withdraw_consent(me, *id); !ok) return web.failure(r, ok.error());
  return json_response(200, json::object{{"id", *id}, {"state", "withdrawn"}});
}

Response record_transfer(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewTransfer t{.to_agency = f.string("to_agency"),
                          .legal_basis = f.string("legal_basis"),
                          .reason = f.string("reason")};
  const auto categories = f.strings("categories");
  t.valid_until = f.string("valid_until");
  t.does_not_endanger_help = f.opt_bool("does_not_endanger_help").value_or(false);
  if (f.error()) return web.failure(r, *f.error());
  auto cats = domain::parse_categories(categories, "categories");
  if (!cats) return web.failure(r, cats.error());
  t.categories = *cats;
  auto transfer_id = web.casework.record_transfer(me, *id, t);
  if (!transfer_id) return web.failure(r, transfer_id.error());
  return created("/api/v1/cases/" + std::to_string(*id) + "/transfers/" +
                     std::to_string(*transfer_id),
                 json::object{{"id", *transfer_id}});
}

Response add_note(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewNote n{.body = f.string("body"),
                      .visibility = f.opt_string("visibility").value_or("own"),
                      .entrusted = f.opt_bool("entrusted"),
                      .entruster = f.opt_string("entruster").value_or("")};
  if (f.error()) return web.failure(r, *f.error());
  auto note_id = web.casework.add_note(me, *id, n);
  if (!note_id) return web.failure(r, note_id.error());
  return created("/api/v1/cases/" + std::to_string(*id) + "/notes/" + std::to_string(*note_id),
                 json::object{{"id", *note_id}});
}

Response list_notes(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  auto c = web.casework.get_case(me, *id, ReadPath::kApi);
  if (!c) return web.failure(r, c.error());
  json::object cut = case_json(*c);
  json::value* notes = cut.if_contains("notes");
  return json_response(200, json::object{{"items", notes ? *notes : json::array{}}});
}

Response add_support_step(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewSupportStep s{.measure = f.string("measure"),
                             .responsible_agency = f.string("responsible_agency"),
                             .provider = f.opt_string("provider").value_or(""),
                             .planned_start = f.opt_string("planned_start").value_or(""),
                             .planned_end = f.opt_string("planned_end").value_or(""),
                             .status = f.opt_string("status").value_or("planned"),
                             .offer_id = f.opt_string("offer_id").value_or("")};
  if (f.error()) return web.failure(r, *f.error());
  auto step_id = web.casework.add_support_step(me, *id, s);
  if (!step_id) return web.failure(r, step_id.error());
  return created(
      "/api/v1/cases/" + std::to_string(*id) + "/support-steps/" + std::to_string(*step_id),
      json::object{{"id", *step_id}});
}

Response create_handover(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewHandover h{.to_agency = f.string("to_agency"),
                          .reason = f.string("reason"),
                          .move_lead = f.opt_bool("move_lead").value_or(true),
                          .send_now = f.opt_bool("send").value_or(true)};
  if (f.error()) return web.failure(r, *f.error());
  auto view = web.casework.create_handover(me, *id, h);
  if (!view) return web.failure(r, view.error());
  return created("/api/v1/handovers/" + std::to_string(view->id), handover_json(*view));
}

template <domain::HandoverAction kAction>
Response act_on_handover(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  std::string reason, text;
  if constexpr (kAction == domain::HandoverAction::kDecline) {
    json::object body;
    if (auto bad = read_object(r, body)) return *bad;
    Fields f(body);
    reason = f.string("reason");
    text = f.opt_string("text").value_or("");
    if (f.error()) return web.failure(r, *f.error());
  }
  auto view = web.casework.act_on_handover(me, *id, kAction, reason, text);
  if (!view) return web.failure(r, view.error());
  return json_response(200, handover_json(*view));
}

Response list_handovers(WebContext& web, Request& r, const Reader& me) {
  const std::string box = r.query_param("box").value_or("");
  if (box != "in" && box != "out")
    return web.failure(r, Error::invalid("box", "Der Parameter box muss in oder out sein."));
  // Paged (a large agency has thousands); total, open and overdue count the
  // whole box.
  auto limit = query_int(r, "limit", 50);
  if (!limit) return web.failure(r, limit.error());
  auto offset = query_int(r, "offset", 0);
  if (!offset) return web.failure(r, offset.error());
  // Optionally only the open (sent, received) or the overdue entries;
  // `listed` counts what the filter selects, for paging.
  const std::string filter_name = r.query_param("filter").value_or("all");
  casework::BoxFilter filter;
  if (filter_name == "all") {
    filter = casework::BoxFilter::kAll;
  } else if (filter_name == "open") {
    filter = casework::BoxFilter::kOpen;
  } else if (filter_name == "overdue") {
    filter = casework::BoxFilter::kOverdue;
  } else {
    return web.failure(
        r, Error::invalid("filter", "Der Parameter filter muss all, open oder overdue sein."));
  }
  const bool in = box == "in";
  auto inbox = web.casework.inbox(me, {.limit = *limit,
                                       .incoming_offset = in ? *offset : 0,
                                       .outgoing_offset = in ? 0 : *offset,
                                       .incoming = in,
                                       .outgoing = !in,
                                       .incoming_filter = filter,
                                       .outgoing_filter = filter});
  if (!inbox) return web.failure(r, inbox.error());
  json::array items;
  for (const auto& h : in ? inbox->incoming : inbox->outgoing) items.push_back(handover_json(h));
  return json_response(
      200,
      json::object{{"items", std::move(items)},
                   {"total", in ? inbox->incoming_total : inbox->outgoing_total},
                   {"open", in ? inbox->incoming_open : inbox->outgoing_open},
                   {"overdue", in ? inbox->incoming_overdue : inbox->outgoing_overdue},
                   {"listed", in ? inbox->incoming_count(filter) : inbox->outgoing_count(filter)}});
}

Response access_log(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  auto log = web.casework.access_log(me, *id);
  if (!log) return web.failure(r, log.error());
  json::array items;
  for (const auto& e : *log)
    items.push_back(json::object{{"at", timestamp(e.at_ms)},
                                 {"actor", e.actor},
                                 {"agency", e.agency},
                                 {"action", e.action},
                                 {"legal_basis", e.legal_basis},
                                 {"path", e.path}});
  return json_response(200, json::object{{"items", std::move(items)}});
}

// ---- the route table --------------------------------------------------

using domain::HandoverAction;
constexpr api::ApiRoute kRoutes[] = {
    {"POST", "/api/v1/persons", create_person, "Record a young person", "NewPerson", 201, nullptr},
    {"POST", "/api/v1/cases", create_case, "Open a case", "NewCase", 201, nullptr},
    {"GET", "/api/v1/cases", list_cases, "List cases (status, limit, offset) or search them (q)",
     nullptr, 200, "status,limit,offset,q"},
    {"GET", "/api/v1/cases/{id}", get_case, "The case as far as the caller may see it", nullptr,
     200, nullptr},
    {"PATCH", "/api/v1/cases/{id}", update_case, "Change phase, status, destination, goals, needs",
     "CaseUpdate", 200, nullptr},
    {"GET", "/api/v1/cases/{id}/consents", list_consents,
     "Consents of a case, newest version first (items: see schema Consent)", nullptr, 200, nullptr},
    {"POST", "/api/v1/cases/{id}/consents", record_consent,
     "Record a consent; answers the stored consent (schema Consent). At 15-17 on valid_from the "
     "insight assessment is mandatory",
     "NewConsent", 201, nullptr},
    {"POST", "/api/v1/consents/{id}/withdraw", withdraw_consent,
     "Withdraw a consent with effect for the future", nullptr, 200, nullptr},
    {"POST", "/api/v1/cases/{id}/transfers", record_transfer, "Record a transfer on a legal basis",
     "NewTransfer", 201, nullptr},
    {"GET", "/api/v1/cases/{id}/notes", list_notes, "Notes the caller may see", nullptr, 200,
     nullptr},
    {"POST", "/api/v1/cases/{id}/notes", add_note, "Add a note", "NewNote", 201, nullptr},
    {"POST", "/api/v1/cases/{id}/support-steps", add_support_step,
     "Add a step to the support chain", "NewSupportStep", 201, nullptr},
    {"POST", "/api/v1/cases/{id}/handovers", create_handover, "Hand the case over", "NewHandover",
     201, nullptr},
    {"POST", "/api/v1/handovers/{id}/send", act_on_handover<HandoverAction::kSend>,
     "Send a draft handover", nullptr, 200, nullptr},
    {"POST", "/api/v1/handovers/{id}/receive", act_on_handover<HandoverAction::kReceive>,
     "Confirm receipt", nullptr, 200, nullptr},
    {"POST", "/api/v1/handovers/{id}/accept", act_on_handover<HandoverAction::kAccept>,
     "Accept a handover", nullptr, 200, nullptr},
    {"POST", "/api/v1/handovers/{id}/decline", act_on_handover<HandoverAction::kDecline>,
     "Decline a handover with a reason", "Decline", 200, nullptr},
    {"POST", "/api/v1/handovers/{id}/complete", act_on_handover<HandoverAction::kComplete>,
     "Complete an accepted handover", nullptr, 200, nullptr},
    {"POST", "/api/v1/handovers/{id}/withdraw", act_on_handover<HandoverAction::kWithdraw>,
     "Withdraw a handover", nullptr, 200, nullptr},
    {"GET", "/api/v1/handovers", list_handovers,
     "Incoming (box=in) or outgoing (box=out), newest first, paged (limit 1..500, default 50); "
     "filter=open or overdue lists only those entries (default all; overdue ones longest "
     "overdue first); total, open and overdue count the whole box, listed what the filter "
     "selects",
     nullptr, 200, "box,limit,offset,filter"},
    {"GET", "/api/v1/cases/{id}/access-log", access_log, "Who read or changed the case", nullptr,
     200, nullptr},
};

// The request schemas of these routes (components/schemas).
constexpr const char* kSchemas = R"json({
  "NewPerson": {"type": "object", "required": ["given_name", "family_name", "birth_date"], "properties": {"given_name": {"type": "string"}, "family_name": {"type": "string"}, "birth_date": {"$ref": "#/components/schemas/Date"}, "street": {"type": "string"}, "postcode": {"type": "string"}, "city": {"type": "string"}, "phone": {"type": "string"}, "email": {"type": "string"}, "school": {"type": "string"}, "school_qualification": {"type": "string"}, "nationality": {"type": "string"}, "residence_status": {"type": "string"}}},
  "NewCase": {"type": "object", "required": ["person_id", "phase"], "properties": {"person_id": {"type": "integer"}, "phase": {"type": "integer", "minimum": 1, "maximum": 5}, "needs": {"type": "array", "items": {"type": "string"}}, "goals": {"type": "string"}}},
  "CaseUpdate": {"type": "object", "properties": {"phase": {"type": "integer", "minimum": 1, "maximum": 5}, "status": {"type": "string", "enum": ["open", "paused", "closed"]}, "destination": {"type": "string"}, "goals": {"type": "string"}, "needs": {"type": "array", "items": {"type": "string"}}}},
  "NewConsent": {"type": "object", "required": ["recipients", "categories", "purposes", "valid_until", "form", "evidence_ref", "given_by", "informed"], "properties": {"recipients": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/AgencyKey"}}, "categories": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Category"}}, "purposes": {"type": "array", "minItems": 1, "items": {"type": "string"}}, "valid_from": {"$ref": "#/components/schemas/Date", "description": "default: today"}, "valid_until": {"$ref": "#/components/schemas/Date"}, "form": {"type": "string", "enum": ["written", "electronic"]}, "evidence_ref": {"type": "string"}, "given_by": {"type": "string", "enum": ["young_person", "guardian"], "description": "Age on valid_from: under 15 guardian; 15-17 young_person if insight_confirmed is true, guardian if it is false; 18 and older young_person only"}, "guardian_name": {"type": "string", "description": "required when given_by is guardian"}, "custody": {"type": "string", "enum": ["sole", "joint"], "description": "required when given_by is guardian: sole or joint custody (Personensorge)"}, "second_guardian_name": {"type": "string", "description": "required with joint custody: both parents declare (§ 36 SGB I)"}, "insight_confirmed": {"type": ["boolean", "null"], "description": "Insight assessment (Einsichtsfähigkeit) by the case worker: the young person understood purpose, recipients, data categories, voluntariness and withdrawal. Mandatory when the person is 15-17 on valid_from; false: they cannot consent themself (given_by guardian). Refused naming insight_confirmed when missing"}, "insight_reason": {"type": "string", "minLength": 10, "maxLength": 500, "description": "required with insight_confirmed: how insight was checked in the conversation (characters, not bytes)"}, "informed": {"type": "boolean", "const": true}}},
  "Consent": {"type": "object", "description": "A consent version as GET /api/v1/cases/{id}/consents lists it and POST answers it", "properties": {"id": {"type": "integer"}, "version": {"type": "integer"}, "state": {"type": "string", "enum": ["active", "not_yet_valid", "expired", "withdrawn", "superseded"]}, "recipients": {"type": "array", "items": {"$ref": "#/components/schemas/AgencyKey"}}, "categories": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}}, "purposes": {"type": "array", "items": {"type": "string"}}, "valid_from": {"$ref": "#/components/schemas/Date"}, "valid_until": {"$ref": "#/components/schemas/Date"}, "form": {"type": "string", "enum": ["written", "electronic"]}, "given_by": {"type": "string", "enum": ["young_person", "guardian"]}, "guardian_name": {"type": ["string", "null"]}, "custody": {"type": ["string", "null"], "enum": ["sole", "joint", null]}, "second_guardian_name": {"type": ["string", "null"]}, "insight_confirmed": {"type": ["boolean", "null"], "description": "null: no insight assessment recorded (not required outside 15-17, or recorded before it existed)"}, "insight_reason": {"type": ["string", "null"]}, "recorded_at": {"type": "string", "format": "date-time"}, "withdrawn_at": {"type": ["string", "null"], "format": "date-time"}}},
  "NewTransfer": {"type": "object", "required": ["to_agency", "legal_basis", "reason", "categories", "valid_until"], "properties": {"to_agency": {"$ref": "#/components/schemas/AgencyKey"}, "legal_basis": {"type": "string", "enum": ["§ 69 SGB X", "§ 50 SGB II", "§ 31a SGB III"]}, "reason": {"type": "string"}, "categories": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Category"}}, "valid_until": {"$ref": "#/components/schemas/Date"}, "does_not_endanger_help": {"type": "boolean"}}},
  "NewNote": {"type": "object", "required": ["body"], "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 20000}, "visibility": {"type": "string", "enum": ["own", "partners"]}, "entrusted": {"type": "boolean"}, "entruster": {"type": "string", "enum": ["young_person", "parent", "foster_parent", "other"]}}},
  "NewSupportStep": {"type": "object", "required": ["measure", "responsible_agency"], "properties": {"measure": {"type": "string"}, "responsible_agency": {"$ref": "#/components/schemas/AgencyKey"}, "provider": {"type": "string"}, "planned_start": {"$ref": "#/components/schemas/Date"}, "planned_end": {"$ref": "#/components/schemas/Date"}, "status": {"type": "string", "enum": ["planned", "running", "done", "cancelled"]}, "offer_id": {"type": "string", "description": "A catalogue offer (HSDS service id) of the case's alliance"}}},
  "NewHandover": {"type": "object", "required": ["to_agency", "reason"], "properties": {"to_agency": {"$ref": "#/components/schemas/AgencyKey"}, "reason": {"type": "string"}, "move_lead": {"type": "boolean", "default": true}, "send": {"type": "boolean", "default": true}}},
  "Decline": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "enum": ["no_capacity", "not_eligible", "declined_by_young_person", "not_reachable", "other"]}, "text": {"type": "string"}}}
})json";

}  // namespace

api::ApiModule api::casework_api() { return {kRoutes, kSchemas}; }

}  // namespace lotse::web
