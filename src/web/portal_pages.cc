// The youth portal: public, no account, one site per alliance.
//
//   GET  /                          alliances, "find yours" by postcode or town (?ort=)
//   GET  /{slug}                    start page: the alliance's texts, "Was brauchst du?" tiles
//   GET  /{slug}/thema/{need}       matching offers and the nearest contact points (?ort=)
//   GET  /{slug}/angebote/{id}      one offer, where it is offered
//   GET  /{slug}/kontakt            contact request form (?thema=)
//   POST /{slug}/kontakt            → reference number (200), the form again (422), 429
//   GET  /{slug}/datenschutz        privacy notice of the portal
//
// Literal routes of the staff side (/start, /anfragen, …) win over /{slug}
// (router.cc); an unknown slug, need or another alliance's offer is 404.
// The contact form carries a double-submit CSRF token (cookie
// lotse_portal_csrf); the honeypot field "website" is off-screen, aria-hidden
// and out of the tab order. Everything works without JavaScript.
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lotse/common/crypto.h"
#include "lotse/common/date.h"
#include "lotse/domain/agency_key.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_vocabulary.h"
#include "lotse/domain/intake_routing.h"
#include "lotse/organisation/directory.h"
#include "lotse/portal/portal_service.h"
#include "lotse/web/web_context.h"
#include "web/page_support.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using organisation::Alliance;

constexpr const char* kCsrfCookie = "lotse_portal_csrf";

std::string q(const Request& r, const std::string& name) {
  return pages::trim(r.query_param(name).value_or(""));
}

bool is_need(std::string_view key) {
  for (const auto& n : domain::all_needs())
    if (n.key == key) return true;
  return false;
}

std::string km_text(double km, const std::string& lang) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", km);
  std::string s = buf;
  if (lang == "de")
    for (char& c : s)
      if (c == '.') c = ',';
  return s + " km";
}

// 237565 -> "237.565" (de) / "237,565" (en).
std::string group_digits(std::int64_t n, const std::string& lang) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += lang == "en" ? ',' : '.';
    out += digits[i];
  }
  return out;
}

std::string coordinate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5f", v);
  return buf;
}

// Answers of the "Was brauchst du?" search, kept for a few seconds. The
// page is public and the same for everyone who asks the same question
// (alliance, topic, place, language): no person's data, nothing to audit.
// Building it reads every matching offer and the opening hours of each
// nearby contact point; a popular question asked by many at once is
// answered from here. Catalogue changes show after at most kTtlMs, and
// "open now" is at most that old.
class PortalAnswerCache {
 public:
  static constexpr std::int64_t kTtlMs = 15'000;
  static constexpr std::size_t kMaxEntries = 4096;  // then start afresh

