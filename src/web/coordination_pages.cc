// The coordinators' pages of the offer catalogue (see coordination_pages.h):
// the needs × phases overview the seeds ask for ("trägerübergreifende,
// einheitliche und strukturierte Übersicht über die Bedarfslagen und die zur
// Verfügung stehenden Maßnahmen"), the offer list and forms, and the contact
// points with opening hours entered as weekdays and times (no RRULE syntax),
// and the providers (Träger) with their contact details, changed only by the
// coordinator of the one alliance a provider belongs to
// (catalogue::ProviderEntry::editable_by).
//
// Everything is read and changed through CatalogueService, which validates,
// writes one transaction per change and audits it; these handlers turn
// requests into drafts and results into view data. Forms work without
// JavaScript: every POST checks the session's CSRF token; bad input shows the
// same page again (422) with an error summary linking to each field, the
// message at the field, and everything typed kept.
#include "web/coordination_pages.h"

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

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_schedule.h"
#include "lotse/domain/catalogue_vocabulary.h"
#include "lotse/identity/user.h"
#include "lotse/organisation/directory.h"
#include "web/page_support.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using namespace pages;  // NOLINT: the shared page helpers
using catalogue::ContactPoint;
using catalogue::ContactPointDraft;
using catalogue::Editor;
using catalogue::Offer;
using catalogue::OfferDraft;
using catalogue::OpeningRule;
using identity::Role;

constexpr int kPageSize = 50;
constexpr int kWeeklyRows = 4;  // weekday rows on the contact point form (at least)
constexpr int kDateRows = 3;    // single-date rows (bus stops) shown empty
constexpr std::string_view kWeekdays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

std::string need_label(std::string_view key) {
  for (const auto& n : domain::all_needs())
    if (n.key == key) return std::string(n.label_de);
  return std::string(key);
}

std::string offer_url(const std::string& id) { return "/koordination/angebote/" + id; }
std::string point_url(const std::string& id) { return "/koordination/kontaktstellen/" + id; }
std::string provider_url(const std::string& id) {
  return "/koordination/traeger/" + id;
}

// Query-string value (form-urlencoded).
std::string q_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "a=1&b=2" from the non-empty pairs.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (v.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += k + "=" + q_encode(v);
  }
  return out;
}

// A whole number within [lo, hi] from a form field; nullopt and `bad` set
// when the text is not one.
std::optional<int> parse_int(const std::string& text, bool& bad) {
  bad = false;
  if (text.empty()) return std::nullopt;
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    bad = true;
    return std::nullopt;
  }
  return n;
}

std::optional<double> parse_double(std::string text, bool& bad) {
  bad = false;
  if (text.empty()) return std::nullopt;
  for (char& ch : text)
    if (ch == ',') ch = '.';
  double d = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    bad = true;
    return std::nullopt;
  }
  return d;
}

// Options of a vocabulary for a select or a checkbox group.
json::array term_options(std::span<const domain::CatalogueTerm> terms,
                         const std::vector<std::string>& chosen, const std::string& id_prefix) {
  json::array out;
  for (const auto& t : terms)
    out.push_back(json::object{{"key", std::string(t.key)},
                               {"label", std::string(t.label_de)},
                               {"id", id_prefix + std::string(t.key)},
                               {"selected", contains(chosen, t.key)}});
  return out;
}

json::array need_options(const std::vector<std::string>& chosen, const std::string& id_prefix) {
  json::array out;
  for (const auto& n : domain::all_needs())
    out.push_back(json::object{{"key", std::string(n.key)},
                               {"label", std::string(n.label_de)},
                               {"id", id_prefix + std::string(n.key)},
                               {"selected", contains(chosen, n.key)}});
  return out;
}

json::array phase_options(const std::vector<std::string>& chosen, const std::string& id_prefix) {
  json::array out;
  for (int p = 1; p <= 5; ++p)
    out.push_back(json::object{{"key", std::to_string(p)},
                               {"label", std::string(domain::phase_label_de(p))},
                               {"id", id_prefix + std::to_string(p)},
                               {"selected", contains(chosen, std::to_string(p))}});
  return out;
}

std::string weekday_label(std::string_view code) {
  static const std::map<std::string_view, std::string> kNames = {
      {"MO", "Mo"}, {"TU", "Di"}, {"WE", "Mi"}, {"TH", "Do"},
      {"FR", "Fr"}, {"SA", "Sa"}, {"SU", "So"}};
  auto it = kNames.find(code);
  return it == kNames.end() ? std::string(code) : it->second;
}

