// German pages of case conferences (Fallberatung): the agency's list
// (/fallberatungen, upcoming first), the plan forms (for a case, or
// anonymous), the conference page with minutes, decisions and tasks, the
// task list, and the tasks section of the Posteingang.
//
// Everything is read through ConferenceService, so the policy gate decides
// which part of the case each participant sees; these handlers only turn
// requests into service calls and results into view data. Forms work
// without JavaScript: every POST checks the session's CSRF token; bad input
// shows the same page again (422) with an error summary linking to each
// field, the message at the field, and what was typed kept.
#include "web/conference_pages.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lotse/casework/conference_service.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/privacy/policy_gate.h"
#include "lotse/web/web_context.h"
#include "web/page_support.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using namespace pages;  // NOLINT: the shared page helpers
using domain::DataCategory;

std::string conference_url(std::int64_t id) { return "/fallberatungen/" + std::to_string(id); }
std::string case_url(std::int64_t id) { return "/faelle/" + std::to_string(id); }

// "2026-03-10 14:00" -> "10.03.2026, 14:00 Uhr" (the suffix from the catalogue).
std::string when_label(WebContext& web, const Request& r, const std::string& at) {
  if (at.size() < 16) return at;
  return german_date(at.substr(0, 10)) + ", " + at.substr(11, 5) +
         web.msg(r, "conference.time_suffix");
}

// "participants[2].agency" -> 2.
std::optional<std::size_t> participant_index(const std::string& field) {
  const auto open = field.find('['), close = field.find(']');
  if (open == std::string::npos || close == std::string::npos || close <= open + 1)
    return std::nullopt;
  std::size_t i = 0;
  auto [end, ec] = std::from_chars(field.data() + open + 1, field.data() + close, i);
  if (ec != std::errc() || end != field.data() + close) return std::nullopt;
  return i;
}

std::string need_label(std::string_view key) {
  for (const auto& n : domain::all_needs())
    if (n.key == key) return std::string(n.label_de);
  return std::string(key);
}

json::array participants_data(const std::vector<casework::ConferenceParticipantView>& parts) {
  json::array out;
  for (const auto& p : parts)
    out.push_back(json::object{{"agency", p.agency_name}, {"staff_name", p.staff_name}});
  return out;
}

// One task as the lists show it; `next` says where its done button leads
// back to (a keyword, never a URL: no open redirects).
json::object task_data(WebContext& web, const Request& r, const casework::ConferenceItemView& t,
                       bool may_finish, const std::string& next) {
  return json::object{{"id", t.id},
                      {"text", t.text},
                      {"owner", t.owner_agency_name},
                      {"due_on", german_date(t.due_on)},
                      {"overdue", t.overdue},
                      {"done", t.done},
                      {"done_on", t.done_at_ms > 0 ? berlin_time(t.done_at_ms).date.german()
                                                   : std::string()},
                      {"can_finish", may_finish && !t.done},
                      {"done_url", "/fallberatungen/aufgaben/" + std::to_string(t.id) + "/erledigt"},
                      {"next", next},
                      {"conference_url", conference_url(t.conference_id)},
                      {"state_label", web.msg(r, t.done ? "conference.task.done"
                                                        : "conference.task.open")}};
}

// The tasks of the caller's agency, for the Posteingang and the task page.
Result<json::object> tasks_data(WebContext& web, const Caller& c, const Request& r,
                                bool in_inbox) {
  auto box = web.conferences.tasks(c.reader);
  if (!box) return box.error();
  json::array items;
  for (const auto& t : box->open) {
    json::object item = task_data(web, r, t.task, true, in_inbox ? "inbox" : "tasks");
    item["conference_when"] = when_label(web, r, t.conference_scheduled_at);
    item["person_name"] = t.person_name;
    item["anonymous"] = t.anonymous;
    items.push_back(std::move(item));
  }
  // The counts are the list's length and its overdue entries, nothing else.
  return json::object{{"conf_tasks_count", box->open_count},
                      {"conf_tasks_overdue", box->overdue_count},
                      {"conf_tasks_has_overdue", box->overdue_count > 0},
                      {"conf_tasks_any", !items.empty()},
                      {"conf_tasks", std::move(items)}};
}

