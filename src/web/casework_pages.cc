// German pages for case workers: Posteingang and case list, recording a
// person with a case, the case page with its forms, the consent wizard and
// its printable form, and the handover actions.
//
// Every page reads through CaseworkService, so the policy gate decides what
// appears; these handlers only turn requests into service calls and results
// into view data. A case the caller may not see is answered exactly like an
// unknown one (404), so the page does not reveal that it exists.
//
// Forms: every POST compares the session's CSRF token; bad input shows the
// same page again with 422, an error summary linking to each field, the
// message at the field, and everything typed kept.
#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lotse/common/crypto.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_vocabulary.h"
#include "lotse/domain/consent.h"
#include "lotse/domain/handover.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/directory.h"
#include "lotse/web/web_context.h"
#include "web/conference_pages.h"
#include "web/page_support.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using namespace pages;  // NOLINT: the shared page helpers
using domain::DataCategory;

std::string need_label(std::string_view key) {
  for (const auto& n : domain::all_needs())
    if (n.key == key) return std::string(n.label_de);
  return std::string(key);
}

class Pages {
 public:
  explicit Pages(WebContext& web) : web_(web) {}

  void add_routes(Router& router, const std::shared_ptr<Pages>& self) {
    auto bind = [self](Response (Pages::*fn)(Request&)) {
      return [self, fn](Request& r) { return ((*self).*fn)(r); };
    };
    router.add("GET", "/faelle", bind(&Pages::inbox));
    router.add("GET", "/faelle/liste", bind(&Pages::case_list));
    router.add("GET", "/faelle/suche", bind(&Pages::search));
    router.add("GET", "/faelle/neu", bind(&Pages::new_case_form));
    router.add("POST", "/faelle/neu", bind(&Pages::create_case));
    router.add("GET", "/faelle/{id}", bind(&Pages::show_case));
    router.add("POST", "/faelle/{id}/vermerke", bind(&Pages::add_note));
    router.add("POST", "/faelle/{id}/foerderkette", bind(&Pages::add_step));
    router.add("POST", "/faelle/{id}/uebergaben", bind(&Pages::create_handover));
    router.add("GET", "/faelle/{id}/einwilligung", bind(&Pages::consent_form));
    router.add("POST", "/faelle/{id}/einwilligung", bind(&Pages::record_consent));
    router.add("POST", "/faelle/{id}/einwilligungen/{cid}/widerrufen", bind(&Pages::withdraw_consent));
    router.add("GET", "/faelle/{id}/einwilligungen/{cid}/druck", bind(&Pages::print_consent));
    router.add("POST", "/uebergaben/{hid}/{action}", bind(&Pages::act_on_handover));
  }

 private:
  // ---- request helpers -------------------------------------------------

  std::optional<Caller> caller(Request& r, Response& denied) {
    return signed_in_case_worker(web_, r, denied);
  }

  Result<Agencies> agencies(const identity::User& u) { return alliance_agencies(web_, u); }

  // The date in Germany: from 22:00/23:00 UTC, UTC's date is yesterday there.
  Date today() const { return berlin_time(web_.clock()).date; }

  std::string msg(const Request& r, std::string_view key) const { return web_.msg(r, key); }

  Response page(const Request& r, int status, std::string_view name, json::object data,
                const std::string& title_key, const Caller& c) {
    return render(web_, r, status, name, std::move(data), title_key, c);
  }

  std::string case_url(std::int64_t id) const { return "/faelle/" + std::to_string(id); }

  json::object case_item(const Request& r, const domain::CaseRecord& c, const Agencies& ag) {
    const std::string name = person_name(c);
    return json::object{
        {"id", c.id},
        {"url", case_url(c.id)},
        {"person_name", name},
        // Tells apart persons of the same name (a million persons hold
        // hundreds of "Lena Schulz"); empty where the gate cut master data.
        {"birth_date", german_date(c.person.birth_date)},
        {"phase_label", c.visible.has(DataCategory::kNeedsGoals) && c.phase > 0
                            ? std::string(domain::phase_label_de(c.phase))
                            : std::string()},
        {"status_label", c.status.empty() ? std::string() : msg(r, "case.status." + c.status)},
        {"lead_agency", ag.name(c.lead_agency)},
        {"owner_agency", ag.name(c.owner_agency)},
    };
  }

  // What every view of a handover shows (inbox.mustache, case_show.mustache):
  // the case, the person's name where the gate let the viewer see it, both
  // agencies, state, dates and reason.
  json::object handover_line(const casework::HandoverView& h, std::string state_label,
                             json::storage_ptr sp = {}) {
    return json::object(
        {
            {"case_id", h.case_id},
            {"case_url", case_url(h.case_id)},
            {"person_name", h.person_name},
            {"birth_date", german_date(h.person_birth_date)},
            {"from_agency", h.from_agency_name.empty() ? h.from_agency : h.from_agency_name},
            {"to_agency", h.to_agency_name.empty() ? h.to_agency : h.to_agency_name},
            {"reason", h.reason},
            {"state_label", std::move(state_label)},
            {"due_on", h.due_on.empty() ? std::string() : german_date(h.due_on)},
            {"sent_on",
             h.sent_at_ms > 0 ? Date::from_unix_ms(h.sent_at_ms).german() : std::string()},
            {"overdue", h.overdue},
            {"suspended", h.suspended},
        },
        sp);
  }

  // A handover on the case page: its line, the actions the viewing side may
  // take now, straight from the domain's transition rules, so the buttons
  // never offer what the service refuses, and the decline form's reasons.
  // The Posteingang shows the line only; building the rest for its fifty
  // lines took a tenth of that page's time.
  json::object handover_item(const Request& r, const casework::HandoverView& h,
                             const std::string& own_agency) {
    const bool receiver = h.to_agency == own_agency;
    const auto side = receiver ? domain::HandoverSide::kReceiver : domain::HandoverSide::kSender;
    json::array actions;
    bool can_decline = false;
    if (auto state = domain::parse_handover_state(h.state)) {
      for (auto a : {domain::HandoverAction::kReceive, domain::HandoverAction::kAccept,
                     domain::HandoverAction::kComplete, domain::HandoverAction::kWithdraw,
                     domain::HandoverAction::kDecline}) {
        if (!domain::handover_transition(*state, a, side)) continue;
        const std::string name(domain::handover_action_name(a));
        if (a == domain::HandoverAction::kDecline) {
          can_decline = true;
          continue;
        }
        actions.push_back(json::object({{"url", "/uebergaben/" + std::to_string(h.id) + "/" + name},
                                        {"label", msg(r, "handover.action." + name)},
                                        {"primary", a != domain::HandoverAction::kWithdraw}}));
      }
    }
    // The decline form's choices, only where the handover can be declined.
    json::array reasons;
    if (can_decline)
      for (const char* key :
           {"no_capacity", "not_eligible", "declined_by_young_person", "not_reachable", "other"})
        reasons.push_back(json::object(
            {{"key", key}, {"label", std::string(domain::decline_reason_label_de(key))}}));
    json::object item = handover_line(h, msg(r, "handover.state." + h.state));
    item["id"] = h.id;
    item["move_lead"] = h.move_lead;
    item["decline_reason"] = h.decline_reason.empty()
                                 ? std::string()
                                 : std::string(domain::decline_reason_label_de(h.decline_reason));
    item["decline_text"] = h.decline_text;
    item["has_actions"] = !actions.empty();
    item["actions"] = std::move(actions);
    item["can_decline"] = can_decline;
    item["decline_reasons"] = std::move(reasons);
    item["incoming"] = receiver;
    return item;
  }

