// Staff side of the youth portal's contact requests, and the coordinator's
// public texts:
//
//   GET  /anfragen                       the agency's intake queue (case workers)
//   GET  /anfragen/{id}                  one request (404 unless routed to the agency)
//   POST /anfragen/{id}/uebernehmen      assign to me
//   POST /anfragen/{id}/abschliessen     close with an outcome
//   POST /anfragen/{id}/weiterleiten     forward to another agency of the alliance
//   GET  /koordination/portal            public texts and the routing table (coordinators)
//   POST /koordination/portal
//
// Every read and change goes through PortalService (audited there). Forms
// check the session's CSRF token; bad input shows the page again (422).
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "lotse/common/crypto.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/intake_routing.h"
#include "lotse/organisation/directory.h"
#include "lotse/portal/portal_service.h"
#include "lotse/web/web_context.h"
#include "web/page_support.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using namespace pages;  // NOLINT: the shared page helpers

std::string need_label(std::string_view key) {
  for (const auto& n : domain::all_needs())
    if (n.key == key) return std::string(n.label_de);
  return std::string(key);
}

std::string outcome_label(std::string_view key) {
  for (const auto& o : portal::outcomes())
    if (o.key == key) return std::string(o.label_de);
  return std::string(key);
}

class IntakePages {
 public:
  explicit IntakePages(WebContext& web) : web_(web) {}

  std::string age_text(const Request& r, std::int64_t hours) {
    if (hours < 1) return web_.msg(r, "intake.age.new");
    if (hours < 48) return std::to_string(hours) + " " + web_.msg(r, "intake.age.hours");
    return std::to_string(hours / 24) + " " + web_.msg(r, "intake.age.days");
  }

  json::object item(const Request& r, const portal::ContactRequest& c, const std::string& me) {
    return json::object{{"id", c.id},
                        {"url", "/anfragen/" + std::to_string(c.id)},
                        {"reference", c.reference},
                        {"topic", need_label(c.need)},
                        {"name", c.name},
                        {"age", age_text(r, c.age_hours)},
                        {"overdue", c.overdue},
                        {"assigned_to", c.assigned_to},
                        {"mine", !c.assigned_to.empty() && c.assigned_to == me},
                        {"outcome", outcome_label(c.outcome)},
                        {"closed", c.status == portal::RequestStatus::kClosed}};
  }

  Response queue(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto qd = web_.portal.queue(c->reader);
    if (!qd) return web_.failure(r, qd.error());
    json::array open, closed;
    for (const auto& x : qd->open) open.push_back(item(r, x, c->user().username));
    for (const auto& x : qd->closed) closed.push_back(item(r, x, c->user().username));
    json::object data{
        {"open", std::move(open)},
        {"closed", std::move(closed)},
        {"open_count", qd->open_count},
        {"overdue_count", qd->overdue_count},
        {"mine_count", qd->mine_count},
        {"has_open", qd->open_count > 0},
        {"has_closed", !qd->closed.empty()},
        {"overdue_hours", web_.portal.options().overdue_hours},
        {"notice", r.query_param("abgeschlossen")    ? web_.msg(r, "intake.notice.closed")
                   : r.query_param("weitergeleitet") ? web_.msg(r, "intake.notice.forwarded")
                                                     : ""}};
    return render(web_, r, 200, "intake_queue", std::move(data), "intake.queue.title", *c);
  }

  // What the forwarding form had, when it is shown again.
  struct ForwardInput {
    std::string to_agency, reason;
  };