class ConferencePages {
 public:
  explicit ConferencePages(WebContext& web) : web_(web) {}

  void add_routes(Router& router, const std::shared_ptr<ConferencePages>& self) {
    auto bind = [self](Response (ConferencePages::*fn)(Request&)) {
      return [self, fn](Request& r) { return ((*self).*fn)(r); };
    };
    router.add("GET", "/fallberatungen", bind(&ConferencePages::list));
    router.add("GET", "/fallberatungen/neu", bind(&ConferencePages::anonymous_form));
    router.add("POST", "/fallberatungen/neu", bind(&ConferencePages::create_anonymous));
    router.add("GET", "/fallberatungen/aufgaben", bind(&ConferencePages::task_page));
    router.add("POST", "/fallberatungen/aufgaben/{tid}/erledigt", bind(&ConferencePages::task_done));
    router.add("GET", "/fallberatungen/{id}", bind(&ConferencePages::show));
    router.add("POST", "/fallberatungen/{id}/protokoll", bind(&ConferencePages::save_minutes));
    router.add("POST", "/fallberatungen/{id}/punkte", bind(&ConferencePages::add_item));
    router.add("GET", "/faelle/{id}/fallberatung/neu", bind(&ConferencePages::case_form));
    router.add("POST", "/faelle/{id}/fallberatung/neu", bind(&ConferencePages::create_for_case));
  }

 private:
  std::string msg(const Request& r, std::string_view key) const { return web_.msg(r, key); }

  Response page(const Request& r, int status, std::string_view name, json::object data,
                const std::string& title_key, const Caller& c) {
    return render(web_, r, status, name, std::move(data), title_key, c);
  }

  static std::optional<std::int64_t> path_id(const Request& r, const char* name) {
    auto it = r.path_params.find(name);
    if (it == r.path_params.end()) return std::nullopt;
    return parse_id(it->second);
  }

  static void put_errors(json::object& data, Feedback fb) {
    data["has_errors"] = !fb.empty();
    data["errors"] = std::move(fb.errors);
    data["fe"] = std::move(fb.fe);
  }

  // ---- /fallberatungen -------------------------------------------------

  Response list(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    casework::ConferenceFilter filter;
    const std::string fall = r.query_param("fall").value_or("");
    if (!fall.empty()) {
      auto id = parse_id(fall);
      if (!id) return web_.error_page(r, 404);
      filter.case_id = *id;
    }
    auto all = web_.conferences.list(c->reader, filter);
    if (!all) return web_.failure(r, all.error());
    json::array upcoming, past;
    for (const auto& s : *all) {
      json::object item{{"url", conference_url(s.id)},
                        {"when", when_label(web_, r, s.scheduled_at)},
                        {"anonymous", s.anonymous},
                        {"person_name", s.person_name},
                        {"case_id", s.case_id},
                        {"has_case", s.case_id > 0},
                        {"host_agency", s.host_agency_name},
                        {"host", s.host},
                        {"participants", participants_data(s.participants)},
                        {"open_tasks", s.open_tasks},
                        {"has_open_tasks", s.open_tasks > 0}};
      (s.upcoming ? upcoming : past).push_back(std::move(item));
    }
    json::object data{{"upcoming_count", upcoming.size()},
                      {"past_count", past.size()},
                      {"has_upcoming", !upcoming.empty()},
                      {"has_past", !past.empty()},
                      {"upcoming", std::move(upcoming)},
                      {"past", std::move(past)}};
    if (filter.case_id) {
      // Only the case's owner plans for it: offer the button to it alone.
      // The decision alone reads no case data, so it is not a read to audit.
      auto access = web_.db.read([&](store::Executor& x) {
        return privacy::PolicyGate::decide(x, c->reader, *filter.case_id, web_.clock());
      });
      if (!access) return web_.failure(r, access.error());
      data["for_case"] = json::object{{"id", *filter.case_id},
                                      {"url", case_url(*filter.case_id)},
                                      {"owner", access->owner},
                                      {"plan_url", case_url(*filter.case_id) + "/fallberatung/neu"}};
    }
    return page(r, 200, "conference_list", std::move(data), "conference.list.title", *c);
  }

