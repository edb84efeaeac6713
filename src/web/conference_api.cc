// The JSON API of case conferences (Fallberatung): plan, list, read,
// minutes, decisions and tasks, task done. Thin handlers over
// ConferenceService; who may see what is decided there and in the policy
// gate. Sections the caller may not see are left out of the answers, not
// sent empty. One route table registers the handlers and documents them in
// the OpenAPI document (api.cc).
#include <boost/json.hpp>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "lotse/casework/conference_service.h"
#include "lotse/web/web_context.h"
#include "web/api_support.h"

namespace lotse::web {
namespace json = boost::json;
using casework::Reader;

namespace {

using namespace api;  // NOLINT: the shared API helpers

json::array participants_json(const std::vector<casework::ConferenceParticipantView>& parts) {
  json::array out;
  for (const auto& p : parts)
    out.push_back(json::object{
        {"agency", p.agency}, {"agency_name", p.agency_name}, {"staff_name", p.staff_name}});
  return out;
}

json::object item_json(const casework::ConferenceItemView& i) {
  json::object o{{"id", i.id},
                 {"conference_id", i.conference_id},
                 {"kind", i.kind},
                 {"text", i.text},
                 {"created_at", timestamp(i.created_at_ms)}};
  if (i.kind == "task") {
    o["owner_agency"] = i.owner_agency;
    o["owner_agency_name"] = i.owner_agency_name;
    o["due_on"] = i.due_on;
    o["done"] = i.done;
    o["done_at"] = timestamp(i.done_at_ms);
    o["overdue"] = i.overdue;
  }
  return o;
}

json::object conference_json(const casework::ConferenceView& v) {
  json::object o{{"id", v.id},
                 {"anonymous", v.anonymous},
                 {"scheduled_at", v.scheduled_at},
                 {"host_agency", v.host_agency},
                 {"host_agency_name", v.host_agency_name},
                 {"host", v.host},
                 {"participants", participants_json(v.participants)},
                 {"results_visible", v.results_visible},
                 {"may_record", v.may_record}};
  if (v.anonymous) {
    o["case_summary"] = v.case_summary;
    o["agenda"] = v.agenda;
  } else {
    o["case_access"] = v.case_access;
    if (v.case_access) o["agenda"] = v.agenda;
    if (v.case_record) o["case"] = case_json(*v.case_record);
  }
  if (v.results_visible) {
    o["minutes"] = v.minutes;
    o["minutes_at"] = timestamp(v.minutes_at_ms);
    json::array decisions;
    for (const auto& d : v.decisions) decisions.push_back(item_json(d));
    o["decisions"] = std::move(decisions);
  }
  json::array tasks;
  for (const auto& t : v.tasks) tasks.push_back(item_json(t));
  o["tasks"] = std::move(tasks);
  return o;
}

json::object summary_json(const casework::ConferenceSummary& s) {
  json::object o{{"id", s.id},
                 {"anonymous", s.anonymous},
                 {"scheduled_at", s.scheduled_at},
                 {"upcoming", s.upcoming},
                 {"host_agency", s.host_agency},
                 {"host_agency_name", s.host_agency_name},
                 {"host", s.host},
                 {"participants", participants_json(s.participants)},
                 {"open_tasks", s.open_tasks}};
  // Only while the caller can read the case; the name only with master data.
  if (s.case_id > 0) o["case_id"] = s.case_id;
  if (!s.person_name.empty()) o["person_name"] = s.person_name;
  return o;
}

// participants: [{"agency": "15003-ja", "staff_name": "Frau Weber"}, …]
std::vector<casework::ConferenceParticipant> read_participants(const json::object& body,
                                                                Fields& f) {
  std::vector<casework::ConferenceParticipant> out;
  const json::value* v = body.if_contains("participants");
  if (!v || v->is_null()) {
    f.take(Error::invalid("participants", "Das Feld participants fehlt."));
    return out;
  }
  if (!v->is_array()) {
    f.take(Error::invalid("participants",
                          "Das Feld participants muss eine Liste von Objekten sein."));
    return out;
  }
  const json::array& a = v->get_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string field = "participants[" + std::to_string(i) + "]";
    if (!a[i].is_object()) {
      f.take(Error::invalid(field, "Jede Teilnahme ist ein Objekt mit agency und staff_name."));
      return out;
    }
    Fields p(a[i].get_object());
    casework::ConferenceParticipant cp{.agency = p.string("agency"),
                                       .staff_name = p.opt_string("staff_name").value_or("")};
    if (p.error()) {
      Error e = *p.error();
      e.field = field + "." + e.field;
      f.take(e);
      return out;
    }
    out.push_back(std::move(cp));
  }
  return out;
}

// ---- handlers ----------------------------------------------------------

Response create_conference(WebContext& web, Request& r, const Reader& me) {
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewConference c{.case_id = f.opt_int("case_id"),
                            .anonymous = f.opt_bool("anonymous").value_or(false),
                            .case_summary = f.opt_string("case_summary").value_or(""),
                            .scheduled_at = f.string("scheduled_at")};
  c.participants = read_participants(body, f);
  c.agenda = f.opt_string("agenda").value_or("");
  if (f.error()) return web.failure(r, *f.error());
  auto id = web.conferences.create(me, c);
  if (!id) return web.failure(r, id.error());
  return created("/api/v1/conferences/" + std::to_string(*id), json::object{{"id", *id}});
}

Response list_conferences(WebContext& web, Request& r, const Reader& me) {
  casework::ConferenceFilter filter;
  if (auto q = r.query_param("case_id"); q && !q->empty()) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(q->data(), q->data() + q->size(), id);
    if (ec != std::errc() || end != q->data() + q->size() || id <= 0)
      return web.failure(r, Error::invalid("case_id", "Der Parameter case_id muss eine "
                                                      "positive ganze Zahl sein."));
    filter.case_id = id;
  }
  auto list = web.conferences.list(me, filter);
  if (!list) return web.failure(r, list.error());
  json::array items;
  for (const auto& s : *list) items.push_back(summary_json(s));
  return json_response(200, json::object{{"items", std::move(items)}});
}

