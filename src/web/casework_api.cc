// The JSON API of joint case work (/api/v1/…), authenticated with a Bearer
// token. Handlers are thin: parse the body, call CaseworkService, render the
// result. Every rule about who may see or change what lives in the service
// and its policy gate; this file only decides how answers look.
//
// The routes are one table (kRoutes) that both registers the handlers and
// produces the OpenAPI document, so the document cannot drift from what is
// served.
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

namespace lotse::web {
namespace json = boost::json;
using casework::Reader;
using casework::ReadPath;
using domain::DataCategory;

namespace {

// ---- request parsing ---------------------------------------------------

// The JSON object of a request body, or the problem answering a body that is
// not one (415 without the JSON media type, 400 otherwise; both name "body").
std::optional<Response> read_object(const Request& r, json::object& out) {
  const std::string ct = r.header("Content-Type").value_or("");
  if (ct.rfind("application/json", 0) != 0)
    return problem(415, "Unsupported Media Type", "Der Body muss application/json sein.",
                   r.request_id, "body");
  json::error_code ec;
  json::value v = json::parse(r.body, ec);  // rejects invalid UTF-8 as well
  if (ec)
    return problem(400, "Bad Request", "Der Body ist kein gültiges JSON (UTF-8).", r.request_id,
                   "body");
  if (!v.is_object())
    return problem(400, "Bad Request", "Der Body muss ein JSON-Objekt sein.", r.request_id, "body");
  out = std::move(v.get_object());
  return std::nullopt;
}

// Typed access to the members of a body. Keeps the first error (naming its
// field) so that a handler reads all fields and checks once; a missing or
// null member of an optional field is simply absent.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}

  std::optional<std::string> opt_string(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (!v->is_string()) return fail(name, "muss ein String sein");
    return std::string(v->get_string());
  }
  std::string string(std::string_view name) {
    auto s = opt_string(name);
    if (!s && !err_ && !member(name)) fail(name, "fehlt");
    return s.value_or("");
  }
  std::optional<std::int64_t> opt_int(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    return fail(name, "muss eine ganze Zahl sein");
  }
  std::int64_t integer(std::string_view name) {
    auto i = opt_int(name);
    if (!i && !err_ && !member(name)) fail(name, "fehlt");
    return i.value_or(0);
  }
  std::optional<bool> opt_bool(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (!v->is_bool()) return fail(name, "muss true oder false sein");
    return v->get_bool();
  }
  std::optional<std::vector<std::string>> opt_strings(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (!v->is_array()) return fail(name, "muss eine Liste von Strings sein");
    std::vector<std::string> out;
    for (const auto& e : v->get_array()) {
      if (!e.is_string()) return fail(name, "muss eine Liste von Strings sein");
      out.emplace_back(e.get_string());
    }
    return out;
  }
  std::vector<std::string> strings(std::string_view name) {
    auto s = opt_strings(name);
    if (!s && !err_ && !member(name)) fail(name, "fehlt");
    return s.value_or(std::vector<std::string>{});
  }
  // Records an error found while converting a value (dates, categories).
  void take(const Error& e) {
    if (!err_) err_ = e;
  }
  const std::optional<Error>& error() const { return err_; }