  Response show_page(Request& r, const Caller& c, std::int64_t id, int status, Feedback fb,
                     const std::string& outcome, const ForwardInput& fwd = {}) {
    auto got = web_.portal.get(c.reader, id);
    if (!got) return web_.failure(r, got.error());
    // The other agencies of the request's alliance are the only targets.
    auto agencies = web_.db.read([&](store::Executor& x) -> Result<Agencies> {
      Agencies out;
      LOTSE_ASSIGN_OR_RETURN(out.list, organisation::Directory::agencies(x, got->alliance_ags));
      return out;
    });
    if (!agencies) return web_.failure(r, agencies.error());
    json::array history;
    for (const auto& f : got->forwards)
      history.push_back(json::object{{"from", agencies->name(f.from_agency)},
                                     {"to", agencies->name(f.to_agency)},
                                     {"by", f.forwarded_by},
                                     {"at", format_berlin(f.forwarded_at_ms)},
                                     {"reason", f.reason}});
    json::object d = item(r, *got, c.user().username);
    d["contact"] = got->contact;
    d["contact_is_email"] = got->contact_kind == "email";
    d["message"] = got->message;
    d["created"] = format_berlin(got->created_at_ms);  // staff in Germany read local time
    json::array outs;
    for (const auto& o : portal::outcomes())
      outs.push_back(json::object{{"key", o.key}, {"label", o.label_de},
                                  {"id", "outcome-" + std::string(o.key)},
                                  {"checked", o.key == outcome}});
    json::object data{
        {"request", std::move(d)},
        {"outcomes", std::move(outs)},
        {"can_assign",
         got->status != portal::RequestStatus::kClosed && got->assigned_to != c.user().username},
        {"can_close", got->status != portal::RequestStatus::kClosed},
        {"can_forward", got->status != portal::RequestStatus::kClosed},
        {"has_forwards", !history.empty()},
        {"forwards", std::move(history)},
        {"forward_agencies", agencies->options(got->routed_agency, {fwd.to_agency}, "to-")},
        {"forward_reason", fwd.reason},
        {"has_errors", !fb.empty()},
        {"errors", std::move(fb.errors)},
        {"fe", std::move(fb.fe)}};
    return render(web_, r, status, "intake_show", std::move(data), "intake.show.title", c);
  }

  Response show(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = parse_id(r.path_params["id"]);
    if (!id) return web_.error_page(r, 404);
    return show_page(r, *c, *id, 200, {}, "");
  }

  Response assign(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = parse_id(r.path_params["id"]);
    if (!id) return web_.error_page(r, 404);
    if (!csrf_ok(*c, r.form())) return web_.error_page(r, 403);
    auto done = web_.portal.assign(c->reader, *id);
    if (!done) {
      if (done.error().code == ErrorCode::kConflict) return Response::redirect("/anfragen/" + std::to_string(*id));
      return web_.failure(r, done.error());
    }
    return Response::redirect("/anfragen/" + std::to_string(*id));
  }

  Response close(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = parse_id(r.path_params["id"]);
    if (!id) return web_.error_page(r, 404);
    const auto form = r.form();
    if (!csrf_ok(*c, form)) return web_.error_page(r, 403);
    const std::string outcome = value(form, "outcome");
    auto done = web_.portal.close(c->reader, *id, outcome);
    if (!done) {
      if (done.error().code == ErrorCode::kInvalidArgument) {
        Feedback fb;
        fb.add("outcome-" + std::string(portal::outcomes()[0].key), "outcome",
               web_.msg(r, "intake.error.outcome"));
        return show_page(r, *c, *id, 422, std::move(fb), outcome);
      }
      if (done.error().code == ErrorCode::kConflict) return Response::redirect("/anfragen/" + std::to_string(*id));
      return web_.failure(r, done.error());
    }
    return Response::redirect("/anfragen?abgeschlossen=1");
  }

  Response forward(Request& r) {
    Response denied;
    auto c = signed_in_case_worker(web_, r, denied);
    if (!c) return denied;
    auto id = parse_id(r.path_params["id"]);
    if (!id) return web_.error_page(r, 404);
    const auto form = r.form();
    if (!csrf_ok(*c, form)) return web_.error_page(r, 403);
    // Browsers send a textarea's line breaks as CRLF; one character each, as
    // the user counted them.
    std::string reason;
    for (char ch : value(form, "reason"))
      if (ch != '\r') reason += ch;
    const ForwardInput in{.to_agency = value(form, "to_agency"), .reason = std::move(reason)};
    auto done = web_.portal.forward(c->reader, *id, in.to_agency, in.reason);
    if (!done) {
      if (done.error().code == ErrorCode::kInvalidArgument) {
        // Every problem of the form at once, in form order; the service's
        // answer covers what needs the database (agency outside the alliance).
        // The service checks the target first, so its error comes first.
        Feedback fb;
        fb.add(done.error().field, done.error().field, done.error().message);
        for (const auto& e : portal::validate_forward(in.to_agency, in.reason))
          if (e.field != done.error().field) fb.add(e.field, e.field, e.message);
        return show_page(r, *c, *id, 422, std::move(fb), "", in);
      }
      if (done.error().code == ErrorCode::kConflict)
        return Response::redirect("/anfragen/" + std::to_string(*id));
      return web_.failure(r, done.error());
    }
    // The request is no longer this agency's: back to its queue.
    return Response::redirect("/anfragen?weitergeleitet=1");
  }

  // ---- coordinator: public texts --------------------------------------