Response get_conference(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  auto v = web.conferences.get(me, *id);
  if (!v) return web.failure(r, v.error());
  return json_response(200, conference_json(*v));
}

Response put_minutes(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  const std::string minutes = f.string("minutes");
  if (f.error()) return web.failure(r, *f.error());
  if (auto ok = web.conferences.set_minutes(me, *id, minutes); !ok)
    return web.failure(r, ok.error());
  return json_response(200, json::object{{"id", *id}, {"minutes", minutes}});
}

Response add_item(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  json::object body;
  if (auto bad = read_object(r, body)) return *bad;
  Fields f(body);
  casework::NewConferenceItem item{.kind = f.string("kind"),
                                   .text = f.string("text"),
                                   .owner_agency = f.opt_string("owner_agency").value_or(""),
                                   .due_on = f.opt_string("due_on").value_or("")};
  if (f.error()) return web.failure(r, *f.error());
  auto item_id = web.conferences.add_item(me, *id, item);
  if (!item_id) return web.failure(r, item_id.error());
  return created("/api/v1/conferences/" + std::to_string(*id) + "/items/" +
                     std::to_string(*item_id),
                 json::object{{"id", *item_id}, {"kind", item.kind}});
}

Response task_done(WebContext& web, Request& r, const Reader& me) {
  auto id = path_id(r);
  if (!id) return not_found(web, r);
  auto conference = web.conferences.mark_task_done(me, *id);
  if (!conference) return web.failure(r, conference.error());
  return json_response(200,
                       json::object{{"id", *id}, {"conference_id", *conference}, {"done", true}});
}

// ---- the route table --------------------------------------------------

constexpr api::ApiRoute kRoutes[] = {
    {"POST", "/api/v1/conferences", create_conference,
     "Plan a case conference (named for a case, or anonymous with a summary)", "NewConference",
     201, nullptr},
    {"GET", "/api/v1/conferences", list_conferences,
     "Conferences the caller's agency hosts or takes part in, upcoming first", nullptr, 200,
     "case_id"},
    {"GET", "/api/v1/conferences/{id}", get_conference,
     "A conference as far as the caller may see it (case cut by its consent; results only "
     "with conference_results)",
     nullptr, 200, nullptr},
    {"PUT", "/api/v1/conferences/{id}/minutes", put_minutes, "Record the minutes", "Minutes", 200,
     nullptr},
    {"POST", "/api/v1/conferences/{id}/items", add_item, "Record a decision or a task",
     "NewConferenceItem", 201, nullptr},
    {"POST", "/api/v1/conference-tasks/{id}/done", task_done,
     "Mark a task done (its owner agency or the host)", nullptr, 200, nullptr},
};

constexpr const char* kSchemas = R"json({
  "NewConference": {"type": "object", "required": ["scheduled_at", "participants"], "properties": {"case_id": {"type": "integer", "description": "named mode: a case of the caller's agency"}, "anonymous": {"type": "boolean", "default": false}, "case_summary": {"type": "string", "minLength": 10, "maxLength": 5000, "description": "anonymous mode only, without names"}, "scheduled_at": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}$", "examples": ["2026-03-10 14:00"]}, "participants": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["agency"], "properties": {"agency": {"$ref": "#/components/schemas/AgencyKey"}, "staff_name": {"type": "string", "maxLength": 200}}}}, "agenda": {"type": "string", "maxLength": 5000}}},
  "Minutes": {"type": "object", "required": ["minutes"], "properties": {"minutes": {"type": "string", "maxLength": 20000}}},
  "NewConferenceItem": {"type": "object", "required": ["kind", "text"], "properties": {"kind": {"type": "string", "enum": ["decision", "task"]}, "text": {"type": "string", "minLength": 1, "maxLength": 2000}, "owner_agency": {"$ref": "#/components/schemas/AgencyKey", "description": "tasks: required"}, "due_on": {"$ref": "#/components/schemas/Date", "description": "tasks: required"}}}
})json";

}  // namespace

api::ApiModule api::conference_api() { return {kRoutes, kSchemas}; }

}  // namespace lotse::web