 private:
  const json::value* member(std::string_view name) const {
    const json::value* v = o_.if_contains(name);
    return v && !v->is_null() ? v : nullptr;
  }
  std::nullopt_t fail(std::string_view name, std::string_view what) {
    if (!err_) err_ = Error::invalid(std::string(name), "Das Feld " + std::string(name) + " " +
                                                            std::string(what) + ".");
    return std::nullopt;
  }
  const json::object& o_;
  std::optional<Error> err_;
};

// Path ids: anything but a positive decimal integer is a resource that does
// not exist.
std::optional<std::int64_t> path_id(const Request& r, const std::string& name = "id") {
  auto it = r.path_params.find(name);
  if (it == r.path_params.end()) return std::nullopt;
  const std::string& s = it->second;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

Result<int> query_int(const Request& r, const std::string& name, int fallback) {
  auto q = r.query_param(name);
  if (!q || q->empty()) return fallback;
  int v = 0;
  auto [end, ec] = std::from_chars(q->data(), q->data() + q->size(), v);
  if (ec != std::errc() || end != q->data() + q->size())
    return Error::invalid(name, "Der Parameter " + name + " muss eine ganze Zahl sein.");
  return v;
}

// ---- rendering ---------------------------------------------------------

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::value timestamp(std::int64_t ms) {
  if (ms == 0) return nullptr;
  return json::value(format_utc(ms));
}

// The case as the caller may see it. Sections of categories the policy gate
// did not grant are left out entirely, not sent empty: an empty string would
// still tell the reader that the section exists.
json::object case_json(const domain::CaseRecord& c) {
  const auto& v = c.visible;
  json::object o{{"id", c.id},
                 {"owner_agency", c.owner_agency},
                 {"lead_agency", c.lead_agency},
                 {"visible_categories", string_array(v.names())}};
  if (v.has(DataCategory::kMasterData)) {
    const auto& p = c.person;
    o["person"] = json::object{{"id", p.id},
                               {"given_name", p.given_name},
                               {"family_name", p.family_name},
                               {"birth_date", p.birth_date},
                               {"street", p.street},
                               {"postcode", p.postcode},
                               {"city", p.city},
                               {"phone", p.phone},
                               {"email", p.email},
                               {"nationality", p.nationality},
                               {"residence_status", p.residence_status}};
  }
  if (v.has(DataCategory::kSchoolData)) {
    o["school"] = c.person.school;
    o["school_qualification"] = c.person.school_qualification;
  }
  if (v.has(DataCategory::kNeedsGoals)) {
    o["phase"] = c.phase;
    o["status"] = c.status;
    if (!c.destination.empty()) o["destination"] = c.destination;
    o["goals"] = c.goals;
    o["needs"] = string_array(c.needs);
    o["opened_at"] = timestamp(c.opened_at_ms);
    o["closed_at"] = timestamp(c.closed_at_ms);
  }
  if (v.has(DataCategory::kSupportChain)) {
    json::array steps;
    for (const auto& s : c.support_chain)
      steps.push_back(json::object{{"id", s.id},
                                   {"position", s.position},
                                   {"measure", s.measure},
                                   {"responsible_agency", s.responsible_agency},
                                   {"provider", s.provider},
                                   {"planned_start", s.planned_start},
                                   {"planned_end", s.planned_end},
                                   {"actual_start", s.actual_start},
                                   {"actual_end", s.actual_end},
                                   {"status", s.status}});
    o["support_chain"] = std::move(steps);
  }
  if (v.has(DataCategory::kNotes) || v.has(DataCategory::kEntrusted)) {
    json::array notes;
    for (const auto& n : c.notes)
      notes.push_back(json::object{{"id", n.id},
                                   {"agency", n.agency_key},
                                   {"author", n.author},
                                   {"body", n.body},
                                   {"visibility", n.visibility},
                                   {"entrusted", n.entrusted},
                                   {"entruster", n.entruster},
                                   {"created_at", timestamp(n.created_at_ms)}});
    o["notes"] = std::move(notes);
  }
  return o;
}

json::object consent_json(const casework::ConsentView& v) {
  const auto& c = v.consent;
  json::array categories = string_array(c.terms.categories.names());
  return json::object{
      {"id", c.id},
      {"version", c.version},
      {"state", v.state},
      {"recipients", string_array(c.terms.recipients)},
      {"categories", std::move(categories)},
      {"purposes", string_array(c.terms.purposes)},
      {"valid_from", c.terms.valid_from.str()},
      {"valid_until", c.terms.valid_until.str()},
      {"form", std::string(domain::form_name(c.terms.form))},
      {"given_by", std::string(domain::giver_name(c.terms.given_by))},
      {"recorded_at", timestamp(c.recorded_at_ms)},
      {"withdrawn_at", c.withdrawn_at_ms ? timestamp(*c.withdrawn_at_ms) : json::value(nullptr)}};
}

json::object handover_json(const casework::HandoverView& h) {
  json::object o{{"id", h.id},
                 {"case_id", h.case_id},
                 {"from_agency", h.from_agency},
                 {"from_agency_name", h.from_agency_name},
                 {"to_agency", h.to_agency},
                 {"to_agency_name", h.to_agency_name},
                 {"reason", h.reason},
                 {"state", h.state},
                 {"move_lead", h.move_lead},
                 {"created_at", timestamp(h.created_at_ms)},
                 {"sent_at", timestamp(h.sent_at_ms)},
                 {"due_on", h.due_on.empty() ? json::value(nullptr) : json::value(h.due_on)},
                 {"overdue", h.overdue},
                 {"suspended", h.suspended}};
  if (!h.decline_reason.empty()) {
    o["decline_reason"] = h.decline_reason;
    o["decline_text"] = h.decline_text;
  }
  // Only present when the gate let the viewer see master data.
  if (!h.person_name.empty()) o["person_name"] = h.person_name;
  return o;
}

Response json_response(int status, const json::value& v) {
  return Response::json(status, json::serialize(v));
}

Response created(const std::string& location, const json::value& v) {
  Response res = json_response(201, v);
  res.set_header("Location", location);
  return res;
}

Response not_found(WebContext& web, const Request& r) { return web.error_page(r, 404); }

// ---- handlers ----------------------------------------------------------

using ApiHandler = Response (*)(WebContext&, Request&, const Reader&);

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
    d.valid_from = Date::from_unix_ms(web.clock());
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

  auto consent_id = web.casework.record_consent(me, *id, d);
  if (!consent_id) return web.failure(r, consent_id.error());
  // A new consent supersedes the previous one for the same case; the version
  // it got is only known to the store.
  int version = 1;
  if (auto all = web.casework.consents(me, *id))
    for (const auto& v : *all)
      if (v.consent.id == *consent_id) version = v.consent.version;
  return created("/api/v1/consents/" + std::to_string(*consent_id),
                 json::object{{"id", *consent_id}, {"version", version}});
}

Response list_consents(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  auto all = web.casework.consents(me, *id);
  if (!all) return web.failure(r, all.error());
  json::array items;
  for (const auto& v : *all) items.push_back(consent_json(v));
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
                             .status = f.opt_string("status").value_or("planned")};
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
  auto inbox = web.casework.inbox(me);
  if (!inbox) return web.failure(r, inbox.error());
  const bool in = box == "in";
  json::array items;
  for (const auto& h : in ? inbox->incoming : inbox->outgoing) items.push_back(handover_json(h));
  return json_response(200,
                       json::object{{"items", std::move(items)},
                                    {"open", in ? inbox->incoming_open : inbox->outgoing_open},
                                    {"overdue", in ? inbox->incoming_overdue : inbox->outgoing_overdue}});
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

// ---- the route table and its OpenAPI description ---------------------

struct Route {
  const char* method;
  const char* pattern;
  ApiHandler handler;
  const char* summary;
  const char* request_schema;  // components/schemas name, or nullptr without a body
  int success;                 // 200 or 201
  const char* query;           // comma-separated query parameters, or nullptr
};

using domain::HandoverAction;
constexpr Route kRoutes[] = {
    {"POST", "/api/v1/persons", create_person, "Record a young person", "NewPerson", 201, nullptr},
    {"POST", "/api/v1/cases", create_case, "Open a case", "NewCase", 201, nullptr},
    {"GET", "/api/v1/cases", list_cases, "List cases (status, limit, offset) or search them (q)",
     nullptr, 200, "status,limit,offset,q"},
    {"GET", "/api/v1/cases/{id}", get_case, "The case as far as the caller may see it", nullptr,
     200, nullptr},
    {"PATCH", "/api/v1/cases/{id}", update_case, "Change phase, status, destination, goals, needs",
     "CaseUpdate", 200, nullptr},
    {"GET", "/api/v1/cases/{id}/consents", list_consents, "Consents of a case", nullptr, 200,
     nullptr},
    {"POST", "/api/v1/cases/{id}/consents", record_consent, "Record a consent", "NewConsent", 201,
     nullptr},
    {"POST", "/api/v1/consents/{id}/withdraw", withdraw_consent,
     "Withdraw a consent with effect for the future", nullptr, 200, nullptr},
    {"POST", "/api/v1/cases/{id}/transfers", record_transfer,
     "Record a transfer on a legal basis", "NewTransfer", 201, nullptr},
    {"GET", "/api/v1/cases/{id}/notes", list_notes, "Notes the caller may see", nullptr, 200,
     nullptr},
    {"POST", "/api/v1/cases/{id}/notes", add_note, "Add a note", "NewNote", 201, nullptr},
    {"POST", "/api/v1/cases/{id}/support-steps", add_support_step,
     "Add a step to the support chain", "NewSupportStep", 201, nullptr},
    {"POST", "/api/v1/cases/{id}/handovers", create_handover, "Hand the case over",
     "NewHandover", 201, nullptr},
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
    {"GET", "/api/v1/handovers", list_handovers, "Incoming (box=in) or outgoing (box=out)",
     nullptr, 200, "box"},
    {"GET", "/api/v1/cases/{id}/access-log", access_log, "Who read or changed the case", nullptr,
     200, nullptr},
};

// Request schemas, components and the routes the App itself serves; the
// paths of kRoutes are added from the table.
constexpr const char* kOpenApiBase = R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "Lotse API",
    "version": "1",
    "description": "Joint case work of a Jugendberufsagentur. Case data is cut down to what consents and recorded legal bases allow; a case the caller may not see answers 404."
  },
  "servers": [{"url": "/"}],
  "security": [{"bearer": []}],
  "paths": {
    "/api/v1/tokens": {
      "post": {
        "summary": "Issue a bearer token",
        "security": [],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Credentials"}}}},
        "responses": {
          "201": {"description": "Token", "content": {"application/json": {"schema": {"type": "object", "properties": {"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}}}}},
          "400": {"$ref": "#/components/responses/Problem"},
          "401": {"$ref": "#/components/responses/Problem"},
          "415": {"$ref": "#/components/responses/Problem"},
          "429": {"$ref": "#/components/responses/Problem"}
        }
      }
    },
    "/api/v1/me": {
      "get": {
        "summary": "The caller",
        "responses": {
          "200": {"description": "User", "content": {"application/json": {"schema": {"type": "object"}}}},
          "401": {"$ref": "#/components/responses/Problem"}
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "summary": "This document",
        "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "responses": {
      "Problem": {"description": "RFC 9457 problem details; field names the offending input", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    },
    "schemas": {
      "Problem": {"type": "object", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}, "request_id": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "detail": {"type": "string"}}}}}},
      "Credentials": {"type": "object", "required": ["username", "password"], "properties": {
        "username": {"type": "string"}, "password": {"type": "string"}}},
      "Date": {"type": "string", "format": "date"},
      "AgencyKey": {"type": "string", "pattern": "^[0-9]+-(jc|aa|ja|schule)$"},
      "Category": {"type": "string", "enum": ["master_data", "school_data", "needs_goals", "support_chain", "conference_results", "notes", "entrusted"]},
      "NewPerson": {"type": "object", "required": ["given_name", "family_name", "birth_date"], "properties": {
        "given_name": {"type": "string"}, "family_name": {"type": "string"}, "birth_date": {"$ref": "#/components/schemas/Date"},
        "street": {"type": "string"}, "postcode": {"type": "string"}, "city": {"type": "string"},
        "phone": {"type": "string"}, "email": {"type": "string"}, "school": {"type": "string"},
        "school_qualification": {"type": "string"}, "nationality": {"type": "string"}, "residence_status": {"type": "string"}}},
      "NewCase": {"type": "object", "required": ["person_id", "phase"], "properties": {
        "person_id": {"type": "integer"}, "phase": {"type": "integer", "minimum": 1, "maximum": 5},
        "needs": {"type": "array", "items": {"type": "string"}}, "goals": {"type": "string"}}},
      "CaseUpdate": {"type": "object", "properties": {
        "phase": {"type": "integer", "minimum": 1, "maximum": 5},
        "status": {"type": "string", "enum": ["open", "paused", "closed"]},
        "destination": {"type": "string"}, "goals": {"type": "string"},
        "needs": {"type": "array", "items": {"type": "string"}}}},
      "NewConsent": {"type": "object", "required": ["recipients", "categories", "purposes", "valid_until", "form", "evidence_ref", "given_by", "informed"], "properties": {
        "recipients": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/AgencyKey"}},
        "categories": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Category"}},
        "purposes": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "valid_from": {"$ref": "#/components/schemas/Date", "description": "default: today"},
        "valid_until": {"$ref": "#/components/schemas/Date"},
        "form": {"type": "string", "enum": ["written", "electronic"]},
        "evidence_ref": {"type": "string"},
        "given_by": {"type": "string", "enum": ["young_person", "guardian"]},
        "guardian_name": {"type": "string"},
        "informed": {"type": "boolean", "const": true}}},
      "NewTransfer": {"type": "object", "required": ["to_agency", "legal_basis", "reason", "categories", "valid_until"], "properties": {
        "to_agency": {"$ref": "#/components/schemas/AgencyKey"},
        "legal_basis": {"type": "string", "enum": ["§ 69 SGB X", "§ 50 SGB II", "§ 31a SGB III"]},
        "reason": {"type": "string"},
        "categories": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Category"}},
        "valid_until": {"$ref": "#/components/schemas/Date"},
        "does_not_endanger_help": {"type": "boolean"}}},
      "NewNote": {"type": "object", "required": ["body"], "properties": {
        "body": {"type": "string", "minLength": 1, "maxLength": 20000},
        "visibility": {"type": "string", "enum": ["own", "partners"]},
        "entrusted": {"type": "boolean"},
        "entruster": {"type": "string", "enum": ["young_person", "parent", "foster_parent", "other"]}}},
      "NewSupportStep": {"type": "object", "required": ["measure", "responsible_agency"], "properties": {
        "measure": {"type": "string"}, "responsible_agency": {"$ref": "#/components/schemas/AgencyKey"},
        "provider": {"type": "string"},
        "planned_start": {"$ref": "#/components/schemas/Date"}, "planned_end": {"$ref": "#/components/schemas/Date"},
        "status": {"type": "string", "enum": ["planned", "running", "done", "cancelled"]}}},
      "NewHandover": {"type": "object", "required": ["to_agency", "reason"], "properties": {
        "to_agency": {"$ref": "#/components/schemas/AgencyKey"}, "reason": {"type": "string"},
        "move_lead": {"type": "boolean", "default": true}, "send": {"type": "boolean", "default": true}}},
      "Decline": {"type": "object", "required": ["reason"], "properties": {
        "reason": {"type": "string", "enum": ["no_capacity", "not_eligible", "declined_by_young_person", "not_reachable", "other"]},
        "text": {"type": "string"}}}
    }
  }
})json";

json::object operation(const Route& route) {
  json::object op{{"summary", route.summary}};
  json::array params;
  const std::string_view pattern = route.pattern;
  if (pattern.find("{id}") != std::string_view::npos)
    params.push_back(json::object{{"name", "id"},
                                  {"in", "path"},
                                  {"required", true},
                                  {"schema", json::object{{"type", "integer"}, {"minimum", 1}}}});
  if (route.query) {
    std::string_view q = route.query;
    while (!q.empty()) {
      const auto comma = q.find(',');
      const std::string name(q.substr(0, comma));
      json::object schema{{"type", name == "limit" || name == "offset" ? "integer" : "string"}};
      if (name == "box") schema["enum"] = json::array{"in", "out"};
      params.push_back(json::object{{"name", name},
                                    {"in", "query"},
                                    {"required", name == "box"},
                                    {"schema", std::move(schema)}});
      q = comma == std::string_view::npos ? std::string_view() : q.substr(comma + 1);
    }
  }
  if (!params.empty()) op["parameters"] = std::move(params);
  if (route.request_schema)
    op["requestBody"] = json::object{
        {"required", true},
        {"content",
         json::object{{"application/json",
                       json::object{{"schema", json::object{{"$ref", std::string("#/components/schemas/") +
                                                                         route.request_schema}}}}}}}};
  const json::object problem_ref{{"$ref", "#/components/responses/Problem"}};
  json::object responses{
      {std::to_string(route.success),
       json::object{{"description", route.success == 201 ? "Created" : "OK"},
                    {"content", json::object{{"application/json",
                                              json::object{{"schema", json::object{{"type", "object"}}}}}}}}},
      {"400", problem_ref},
      {"401", problem_ref},
      {"403", problem_ref},
      {"404", problem_ref}};
  if (route.success == 201) responses[std::to_string(201)].as_object()["headers"] =
      json::object{{"Location", json::object{{"schema", json::object{{"type", "string"}}}}}};
  if (route.request_schema) responses["415"] = problem_ref;
  if (std::string_view(route.method) != "GET") responses["409"] = problem_ref;
  op["responses"] = std::move(responses);
  return op;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return s;
}

std::string openapi_document() {
  json::value doc = json::parse(kOpenApiBase);
  json::object& paths = doc.as_object()["paths"].as_object();
  for (const auto& route : kRoutes) {
    json::value& item = paths[route.pattern];
    if (!item.is_object()) item.emplace_object();
    item.as_object()[lower(route.method)] = operation(route);
  }
  return json::serialize(doc);
}

}  // namespace