  // ---- Posteingang and case list ----------------------------------------

  // Entries per page in each section of the Posteingang. A large agency has
  // tens of thousands of cases and thousands of open handovers; a page shows
  // a screenful of each and links to the next.
  static constexpr int kInboxPageSize = 25;

  // The sections' page parameters, in the order they appear in links: the
  // Posteingang's handover boxes, and the case list's two lists.
  static constexpr std::array<const char*, 2> kInboxPageParams = {"eingang", "ausgang"};
  static constexpr std::array<const char*, 2> kListPageParams = {"eigene", "geteilt"};

  // A page number from the query ("?eingang=2"); absent means 1.
  static Result<int> page_number(const Request& r, const char* param) {
    const auto raw = r.query_param(param);
    if (!raw || raw->empty()) return 1;
    int n = 0;
    const char* end = raw->data() + raw->size();
    auto [p, ec] = std::from_chars(raw->data(), end, n);
    if (ec != std::errc() || p != end || n < 1 || n > 100000)
      return Error::invalid(param, "Die Seitenzahl muss eine ganze Zahl ab 1 sein.");
    return n;
  }

  // A filter of a Posteingang box, as its link names it ("?eingang_filter=
  // ueberfaellig"; no value lists the whole box).
  struct BoxFilterChoice {
    casework::BoxFilter filter;
    const char* value;
    const char* label;  // message key
    const char* none;   // message key of the empty list
  };
  static constexpr std::array<BoxFilterChoice, 3> kBoxFilters = {{
      {casework::BoxFilter::kAll, "", "cases.filter.all", nullptr},
      {casework::BoxFilter::kOpen, "offen", "cases.filter.open", "cases.filter.none_open"},
      {casework::BoxFilter::kOverdue, "ueberfaellig", "cases.filter.overdue",
       "cases.filter.none_overdue"},
  }};

  // The filter of each box ("eingang", "ausgang") from the query.
  static Result<std::map<std::string, const BoxFilterChoice*>> box_filters(const Request& r) {
    std::map<std::string, const BoxFilterChoice*> out;
    for (const char* box : kInboxPageParams) {
      const std::string param = std::string(box) + "_filter";
      const std::string value = r.query_param(param).value_or("");
      auto it = std::find_if(kBoxFilters.begin(), kBoxFilters.end(),
                             [&](const BoxFilterChoice& c) { return value == c.value; });
      if (it == kBoxFilters.end())
        return Error::invalid(param, "Unbekannter Filter; möglich sind offen und ueberfaellig.");
      out[box] = &*it;
    }
    return out;
  }

  // The query parameters a Posteingang link keeps besides the page numbers:
  // the boxes' filters, `box`'s set to `choice`.
  static std::vector<std::pair<std::string, std::string>> kept_filters(
      const std::map<std::string, const BoxFilterChoice*>& filters, const char* box = nullptr,
      const BoxFilterChoice* choice = nullptr) {
    std::vector<std::pair<std::string, std::string>> kept;
    for (const char* b : kInboxPageParams) {
      const BoxFilterChoice* c = box && std::string_view(b) == box ? choice : filters.at(b);
      if (*c->value) kept.emplace_back(std::string(b) + "_filter", c->value);
    }
    return kept;
  }

  // `base` ("/faelle" or "/faelle/liste") with one section moved to `page`,
  // keeping the filters (`kept`) and the other sections where they are.
  static std::string section_url(std::string url, const std::map<std::string, int>& pages,
                                 const std::vector<std::pair<std::string, std::string>>& kept,
                                 const char* param, int page) {
    char sep = '?';
    auto add = [&](std::string_view k, const std::string& v) {
      url += sep;
      url += k;
      url += '=';
      url += v;
      sep = '&';
    };
    for (const auto& [k, v] : kept) add(k, url_encode(v));
    for (const auto& [k, current] : pages) {
      const int n = k == param ? page : current;
      if (n > 1) add(k, std::to_string(n));
    }
    return url + "#" + param;
  }

  // The page numbers of `params` from the query, or the 400 answer.
  template <std::size_t N>
  Result<std::map<std::string, int>> page_numbers(const Request& r,
                                                  const std::array<const char*, N>& params) {
    std::map<std::string, int> pages;
    for (const char* k : params) {
      LOTSE_ASSIGN_OR_RETURN(int n, page_number(r, k));
      pages[k] = n;
    }
    return pages;
  }

  // Previous/next links of one section; `total` < 0 when unknown.
  json::object pager(const Request& r, const std::string& base,
                     const std::map<std::string, int>& pages,
                     const std::vector<std::pair<std::string, std::string>>& kept,
                     const char* param, bool more, std::int64_t total) {
    const int n = pages.at(param);
    json::object p{{"page", n}, {"label", msg(r, std::string("cases.pager.") + param)}};
    if (total >= 0)
      p["pages"] = std::max<std::int64_t>(1, (total + kInboxPageSize - 1) / kInboxPageSize);
    if (n > 1) p["prev_url"] = section_url(base, pages, kept, param, n - 1);
    if (more) p["next_url"] = section_url(base, pages, kept, param, n + 1);
    p["shown"] = n > 1 || more;
    return p;
  }

  // The filter links of one Posteingang box, each with the number of
  // entries it lists; choosing one starts that box at its first page.
  json::object filter_links(const Request& r, const char* box,
                            const std::map<std::string, const BoxFilterChoice*>& filters,
                            const std::map<std::string, int>& pages, const casework::Inbox& inbox) {
    std::map<std::string, int> first = pages;
    first[box] = 1;
    const bool incoming = std::string_view(box) == "eingang";
    json::array links;
    for (const BoxFilterChoice& c : kBoxFilters) {
      links.push_back(json::object{
          {"label", msg(r, c.label)},
          {"count", incoming ? inbox.incoming_count(c.filter) : inbox.outgoing_count(c.filter)},
          {"url", section_url("/faelle", first, kept_filters(filters, box, &c), box, 1)},
          {"current", filters.at(box) == &c}});
    }
    json::object out{{"label", msg(r, std::string("cases.filter.") + box)},
                     {"links", std::move(links)}};
    // The overdue ones come in another order than the rest: say so.
    if (filters.at(box)->filter == casework::BoxFilter::kOverdue)
      out["hint"] = msg(r, "cases.filter.overdue_order");
    return out;
  }

