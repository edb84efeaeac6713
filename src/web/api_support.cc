// Shared parsing and rendering of the JSON API modules (see api_support.h).
#include "web/api_support.h"

#include <charconv>

#include "lotse/common/clock.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/consent.h"
#include "lotse/web/problem.h"

namespace lotse::web::api {
using domain::DataCategory;

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

// Path ids: anything but a positive decimal integer is a resource that does
// not exist.
std::optional<std::int64_t> path_id(const Request& r, const std::string& name) {
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

}  // namespace lotse::web::api