// The (method, pattern) pairs this module serves, for the test that checks
// them against the OpenAPI document.
std::vector<std::pair<std::string, std::string>> casework_api_routes() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : kRoutes) out.emplace_back(route.method, route.pattern);
  out.emplace_back("GET", "/api/v1/openapi.json");
  return out;
}

void register_casework_api(Router& router, WebContext& web) {
  for (const auto& route : kRoutes) {
    router.add(route.method, route.pattern, [&web, h = route.handler](Request& r) {
      auto user = web.api_user(r);
      if (!user) return web.failure(r, user.error());
      if (!*user) return web.unauthorized(r);
      const Reader me = reader_for(**user, r);
      // Coordinators, the state office and administrators never touch case
      // data: answer 403 before the service, for reads and writes alike.
      if (!privacy::PolicyGate::may_work_on_cases(me))
        return problem(403, "Forbidden", "Fallarbeit ist Fachkräften vorbehalten.", r.request_id);
      return h(web, r, me);
    });
  }
  // Built once: the document only depends on the table above.
  auto doc = std::make_shared<const std::string>(openapi_document());
  router.add("GET", "/api/v1/openapi.json", [doc](Request&) {
    Response res = Response::json(200, *doc);
    res.set_header("Cache-Control", "public, max-age=300");
    return res;
  });
}

}  // namespace lotse::web