  Response inbox(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    // The person search has a page of its own; links and bookmarks from
    // before still find it.
    if (auto q = r.query_param("q"))
      return Response::redirect("/faelle/suche?q=" + url_encode(*q));
    auto pages = page_numbers(r, kInboxPageParams);
    if (!pages) return web_.failure(r, pages.error());
    auto filters = box_filters(r);
    if (!filters) return web_.failure(r, filters.error());
    auto offset = [&](const char* k) { return (pages->at(k) - 1) * kInboxPageSize; };
    auto box = web_.casework.inbox(c->reader, {.limit = kInboxPageSize,
                                               .incoming_offset = offset("eingang"),
                                               .outgoing_offset = offset("ausgang"),
                                               .incoming_filter = filters->at("eingang")->filter,
                                               .outgoing_filter = filters->at("ausgang")->filter});
    if (!box) return web_.failure(r, box.error());
    auto own_total = web_.casework.own_case_count(c->reader);
    if (!own_total) return web_.failure(r, own_total.error());

    // The page's JSON in one arena: fifty items of some twenty values each
    // are allocated by moving a pointer and freed at once.
    json::monotonic_resource arena(32 * 1024);
    json::storage_ptr sp(&arena);
    json::array incoming(sp), outgoing(sp);
    std::map<std::string, std::string> state_labels;  // looked up once per state
    auto line = [&](const casework::HandoverView& h) {
      auto label = state_labels.find(h.state);
      if (label == state_labels.end())
        label = state_labels.emplace(h.state, msg(r, "handover.state." + h.state)).first;
      return handover_line(h, label->second, sp);
    };
    for (const auto& h : box->incoming) incoming.push_back(line(h));
    for (const auto& h : box->outgoing) outgoing.push_back(line(h));

    auto more = [&](const char* k, std::int64_t listed) {
      return std::int64_t{pages->at(k)} * kInboxPageSize < listed;
    };
    // The empty box's sentence: none at all, or none that the filter lists.
    auto none = [&](const char* k, const char* all_key) {
      const char* key = filters->at(k)->none;
      return msg(r, key ? key : all_key);
    };
    const auto kept = kept_filters(*filters);
    const int incoming_listed = box->incoming_count(filters->at("eingang")->filter);
    const int outgoing_listed = box->outgoing_count(filters->at("ausgang")->filter);
    // Headings carry the size of the whole box (counted in SQL), the pager
    // says which part of it this page shows. The cases themselves are on
    // the case list (/faelle/liste): the Posteingang is what needs action.
    json::object data(
        {{"incoming_count", box->incoming_total},
         {"outgoing_count", box->outgoing_total},
         {"own_count", *own_total},
         {"has_incoming", !incoming.empty()},
         {"has_outgoing", !outgoing.empty()},
         {"incoming", std::move(incoming)},
         {"outgoing", std::move(outgoing)},
         {"incoming_none", none("eingang", "cases.incoming_none")},
         {"outgoing_none", none("ausgang", "cases.outgoing_none")},
         {"incoming_pager", pager(r, "/faelle", *pages, kept, "eingang",
                                  more("eingang", incoming_listed), incoming_listed)},
         {"outgoing_pager", pager(r, "/faelle", *pages, kept, "ausgang",
                                  more("ausgang", outgoing_listed), outgoing_listed)}},
        sp);
    // The filters, once a box holds anything to choose from.
    if (box->incoming_total > 0)
      data["incoming_filters"] = filter_links(r, "eingang", *filters, *pages, *box);
    if (box->outgoing_total > 0)
      data["outgoing_filters"] = filter_links(r, "ausgang", *filters, *pages, *box);
    if (auto fail = add_conference_inbox_section(web_, *c, r, data)) return *fail;

    return page(r, 200, "inbox", std::move(data), "page.cases.title", *c);
  }

  // ---- Personensuche ---------------------------------------------------------

  // The person search: the form, and with ?q= the best kSearchResults cases
  // the gate lets the caller see (each shown result an audited read). Every
  // name shown is a disclosure, so the page shows a screenful and asks for
  // more of the name or the birth date instead of listing every Lena.
  static constexpr int kSearchResults = 20;

  Response search(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    const std::string q = trim(r.query_param("q").value_or(""));
    json::object data{{"q", q}, {"v", json::object{{"q", q}}}};
    if (!r.query_param("q")) return page(r, 200, "case_search", std::move(data), "page.search.title", *c);
    data["searched"] = true;
    auto refuse = [&](const std::string& message) {
      Feedback fb;
      fb.add("q", "q", message);
      data["has_errors"] = true;
      data["errors"] = std::move(fb.errors);
      data["fe"] = std::move(fb.fe);
      return page(r, 422, "case_search", std::move(data), "page.search.title", *c);
    };
    if (q.empty()) return refuse(msg(r, "cases.error.query_required"));
    auto found = web_.casework.search(c->reader, q, kSearchResults, /*summary=*/true);
    if (!found) {
      if (found.error().code != ErrorCode::kInvalidArgument) return web_.failure(r, found.error());
      return refuse(found.error().message);
    }
    auto ag = agencies(c->user());
    if (!ag) return web_.failure(r, ag.error());
    json::array results;
    for (const auto& k : *found) results.push_back(case_item(r, k, *ag));
    data["results_count"] = results.size();
    data["has_results"] = !results.empty();
    data["at_limit"] = results.size() == static_cast<std::size_t>(kSearchResults);
    data["results"] = std::move(results);
    return page(r, 200, "case_search", std::move(data), "page.search.title", *c);
  }

  // ---- Fallliste: own and shared cases, paged ----------------------------

  Response case_list(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto ag = agencies(c->user());
    if (!ag) return web_.failure(r, ag.error());
    auto pages = page_numbers(r, kListPageParams);
    if (!pages) return web_.failure(r, pages.error());
    auto offset = [&](const char* k) { return (pages->at(k) - 1) * kInboxPageSize; };
    auto own_cases = web_.casework.case_page(c->reader, {.limit = kInboxPageSize,
                                                         .offset = offset("eigene"),
                                                         .scope = casework::CaseScope::kOwn,
                                                         .summary = true});
    if (!own_cases) return web_.failure(r, own_cases.error());
    auto shared_cases = web_.casework.case_page(c->reader, {.limit = kInboxPageSize,
                                                            .offset = offset("geteilt"),
                                                            .scope = casework::CaseScope::kShared,
                                                            .summary = true});
    if (!shared_cases) return web_.failure(r, shared_cases.error());
    json::array own, shared;
    for (const auto& k : own_cases->cases) own.push_back(case_item(r, k, *ag));
    for (const auto& k : shared_cases->cases) shared.push_back(case_item(r, k, *ag));
    // The own list is counted (the owner sees all its cases); the shared
    // one has no total, as each of its cases is decided by the gate when
    // it is shown.
    json::object data{
        {"own_count", own_cases->own_total},
        {"has_own", !own.empty()},
        {"has_shared", !shared.empty()},
        {"own", std::move(own)},
        {"shared", std::move(shared)},
        {"own_pager",
         pager(r, "/faelle/liste", *pages, {}, "eigene", own_cases->more, own_cases->own_total)},
        {"shared_pager", pager(r, "/faelle/liste", *pages, {}, "geteilt", shared_cases->more, -1)}};
    return page(r, 200, "case_list", std::move(data), "page.case_list.title", *c);
  }