std::string weekday_long(std::string_view code) {
  static const std::map<std::string_view, std::string> kNames = {
      {"MO", "Montag"},  {"TU", "Dienstag"}, {"WE", "Mittwoch"}, {"TH", "Donnerstag"},
      {"FR", "Freitag"}, {"SA", "Samstag"},  {"SU", "Sonntag"}};
  auto it = kNames.find(code);
  return it == kNames.end() ? std::string(code) : it->second;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    std::string part = trim(std::string_view(s).substr(start, end - start));
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// A weekly rule the simple form can show: "FREQ=WEEKLY;BYDAY=MO,TU" (no
// interval, count, ordinals …), its weekday codes; else nullopt.
std::optional<std::vector<std::string>> simple_weekly(const OpeningRule& rule) {
  if (rule.rrule.empty()) return std::nullopt;
  auto f = domain::Recurrence::fields_from_rrule(rule.rrule);
  if (!f || f->freq != "WEEKLY" || !f->interval.empty() || !f->count.empty() ||
      !f->until.empty() || !f->bymonthday.empty() || !f->byweekno.empty() ||
      !f->byyearday.empty() || f->byday.empty() || !rule.valid_from.empty() ||
      !rule.valid_to.empty())
    return std::nullopt;
  auto days = split(f->byday, ',');
  for (const auto& d : days)
    if (d.size() != 2) return std::nullopt;  // ordinals only make sense monthly
  return days;
}

std::string hours_text(const OpeningRule& rule) {
  std::string times;
  if (!rule.opens_at.empty() || !rule.closes_at.empty())
    times = rule.opens_at + "–" + rule.closes_at + " Uhr";
  std::string when;
  if (auto days = simple_weekly(rule)) {
    for (const auto& d : *days) when += (when.empty() ? "" : ", ") + weekday_label(d);
  } else if (rule.rrule.empty() && !rule.dtstart.empty()) {
    when = german_date(rule.dtstart);
  } else if (!rule.rrule.empty()) {
    when = rule.rrule;
  }
  std::string out = trim(when + " " + times);
  if (!rule.description.empty()) out += out.empty() ? rule.description : " (" + rule.description + ")";
  return out;
}

struct ProviderDraftInput {
  catalogue::ProviderDraft draft;
  Feedback fb;
};

class CoordinationPages {
 public:
  explicit CoordinationPages(WebContext& web) : web_(web) {}

  void add_routes(Router& router, const std::shared_ptr<CoordinationPages>& self) {
    auto bind = [self](Response (CoordinationPages::*fn)(Request&)) {
      return [self, fn](Request& r) { return ((*self).*fn)(r); };
    };
    router.add("GET", "/koordination", bind(&CoordinationPages::home));
    router.add("GET", "/koordination/uebersicht", bind(&CoordinationPages::matrix));
    router.add("GET", "/koordination/angebote", bind(&CoordinationPages::offers));
    router.add("GET", "/koordination/angebote/neu", bind(&CoordinationPages::new_offer));
    router.add("POST", "/koordination/angebote/neu", bind(&CoordinationPages::create_offer));
    router.add("GET", "/koordination/angebote/{id}", bind(&CoordinationPages::show_offer));
    router.add("POST", "/koordination/angebote/{id}", bind(&CoordinationPages::update_offer));
    router.add("POST", "/koordination/angebote/{id}/loeschen",
               bind(&CoordinationPages::delete_offer));
    router.add("GET", "/koordination/kontaktstellen", bind(&CoordinationPages::points));
    router.add("GET", "/koordination/kontaktstellen/neu", bind(&CoordinationPages::new_point));
    router.add("POST", "/koordination/kontaktstellen/neu", bind(&CoordinationPages::create_point));
    router.add("GET", "/koordination/kontaktstellen/{id}", bind(&CoordinationPages::show_point));
    router.add("POST", "/koordination/kontaktstellen/{id}", bind(&CoordinationPages::update_point));
    router.add("POST", "/koordination/kontaktstellen/{id}/loeschen",
               bind(&CoordinationPages::delete_point));
    router.add("GET", "/koordination/traeger", bind(&CoordinationPages::providers_page));
    router.add("GET", "/koordination/traeger/neu", bind(&CoordinationPages::new_provider));
    router.add("POST", "/koordination/traeger/neu", bind(&CoordinationPages::create_provider));
    router.add("GET", "/koordination/traeger/{id}", bind(&CoordinationPages::show_provider));
    router.add("POST", "/koordination/traeger/{id}", bind(&CoordinationPages::update_provider));
  }

 private:
  // Who looks at the catalogue, and which alliance's.
  struct Viewer {
    Caller c;
    std::string ags;         // the alliance shown
    std::string alliance_name;
    bool may_edit = false;   // the alliance's coordinator
    bool state_office = false;
    json::array alliances;   // the state office's choice
  };

  std::string msg(const Request& r, std::string_view key) const { return web_.msg(r, key); }

  static void put_errors(json::object& data, Feedback fb) {
    data["has_errors"] = !fb.empty();
    data["errors"] = std::move(fb.errors);
    data["fe"] = std::move(fb.fe);
  }

  std::optional<Caller> signed_in(Request& r, Response& denied) {
    auto s = web_.session_of(r);
    if (!s) {
      const std::string next = r.method == "GET" ? r.target : "/koordination";
      denied = Response::redirect("/anmelden?next=" + url_encode(next));
      return std::nullopt;
    }
    return Caller{*s, reader_for(s->user, r)};
  }

  // Coordinators and case workers see their own alliance, the state office
  // any (?buendnis=), others get 403.
  std::optional<Viewer> viewer(Request& r, Response& denied) {
    auto c = signed_in(r, denied);
    if (!c) return std::nullopt;
    const identity::User& u = c->user();
    Viewer v{.c = *c};
    if ((u.role == Role::kCoordinator || u.role == Role::kCaseWorker) && !u.alliance_ags.empty()) {
      v.ags = u.alliance_ags;
      v.alliance_name = u.alliance_name;
      v.may_edit = u.role == Role::kCoordinator;
    } else if (u.role == Role::kStateOffice) {
      v.state_office = true;
      auto all = web_.db.read([](store::Executor& x) { return organisation::Directory::alliances(x); });
      if (!all) {
        denied = web_.failure(r, all.error());
        return std::nullopt;
      }
      const std::string chosen = r.query_param("buendnis").value_or("");
      for (const auto& a : *all) {
        if ((chosen.empty() && v.ags.empty()) || a.ags == chosen) {
          v.ags = a.ags;
          v.alliance_name = a.name;
        }
        v.alliances.push_back(json::object{{"ags", a.ags}, {"name", a.name}});
      }
      if (!chosen.empty() && v.ags != chosen) {
        denied = web_.error_page(r, 404);
        return std::nullopt;
      }
      for (auto& a : v.alliances)
        a.as_object()["selected"] = a.as_object()["ags"].as_string() == v.ags;
    } else {
      denied = web_.error_page(r, 403);
      return std::nullopt;
    }
    return v;
  }

  // Only the alliance's coordinator changes its catalogue.
  std::optional<Viewer> editor(Request& r, Response& denied) {
    auto v = viewer(r, denied);
    if (!v) return std::nullopt;
    if (!v->may_edit) {
      denied = web_.error_page(r, 403);
      return std::nullopt;
    }
    return v;
  }

  static Editor editor_of(const Viewer& v) {
    return Editor{.username = v.c.user().username,
                  .request_id = v.c.reader.request_id,
                  .alliance_ags = v.ags};
  }

  // Shared page data: alliance, role flags, navigation.
  json::object base(const Viewer& v, const std::string& active) const {
    const std::string sel = v.state_office ? "?buendnis=" + v.ags : "";
    return json::object{{"alliance_name", v.alliance_name},
                        {"alliance_ags", v.ags},
                        {"may_edit", v.may_edit},
                        {"state_office", v.state_office},
                        {"alliances", v.alliances},
                        {"nav_matrix_url", "/koordination/uebersicht" + sel},
                        {"nav_offers_url", "/koordination/angebote" + sel},
                        {"nav_points_url", "/koordination/kontaktstellen" + sel},
                        {"nav_providers_url", "/koordination/traeger" + sel},
                        {"nav_matrix", active == "matrix"},
                        {"nav_offers", active == "offers"},
                        {"nav_points", active == "points"},
                        {"nav_providers", active == "providers"}};
  }

  Response page(const Request& r, int status, std::string_view name, json::object data,
                const std::string& title_key, const Viewer& v) {
    const std::string notice = r.query_param("hinweis").value_or("");
    static const std::set<std::string> kNotices = {"angelegt", "gespeichert", "geloescht"};
    if (kNotices.contains(notice)) data["notice"] = msg(r, "coord.notice." + notice);
    return render(web_, r, status, name, std::move(data), title_key, v.c);
  }

  // ---- /koordination -------------------------------------------------

  Response home(Request& r) {
    Response denied;
    auto v = viewer(r, denied);
    if (!v) return denied;
    return page(r, 200, "coordination_home", base(*v, ""), "coord.home.title", *v);
  }

  // The legal-sphere and target-group filters the overview and the offer
  // list share: a known value narrows the query, anything else is a field
  // error.
  template <typename Query>
  void profile_filters(const Request& r, const std::string& sphere, const std::string& group,
                       Query& q, Feedback& fb) const {
    if (!sphere.empty()) {
      if (domain::validate_catalogue_term(domain::offer_legal_spheres(), sphere, "rechtskreis"))
        q.legal_sphere = sphere;
      else
        fb.add("rechtskreis", "rechtskreis", msg(r, "coord.error.filter"));
    }
    if (!group.empty()) {
      if (domain::validate_catalogue_term(domain::target_groups(), group, "zielgruppe"))
        q.target_group = group;
      else
        fb.add("zielgruppe", "zielgruppe", msg(r, "coord.error.filter"));
    }
  }

  // ---- /koordination/uebersicht ----------------------------------------

  Response matrix(Request& r) {
    Response denied;
    auto v = viewer(r, denied);
    if (!v) return denied;
    const std::string sphere = r.query_param("rechtskreis").value_or("");
    const std::string group = r.query_param("zielgruppe").value_or("");
    Feedback fb;
    catalogue::MatrixQuery q{.alliance_ags = v->ags};
    profile_filters(r, sphere, group, q, fb);
    auto m = web_.catalogue.needs_phase_matrix(q);
    if (!m) return web_.failure(r, m.error());
    json::array phases;
    for (int p = 1; p <= 5; ++p)
      phases.push_back(json::object{{"number", p},
                                    {"label", std::string(domain::phase_label_de(p))}});
    json::array rows;
    int total = 0;
    for (std::size_t i = 0; i < m->needs.size(); ++i) {
      const std::string& need = m->needs[i];
      json::array cells;
      for (int p = 1; p <= 5; ++p) {
        const int n = m->counts[i][p - 1];
        total += n;
        const std::string list = "/koordination/angebote" +
                                 query_string({{"buendnis", v->state_office ? v->ags : ""},
                                               {"bedarf", need},
                                               {"phase", std::to_string(p)},
                                               {"rechtskreis", q.legal_sphere.value_or("")},
                                               {"zielgruppe", q.target_group.value_or("")}});
        const std::string create = "/koordination/angebote/neu" +
                                   query_string({{"bedarf", need},
                                                 {"phase", std::to_string(p)},
                                                 {"rechtskreis", q.legal_sphere.value_or("")},
                                                 {"zielgruppe", q.target_group.value_or("")}});
        cells.push_back(json::object{{"count", n},
                                     {"gap", n == 0},
                                     {"url", list},
                                     {"new_url", create},
                                     {"phase", p},
                                     {"phase_label", std::string(domain::phase_label_de(p))}});
      }
      rows.push_back(json::object{{"need", need},
                                  {"label", need_label(need)},
                                  {"cells", std::move(cells)}});
    }
    json::object data = base(*v, "matrix");
    data["phases"] = std::move(phases);
    data["rows"] = std::move(rows);
    data["gap_count"] = m->gaps().size();
    data["cell_total"] = total;
    data["spheres"] = term_options(domain::offer_legal_spheres(), {sphere}, "rechtskreis-");
    data["groups"] = term_options(domain::target_groups(), {group}, "zielgruppe-");
    data["filtered"] = q.legal_sphere.has_value() || q.target_group.has_value();
    const int status = fb.empty() ? 200 : 422;
    put_errors(data, std::move(fb));
    return page(r, status, "coordination_matrix", std::move(data), "coord.matrix.title", *v);
  }

  // ---- /koordination/angebote ------------------------------------------

  Response offers(Request& r) {
    Response denied;
    auto v = viewer(r, denied);
    if (!v) return denied;
    catalogue::OfferQuery q{.alliance_ags = v->ags, .limit = kPageSize};
    const std::string need = r.query_param("bedarf").value_or("");
    const std::string phase = r.query_param("phase").value_or("");
    const std::string sphere = r.query_param("rechtskreis").value_or("");
    const std::string group = r.query_param("zielgruppe").value_or("");
    const std::string text = trim(r.query_param("q").value_or(""));
    const bool inactive = !r.query_param("inaktiv").value_or("").empty();
    Feedback fb;
    if (!need.empty()) {
      if (domain::validate_need(need, "bedarf")) q.need = need;
      else fb.add("bedarf", "bedarf", msg(r, "coord.error.filter"));
    }
    if (!phase.empty()) {
      bool bad = false;
      auto p = parse_int(phase, bad);
      if (p && *p >= 1 && *p <= 5) q.phase = *p;
      else fb.add("phase", "phase", msg(r, "coord.error.filter"));
    }
    profile_filters(r, sphere, group, q, fb);
    if (text.size() > 200) fb.add("q", "q", msg(r, "coord.error.filter"));
    else q.text = text;
    q.include_inactive = inactive;
    bool bad_page = false;
    int page_no = parse_int(r.query_param("seite").value_or(""), bad_page).value_or(1);
    if (page_no < 1 || page_no > 10000) page_no = 1;
    q.offset = (page_no - 1) * kPageSize;
    auto found = web_.catalogue.list_offers(q);
    if (!found) return web_.failure(r, found.error());
    json::array items;
    for (const auto& o : found->offers) {
      json::array needs, phases;
      for (const auto& n : o.needs) needs.push_back(json::string(need_label(n)));
      for (const auto& p : o.phases) phases.push_back(json::string(p));
      items.push_back(json::object{
          {"url", offer_url(o.id)},
          {"name", o.name},
          {"provider", o.organization_name},
          {"sphere", std::string(catalogue_term_label(domain::offer_legal_spheres(), o.legal_sphere))},
          {"legal_basis", o.legal_basis},
          {"status", std::string(catalogue_term_label(domain::offer_statuses(), o.status))},
          {"inactive", o.status != "active"},
          {"needs", std::move(needs)},
          {"phases", std::move(phases)}});
    }
    auto link_for = [&](int p) {
      return "/koordination/angebote" +
             query_string({{"buendnis", v->state_office ? v->ags : ""},
                           {"bedarf", need},
                           {"phase", phase},
                           {"rechtskreis", sphere},
                           {"zielgruppe", group},
                           {"q", text},
                           {"inaktiv", inactive ? "1" : ""},
                           {"seite", std::to_string(p)}});
    };
    json::object data = base(*v, "offers");
    data["offers"] = std::move(items);
    data["total"] = found->total;
    data["none"] = found->offers.empty();
    data["from"] = found->offers.empty() ? 0 : q.offset + 1;
    data["to"] = q.offset + static_cast<int>(found->offers.size());
    if (page_no > 1) data["prev_url"] = link_for(page_no - 1);
    if (q.offset + kPageSize < found->total) data["next_url"] = link_for(page_no + 1);
    data["needs"] = need_options({need}, "bedarf-");
    std::vector<std::string> phase_sel{phase};
    data["phase_options"] = phase_options(phase_sel, "phase-");
    data["spheres"] = term_options(domain::offer_legal_spheres(), {sphere}, "rechtskreis-");
    data["groups"] = term_options(domain::target_groups(), {group}, "zielgruppe-");
    data["q"] = text;
    data["inactive"] = inactive;
    if (q.need && q.phase)
      data["cell"] = json::object{
          {"need", need_label(*q.need)},
          {"phase", std::string(domain::phase_label_de(*q.phase))},
          {"new_url", "/koordination/angebote/neu" +
                          query_string({{"bedarf", need}, {"phase", phase},
                                        {"rechtskreis", sphere}, {"zielgruppe", group}})}};
    const int status = fb.empty() ? 200 : 422;
    put_errors(data, std::move(fb));
    return page(r, status, "coordination_offers", std::move(data), "coord.offers.title", *v);
  }

  // ---- offer form --------------------------------------------------------

  // The providers to choose from (CatalogueService::providers), marked.
  Result<json::array> providers(const std::string& ags, const std::string& chosen) {
    LOTSE_ASSIGN_OR_RETURN(auto list, web_.catalogue.providers(ags));
    json::array out;
    for (const auto& p : list)
      out.push_back(json::object{{"id", p.id}, {"name", p.name}, {"selected", p.id == chosen}});
    return out;
  }

  static Form offer_form_of(const Offer& o) {
    Form f;
    const OfferDraft& d = o.data;
    auto put = [&](const char* k, const std::string& s) { f.emplace(k, s); };
    put("name", d.name);
    put("alternate_name", d.alternate_name);
    put("description", d.description);
    put("url", d.url);
    put("email", d.email);
    put("status", d.status);
    put("legal_sphere", d.legal_sphere);
    put("legal_basis", d.legal_basis);
    put("organization_id", d.organization_id);
    for (int p : d.phases) put("phases", std::to_string(p));
    for (const auto& n : d.needs) put("needs", n);
    for (const auto& g : d.target_groups) put("target_groups", g);
    for (const auto& x : d.funding) put("funding", x);
    for (const auto& c : d.contact_point_ids) put("contact_point_ids", c);
    auto num = [&](const char* k, const std::optional<int>& n) {
      put(k, n ? std::to_string(*n) : std::string());
    };
    num("minimum_age", d.minimum_age);
    num("maximum_age", d.maximum_age);
    num("capacity", d.capacity);
    num("waiting_days", d.waiting_days);
    put("eligibility_description", d.eligibility_description);
    put("application_process", d.application_process);
    put("fees_description", d.fees_description);
    return f;
  }

  // The anchor of a field in the offer form (checkbox groups: the first box).
  static std::string offer_anchor(const std::string& field,
                                  const std::vector<std::string>& point_ids) {
    if (field == "phases") return "phases-1";
    if (field == "needs") return "needs-" + std::string(domain::all_needs()[0].key);
    if (field == "target_groups") return "target_groups-" + std::string(domain::target_groups()[0].key);
    if (field == "funding") return "funding-" + std::string(domain::funding_kinds()[0].key);
    if (field == "contact_point_ids")
      return point_ids.empty() ? "contact_points" : "contact_point_ids-" + point_ids[0];
    if (field == "alliance_ags" || field.empty()) return "name";
    return field;
  }

  Response render_offer_form(Request& r, int status, const Viewer& v, const Form& f,
                             Feedback fb, const std::string& id) {
    auto orgs = providers(v.ags, value(f, "organization_id"));
    if (!orgs) return web_.failure(r, orgs.error());
    auto points = web_.catalogue.list_contact_points(v.ags);
    if (!points) return web_.failure(r, points.error());
    const auto chosen_points = values(f, "contact_point_ids");
    json::array point_items;
    for (const auto& p : *points)
      point_items.push_back(json::object{
          {"id", "contact_point_ids-" + p.id},
          {"key", p.id},
          {"label", p.data.name + (p.data.city.empty() ? "" : " (" + p.data.city + ")")},
          {"selected", contains(chosen_points, p.id)}});
    json::object vals;
    for (const char* k : {"name", "alternate_name", "description", "url", "email", "legal_basis",
                          "minimum_age", "maximum_age", "capacity", "waiting_days",
                          "eligibility_description", "application_process", "fees_description"})
      vals[k] = value(f, k);
    const std::string status_value = value(f, "status").empty() ? "active" : value(f, "status");
    json::object data = base(v, "offers");
    data["is_new"] = id.empty();
    data["action"] = id.empty() ? std::string("/koordination/angebote/neu") : offer_url(id);
    if (!id.empty()) data["delete_url"] = offer_url(id) + "/loeschen";
    data["v"] = std::move(vals);
    data["providers"] = std::move(*orgs);
    data["spheres"] = term_options(domain::offer_legal_spheres(), {value(f, "legal_sphere")},
                                   "legal_sphere-");
    data["statuses"] = term_options(domain::offer_statuses(), {status_value}, "status-");
    data["phase_options"] = phase_options(values(f, "phases"), "phases-");
    data["needs"] = need_options(values(f, "needs"), "needs-");
    data["groups"] = term_options(domain::target_groups(), values(f, "target_groups"),
                                  "target_groups-");
    data["fundings"] = term_options(domain::funding_kinds(), values(f, "funding"), "funding-");
    data["points"] = std::move(point_items);
    data["has_points"] = !points->empty();
    put_errors(data, std::move(fb));
    return page(r, status, "coordination_offer_form", std::move(data),
                id.empty() ? "coord.offer.new_title" : "coord.offer.edit_title", v);
  }

  // The draft from the form; field errors of what the page can check itself.
  OfferDraft offer_draft(const Request& r, const Viewer& v, const Form& f, Feedback& fb) {
    OfferDraft d;
    d.alliance_ags = v.ags;
    d.organization_id = value(f, "organization_id");
    d.name = value(f, "name");
    d.alternate_name = value(f, "alternate_name");
    d.description = value(f, "description");
    d.url = value(f, "url");
    d.email = value(f, "email");
    d.status = value(f, "status").empty() ? "active" : value(f, "status");
    d.legal_sphere = value(f, "legal_sphere");
    d.legal_basis = value(f, "legal_basis");
    for (const auto& p : values(f, "phases")) {
      bool bad = false;
      auto n = parse_int(p, bad);
      if (n) d.phases.push_back(*n);
      else if (bad) fb.add("phases-1", "phases", msg(r, "coord.error.phases"));
    }
    d.needs = values(f, "needs");
    d.target_groups = values(f, "target_groups");
    d.funding = values(f, "funding");
    d.contact_point_ids = values(f, "contact_point_ids");
    d.eligibility_description = value(f, "eligibility_description");
    d.application_process = value(f, "application_process");
    d.fees_description = value(f, "fees_description");
    if (d.name.empty()) fb.add("name", "name", msg(r, "coord.error.name"));
    if (d.organization_id.empty())
      fb.add("organization_id", "organization_id", msg(r, "coord.error.provider"));
    if (d.legal_sphere.empty())
      fb.add("legal_sphere", "legal_sphere", msg(r, "coord.error.legal_sphere"));
    if (d.phases.empty()) fb.add("phases-1", "phases", msg(r, "coord.error.phases"));
    if (d.needs.empty())
      fb.add(offer_anchor("needs", {}), "needs", msg(r, "coord.error.needs"));
    for (auto [field, target] : {std::pair{"minimum_age", &d.minimum_age},
                                 {"maximum_age", &d.maximum_age},
                                 {"capacity", &d.capacity},
                                 {"waiting_days", &d.waiting_days}}) {
      bool bad = false;
      *target = parse_int(value(f, field), bad);
      if (bad || (*target && *target < 0)) fb.add(field, field, msg(r, "coord.error.number"));
    }
    if (d.minimum_age && d.maximum_age && *d.minimum_age > *d.maximum_age)
      fb.add("maximum_age", "maximum_age", msg(r, "coord.error.age_range"));
    return d;
  }

  // A service error at its field (kInvalidArgument), else the error answer.
  std::optional<Response> offer_error(Request& r, const Error& e, Feedback& fb,
                                      const std::vector<std::string>& point_ids) {
    if (e.code == ErrorCode::kForbidden) return web_.error_page(r, 403);
    if (e.code != ErrorCode::kInvalidArgument) return web_.failure(r, e);
    fb.add(offer_anchor(e.field, point_ids), e.field.empty() ? "name" : e.field, e.message);
    return std::nullopt;
  }

  Response new_offer(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    // Started from a cell of the overview: the need and phase preselected.
    Form f;
    for (auto [param, field] : {std::pair{"bedarf", "needs"}, {"phase", "phases"},
                                {"rechtskreis", "legal_sphere"}, {"zielgruppe", "target_groups"}})
      if (auto p = r.query_param(param); p && !p->empty()) f.emplace(field, *p);
    return render_offer_form(r, 200, *v, f, {}, "");
  }

  Response create_offer(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    Feedback fb;
    OfferDraft d = offer_draft(r, *v, f, fb);
    if (!fb.empty()) return render_offer_form(r, 422, *v, f, std::move(fb), "");
    auto id = web_.catalogue.create_offer(editor_of(*v), d);
    if (!id) {
      if (auto res = offer_error(r, id.error(), fb, d.contact_point_ids)) return *res;
      return render_offer_form(r, 422, *v, f, std::move(fb), "");
    }
    return Response::redirect(offer_url(*id) + "?hinweis=angelegt");
  }

  std::optional<std::string> path_param(const Request& r, const char* name) {
    auto it = r.path_params.find(name);
    if (it == r.path_params.end() || it->second.empty() || it->second.size() > 64)
      return std::nullopt;
    return it->second;
  }

  // The offer, if the viewer may see it: 404 when unknown or another
  // alliance's (for viewers); `edit` asks for the coordinator: 403 else.
  std::optional<Offer> offer_for(Request& r, const Viewer& v, bool edit, Response& denied) {
    auto id = path_param(r, "id");
    if (!id) {
      denied = web_.error_page(r, 404);
      return std::nullopt;
    }
    auto o = web_.catalogue.get_offer(*id);
    if (!o) {
      denied = web_.failure(r, o.error());
      return std::nullopt;
    }
    if (o->data.alliance_ags != v.ags) {
      // The state office sees every alliance: switch to the offer's.
      if (v.state_office && !edit) return *o;
      denied = web_.error_page(r, edit || v.may_edit ? 403 : 404);
      return std::nullopt;
    }
    if (edit && !v.may_edit) {
      denied = web_.error_page(r, 403);
      return std::nullopt;
    }
    return *o;
  }

  Response show_offer(Request& r) {
    Response denied;
    auto v = viewer(r, denied);
    if (!v) return denied;
    auto o = offer_for(r, *v, false, denied);
    if (!o) return denied;
    if (v->may_edit) return render_offer_form(r, 200, *v, offer_form_of(*o), {}, o->id);
    // Read-only view.
    const OfferDraft& d = o->data;
    auto labels = [](std::span<const domain::CatalogueTerm> terms,
                     const std::vector<std::string>& keys) {
      json::array out;
      for (const auto& k : keys) out.push_back(json::string(domain::catalogue_term_label(terms, k)));
      return out;
    };
    json::array needs, phases, points;
    for (const auto& n : d.needs) needs.push_back(json::string(need_label(n)));
    for (int p : d.phases)
      phases.push_back(json::string(std::string(domain::phase_label_de(p))));
    auto where = web_.catalogue.contact_points_of_offer(o->id);
    if (!where) return web_.failure(r, where.error());
    for (const auto& p : *where)
      points.push_back(json::string(p.data.name + (p.data.city.empty() ? "" : " (" + p.data.city + ")")));
    auto age = [](const std::optional<int>& a) { return a ? std::to_string(*a) : std::string(); };
    std::string ages;
    if (d.minimum_age || d.maximum_age) ages = age(d.minimum_age) + "–" + age(d.maximum_age);
    json::object o_data{
        {"name", d.name},
        {"description", d.description},
        {"provider", o->organization_name},
        {"sphere", std::string(domain::catalogue_term_label(domain::offer_legal_spheres(), d.legal_sphere))},
        {"legal_basis", d.legal_basis},
        {"status", std::string(domain::catalogue_term_label(domain::offer_statuses(), d.status))},
        {"needs", std::move(needs)},
        {"phases", std::move(phases)},
        {"groups", labels(domain::target_groups(), d.target_groups)},
        {"funding", labels(domain::funding_kinds(), d.funding)},
        {"ages", ages},
        {"eligibility", d.eligibility_description},
        {"application", d.application_process},
        {"fees", d.fees_description},
        {"capacity", d.capacity ? std::to_string(*d.capacity) : std::string()},
        {"waiting_days", d.waiting_days ? std::to_string(*d.waiting_days) : std::string()},
        {"url", d.url},
        {"email", d.email},
        {"points", std::move(points)}};
    for (const char* list : {"phases", "needs", "groups", "funding", "points"})
      o_data[std::string("has_") + list] = !o_data[list].as_array().empty();
    json::object data = base(*v, "offers");
    data["o"] = std::move(o_data);
    return page(r, 200, "coordination_offer_show", std::move(data), "coord.offer.show_title", *v);
  }

  Response update_offer(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    auto o = offer_for(r, *v, true, denied);
    if (!o) return denied;
    Feedback fb;
    OfferDraft d = offer_draft(r, *v, f, fb);
    if (!fb.empty()) return render_offer_form(r, 422, *v, f, std::move(fb), o->id);
    auto done = web_.catalogue.update_offer(editor_of(*v), o->id, d);
    if (!done) {
      if (auto res = offer_error(r, done.error(), fb, d.contact_point_ids)) return *res;
      return render_offer_form(r, 422, *v, f, std::move(fb), o->id);
    }
    return Response::redirect(offer_url(o->id) + "?hinweis=gespeichert");
  }

  Response delete_offer(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    auto o = offer_for(r, *v, true, denied);
    if (!o) return denied;
    if (value(f, "confirm_delete").empty()) {
      Feedback fb;
      fb.add("confirm_delete", "confirm_delete", msg(r, "coord.error.confirm_delete"));
      return render_offer_form(r, 422, *v, offer_form_of(*o), std::move(fb), o->id);
    }
    auto done = web_.catalogue.delete_offer(editor_of(*v), o->id);
    if (!done) return done.error().code == ErrorCode::kForbidden ? web_.error_page(r, 403)
                                                                 : web_.failure(r, done.error());
    return Response::redirect("/koordination/angebote?hinweis=geloescht");
  }

  // ---- /koordination/kontaktstellen ---------------------------------------

  Response points(Request& r) {
    Response denied;
    auto v = viewer(r, denied);
    if (!v) return denied;
    const std::string kind = r.query_param("art").value_or("");
    Feedback fb;
    std::vector<std::string> kinds;
    if (!kind.empty()) {
      if (domain::validate_catalogue_term(domain::contact_point_kinds(), kind, "art"))
        kinds.push_back(kind);
      else
        fb.add("art", "art", msg(r, "coord.error.filter"));
    }
    auto list = web_.catalogue.list_contact_points(v->ags, kinds);
    if (!list) return web_.failure(r, list.error());
    json::array items;
    for (const auto& p : *list) {
      const auto& d = p.data;
      json::array hours;
      for (const auto& rule : d.opening_hours) hours.push_back(json::string(hours_text(rule)));
      std::string where = domain::is_virtual_contact_kind(d.kind)
                              ? (d.kind == "phone" ? d.phone : d.url)
                              : trim(d.street + (d.street.empty() ? "" : ", ") + d.postcode + " " +
                                     d.city);
      items.push_back(json::object{
          {"url", point_url(p.id)},
          {"name", d.name},
          {"kind", std::string(domain::catalogue_term_label(domain::contact_point_kinds(), d.kind))},
          {"where", where},
          {"hours", std::move(hours)},
          {"accessibility", d.accessibility}});
    }
    json::object data = base(*v, "points");
    data["points"] = std::move(items);
    data["count"] = list->size();
    data["none"] = list->empty();
    data["kinds"] = term_options(domain::contact_point_kinds(), {kind}, "art-");
    const int status = fb.empty() ? 200 : 422;
    put_errors(data, std::move(fb));
    return page(r, status, "coordination_points", std::move(data), "coord.points.title", *v);
  }

  // The contact point form's rows: weekly rules it can show as weekdays +
  // times, single dates (bus stops), and other rules kept as they are.
  static Form point_form_of(const ContactPoint& p) {
    Form f;
    const ContactPointDraft& d = p.data;
    auto put = [&](const std::string& k, const std::string& s) { f.emplace(k, s); };
    for (const char* k : {"kind", "name", "organization_id", "description", "transportation", "url",
                          "phone", "email", "street", "postcode", "city", "accessibility"}) {
      const std::map<std::string, const std::string*> fields = {
          {"kind", &d.kind}, {"name", &d.name}, {"organization_id", &d.organization_id},
          {"description", &d.description}, {"transportation", &d.transportation},
          {"url", &d.url}, {"phone", &d.phone}, {"email", &d.email}, {"street", &d.street},
          {"postcode", &d.postcode}, {"city", &d.city}, {"accessibility", &d.accessibility}};
      put(k, *fields.at(k));
    }
    if (d.latitude) put("latitude", fmt_coord(*d.latitude));
    if (d.longitude) put("longitude", fmt_coord(*d.longitude));
    std::string langs;
    for (const auto& l : d.languages) langs += (langs.empty() ? "" : ", ") + l;
    put("languages", langs);
    int wk = 0, dt = 0, ex = 0;
    for (const auto& rule : d.opening_hours) {
      if (auto days = simple_weekly(rule)) {
        const std::string p = "wk" + std::to_string(wk++) + "_";
        for (const auto& day : *days) put(p + "days", day);
        put(p + "opens", rule.opens_at);
        put(p + "closes", rule.closes_at);
        put(p + "note", rule.description);
      } else if (rule.rrule.empty() && !rule.dtstart.empty() && rule.valid_from.empty() &&
                 rule.valid_to.empty()) {
        const std::string p = "dt" + std::to_string(dt++) + "_";
        put(p + "date", rule.dtstart);
        put(p + "opens", rule.opens_at);
        put(p + "closes", rule.closes_at);
        put(p + "note", rule.description);
      } else {
        const std::string p = "ex" + std::to_string(ex++) + "_";
        put(p + "keep", "1");
        put(p + "rrule", rule.rrule);
        put(p + "dtstart", rule.dtstart);
        put(p + "valid_from", rule.valid_from);
        put(p + "valid_to", rule.valid_to);
        put(p + "opens", rule.opens_at);
        put(p + "closes", rule.closes_at);
        put(p + "note", rule.description);
      }
    }
    return f;
  }

  static std::string fmt_coord(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", d);
    return buf;
  }

  // How many rows of a kind the form holds ("wk", "dt", "ex"): up to the
  // last one with a value (empty rows at the end are not kept).
  static int rows_in(const Form& f, const std::string& prefix) {
    int n = 0;
    for (const auto& [k, val] : f) {
      if (k.rfind(prefix, 0) != 0 || trim(val).empty()) continue;
      const auto us = k.find('_');
      bool bad = false;
      auto i = parse_int(k.substr(prefix.size(), us - prefix.size()), bad);
      if (i && *i >= 0 && *i < 50) n = std::max(n, *i + 1);
    }
    return n;
  }

  Response render_point_form(Request& r, int status, const Viewer& v, const Form& f, Feedback fb,
                             const std::string& id) {
    auto orgs = providers(v.ags, value(f, "organization_id"));
    if (!orgs) return web_.failure(r, orgs.error());
    json::object vals;
    for (const char* k : {"name", "description", "transportation", "url", "phone", "email",
                          "street", "postcode", "city", "latitude", "longitude", "accessibility",
                          "languages"})
      vals[k] = value(f, k);
    json::array physical, virtual_kinds;
    const std::string kind = value(f, "kind");
    for (const auto& t : domain::contact_point_kinds()) {
      json::object o{{"key", std::string(t.key)},
                     {"label", std::string(t.label_de)},
                     {"selected", t.key == kind}};
      (domain::is_virtual_contact_kind(t.key) ? virtual_kinds : physical).push_back(std::move(o));
    }
    const json::object& fe = fb.fe;
    auto row_error = [&](const std::string& p) -> std::string {
      auto it = fe.find(p + "row");
      return it == fe.end() ? std::string() : std::string(it->value().as_string());
    };
    json::array weekly;
    const int wk_rows = std::max(kWeeklyRows, rows_in(f, "wk") + 1);
    for (int i = 0; i < wk_rows; ++i) {
      const std::string p = "wk" + std::to_string(i) + "_";
      const auto chosen = values(f, p + "days");
      json::array days;
      for (auto code : kWeekdays)
        days.push_back(json::object{{"id", p + "days-" + std::string(code)},
                                    {"key", std::string(code)},
                                    {"label", weekday_long(code)},
                                    {"selected", contains(chosen, code)}});
      weekly.push_back(json::object{{"n", i + 1},
                                    {"prefix", p},
                                    {"days", std::move(days)},
                                    {"opens", value(f, p + "opens")},
                                    {"closes", value(f, p + "closes")},
                                    {"note", value(f, p + "note")},
                                    {"error", row_error(p)}});
    }
    json::array dates;
    const int dt_rows = rows_in(f, "dt") + kDateRows;
    for (int i = 0; i < dt_rows; ++i) {
      const std::string p = "dt" + std::to_string(i) + "_";
      dates.push_back(json::object{{"n", i + 1},
                                   {"prefix", p},
                                   {"date", value(f, p + "date")},
                                   {"opens", value(f, p + "opens")},
                                   {"closes", value(f, p + "closes")},
                                   {"note", value(f, p + "note")},
                                   {"error", row_error(p)}});
    }
    json::array extra;
    for (int i = 0, n = rows_in(f, "ex"); i < n; ++i) {
      const std::string p = "ex" + std::to_string(i) + "_";
      if (value(f, p + "rrule").empty() && value(f, p + "dtstart").empty() &&
          value(f, p + "note").empty())
        continue;
      OpeningRule rule{.rrule = value(f, p + "rrule"),
                       .dtstart = value(f, p + "dtstart"),
                       .valid_from = value(f, p + "valid_from"),
                       .valid_to = value(f, p + "valid_to"),
                       .opens_at = value(f, p + "opens"),
                       .closes_at = value(f, p + "closes"),
                       .description = value(f, p + "note")};
      extra.push_back(json::object{{"prefix", p},
                                   {"text", hours_text(rule)},
                                   {"keep", !value(f, p + "keep").empty()},
                                   {"rrule", rule.rrule},
                                   {"dtstart", rule.dtstart},
                                   {"valid_from", rule.valid_from},
                                   {"valid_to", rule.valid_to},
                                   {"opens", rule.opens_at},
                                   {"closes", rule.closes_at},
                                   {"note", rule.description},
                                   {"error", row_error(p)}});
    }
    json::object data = base(v, "points");
    data["is_new"] = id.empty();
    data["action"] = id.empty() ? std::string("/koordination/kontaktstellen/neu") : point_url(id);
    if (!id.empty()) data["delete_url"] = point_url(id) + "/loeschen";
    data["v"] = std::move(vals);
    data["providers"] = std::move(*orgs);
    data["physical_kinds"] = std::move(physical);
    data["virtual_kinds"] = std::move(virtual_kinds);
    data["weekly"] = std::move(weekly);
    data["dates"] = std::move(dates);
    data["has_extra"] = !extra.empty();
    data["extra"] = std::move(extra);
    put_errors(data, std::move(fb));
    return page(r, status, "coordination_point_form", std::move(data),
                id.empty() ? "coord.point.new_title" : "coord.point.edit_title", v);
  }

  // The draft from the form; `anchors[i]` is where opening_hours[i]'s errors go.
  ContactPointDraft point_draft(const Request& r, const Viewer& v, const Form& f, Feedback& fb,
                                std::vector<std::string>& anchors) {
    ContactPointDraft d;
    d.alliance_ags = v.ags;
    d.organization_id = value(f, "organization_id");
    d.kind = value(f, "kind");
    d.name = value(f, "name");
    d.description = value(f, "description");
    d.transportation = value(f, "transportation");
    d.url = value(f, "url");
    d.phone = value(f, "phone");
    d.email = value(f, "email");
    d.street = value(f, "street");
    d.postcode = value(f, "postcode");
    d.city = value(f, "city");
    d.accessibility = value(f, "accessibility");
    for (auto& l : split(value(f, "languages"), ',')) {
      for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      d.languages.push_back(l);
    }
    if (d.name.empty()) fb.add("name", "name", msg(r, "coord.error.name"));
    if (d.kind.empty()) fb.add("kind", "kind", msg(r, "coord.error.kind"));
    if (d.organization_id.empty())
      fb.add("organization_id", "organization_id", msg(r, "coord.error.provider"));
    bool bad_lat = false, bad_lon = false;
    d.latitude = parse_double(value(f, "latitude"), bad_lat);
    d.longitude = parse_double(value(f, "longitude"), bad_lon);
    if (bad_lat) fb.add("latitude", "latitude", msg(r, "coord.error.coordinate"));
    if (bad_lon) fb.add("longitude", "longitude", msg(r, "coord.error.coordinate"));
    const bool physical = !d.kind.empty() && !domain::is_virtual_contact_kind(d.kind);
    if (physical && !d.latitude && !d.longitude && !d.city.empty()) {
      // Coordinates: the postcode's centre (the service), else the town's.
      auto places = web_.catalogue.gazetteer();
      if (places && !(*places)->postcode(d.postcode)) {
        if (auto town = (*places)->town(d.city)) {
          d.latitude = town->lat;
          d.longitude = town->lon;
        }
      }
    }
    auto time_ok = [](const std::string& t) {
      return t.empty() || static_cast<bool>(domain::parse_time_of_day(t, "t"));
    };
    for (int i = 0, n = rows_in(f, "wk"); i < n; ++i) {
      const std::string p = "wk" + std::to_string(i) + "_";
      const auto days = values(f, p + "days");
      const std::string opens = value(f, p + "opens"), closes = value(f, p + "closes"),
                        note = value(f, p + "note");
      if (days.empty() && opens.empty() && closes.empty() && note.empty()) continue;
      const std::string anchor = p + "days-MO";
      if (days.empty()) {
        fb.add(anchor, p + "row", msg(r, "coord.error.weekdays"));
        continue;
      }
      if (!time_ok(opens) || !time_ok(closes) || opens.empty() != closes.empty()) {
        fb.add(p + "opens", p + "row", msg(r, "coord.error.times"));
        continue;
      }
      std::string byday;
      for (auto code : kWeekdays)
        if (contains(days, code)) byday += (byday.empty() ? "" : ",") + std::string(code);
      if (byday.empty()) {
        fb.add(anchor, p + "row", msg(r, "coord.error.weekdays"));
        continue;
      }
      d.opening_hours.push_back({.rrule = "FREQ=WEEKLY;BYDAY=" + byday,
                                 .opens_at = opens,
                                 .closes_at = closes,
                                 .description = note});
      anchors.push_back(anchor);
    }
    for (int i = 0, n = rows_in(f, "dt"); i < n; ++i) {
      const std::string p = "dt" + std::to_string(i) + "_";
      const std::string date = value(f, p + "date"), opens = value(f, p + "opens"),
                        closes = value(f, p + "closes"), note = value(f, p + "note");
      if (date.empty() && opens.empty() && closes.empty() && note.empty()) continue;
      if (!Date::parse(date)) {
        fb.add(p + "date", p + "row", msg(r, "coord.error.date"));
        continue;
      }
      if (!time_ok(opens) || !time_ok(closes) || opens.empty() != closes.empty()) {
        fb.add(p + "opens", p + "row", msg(r, "coord.error.times"));
        continue;
      }
      d.opening_hours.push_back(
          {.dtstart = date, .opens_at = opens, .closes_at = closes, .description = note});
      anchors.push_back(p + "date");
    }
    for (int i = 0, n = rows_in(f, "ex"); i < n; ++i) {
      const std::string p = "ex" + std::to_string(i) + "_";
      if (value(f, p + "keep").empty()) continue;
      d.opening_hours.push_back({.rrule = value(f, p + "rrule"),
                                 .dtstart = value(f, p + "dtstart"),
                                 .valid_from = value(f, p + "valid_from"),
                                 .valid_to = value(f, p + "valid_to"),
                                 .opens_at = value(f, p + "opens"),
                                 .closes_at = value(f, p + "closes"),
                                 .description = value(f, p + "note")});
      anchors.push_back(p + "keep");
    }
    return d;
  }

  std::optional<Response> point_error(Request& r, const Error& e, Feedback& fb,
                                      const std::vector<std::string>& anchors) {
    if (e.code == ErrorCode::kForbidden) return web_.error_page(r, 403);
    if (e.code != ErrorCode::kInvalidArgument) return web_.failure(r, e);
    std::string field = e.field.empty() ? "name" : e.field;
    if (field.rfind("opening_hours[", 0) == 0) {
      bool bad = false;
      auto i = parse_int(field.substr(14, field.find(']') - 14), bad);
      if (i && *i >= 0 && static_cast<std::size_t>(*i) < anchors.size()) {
        const std::string& anchor = anchors[*i];
        fb.add(anchor, anchor.substr(0, anchor.find('_') + 1) + "row", e.message);
        return std::nullopt;
      }
      field = "name";
    }
    if (field == "alliance_ags") field = "name";
    fb.add(field, field, e.message);
    return std::nullopt;
  }

  std::optional<ContactPoint> point_for(Request& r, const Viewer& v, Response& denied) {
    auto id = path_param(r, "id");
    if (!id) {
      denied = web_.error_page(r, 404);
      return std::nullopt;
    }
    auto p = web_.catalogue.get_contact_point(*id);
    if (!p) {
      denied = web_.failure(r, p.error());
      return std::nullopt;
    }
    if (p->data.alliance_ags != v.ags) {
      denied = web_.error_page(r, 403);
      return std::nullopt;
    }
    return *p;
  }

  Response new_point(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    return render_point_form(r, 200, *v, Form{}, {}, "");
  }

  Response create_point(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    Feedback fb;
    std::vector<std::string> anchors;
    ContactPointDraft d = point_draft(r, *v, f, fb, anchors);
    if (!fb.empty()) return render_point_form(r, 422, *v, f, std::move(fb), "");
    auto id = web_.catalogue.create_contact_point(editor_of(*v), d);
    if (!id) {
      if (auto res = point_error(r, id.error(), fb, anchors)) return *res;
      return render_point_form(r, 422, *v, f, std::move(fb), "");
    }
    return Response::redirect(point_url(*id) + "?hinweis=angelegt");
  }

  Response show_point(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    auto p = point_for(r, *v, denied);
    if (!p) return denied;
    return render_point_form(r, 200, *v, point_form_of(*p), {}, p->id);
  }

  Response update_point(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    auto p = point_for(r, *v, denied);
    if (!p) return denied;
    Feedback fb;
    std::vector<std::string> anchors;
    ContactPointDraft d = point_draft(r, *v, f, fb, anchors);
    if (!fb.empty()) return render_point_form(r, 422, *v, f, std::move(fb), p->id);
    auto done = web_.catalogue.update_contact_point(editor_of(*v), p->id, d);
    if (!done) {
      if (auto res = point_error(r, done.error(), fb, anchors)) return *res;
      return render_point_form(r, 422, *v, f, std::move(fb), p->id);
    }
    return Response::redirect(point_url(p->id) + "?hinweis=gespeichert");
  }

  Response delete_point(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    auto p = point_for(r, *v, denied);
    if (!p) return denied;
    if (value(f, "confirm_delete").empty()) {
      Feedback fb;
      fb.add("confirm_delete", "confirm_delete", msg(r, "coord.error.confirm_delete_point"));
      return render_point_form(r, 422, *v, point_form_of(*p), std::move(fb), p->id);
    }
    auto done = web_.catalogue.delete_contact_point(editor_of(*v), p->id);
    if (!done) return done.error().code == ErrorCode::kForbidden ? web_.error_page(r, 403)
                                                                 : web_.failure(r, done.error());
    return Response::redirect("/koordination/kontaktstellen?hinweis=geloescht");
  }

  // ---- /koordination/traeger: providers (HSDS organizations) ----------

  Response providers_page(Request& r) {
    Response denied;
    auto v = viewer(r, denied);
    if (!v) return denied;
    auto list = web_.catalogue.list_providers(v->ags);
    if (!list) return web_.failure(r, list.error());
    const Editor e = editor_of(*v);
    json::array items;
    for (const auto& p : *list)
      items.push_back(json::object{{"url", provider_url(p.id)},
                                   {"name", p.data.name},
                                   {"website", p.data.website},
                                   {"email", p.data.email},
                                   {"phone", p.data.phone},
                                   {"offers", p.offers},
                                   {"points", p.contact_points},
                                   {"editable", v->may_edit && p.editable_by(e)},
                                   {"shared", p.alliances.size() > 1}});
    json::object data = base(*v, "providers");
    data["providers"] = std::move(items);
    data["count"] = list->size();
    data["none"] = list->empty();
    return page(r, 200, "coordination_providers", std::move(data), "coord.providers.title", *v);
  }

  Response render_provider_form(Request& r, int status, const Viewer& v, const Form& f, Feedback fb,
                                const std::string& id) {
    json::object vals;
    for (const char* k : {"name", "description", "website", "email", "phone"})
      vals[k] = value(f, k);
    json::object data = base(v, "providers");
    data["is_new"] = id.empty();
    data["action"] = id.empty() ? std::string("/koordination/traeger/neu") : provider_url(id);
    data["v"] = std::move(vals);
    put_errors(data, std::move(fb));
    return page(r, status, "coordination_provider_form", std::move(data),
                id.empty() ? "coord.provider.new_title" : "coord.provider.edit_title", v);
  }

  ProviderDraftInput provider_draft(Request& r, const Form& f) {
    ProviderDraftInput in;
    in.draft = {.name = value(f, "name"),
                .description = value(f, "description"),
                .website = value(f, "website"),
                .email = value(f, "email"),
                .phone = value(f, "phone")};
    // Every problem at once, in form order, in the page's language.
    for (const Error& e : catalogue::validate_provider(in.draft))
      in.fb.add(e.field, e.field,
                msg(r, e.field == "name" ? std::string("coord.error.name")
                                         : "coord.error.provider_" + e.field));
    return in;
  }

  // A provider the viewer may change, or the answer in `denied`: 404 when
  // unknown, 403 when it belongs to another alliance (or to several).
  std::optional<catalogue::ProviderEntry> provider_for(Request& r, const Viewer& v,
                                                       Response& denied) {
    auto id = path_param(r, "id");
    if (!id) {
      denied = web_.error_page(r, 404);
      return std::nullopt;
    }
    auto p = web_.catalogue.get_provider(*id);
    if (!p) {
      denied = web_.failure(r, p.error());
      return std::nullopt;
    }
    if (!p->editable_by(editor_of(v))) {
      denied = web_.error_page(r, 403);
      return std::nullopt;
    }
    return *p;
  }

  Response new_provider(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    return render_provider_form(r, 200, *v, Form{}, {}, "");
  }

  Response create_provider(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    auto in = provider_draft(r, f);
    if (!in.fb.empty()) return render_provider_form(r, 422, *v, f, std::move(in.fb), "");
    auto id = web_.catalogue.create_provider(editor_of(*v), in.draft);
    if (!id) {
      if (id.error().code != ErrorCode::kInvalidArgument) return web_.failure(r, id.error());
      in.fb.add(id.error().field, id.error().field, id.error().message);
      return render_provider_form(r, 422, *v, f, std::move(in.fb), "");
    }
    return Response::redirect(provider_url(*id) + "?hinweis=angelegt");
  }

  Response show_provider(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    auto p = provider_for(r, *v, denied);
    if (!p) return denied;
    const Form f{{"name", p->data.name},
                 {"description", p->data.description},
                 {"website", p->data.website},
                 {"email", p->data.email},
                 {"phone", p->data.phone}};
    return render_provider_form(r, 200, *v, f, {}, p->id);
  }

  Response update_provider(Request& r) {
    Response denied;
    auto v = editor(r, denied);
    if (!v) return denied;
    const Form f = r.form();
    if (!csrf_ok(v->c, f)) return web_.error_page(r, 403);
    auto p = provider_for(r, *v, denied);
    if (!p) return denied;
    auto in = provider_draft(r, f);
    if (!in.fb.empty()) return render_provider_form(r, 422, *v, f, std::move(in.fb), p->id);
    auto done = web_.catalogue.update_provider(editor_of(*v), p->id, in.draft);
    if (!done) {
      if (done.error().code == ErrorCode::kForbidden) return web_.error_page(r, 403);
      if (done.error().code != ErrorCode::kInvalidArgument) return web_.failure(r, done.error());
      in.fb.add(done.error().field, done.error().field, done.error().message);
      return render_provider_form(r, 422, *v, f, std::move(in.fb), p->id);
    }
    return Response::redirect(provider_url(p->id) + "?hinweis=gespeichert");
  }

  WebContext& web_;
};

}  // namespace

void register_coordination_pages(Router& router, WebContext& web) {
  auto pages = std::make_shared<CoordinationPages>(web);
  pages->add_routes(router, pages);
}

}  // namespace lotse::web