  // ---- plan forms ---------------------------------------------------------

  // The form's state: the case it starts from (if any), what was typed.
  struct PlanForm {
    std::optional<std::int64_t> case_id;
    std::string person_name;
    Form form;
    Feedback fb;
  };

  static std::string participant_anchor(const std::string& key) { return "participant-" + key; }
  static std::string staff_field(const std::string& key) { return "staff_" + key; }

  Response render_plan(Request& r, int status, const Caller& c, PlanForm pf) {
    auto ag = alliance_agencies(web_, c.user());
    if (!ag) return web_.failure(r, ag.error());
    const Form& f = pf.form;
    const bool fresh = f.empty();
    const std::string mode = value(f, "mode");
    const auto chosen = values(f, "participants");
    json::array agencies;
    for (const auto& a : ag->list) {
      if (a.key == c.user().agency_key) continue;
      agencies.push_back(json::object{{"key", a.key},
                                      {"name", a.name},
                                      {"legal_sphere", a.legal_sphere},
                                      {"id", participant_anchor(a.key)},
                                      {"staff_id", "staff-" + a.key},
                                      {"staff_name", staff_field(a.key)},
                                      {"staff_value", value(f, staff_field(a.key))},
                                      {"checked", contains(chosen, a.key)}});
    }
    // Tomorrow for the people meeting, in Germany (late evening UTC is already the next day).
    const Date tomorrow = add_days(berlin_time(web_.clock()).date, 1);
    json::object v{{"scheduled_date", fresh ? tomorrow.str() : value(f, "scheduled_date")},
                   {"scheduled_time", fresh ? std::string("10:00") : value(f, "scheduled_time")},
                   {"agenda", value(f, "agenda")},
                   {"case_summary", value(f, "case_summary")},
                   {"mode_anonymous", mode == "anonymous"}};
    const bool for_case = pf.case_id.has_value();
    json::object data{{"for_case", for_case},
                      {"person_name", pf.person_name},
                      {"back_url", for_case ? case_url(*pf.case_id) : std::string("/fallberatungen")},
                      {"action", for_case ? case_url(*pf.case_id) + "/fallberatung/neu"
                                          : std::string("/fallberatungen/neu")},
                      {"agencies", std::move(agencies)},
                      {"v", std::move(v)}};
    put_errors(data, std::move(pf.fb));
    return page(r, status, "conference_new", std::move(data),
                for_case ? "conference.new.title" : "conference.new_anonymous.title", c);
  }

  // The case for the plan form: 404 if not visible, 403 if another
  // agency's (only the case's owner plans a conference for it).
  std::optional<Response> owned_case(Request& r, const Caller& c, std::int64_t id,
                                     std::string& person_name) {
    auto record = web_.casework.get_case(c.reader, id, privacy::ReadPath::kItem);
    if (!record) return web_.failure(r, record.error());
    if (record->owner_agency != c.user().agency_key) return web_.error_page(r, 403);
    person_name = pages::person_name(*record);
    return std::nullopt;
  }

  Response case_form(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    if (!id) return web_.error_page(r, 404);
    PlanForm pf{.case_id = *id};
    if (auto res = owned_case(r, *c, *id, pf.person_name)) return *res;
    return render_plan(r, 200, *c, std::move(pf));
  }

  Response anonymous_form(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    return render_plan(r, 200, *c, PlanForm{});
  }

  Response create_for_case(Request& r) { return create(r, true); }
  Response create_anonymous(Request& r) { return create(r, false); }

  Response create(Request& r, bool for_case) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    PlanForm pf{.form = r.form()};
    if (!csrf_ok(*c, pf.form)) return web_.error_page(r, 403);
    if (for_case) {
      auto id = path_id(r, "id");
      if (!id) return web_.error_page(r, 404);
      pf.case_id = *id;
      if (auto res = owned_case(r, *c, *id, pf.person_name)) return *res;
    }
    auto ag = alliance_agencies(web_, c->user());
    if (!ag) return web_.failure(r, ag.error());
    const Form& f = pf.form;
    Feedback& fb = pf.fb;
    const bool anonymous = !for_case || value(f, "mode") == "anonymous";