  // ---- Neue Person aufnehmen ---------------------------------------------

  static constexpr const char* kPersonFields[] = {
      "given_name", "family_name", "birth_date", "postcode", "city", "phone",
      "email", "school", "school_qualification", "goals", "phase"};

  Response render_new_case(Request& r, int status, const Caller& c, const Form& form,
                           Feedback fb) {
    json::object v;
    for (const char* f : kPersonFields) v[f] = value(form, f);
    const std::string phase = value(form, "phase");
    const auto needs = values(form, "needs");
    json::array phases;
    for (int p = 1; p <= 5; ++p)
      phases.push_back(json::object{{"value", p},
                                    {"id", "phase-" + std::to_string(p)},
                                    {"label", std::string(domain::phase_label_de(p))},
                                    {"checked", phase == std::to_string(p)}});
    json::array need_options;
    for (const auto& n : domain::all_needs())
      need_options.push_back(json::object{{"key", std::string(n.key)},
                                          {"id", "needs-" + std::string(n.key)},
                                          {"label", std::string(n.label_de)},
                                          {"checked", contains(needs, n.key)}});
    json::object data{{"v", std::move(v)},
                      {"phases", std::move(phases)},
                      {"needs", std::move(need_options)},
                      {"has_errors", !fb.empty()},
                      {"errors", std::move(fb.errors)},
                      {"fe", std::move(fb.fe)}};
    return page(r, status, "case_new", std::move(data), "page.case_new.title", c);
  }

  Response new_case_form(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    return render_new_case(r, 200, *c, {}, {});
  }

  // Service field names to the anchors of this form.
  static std::string new_case_anchor(const std::string& field) {
    if (field == "phase") return "phase-1";
    if (field == "needs") return "needs-" + std::string(domain::all_needs().front().key);
    return field;
  }

  Response create_case(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    const Form form = r.form();
    if (!csrf_ok(*c, form)) return web_.error_page(r, 403);

    Feedback fb;
    auto required = [&](const char* f, const char* key) {
      if (value(form, f).empty()) fb.add(f, f, msg(r, key));
    };
    required("given_name", "case_new.error.given_name");
    required("family_name", "case_new.error.family_name");
    const std::string birth = value(form, "birth_date");
    if (birth.empty()) {
      fb.add("birth_date", "birth_date", msg(r, "case_new.error.birth_date"));
    } else if (auto d = Date::parse(birth); !d || *d > today()) {
      fb.add("birth_date", "birth_date", msg(r, "case_new.error.birth_date_invalid"));
    }
    const std::string phase_text = value(form, "phase");
    std::int64_t phase = 0;
    if (auto p = parse_id(phase_text); p && domain::validate_phase(*p)) phase = *p;
    if (phase == 0) fb.add("phase-1", "phase", msg(r, "case_new.error.phase"));
    std::vector<std::string> needs;
    for (const auto& n : values(form, "needs")) {
      if (!domain::validate_need(n)) {
        fb.add(new_case_anchor("needs"), "needs", msg(r, "case_new.error.needs"));
        break;
      }
      needs.push_back(n);
    }
    if (!fb.empty()) return render_new_case(r, 422, *c, form, std::move(fb));

    auto person = web_.casework.create_person(
        c->reader, {.given_name = value(form, "given_name"),
                    .family_name = value(form, "family_name"),
                    .birth_date = birth,
                    .postcode = value(form, "postcode"),
                    .city = value(form, "city"),
                    .phone = value(form, "phone"),
                    .email = value(form, "email"),
                    .school = value(form, "school"),
                    .school_qualification = value(form, "school_qualification")});
    Result<std::int64_t> opened =
        person ? web_.casework.open_case(c->reader, {.person_id = *person,
                                                     .phase = phase,
                                                     .needs = needs,
                                                     .goals = value(form, "goals")})
               : Result<std::int64_t>(person.error());
    if (!opened) {
      const Error& e = opened.error();
      if (e.code != ErrorCode::kInvalidArgument) return web_.failure(r, e);
      const std::string f = e.field.empty() ? "given_name" : e.field;
      fb.add(new_case_anchor(f), f, e.message);
      return render_new_case(r, 422, *c, form, std::move(fb));
    }
    return Response::redirect(case_url(*opened) + "?hinweis=angelegt");
  }

  // ---- the case page ----------------------------------------------------

  // The forms of the case page, with what was typed into the one that
  // failed.
  struct CaseForms {
    Form form;
    Feedback fb;
    std::string notice_key;
  };

  // The catalogue offer a Förderkette step names: its name and page, or
  // null (no offer, or one that has since been deleted). Active offers of
  // the alliance are at hand; others are looked up.
  json::value step_offer(const std::string& offer_id,
                         const std::vector<catalogue::OfferChoice>& active) {
    if (offer_id.empty()) return nullptr;
    for (const auto& o : active)
      if (o.id == offer_id)
        return json::object{{"name", o.name}, {"url", "/koordination/angebote/" + o.id}};
    auto offer = web_.catalogue.get_offer(offer_id);
    if (!offer) return nullptr;
    return json::object{{"name", offer->data.name},
                        {"url", "/koordination/angebote/" + offer->id}};
  }