  std::optional<identity::Session> coordinator(Request& r, Response& denied) {
    auto s = web_.session_of(r);
    if (!s) {
      denied = Response::redirect("/anmelden?next=" + url_encode("/koordination/portal"));
      return std::nullopt;
    }
    if (s->user.role != identity::Role::kCoordinator || s->user.alliance_ags.empty()) {
      denied = web_.error_page(r, 403);
      return std::nullopt;
    }
    return s;
  }

  Response texts_page(Request& r, const identity::Session& s, int status, json::object v, Feedback fb,
                      bool saved) {
    auto agencies = web_.db.read([&](store::Executor& x) {
      return organisation::Directory::agencies(x, s.user.alliance_ags);
    });
    if (!agencies) return web_.failure(r, agencies.error());
    auto alliance = web_.db.read([&](store::Executor& x) {
      return organisation::Directory::find_alliance(x, s.user.alliance_ags);
    });
    if (!alliance) return web_.failure(r, alliance.error());
    json::array routes;
    for (const auto& route : domain::intake_routes()) {
      auto key = domain::routed_agency_key(s.user.alliance_ags, route.need);
      std::string name = key ? *key : "";
      for (const auto& a : *agencies)
        if (key && a.key == *key) name = a.name;
      routes.push_back(json::object{{"topic", need_label(route.need)},
                                    {"agency", name},
                                    {"reason", route.reason_de}});
    }
    json::object data{{"v", std::move(v)},
                      {"routes", std::move(routes)},
                      {"portal_url", "/" + alliance->slug},
                      {"alliance_name", alliance->name},
                      {"saved", saved},
                      {"has_errors", !fb.empty()},
                      {"errors", std::move(fb.errors)},
                      {"fe", std::move(fb.fe)},
                      {"csrf_token", s.csrf_token}};
    return web_.page(r, status, "intake_portal_texts", data, "intake.texts.title", s);
  }

  static json::object texts_values(const portal::PortalTexts& t) {
    return json::object{{"headline", t.headline}, {"intro", t.intro},   {"address", t.address},
                        {"phone", t.phone},       {"email", t.email},   {"hours_note", t.hours_note}};
  }

  Response texts_form(Request& r) {
    Response denied;
    auto s = coordinator(r, denied);
    if (!s) return denied;
    auto t = web_.portal.texts(s->user.alliance_ags);
    if (!t) return web_.failure(r, t.error());
    return texts_page(r, *s, 200, texts_values(*t), {}, r.query_param("gespeichert").has_value());
  }

  Response texts_save(Request& r) {
    Response denied;
    auto s = coordinator(r, denied);
    if (!s) return denied;
    const auto form = r.form();
    if (!secure_equals(s->csrf_token, value(form, "csrf_token"))) return web_.error_page(r, 403);
    auto raw = [&](const char* k) {
      auto it = form.find(k);
      return it == form.end() ? std::string() : trim(it->second);
    };
    portal::PortalTexts t{.headline = raw("headline"), .intro = raw("intro"), .address = raw("address"),
                          .phone = raw("phone"), .email = raw("email"), .hours_note = raw("hours_note")};
    auto saved = web_.portal.update_texts(
        {.username = s->user.username, .alliance_ags = s->user.alliance_ags, .request_id = r.request_id}, t);
    if (!saved) {
      if (saved.error().code != ErrorCode::kInvalidArgument) return web_.failure(r, saved.error());
      Feedback fb;
      fb.add(saved.error().field, saved.error().field, saved.error().message);
      return texts_page(r, *s, 422, texts_values(t), std::move(fb), false);
    }
    return Response::redirect("/koordination/portal?gespeichert=1");
  }

 private:
  WebContext& web_;
};

}  // namespace

void register_intake_pages(Router& router, WebContext& web) {
  auto self = std::make_shared<IntakePages>(web);
  auto bind = [self](Response (IntakePages::*fn)(Request&)) {
    return [self, fn](Request& r) { return ((*self).*fn)(r); };
  };
  router.add("GET", "/anfragen", bind(&IntakePages::queue));
  router.add("GET", "/anfragen/{id}", bind(&IntakePages::show));
  router.add("POST", "/anfragen/{id}/uebernehmen", bind(&IntakePages::assign));
  router.add("POST", "/anfragen/{id}/abschliessen", bind(&IntakePages::close));
  router.add("POST", "/anfragen/{id}/weiterleiten", bind(&IntakePages::forward));
  router.add("GET", "/koordination/portal", bind(&IntakePages::texts_form));
  router.add("POST", "/koordination/portal", bind(&IntakePages::texts_save));
}

}  // namespace lotse::web