  std::optional<json::object> get(const std::string& key, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.expires_ms <= now_ms) return std::nullopt;
    return it->second.data;
  }

  void put(const std::string& key, const json::object& data, std::int64_t now_ms) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_[key] = {now_ms + kTtlMs, data};
  }

 private:
  struct Entry {
    std::int64_t expires_ms = 0;
    json::object data;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

class PortalPages {
 public:
  explicit PortalPages(WebContext& web) : web_(web) {}

  Result<std::optional<Alliance>> alliance_by_slug(const std::string& slug) {
    return web_.db.read([&](store::Executor& x) -> Result<std::optional<Alliance>> {
      LOTSE_ASSIGN_OR_RETURN(auto all, organisation::Directory::alliances(x));
      for (auto& a : all)
        if (a.slug == slug) return std::optional<Alliance>(std::move(a));
      return std::optional<Alliance>();
    });
  }

  // The alliance of the path, or the 404/500 answer in `fail`.
  std::optional<Alliance> alliance(Request& r, Response& fail) {
    auto a = alliance_by_slug(r.path_params["slug"]);
    if (!a) {
      fail = web_.failure(r, a.error());
      return std::nullopt;
    }
    if (!*a) {
      fail = web_.error_page(r, 404);
      return std::nullopt;
    }
    return **a;
  }

  json::object alliance_data(const Alliance& a) {
    return json::object{{"name", a.name}, {"slug", a.slug}, {"ags", a.ags},
                        {"url", "/" + a.slug}, {"district_type", a.district_type}};
  }

  std::string need_label(const Request& r, std::string_view key) {
    return web_.msg(r, "portal.need." + std::string(key));
  }

  json::array need_tiles(const Request& r, const Alliance& a, const std::string& ort,
                         const std::string& selected = "") {
    json::array out;
    for (const auto& n : domain::all_needs()) {
      std::string url = "/" + a.slug + "/thema/" + std::string(n.key);
      if (!ort.empty()) url += "?ort=" + pages::url_encode(ort);
      out.push_back(json::object{{"key", n.key},
                                 {"label", need_label(r, n.key)},
                                 {"hint", web_.msg(r, "portal.need_hint." + std::string(n.key))},
                                 {"url", url},
                                 {"selected", n.key == selected}});
    }
    return out;
  }

  // Where a postcode or town is: the district (alliance key) and a label.
  Result<std::optional<catalogue::GeoPoint>> locate(const std::string& ort) {
    LOTSE_ASSIGN_OR_RETURN(auto g, web_.catalogue.gazetteer());
    bool digits = !ort.empty();
    for (char c : ort) digits = digits && c >= '0' && c <= '9';
    if (digits) return g->postcode(ort);
    return g->town(ort);
  }

  // ---- GET / ----------------------------------------------------------

  Response home(Request& r) {
    auto alliances = web_.db.read([](store::Executor& x) { return organisation::Directory::alliances(x); });
    if (!alliances) return web_.failure(r, alliances.error());
    const std::string ort = q(r, "ort");
    json::object data{{"signin_url", "/anmelden"}, {"v", json::object{{"ort", ort}}}};
    if (r.query_param("ort")) {
      std::string error;
      if (ort.empty()) {
        error = web_.msg(r, "portal.error.place_required");
      } else if (ort.size() > 80) {
        error = web_.msg(r, "portal.error.place_unknown");
      } else {
        auto where = locate(ort);
        if (!where) return web_.failure(r, where.error());
        if (!*where) {
          error = web_.msg(r, "portal.error.place_unknown");
        } else {
          for (const auto& a : *alliances)
            if (a.ags == (*where)->district_ags)
              return Response::redirect("/" + a.slug + "?ort=" + pages::url_encode(ort));
          error = web_.msg(r, "portal.error.place_unknown");
        }
      }
      data["has_errors"] = true;
      data["errors"] = json::array{json::object{{"field", "ort"}, {"message", error}}};
      data["fe"] = json::object{{"ort", error}};
    }
    json::array list;
    for (const auto& a : *alliances) {
      json::object o = alliance_data(a);
      o["population_formatted"] = group_digits(a.population, web_.lang(r));
      list.push_back(std::move(o));
    }
    data["alliances"] = std::move(list);
    return web_.page(r, data.contains("has_errors") ? 422 : 200, "public_home", data,
                     "portal.home.title", web_.session_of(r));
  }

  // ---- GET /{slug} ----------------------------------------------------

  json::object texts_data(const portal::PortalTexts& t) {
    return json::object{{"headline", t.headline},   {"intro", t.intro},
                        {"address", t.address},     {"phone", t.phone},
                        {"email", t.email},         {"hours_note", t.hours_note},
                        {"has_contact", !t.address.empty() || !t.phone.empty() || !t.email.empty() ||
                                            !t.hours_note.empty()}};
  }

  Response start(Request& r) {
    Response fail;
    auto a = alliance(r, fail);
    if (!a) return fail;
    auto texts = web_.portal.texts(a->ags);
    if (!texts) return web_.failure(r, texts.error());
    const std::string ort = q(r, "ort");
    json::object data{{"alliance", alliance_data(*a)},
                      {"texts", texts_data(*texts)},
                      {"needs", need_tiles(r, *a, ort.size() <= 80 ? ort : "")},
                      {"contact_url", "/" + a->slug + "/kontakt"},
                      {"privacy_url", "/" + a->slug + "/datenschutz"},
                      {"v", json::object{{"ort", ort}}}};
    return web_.page(r, 200, "portal_start", data, "portal.start.title", std::nullopt);
  }

  // ---- contact points -------------------------------------------------

  json::object point_data(const Request& r, const catalogue::ContactPoint& p,
                          std::optional<double> km) {
    const std::string lang = web_.lang(r);
    const auto& d = p.data;
    json::object o{{"id", p.id},
                   {"name", d.name},
                   {"kind", std::string(domain::catalogue_term_label(domain::contact_point_kinds(), d.kind))},
                   {"description", d.description},
                   {"street", d.street},
                   {"postcode", d.postcode},
                   {"city", d.city},
                   {"transportation", d.transportation},
                   {"accessibility", d.accessibility},
                   {"phone", d.phone},
                   {"email", d.email},
                   {"url", d.url},
                   {"distance", km ? km_text(*km, lang) : std::string()}};
    if (d.latitude && d.longitude) {
      const std::string lat = coordinate(*d.latitude), lon = coordinate(*d.longitude);
      o["map_url"] = "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=17/" +
                     lat + "/" + lon;
    }
    auto day = web_.catalogue.opening_hours(p.id);
    if (day) {
      json::array slots;
      for (const auto& s : day->slots) {
        std::string text;
        if (s.opens && s.closes) text = s.opens->str() + "–" + s.closes->str() + web_.msg(r, "portal.oclock");
        else if (s.opens) text = web_.msg(r, "portal.from") + " " + s.opens->str() + web_.msg(r, "portal.oclock");
        else text = web_.msg(r, "portal.open_all_day");
        slots.push_back(json::value(text));
      }
      o["open_today"] = !slots.empty();
      o["open_now"] = day->open_now;
      o["slots"] = std::move(slots);
      // Closed today: a fixed place says when it opens again; the bus lists
      // its next dates at this stop. Without any dates nothing is claimed.
      std::string next;
      for (const auto& n : day->next_dates) next += (next.empty() ? "" : ", ") + n.german();
      const bool closed = day->slots.empty() && !day->next_dates.empty();
      const bool bus = d.kind == "mobile_stop";
      o["closed_today"] = closed && !bus;
      o["reopens"] = day->next_dates.empty() ? std::string() : day->next_dates.front().german();
      o["next_dates"] = next;
      o["has_next_dates"] = closed && bus;
    }
    return o;
  }

  // The nearest contact points to `ort` in the alliance, or its central
  // office(s) without a place. `error` is set when the place is unknown.
  Result<json::object> places(const Request& r, const Alliance& a, const std::string& ort,
                              std::string& error) {
    json::array points;
    std::string origin;
    if (!ort.empty()) {
      if (ort.size() > 80) {
        error = web_.msg(r, "portal.error.place_unknown");
      } else {
        LOTSE_ASSIGN_OR_RETURN(auto where, locate(ort));
        if (!where) {
          error = web_.msg(r, "portal.error.place_unknown");
        } else {
          catalogue::NearQuery nq{.alliance_ags = a.ags, .limit = 3, .max_km = 80};
          nq.latitude = where->lat;
          nq.longitude = where->lon;
          LOTSE_ASSIGN_OR_RETURN(auto near, web_.catalogue.nearest_contact_points(nq));
          for (const auto& h : near.hits) points.push_back(point_data(r, h.point, h.distance_km));
          origin = where->label;
        }
      }
    }
    if (points.empty()) {
      LOTSE_ASSIGN_OR_RETURN(auto central, web_.catalogue.list_contact_points(a.ags, {"central_office"}));
      for (const auto& p : central) points.push_back(point_data(r, p, std::nullopt));
    }
    LOTSE_ASSIGN_OR_RETURN(auto virt, web_.catalogue.list_contact_points(
                                          a.ags, {"chat", "video", "messenger", "phone"}));
    json::array online;
    for (const auto& p : virt) online.push_back(point_data(r, p, std::nullopt));
    return json::object{{"points", std::move(points)},
                        {"origin", origin},
                        {"online", std::move(online)},
                        {"has_online", !virt.empty()}};
  }

  // ---- GET /{slug}/thema/{need} ----------------------------------------

  Response need(Request& r) {
    Response fail;
    auto a = alliance(r, fail);
    if (!a) return fail;
    const std::string need = r.path_params["need"];
    if (!is_need(need)) return web_.error_page(r, 404);
    const std::string ort = q(r, "ort");
    const std::int64_t now = web_.clock();
    const std::string key = a->slug + '\n' + need + '\n' + ort + '\n' + web_.lang(r);
    if (auto cached = answers_.get(key, now))
      return web_.page(r, 200, "portal_need", *cached, "portal.need.title", std::nullopt);
    auto offers = web_.catalogue.list_offers({.alliance_ags = a->ags, .need = need, .limit = 50});
    if (!offers) return web_.failure(r, offers.error());
    json::array list;
    for (const auto& o : offers->offers)
      list.push_back(json::object{{"name", o.name},
                                  {"description", o.description},
                                  {"provider", o.organization_name},
                                  {"url", "/" + a->slug + "/angebote/" + o.id}});
    std::string error;
    auto where = places(r, *a, ort, error);
    if (!where) return web_.failure(r, where.error());
    json::object data{{"alliance", alliance_data(*a)},
                      {"need", json::object{{"key", need}, {"label", need_label(r, need)}}},
                      {"offers", std::move(list)},
                      {"offer_count", offers->total},
                      {"has_offers", !offers->offers.empty()},
                      {"places", std::move(*where)},
                      {"contact_url", "/" + a->slug + "/kontakt?thema=" + need},
                      {"action", "/" + a->slug + "/thema/" + need},
                      {"v", json::object{{"ort", ort}}}};
    if (!error.empty()) {
      data["has_errors"] = true;
      data["errors"] = json::array{json::object{{"field", "ort"}, {"message", error}}};
      data["fe"] = json::object{{"ort", error}};
    } else {
      answers_.put(key, data, now);
    }
    return web_.page(r, error.empty() ? 200 : 422, "portal_need", data, "portal.need.title",
                     std::nullopt);
  }

  // ---- GET /{slug}/angebote/{id} --------------------------------------

  Response offer(Request& r) {
    Response fail;
    auto a = alliance(r, fail);
    if (!a) return fail;
    auto o = web_.catalogue.get_offer(r.path_params["id"]);
    if (!o) {
      if (o.error().code == ErrorCode::kNotFound || o.error().code == ErrorCode::kInvalidArgument)
        return web_.error_page(r, 404);
      return web_.failure(r, o.error());
    }
    if (o->data.alliance_ags != a->ags || o->data.status != "active") return web_.error_page(r, 404);
    auto pts = web_.catalogue.contact_points_of_offer(o->id);
    if (!pts) return web_.failure(r, pts.error());
    json::array points;
    for (const auto& p : *pts) points.push_back(point_data(r, p, std::nullopt));
    json::array needs;
    for (const auto& n : o->data.needs)
      needs.push_back(json::object{{"label", need_label(r, n)},
                                   {"url", "/" + a->slug + "/thema/" + n}});
    std::string age;
    if (o->data.minimum_age && o->data.maximum_age)
      age = std::to_string(*o->data.minimum_age) + "–" + std::to_string(*o->data.maximum_age);
    else if (o->data.minimum_age) age = web_.msg(r, "portal.from") + " " + std::to_string(*o->data.minimum_age);
    else if (o->data.maximum_age) age = web_.msg(r, "portal.until") + " " + std::to_string(*o->data.maximum_age);
    const std::string first_need = o->data.needs.empty() ? "" : o->data.needs.front();
    json::object data{{"alliance", alliance_data(*a)},
                      {"offer", json::object{{"name", o->data.name},
                                             {"description", o->data.description},
                                             {"provider", o->organization_name},
                                             {"eligibility", o->data.eligibility_description},
                                             {"application", o->data.application_process},
                                             {"fees", o->data.fees_description},
                                             {"url", o->data.url},
                                             {"email", o->data.email},
                                             {"legal_basis", o->data.legal_basis},
                                             {"age", age}}},
                      {"needs", std::move(needs)},
                      {"points", std::move(points)},
                      {"contact_url", "/" + a->slug + "/kontakt" +
                                          (first_need.empty() ? "" : "?thema=" + first_need)}};
    return web_.page(r, 200, "portal_offer", data, "portal.offer.title", std::nullopt);
  }

  // ---- contact form ----------------------------------------------------

  json::array topic_options(const Request& r, const std::string& selected) {
    json::array out;
    for (const auto& n : domain::all_needs())
      out.push_back(json::object{{"key", n.key}, {"label", need_label(r, n.key)},
                                 {"selected", n.key == selected}});
    return out;
  }

  Response contact_page(Request& r, int status, const Alliance& a, json::object v,
                        pages::Feedback fb) {
    std::string csrf = r.cookie(kCsrfCookie).value_or("");
    const bool fresh = csrf.size() < 32 || csrf.size() > 128;
    if (fresh) csrf = random_token(32);
    const std::string topic = v.contains("need") ? std::string(v["need"].as_string()) : "";
    json::object data{{"alliance", alliance_data(a)},
                      {"topics", topic_options(r, topic)},
                      {"action", "/" + a.slug + "/kontakt"},
                      {"privacy_url", "/" + a.slug + "/datenschutz"},
                      {"csrf_token", csrf},
                      {"v", std::move(v)},
                      {"has_errors", !fb.empty()},
                      {"errors", std::move(fb.errors)},
                      {"fe", std::move(fb.fe)},
                      {"max_message", portal::kMaxMessageChars},
                      {"retention_days", closed_retention_days()}};
    Response res = web_.page(r, status, "portal_contact", data, "portal.contact.title", std::nullopt);
    if (fresh)
      res.headers.emplace_back("Set-Cookie", std::string(kCsrfCookie) + "=" + csrf +
                                                 "; Path=/; HttpOnly; SameSite=Strict");
    res.set_header("Cache-Control", "no-store");
    return res;
  }

  Response contact_form(Request& r) {
    Response fail;
    auto a = alliance(r, fail);
    if (!a) return fail;
    std::string topic = q(r, "thema");
    if (!is_need(topic)) topic.clear();
    return contact_page(r, 200, *a, json::object{{"need", topic}}, {});
  }

  Response contact_submit(Request& r) {
    Response fail;
    auto a = alliance(r, fail);
    if (!a) return fail;
    const auto form = r.form();
    portal::ContactDraft d{.alliance_ags = a->ags,
                           .need = pages::value(form, "need"),
                           .name = pages::value(form, "name"),
                           .contact = pages::value(form, "contact"),
                           .message = pages::trim(form.count("message") ? form.find("message")->second : ""),
                           .consent = pages::value(form, "consent") == "yes",
                           .honeypot = pages::value(form, "website")};
    json::object v{{"need", d.need}, {"name", d.name}, {"contact", d.contact},
                   {"message", d.message}, {"consent", d.consent}};
    const std::string cookie = r.cookie(kCsrfCookie).value_or("");
    if (cookie.empty() || !secure_equals(cookie, pages::value(form, "csrf_token"))) {
      pages::Feedback fb;
      fb.add("name", "csrf", web_.msg(r, "portal.error.csrf"));
      return contact_page(r, 403, *a, std::move(v), std::move(fb));
    }
    if (d.honeypot.empty()) {
      // Every problem at once, each at its field.
      auto problems = portal::validate(d);
      if (!problems.empty()) {
        pages::Feedback fb;
        for (const auto& e : problems) fb.add(e.field, e.field, e.message);
        return contact_page(r, 422, *a, std::move(v), std::move(fb));
      }
    }
    auto sent = web_.portal.submit(d, {.address = r.remote_address, .request_id = r.request_id});
    if (!sent) {
      const Error& e = sent.error();
      if (e.code == ErrorCode::kInvalidArgument) {
        pages::Feedback fb;
        const std::string anchor = e.field == "need" ? "need" : e.field == "consent" ? "consent" : e.field;
        fb.add(anchor, e.field, e.message);
        return contact_page(r, 422, *a, std::move(v), std::move(fb));
      }
      if (e.code == ErrorCode::kTooManyRequests) {
        Response res = web_.page(r, 429, "portal_limited",
                                 json::object{{"alliance", alliance_data(*a)}},
                                 "portal.limited.title", std::nullopt);
        res.set_header("Retry-After", "3600");
        return res;
      }
      return web_.failure(r, e);
    }
    std::string agency_name;
    if (auto key = domain::routed_agency_key(a->ags, d.need)) {
      auto ag = web_.db.read([&](store::Executor& x) { return organisation::Directory::find_agency(x, *key); });
      if (ag) agency_name = ag->name;
    }
    json::object data{{"alliance", alliance_data(*a)},
                      {"reference", sent->reference},
                      {"agency", agency_name},
                      {"contact", d.contact},
                      {"privacy_url", "/" + a->slug + "/datenschutz"}};
    Response res = web_.page(r, 200, "portal_sent", data, "portal.sent.title", std::nullopt);
    res.set_header("Cache-Control", "no-store");
    return res;
  }

  // ---- GET /{slug}/datenschutz ----------------------------------------

  Response privacy(Request& r) {
    Response fail;
    auto a = alliance(r, fail);
    if (!a) return fail;
    json::object data{{"alliance", alliance_data(*a)},
                      {"retention_days", closed_retention_days()},
                      {"contact_url", "/" + a->slug + "/kontakt"}};
    return web_.page(r, 200, "portal_privacy", data, "portal.privacy.title", std::nullopt);
  }

 private:
  // What the young person is told: the period `lotse retention` really
  // applies to closed requests (configured, else the code default).
  int closed_retention_days() {
    auto rules = web_.portal.retention_rules();
    if (rules)
      for (const auto& r : *rules)
        if (r.category == portal::kRetentionClosed) return r.days;
    return web_.portal.options().retention_days_after_close;
  }

  WebContext& web_;
  PortalAnswerCache answers_;
};

}  // namespace

void register_portal_pages(Router& router, WebContext& web) {
  auto self = std::make_shared<PortalPages>(web);
  auto bind = [self](Response (PortalPages::*fn)(Request&)) {
    return [self, fn](Request& r) { return ((*self).*fn)(r); };
  };
  router.add("GET", "/", bind(&PortalPages::home));
  router.add("GET", "/{slug}", bind(&PortalPages::start));
  router.add("GET", "/{slug}/thema/{need}", bind(&PortalPages::need));
  router.add("GET", "/{slug}/angebote/{id}", bind(&PortalPages::offer));
  router.add("GET", "/{slug}/kontakt", bind(&PortalPages::contact_form));
  router.add("POST", "/{slug}/kontakt", bind(&PortalPages::contact_submit));
  router.add("GET", "/{slug}/datenschutz", bind(&PortalPages::privacy));
}

}  // namespace lotse::web