  Response render_case(Request& r, int status, const Caller& c, std::int64_t id,
                       CaseForms forms = {}) {
    auto view = web_.casework.case_view(c.reader, id);
    if (!view) return web_.failure(r, view.error());
    auto ag = agencies(c.user());
    if (!ag) return web_.failure(r, ag.error());
    const domain::CaseRecord& k = view->record;
    // The alliance's offers: for the Förderkette select and the names of
    // the offers the steps link to.
    std::vector<catalogue::OfferChoice> offers;
    if (!c.user().alliance_ags.empty())
      if (auto loaded = web_.catalogue.offer_choices(c.user().alliance_ags)) offers = *loaded;
    const std::string& own = c.user().agency_key;
    const bool owner = k.owner_agency == own;
    const Form& form = forms.form;

    json::object data{{"id", k.id},
                      {"url", case_url(k.id)},
                      {"person_name", person_name(k)},
                      {"owner", owner},
                      {"owner_agency", ag->name(k.owner_agency)},
                      {"lead_agency", ag->name(k.lead_agency)},
                      {"lead_is_own", k.lead_agency == own}};
    // The young person's view of their data (person_report_pages.cc): for
    // the agency that recorded the person only.
    if (owner)
      data["report_links"] = json::object{
          {"pendelbogen_url", case_url(k.id) + "/pendelbogen"},
          {"auskunft_url", "/personen/" + std::to_string(k.person_id) + "/auskunft"}};

    json::array hidden;
    for (DataCategory cat : domain::all_categories()) {
      // Entrusted data is a Jugendamt matter; elsewhere its absence says nothing.
      if (cat == DataCategory::kEntrusted) continue;
      if (!k.visible.has(cat)) hidden.push_back(json::string(domain::category_label_de(cat)));
    }
    data["has_hidden_categories"] = !hidden.empty();
    data["hidden_categories"] = std::move(hidden);

    if (k.visible.has(DataCategory::kMasterData)) {
      const auto& p = k.person;
      data["master"] = json::object{
          {"name", person_name(k)},
          {"birth_date", german_date(p.birth_date)},
          {"address", trim(p.street + (p.street.empty() ? "" : ", ") + p.postcode + " " + p.city)},
          {"phone", p.phone},
          {"email", p.email}};
    }
    if (k.visible.has(DataCategory::kSchoolData))
      data["school"] = json::object{{"school", k.person.school},
                                    {"qualification", k.person.school_qualification},
                                    {"any", !k.person.school.empty() ||
                                                !k.person.school_qualification.empty()}};
    if (k.visible.has(DataCategory::kNeedsGoals)) {
      json::array needs;
      for (const auto& n : k.needs) needs.push_back(json::string(need_label(n)));
      data["needs_goals"] = json::object{
          {"phase", k.phase > 0 ? std::string(domain::phase_label_de(k.phase)) : std::string()},
          {"status", k.status.empty() ? std::string() : msg(r, "case.status." + k.status)},
          {"needs", std::move(needs)},
          {"goals", k.goals}};
    }
    if (k.visible.has(DataCategory::kSupportChain)) {
      json::array steps;
      for (const auto& s : k.support_chain)
        steps.push_back(json::object{
            {"position", s.position},
            {"measure", s.measure},
            {"responsible", ag->name(s.responsible_agency)},
            {"provider", s.provider},
            {"period", trim((s.planned_start.empty() ? "" : german_date(s.planned_start)) +
                            (s.planned_end.empty() ? "" : " – " + german_date(s.planned_end)))},
            {"status", msg(r, "step.status." + s.status)},
            {"offer", step_offer(s.offer_id, offers)}});
      data["chain"] = json::object{{"steps", std::move(steps)}, {"empty", k.support_chain.empty()}};
    }
    if (k.visible.has(DataCategory::kNotes) || k.visible.has(DataCategory::kEntrusted) || owner) {
      json::array notes;
      for (const auto& n : k.notes)
        notes.push_back(json::object{
            {"author", n.author},
            {"agency", ag->name(n.agency_key)},
            {"at", n.created_at_ms > 0 ? Date::from_unix_ms(n.created_at_ms).german() : ""},
            {"body", n.body},
            {"visibility", msg(r, "note.visibility." + n.visibility)},
            {"entrusted", n.entrusted}});
      data["notes"] = json::object{{"items", std::move(notes)}, {"empty", k.notes.empty()}};
    }

    if (const auto& consents = view->consents) {
      json::array list;
      for (const auto& cv : *consents) {
        json::array recipients;
        for (const auto& key : cv.consent.terms.recipients)
          recipients.push_back(json::string(ag->name(key)));
        json::array cats;
        for (DataCategory cat : domain::all_categories())
          if (cv.consent.terms.categories.has(cat))
            cats.push_back(json::string(domain::category_label_de(cat)));
        const std::string base = case_url(id) + "/einwilligungen/" + std::to_string(cv.consent.id);
        list.push_back(json::object{
            {"id", cv.consent.id},
            {"version", cv.consent.version},
            {"state_label", msg(r, "consent.state." + cv.state)},
            {"active", cv.state == "active"},
            {"withdrawable", cv.state == "active" || cv.state == "not_yet_valid"},
            {"recipients", std::move(recipients)},
            {"categories", std::move(cats)},
            {"valid_from", cv.consent.terms.valid_from.german()},
            {"valid_until", cv.consent.terms.valid_until.german()},
            {"withdraw_url", base + "/widerrufen"},
            {"print_url", base + "/druck"}});
      }
      data["consents"] = json::object{{"items", std::move(list)}, {"empty", consents->empty()}};
    }

    // Handovers of this case, from the caller's side.
    json::array handovers;
    for (const auto& h : view->handovers) handovers.push_back(handover_item(r, h, own));
    data["has_handovers"] = !handovers.empty();
    data["handovers"] = std::move(handovers);

    // Values of the forms, kept when one of them failed.
    json::object v;
    for (const char* f : {"note_body", "step_measure", "step_provider", "step_planned_start",
                          "step_planned_end", "handover_reason"})
      v[f] = value(form, f);
    const std::string visibility = value(form, "note_visibility");
    v["note_visibility_partners"] = visibility == "partners";
    // A Jugendamt's notes are entrusted unless it says otherwise (§ 65 SGB VIII).
    v["note_entrusted"] = form.empty() || !value(form, "note_entrusted").empty();
    v["handover_keep_lead"] = !value(form, "handover_keep_lead").empty();
    data["v"] = std::move(v);
    data["note_can_entrust"] = ag->is_jugendamt(own);
    data["step_agencies"] = [&] {
      json::array out;
      const std::string chosen = value(form, "step_responsible_agency");
      for (const auto& a : ag->list)
        out.push_back(json::object{{"key", a.key},
                                   {"name", a.name},
                                   {"selected", chosen.empty() ? a.key == own : chosen == a.key}});
      return out;
    }();
    data["step_statuses"] = [&] {
      json::array out;
      const std::string chosen = value(form, "step_status");
      for (const char* s : {"planned", "running", "done", "cancelled"})
        out.push_back(json::object{{"key", s},
                                   {"label", msg(r, std::string("step.status.") + s)},
                                   {"selected", chosen.empty() ? std::string(s) == "planned"
                                                               : chosen == s}});
      return out;
    }();
    // Förderkette: the alliance's active offers, grouped by legal sphere.
    data["step_offer_groups"] = [&] {
      json::array groups;
      const std::string chosen = value(form, "step_offer_id");
      for (const auto& sphere : domain::offer_legal_spheres()) {
        json::array items;
        for (const auto& o : offers)
          if (o.legal_sphere == sphere.key)
            items.push_back(json::object{{"id", o.id},
                                         {"name", o.name},
                                         {"provider", o.organization_name},
                                         {"selected", o.id == chosen}});
        if (!items.empty())
          groups.push_back(json::object{{"label", std::string(sphere.label_de)},
                                        {"offers", std::move(items)}});
      }
      return groups;
    }();
    data["handover_agencies"] = ag->options(own, {value(form, "handover_to_agency")}, "");
    data["decline_values"] = json::object{{"reason", value(form, "decline_reason")},
                                          {"text", value(form, "decline_text")},
                                          {"hid", value(form, "hid")}};
    // Keep a typed decline text and choice on the handover that failed.
    if (!value(form, "hid").empty()) {
      for (auto& hv : data["handovers"].as_array()) {
        auto& ho = hv.as_object();
        if (std::to_string(ho["id"].as_int64()) != value(form, "hid")) continue;
        ho["decline_text_value"] = value(form, "decline_text");
        for (auto& rv : ho["decline_reasons"].as_array())  // empty unless declinable
          rv.as_object()["selected"] = rv.as_object()["key"].as_string() == value(form, "decline_reason");
        ho["decline_error"] = forms.fb.fe.contains("decline_reason")
                                  ? forms.fb.fe["decline_reason"]
                                  : json::value(nullptr);
      }
    }

    std::string notice_key = forms.notice_key;
    if (notice_key.empty()) {
      static const std::map<std::string, std::string> kNotices = {
          {"angelegt", "case.notice.created"},         {"vermerk", "case.notice.note"},
          {"schritt", "case.notice.step"},             {"uebergabe", "case.notice.handover"},
          {"einwilligung", "case.notice.consent"},     {"widerrufen", "case.notice.withdrawn"},
          {"uebergabe_aktion", "case.notice.handover_action"}};
      if (auto it = kNotices.find(r.query_param("hinweis").value_or("")); it != kNotices.end())
        notice_key = it->second;
    }
    if (!notice_key.empty()) data["notice"] = msg(r, notice_key);
    data["has_errors"] = !forms.fb.empty();
    data["errors"] = std::move(forms.fb.errors);
    data["fe"] = std::move(forms.fb.fe);
    return page(r, status, "case_show", std::move(data), "page.case.title", c);
  }