    // The chosen agencies, in the order of the form.
    std::vector<std::string> chosen;
    const auto checked = values(f, "participants");
    std::string first_anchor;
    for (const auto& a : ag->list) {
      if (a.key == c->user().agency_key) continue;
      if (first_anchor.empty()) first_anchor = participant_anchor(a.key);
      if (contains(checked, a.key)) chosen.push_back(a.key);
    }
    // Anything checked that is not an agency of the alliance goes to the
    // service as it is, which names it.
    for (const auto& key : checked)
      if (!contains(chosen, key)) chosen.push_back(key);

    const std::string date = value(f, "scheduled_date"), time = value(f, "scheduled_time");
    if (date.empty()) {
      fb.add("scheduled_date", "scheduled_date", msg(r, "conference.error.date"));
    } else if (!Date::parse(date)) {
      fb.add("scheduled_date", "scheduled_date", msg(r, "conference.error.date_invalid"));
    }
    if (time.empty() || !casework::parse_conference_time("2000-01-01 " + time))
      fb.add("scheduled_time", "scheduled_time", msg(r, "conference.error.time"));
    if (chosen.empty()) fb.add(first_anchor, "participants", msg(r, "conference.error.participants"));
    if (anonymous && value(f, "case_summary").empty())
      fb.add("case_summary", "case_summary", msg(r, "conference.error.case_summary"));
    if (!fb.empty()) return render_plan(r, 422, *c, std::move(pf));