  std::optional<std::int64_t> path_id(const Request& r, const char* name) {
    auto it = r.path_params.find(name);
    if (it == r.path_params.end()) return std::nullopt;
    return parse_id(it->second);
  }

  Response show_case(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    if (!id) return web_.error_page(r, 404);
    return render_case(r, 200, *c, *id);
  }

  // A POST on the case page: session and CSRF checked, the case id parsed;
  // `act` calls the service and records field errors in `forms`.
  template <typename Act>
  Response case_post(Request& r, const char* notice, Act act) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    if (!id) return web_.error_page(r, 404);
    CaseForms forms{.form = r.form()};
    if (!csrf_ok(*c, forms.form)) return web_.error_page(r, 403);
    act(*c, *id, forms);
    if (!forms.fb.empty()) return render_case(r, 422, *c, *id, std::move(forms));
    return Response::redirect(case_url(*id) + "?hinweis=" + notice);
  }

  // Service errors of a case-page form: field errors go to the form, the
  // rest to the error page (a 404 stays a 404, whatever the form).
  std::optional<Response> service_error(Request& r, const Error& e, const std::string& prefix,
                                        const std::string& fallback_field, CaseForms& forms) {
    if (e.code != ErrorCode::kInvalidArgument) return web_.failure(r, e);
    const std::string f = prefix + (e.field.empty() ? fallback_field : e.field);
    forms.fb.add(f, f, e.message);
    return std::nullopt;
  }

  Response add_note(Request& r) {
    std::optional<Response> fail;
    Response res = case_post(r, "vermerk", [&](const Caller& c, std::int64_t id,
                                                          CaseForms& forms) {
      const std::string body = value(forms.form, "note_body");
      if (body.empty()) {
        forms.fb.add("note_body", "note_body", msg(r, "note.error.body"));
        return;
      }
      casework::NewNote note{.body = body,
                             .visibility = value(forms.form, "note_visibility") == "partners"
                                               ? "partners"
                                               : "own"};
      if (!value(forms.form, "note_entrusted").empty()) {
        note.entrusted = true;
        note.entruster = "young_person";
      } else {
        note.entrusted = false;
      }
      auto added = web_.casework.add_note(c.reader, id, note);
      if (!added) fail = service_error(r, added.error(), "note_", "body", forms);
    });
    return fail ? *fail : res;
  }

  Response add_step(Request& r) {
    std::optional<Response> fail;
    Response res = case_post(r, "schritt", [&](const Caller& c, std::int64_t id,
                                                         CaseForms& forms) {
      const Form& f = forms.form;
      // A step may name a catalogue offer; its name and provider fill what
      // was left empty. The service checks that the offer is the alliance's.
      const std::string offer_id = value(f, "step_offer_id");
      std::string measure = value(f, "step_measure"), provider = value(f, "step_provider");
      if (!offer_id.empty()) {
        if (auto offer = web_.catalogue.get_offer(offer_id)) {
          if (measure.empty()) measure = offer->data.name;
          if (provider.empty()) provider = offer->organization_name;
        }
      }
      if (measure.empty())
        forms.fb.add("step_measure", "step_measure", msg(r, "step.error.measure"));
      for (const char* d : {"step_planned_start", "step_planned_end"})
        if (!value(f, d).empty() && !Date::parse(value(f, d)))
          forms.fb.add(d, d, msg(r, "step.error.date"));
      if (!forms.fb.empty()) return;
      auto added = web_.casework.add_support_step(
          c.reader, id,
          {.measure = measure,
           .responsible_agency = value(f, "step_responsible_agency"),
           .provider = provider,
           .planned_start = value(f, "step_planned_start"),
           .planned_end = value(f, "step_planned_end"),
           .status = value(f, "step_status").empty() ? "planned" : value(f, "step_status"),
           .offer_id = offer_id});
      if (!added) fail = service_error(r, added.error(), "step_", "measure", forms);
    });
    return fail ? *fail : res;
  }

  Response create_handover(Request& r) {
    std::optional<Response> fail;
    Response res = case_post(r, "uebergabe", [&](const Caller& c, std::int64_t id,
                                                               CaseForms& forms) {
      const Form& f = forms.form;
      if (value(f, "handover_to_agency").empty())
        forms.fb.add("handover_to_agency", "handover_to_agency", msg(r, "handover.error.to_agency"));
      if (value(f, "handover_reason").empty())
        forms.fb.add("handover_reason", "handover_reason", msg(r, "handover.error.reason"));
      if (!forms.fb.empty()) return;
      auto created = web_.casework.create_handover(
          c.reader, id,
          {.to_agency = value(f, "handover_to_agency"),
           .reason = value(f, "handover_reason"),
           .move_lead = value(f, "handover_keep_lead").empty()});
      if (!created) fail = service_error(r, created.error(), "handover_", "reason", forms);
    });
    return fail ? *fail : res;
  }

  Response act_on_handover(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto hid = path_id(r, "hid");
    auto action = domain::parse_handover_action(r.path_params["action"]);
    if (!hid || !action || *action == domain::HandoverAction::kSend)
      return web_.error_page(r, 404);
    CaseForms forms{.form = r.form()};
    if (!csrf_ok(*c, forms.form)) return web_.error_page(r, 403);
    const auto case_id = parse_id(value(forms.form, "case_id"));
    const std::string reason = value(forms.form, "decline_reason");
    const std::string anchor = "decline_reason_" + std::to_string(*hid);
    forms.form.emplace("hid", std::to_string(*hid));
    if (*action == domain::HandoverAction::kDecline && !domain::valid_decline_reason(reason)) {
      forms.fb.add(anchor, "decline_reason", msg(r, "handover.error.decline_reason"));
      if (case_id) return render_case(r, 422, *c, *case_id, std::move(forms));
      return web_.error_page(r, 422);
    }
    auto done = web_.casework.act_on_handover(c->reader, *hid, *action, reason,
                                              value(forms.form, "decline_text"));
    if (!done) {
      const Error& e = done.error();
      if ((e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kConflict) && case_id) {
        forms.fb.add(anchor, "decline_reason", e.message);
        return render_case(r, e.code == ErrorCode::kConflict ? 409 : 422, *c, *case_id,
                           std::move(forms));
      }
      return web_.failure(r, e);
    }
    // After a decline or a withdrawal the case may no longer be visible to
    // the caller; the Posteingang always is.
    auto still = web_.casework.get_case(c->reader, done->case_id, privacy::ReadPath::kItem);
    if (!still) return Response::redirect("/faelle");
    return Response::redirect(case_url(done->case_id) + "?hinweis=uebergabe_aktion");
  }

  // ---- Einwilligung -----------------------------------------------------

  // The case for an owner-only page: 404 if not visible, 403 if visible but
  // recorded by another agency.
  std::optional<Response> owned_case(Request& r, const Caller& c, std::int64_t id,
                                     privacy::ReadPath path, domain::CaseRecord& out) {
    auto record = web_.casework.get_case(c.reader, id, path);
    if (!record) return web_.failure(r, record.error());
    if (record->owner_agency != c.user().agency_key) return web_.error_page(r, 403);
    out = std::move(*record);
    return std::nullopt;
  }

  static std::string consent_anchor(const std::string& field, const Agencies& ag,
                                    const std::string& own) {
    if (field == "recipients") {
      for (const auto& a : ag.list)
        if (a.key != own) return "recipient-" + a.key;
    }
    if (field == "categories") return "category-master_data";
    if (field == "form") return "form-written";
    if (field == "given_by") return "given_by-young_person";
    if (field == "insight_confirmed") return "insight_confirmed-yes";
    if (field == "custody") return "custody-sole";
    if (field == "informed_of_refusal_and_withdrawal") return "informed";
    return field;
  }

  Response render_consent(Request& r, int status, const Caller& c, const domain::CaseRecord& k,
                          const Form& form, Feedback fb) {
    auto ag = agencies(c.user());
    if (!ag) return web_.failure(r, ag.error());
    const std::string& own = c.user().agency_key;
    const bool fresh = form.empty();
    const auto chosen_cats = values(form, "categories");
    json::array cats;
    for (DataCategory cat : domain::all_categories()) {
      // Only a Jugendamt holds § 65 data, so only it can ask for consent to
      // pass it on.
      if (cat == DataCategory::kEntrusted && !ag->is_jugendamt(own)) continue;
      const std::string name(domain::category_name(cat));
      cats.push_back(json::object{{"key", name},
                                  {"id", "category-" + name},
                                  {"label", std::string(domain::category_label_de(cat))},
                                  {"entrusted", cat == DataCategory::kEntrusted},
                                  {"checked", contains(chosen_cats, name)}});
    }
    Date from = today();
    Date until{from.year + 1, from.month, from.month == 2 && from.day == 29 ? 28 : from.day};
    const std::string form_kind = fresh ? "written" : value(form, "form");
    const std::string giver = fresh ? "young_person" : value(form, "given_by");
    const std::string insight = value(form, "insight_confirmed");
    const std::string custody = value(form, "custody");
    // The worker sees the age the assessment depends on; the rule itself
    // takes the age on the start date (domain/consent.cc).
    const auto birth = Date::parse(k.person.birth_date);
    json::object v{{"purposes", value(form, "purposes")},
                   {"valid_from", fresh ? from.str() : value(form, "valid_from")},
                   {"valid_until", fresh ? until.str() : value(form, "valid_until")},
                   {"evidence_ref", value(form, "evidence_ref")},
                   {"guardian_name", value(form, "guardian_name")},
                   {"form_written", form_kind == "written"},
                   {"form_electronic", form_kind == "electronic"},
                   {"given_by_young_person", giver == "young_person"},
                   {"given_by_guardian", giver == "guardian"},
                   {"insight_yes", insight == "yes"},
                   {"insight_no", insight == "no"},
                   {"insight_reason", value(form, "insight_reason")},
                   {"custody_sole", custody == "sole"},
                   {"custody_joint", custody == "joint"},
                   {"second_guardian_name", value(form, "second_guardian_name")},
                   {"birth_date", birth ? birth->german() : std::string()},
                   {"age", birth ? age_on(*birth, today()) : 0},
                   {"insight_required",
                    birth && domain::insight_assessment_required(*birth, today())},
                   {"informed", !value(form, "informed").empty()}};
    json::object data{{"id", k.id},
                      {"url", case_url(k.id)},
                      {"action", case_url(k.id) + "/einwilligung"},
                      {"person_name", person_name(k)},
                      {"recipients", ag->options(own, values(form, "recipients"), "recipient-")},
                      {"categories", std::move(cats)},
                      {"v", std::move(v)},
                      {"has_errors", !fb.empty()},
                      {"errors", std::move(fb.errors)},
                      {"fe", std::move(fb.fe)}};
    return page(r, status, "consent_new", std::move(data), "page.consent_new.title", c);
  }

  Response consent_form(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    if (!id) return web_.error_page(r, 404);
    domain::CaseRecord k;
    if (auto res = owned_case(r, *c, *id, privacy::ReadPath::kItem, k)) return *res;
    return render_consent(r, 200, *c, k, {}, {});
  }

  Response record_consent(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    if (!id) return web_.error_page(r, 404);
    const Form form = r.form();
    if (!csrf_ok(*c, form)) return web_.error_page(r, 403);
    domain::CaseRecord k;
    if (auto res = owned_case(r, *c, *id, privacy::ReadPath::kItem, k)) return *res;
    auto ag = agencies(c->user());
    if (!ag) return web_.failure(r, ag.error());
    const std::string& own = c->user().agency_key;

    Feedback fb;
    auto err = [&](const std::string& field, const char* key) {
      fb.add(consent_anchor(field, *ag, own), field, msg(r, key));
    };
    domain::ConsentDraft d;
    d.recipients = values(form, "recipients");
    if (d.recipients.empty()) err("recipients", "consent.error.recipients");
    auto cats = domain::parse_categories(values(form, "categories"));
    if (!cats || cats->empty()) err("categories", "consent.error.categories");
    else d.categories = *cats;
    d.purposes = lines(value(form, "purposes"));
    if (d.purposes.empty()) err("purposes", "consent.error.purposes");
    auto from = Date::parse(value(form, "valid_from"), "valid_from");
    if (!from) err("valid_from", "consent.error.valid_from");
    else d.valid_from = *from;
    auto until = Date::parse(value(form, "valid_until"), "valid_until");
    if (!until) err("valid_until", "consent.error.valid_until");
    else d.valid_until = *until;
    if (from && until && *until <= *from) err("valid_until", "consent.error.valid_until_order");
    auto kind = domain::parse_form(value(form, "form"));
    if (!kind) err("form", "consent.error.form");
    else d.form = *kind;
    d.evidence_ref = value(form, "evidence_ref");
    if (d.evidence_ref.empty()) err("evidence_ref", "consent.error.evidence_ref");
    auto giver = domain::parse_giver(value(form, "given_by"));
    if (!giver) err("given_by", "consent.error.given_by");
    else d.given_by = *giver;
    d.guardian_name = value(form, "guardian_name");
    const bool by_guardian = giver && *giver == domain::ConsentGiver::kGuardian;
    if (by_guardian && d.guardian_name.empty()) err("guardian_name", "consent.error.guardian_name");
    const std::string insight = value(form, "insight_confirmed");
    if (insight == "yes" || insight == "no") d.insight_confirmed = insight == "yes";
    else if (!insight.empty()) err("insight_confirmed", "consent.error.insight_confirmed");
    d.insight_reason = value(form, "insight_reason");
    // The assessment, asked here as well as in the service so that all its
    // errors show at once; the service has the last word (and the domain
    // messages, e.g. that without insight the guardians consent).
    const auto birth = Date::parse(k.person.birth_date);
    if (birth && from && domain::insight_assessment_required(*birth, *from) && insight.empty())
      err("insight_confirmed", "consent.error.insight_confirmed");
    if (d.insight_confirmed && d.insight_reason.find_first_not_of(" \t\r\n") == std::string::npos)
      err("insight_reason", "consent.error.insight_reason");
    if (auto custody = value(form, "custody"); !custody.empty()) {
      if (auto parsed = domain::parse_custody(custody)) d.custody = *parsed;
      else err("custody", "consent.error.custody");
    } else if (by_guardian) {
      err("custody", "consent.error.custody");
    }
    d.second_guardian_name = value(form, "second_guardian_name");
    if (by_guardian && d.custody == domain::Custody::kJoint && d.second_guardian_name.empty())
      err("second_guardian_name", "consent.error.second_guardian_name");
    d.informed_of_refusal_and_withdrawal = !value(form, "informed").empty();
    if (!d.informed_of_refusal_and_withdrawal)
      err("informed_of_refusal_and_withdrawal", "consent.error.informed");
    if (!fb.empty()) return render_consent(r, 422, *c, k, form, std::move(fb));

    auto recorded = web_.casework.record_consent(c->reader, *id, d);
    if (!recorded) {
      const Error& e = recorded.error();
      if (e.code != ErrorCode::kInvalidArgument) return web_.failure(r, e);
      const std::string f = e.field.empty() ? "purposes" : e.field;
      fb.add(consent_anchor(f, *ag, own), f, e.message);
      return render_consent(r, 422, *c, k, form, std::move(fb));
    }
    return Response::redirect(case_url(*id) + "?hinweis=einwilligung");
  }

  Response withdraw_consent(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    auto cid = path_id(r, "cid");
    if (!id || !cid) return web_.error_page(r, 404);
    if (!csrf_ok(*c, r.form())) return web_.error_page(r, 403);
    // The consent must belong to this case, so a crafted URL cannot reach
    // another case's consent through a case the caller owns.
    auto list = web_.casework.consents(c->reader, *id);
    if (!list) return web_.failure(r, list.error());
    bool found = false;
    for (const auto& cv : *list) found = found || cv.consent.id == *cid;
    if (!found) return web_.error_page(r, 404);
    auto done = web_.casework.withdraw_consent(c->reader, *cid);
    if (!done && done.error().code != ErrorCode::kConflict) return web_.failure(r, done.error());
    return Response::redirect(case_url(*id) + "?hinweis=widerrufen");
  }

  Response print_consent(Request& r) {
    Response denied;
    auto c = caller(r, denied);
    if (!c) return denied;
    auto id = path_id(r, "id");
    auto cid = path_id(r, "cid");
    if (!id || !cid) return web_.error_page(r, 404);
    domain::CaseRecord k;
    if (auto res = owned_case(r, *c, *id, privacy::ReadPath::kPrint, k)) return *res;
    auto list = web_.casework.consents(c->reader, *id);
    if (!list) return web_.failure(r, list.error());
    const casework::ConsentView* cv = nullptr;
    for (const auto& x : *list)
      if (x.consent.id == *cid) cv = &x;
    if (!cv) return web_.error_page(r, 404);
    auto ag = agencies(c->user());
    if (!ag) return web_.failure(r, ag.error());
    const auto& t = cv->consent.terms;
    json::array purposes, recipients, cats;
    for (const auto& p : t.purposes) purposes.push_back(json::string(p));
    for (const auto& key : t.recipients) recipients.push_back(json::string(ag->name(key)));
    for (DataCategory cat : domain::all_categories())
      if (t.categories.has(cat)) cats.push_back(json::string(domain::category_label_de(cat)));
    json::object data{
        {"case_url", case_url(*id)},
        {"owner_agency", ag->name(k.owner_agency)},
        {"person_name", person_name(k)},
        {"birth_date", german_date(k.person.birth_date)},
        {"purposes", std::move(purposes)},
        {"recipients", std::move(recipients)},
        {"categories", std::move(cats)},
        {"valid_from", t.valid_from.german()},
        {"valid_until", t.valid_until.german()},
        {"form_label", msg(r, "consent.form." + std::string(domain::form_name(t.form)))},
        {"evidence_ref", t.evidence_ref},
        {"guardian", t.given_by == domain::ConsentGiver::kGuardian},
        {"guardian_name", t.guardian_name},
        // Joint custody: both parents sign (§ 36 SGB I), so two lines.
        {"joint_custody", t.given_by == domain::ConsentGiver::kGuardian &&
                              t.custody == domain::Custody::kJoint},
        {"second_guardian_name", t.second_guardian_name},
        {"custody_label", t.given_by == domain::ConsentGiver::kGuardian && t.custody
                              ? msg(r, "consent.print_custody_" +
                                           std::string(domain::custody_name(*t.custody)))
                              : std::string()},
        {"insight_assessed", t.insight_confirmed.has_value()},
        {"insight_yes", t.insight_confirmed.value_or(false)},
        {"insight_reason", t.insight_reason},
        {"version", cv->consent.version},
        {"state_label", msg(r, "consent.state." + cv->state)}};
    return page(r, 200, "consent_print", std::move(data), "page.consent_print.title", *c);
  }

  WebContext& web_;
};

}  // namespace

void register_casework_pages(Router& router, WebContext& web) {
  auto pages = std::make_shared<Pages>(web);
  pages->add_routes(router, pages);
}

}  // namespace lotse::web