    casework::NewConference nc{.anonymous = anonymous,
                               .case_summary = anonymous ? value(f, "case_summary") : "",
                               .scheduled_at = date + " " + time,
                               .agenda = value(f, "agenda")};
    if (for_case) {
      // Anonymous from a case page: the summary is checked against the
      // case's names, but the conference is not linked to it.
      if (anonymous) nc.source_case_id = pf.case_id;
      else nc.case_id = pf.case_id;
    }
    for (const auto& key : chosen)
      nc.participants.push_back({.agency = key, .staff_name = value(f, staff_field(key))});
    auto id = web_.conferences.create(c->reader, nc);
    if (!id) {
      const Error& e = id.error();
      if (e.code != ErrorCode::kInvalidArgument) return web_.failure(r, e);
      std::string anchor = e.field, key = e.field;
      if (e.field == "scheduled_at") {
        anchor = key = "scheduled_date";
      } else if (e.field.rfind("participants", 0) == 0) {
        key = "participants";
        anchor = first_anchor;
        // "participants[2].agency" -> the third chosen agency's checkbox.
        if (auto i = participant_index(e.field); i && *i < chosen.size())
          anchor = participant_anchor(chosen[*i]);
      } else if (e.field == "case_id") {
        anchor = "mode-anonymous";
        key = "mode";
      } else if (e.field.empty()) {
        anchor = key = "agenda";
      }
      fb.add(anchor, key, e.message);
      return render_plan(r, 422, *c, std::move(pf));
    }
    return Response::redirect(conference_url(*id) + "?hinweis=geplant");
  }

  // ---- the conference page ------------------------------------------------

  struct ShowForms {
    Form form;
    Feedback fb;
  };

  Response render_show(Request& r, int status, const Caller& c, std::int64_t id,
                       ShowForms forms = {}) {
    auto got = web_.conferences.get(c.reader, id);
    if (!got) return web_.failure(r, got.error());
    const casework::ConferenceView& v = *got;
    const std::string& own = c.user().agency_key;
    const Form& f = forms.form;

    json::object data{{"id", v.id},
                      {"url", conference_url(v.id)},
                      {"when", when_label(web_, r, v.scheduled_at)},
                      {"anonymous", v.anonymous},
                      {"host", v.host},
                      {"host_agency", v.host_agency_name},
                      {"participants", participants_data(v.participants)},
                      {"agenda", v.agenda},
                      {"case_summary", v.case_summary},
                      {"named_without_access", !v.anonymous && !v.case_access},
                      {"results_visible", v.results_visible},
                      {"results_hidden", !v.results_visible},
                      {"may_record", v.may_record}};

    std::string person;
    if (v.case_record) {
      const domain::CaseRecord& k = *v.case_record;
      person = person_name(k);
      json::object cs{{"url", case_url(k.id)}, {"id", k.id}, {"person_name", person}};
      if (k.visible.has(DataCategory::kMasterData))
        cs["birth_date"] = german_date(k.person.birth_date);
      if (k.visible.has(DataCategory::kNeedsGoals)) {
        json::array needs;
        for (const auto& n : k.needs) needs.push_back(json::string(need_label(n)));
        cs["needs_goals"] = json::object{
            {"phase", k.phase > 0 ? std::string(domain::phase_label_de(k.phase)) : std::string()},
            {"needs", std::move(needs)},
            {"goals", k.goals}};
      }
      if (k.visible.has(DataCategory::kSupportChain)) {
        json::array steps;
        for (const auto& s : k.support_chain)
          steps.push_back(json::object{{"measure", s.measure},
                                       {"status", msg(r, "step.status." + s.status)}});
        cs["chain"] = json::object{{"steps", std::move(steps)}, {"empty", k.support_chain.empty()}};
      }
      json::array hidden;
      for (DataCategory cat : domain::all_categories()) {
        if (cat == DataCategory::kEntrusted) continue;
        if (!k.visible.has(cat)) hidden.push_back(json::string(domain::category_label_de(cat)));
      }
      cs["has_hidden"] = !hidden.empty();
      cs["hidden"] = std::move(hidden);
      data["case"] = std::move(cs);
    }
    data["person_name"] = person;

    if (v.results_visible) {
      data["minutes"] = v.minutes;
      data["minutes_info"] = v.minutes_at_ms > 0
                                 ? berlin_time(v.minutes_at_ms).date.german() + " · " + v.minutes_by
                                 : std::string();
      json::array decisions;
      for (const auto& d : v.decisions) decisions.push_back(json::object{{"text", d.text}});
      data["has_decisions"] = !decisions.empty();
      data["decisions"] = std::move(decisions);
    }
    json::array tasks;
    for (const auto& t : v.tasks)
      tasks.push_back(task_data(web_, r, t, t.owner_agency == own || v.host, "conference"));
    data["has_tasks"] = !tasks.empty();
    data["tasks"] = std::move(tasks);

    // Tasks go to the host or a participant.
    json::array owners;
    std::set<std::string> seen;
    const std::string chosen_owner = value(f, "item_owner");
    auto add_owner = [&](const std::string& key, const std::string& name) {
      if (!seen.insert(key).second) return;
      owners.push_back(json::object{{"key", key}, {"name", name}, {"selected", key == chosen_owner}});
    };
    add_owner(v.host_agency, v.host_agency_name);
    for (const auto& p : v.participants) add_owner(p.agency, p.agency_name);
    data["owners"] = std::move(owners);
    const std::string kind = value(f, "item_kind");
    data["v"] = json::object{{"minutes", f.contains("minutes") ? value(f, "minutes") : v.minutes},
                             {"item_text", value(f, "item_text")},
                             {"item_due", value(f, "item_due")},
                             {"kind_task", kind != "decision"},
                             {"kind_decision", kind == "decision"}};

    static const std::map<std::string, std::string> kNotices = {
        {"geplant", "conference.notice.created"},
        {"protokoll", "conference.notice.minutes"},
        {"punkt", "conference.notice.item"},
        {"erledigt", "conference.notice.done"}};
    if (auto it = kNotices.find(r.query_param("hinweis").value_or("")); it != kNotices.end())
      data["notice"] = msg(r, it->second);
    put_errors(data, std::move(forms.fb));
    return page(r, status, "conference_show", std::move(data), "conference.show.title", c);
  }

  Response show(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    if (!id) return web_.error_page(r, 404);
    return render_show(r, 200, *c, *id);
  }

  // A POST on the conference page: session, CSRF and id checked; `act`
  // calls the service and records field errors in the forms' feedback.
  template <typename Act>
  Response conference_post(Request& r, const char* notice, Act act) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    if (!id) return web_.error_page(r, 404);
    ShowForms forms{.form = r.form()};
    if (!csrf_ok(*c, forms.form)) return web_.error_page(r, 403);
    std::optional<Error> failure;
    act(*c, *id, forms, failure);
    if (failure) return web_.failure(r, *failure);
    if (!forms.fb.empty()) return render_show(r, 422, *c, *id, std::move(forms));
    return Response::redirect(conference_url(*id) + "?hinweis=" + notice);
  }

  Response save_minutes(Request& r) {
    return conference_post(r, "protokoll", [&](const Caller& c, std::int64_t id, ShowForms& forms,
                                                std::optional<Error>& failure) {
      auto saved = web_.conferences.set_minutes(c.reader, id, value(forms.form, "minutes"));
      if (saved) return;
      if (saved.error().code != ErrorCode::kInvalidArgument) {
        failure = saved.error();
        return;
      }
      forms.fb.add("minutes", "minutes", saved.error().message);
    });
  }

  Response add_item(Request& r) {
    return conference_post(r, "punkt", [&](const Caller& c, std::int64_t id, ShowForms& forms,
                                           std::optional<Error>& failure) {
      const Form& f = forms.form;
      const std::string kind = value(f, "item_kind") == "decision" ? "decision" : "task";
      if (value(f, "item_text").empty())
        forms.fb.add("item_text", "item_text", msg(r, "conference.error.item_text"));
      if (kind == "task") {
        if (value(f, "item_owner").empty())
          forms.fb.add("item_owner", "item_owner", msg(r, "conference.error.item_owner"));
        if (value(f, "item_due").empty() || !Date::parse(value(f, "item_due")))
          forms.fb.add("item_due", "item_due", msg(r, "conference.error.item_due"));
      }
      if (!forms.fb.empty()) return;
      casework::NewConferenceItem item{.kind = kind, .text = value(f, "item_text")};
      if (kind == "task") {
        item.owner_agency = value(f, "item_owner");
        item.due_on = value(f, "item_due");
      }
      auto added = web_.conferences.add_item(c.reader, id, item);
      if (added) return;
      const Error& e = added.error();
      if (e.code != ErrorCode::kInvalidArgument) {
        failure = e;
        return;
      }
      static const std::map<std::string, std::string> kAnchors = {
          {"text", "item_text"}, {"owner_agency", "item_owner"}, {"due_on", "item_due"},
          {"kind", "item_kind-task"}};
      auto it = kAnchors.find(e.field);
      const std::string anchor = it == kAnchors.end() ? "item_text" : it->second;
      forms.fb.add(anchor, anchor == "item_kind-task" ? "item_kind" : anchor, e.message);
    });
  }

  // ---- tasks ----------------------------------------------------------------

  Response task_page(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto data = tasks_data(web_, *c, r, false);
    if (!data) return web_.failure(r, data.error());
    return page(r, 200, "inbox_tasks", std::move(*data), "conference.tasks.title", *c);
  }

  Response task_done(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto tid = path_id(r, "tid");
    if (!tid) return web_.error_page(r, 404);
    const Form form = r.form();
    if (!csrf_ok(*c, form)) return web_.error_page(r, 403);
    auto done = web_.conferences.mark_task_done(c->reader, *tid);
    std::optional<std::int64_t> conference;
    if (done) {
      conference = *done;
    } else if (done.error().code != ErrorCode::kConflict) {
      return web_.failure(r, done.error());
    }
    // Already done (a second click, or a colleague was faster): the state
    // the user wanted holds, so go back as if it had just happened.
    const std::string next = value(form, "next");
    if (next == "inbox") return Response::redirect("/faelle#aufgaben");
    if (next == "tasks") return Response::redirect("/fallberatungen/aufgaben");
    if (conference) return Response::redirect(conference_url(*conference) + "?hinweis=erledigt");
    return Response::redirect("/fallberatungen/aufgaben");
  }

  WebContext& web_;
};

}  // namespace

std::optional<Response> add_conference_inbox_section(WebContext& web, const pages::Caller& c,
                                                     const Request& r, boost::json::object& data) {
  auto section = tasks_data(web, c, r, true);
  if (!section) return web.failure(r, section.error());
  for (auto& [key, value] : *section) data[key] = std::move(value);
  return std::nullopt;
}

void register_conference_pages(Router& router, WebContext& web) {
  auto pages = std::make_shared<ConferencePages>(web);
  pages->add_routes(router, pages);
}

}  // namespace lotse::web
