// Page rendering: the compiled Template engine (Views today) against the
// kainjow/mustache path it replaced (src/web/kainjow_reference.h), on the
// case page and the inbox with data shaped like what the handlers pass.
// Both run in the same process, so compare the ratio rather than the
// absolute figures.
//
//   ./build/bench/template_bench --benchmark_min_time=2
//
// Each benchmark renders a whole page (page template + layout), as
// Views::render_page does per request.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

#include "lotse/web/views.h"
#include "web/kainjow_reference.h"

namespace {

namespace json = boost::json;
using lotse::web::PageContext;
using lotse::web::Views;

const std::string kWebRoot = std::string(LOTSE_SOURCE_DIR) + "/web";

json::array agencies(int selected) {
  static const char* kNames[] = {"Jobcenter Magdeburg", "Agentur für Arbeit Magdeburg",
                                 "Jugendamt Magdeburg", "Berufsbildende Schulen I",
                                 "Jobcenter Börde",     "Jugendamt Börde"};
  json::array out;
  for (int i = 0; i < 6; ++i) {
    out.push_back(json::object{
        {"key", "15003-" + std::to_string(i)}, {"name", kNames[i]}, {"selected", i == selected}});
  }
  return out;
}

// The case page of a case owned by the caller: master data, a support chain
// of six steps, twelve notes, two consents, three handovers with actions, and
// the forms (no errors).
json::object case_show_data() {
  const std::string url = "/faelle/42";
  json::array steps;
  for (int i = 0; i < 6; ++i) {
    json::object step{{"measure", "Berufsorientierung & Praktikum " + std::to_string(i)},
                      {"responsible", "Agentur für Arbeit"},
                      {"provider", i % 2 ? "Bildungswerk \"Zukunft\" gGmbH" : ""},
                      {"period", "01.0" + std::to_string(i + 1) + ".2026 – 30.06.2026"},
                      {"status", "läuft"}};
    if (i % 3 == 0) step["offer"] = {{"url", "/angebote/7"}, {"name", "Ausbildungscoaching"}};
    steps.push_back(std::move(step));
  }
  json::array notes;
  for (int i = 0; i < 12; ++i) {
    notes.push_back({{"at", "12.03.2026 10:1" + std::to_string(i % 10)},
                     {"author", "Frau Schulze"},
                     {"agency", "Jobcenter Magdeburg"},
                     {"visibility", i % 2 ? "Partner" : "nur eigene Stelle"},
                     {"entrusted", i % 4 == 0},
                     {"body",
                      "Gespräch geführt; Bewerbung bei <Firma> & Co. vereinbart. "
                      "Nächster Termin in zwei Wochen."}});
  }
  json::array consents;
  for (int i = 0; i < 2; ++i) {
    consents.push_back({{"id", 100 + i},
                        {"version", 1},
                        {"active", i == 0},
                        {"state_label", i == 0 ? "gültig" : "widerrufen"},
                        {"recipients", json::array{"Agentur für Arbeit", "Jugendamt"}},
                        {"categories", json::array{"Stammdaten", "Bedarfe", "Förderkette"}},
                        {"valid_from", "01.02.2026"},
                        {"valid_until", "31.01.2028"},
                        {"print_url", url + "/einwilligung/" + std::to_string(100 + i)},
                        {"withdrawable", i == 0},
                        {"withdraw_url", url + "/einwilligung/100/widerruf"},
                        {"csrf_token", "c5rf-t0ken"}});
  }
  json::array handovers;
  for (int i = 0; i < 3; ++i) {
    handovers.push_back(
        {{"id", 7 + i},
         {"case_id", 42},
         {"from_agency", "Jobcenter Magdeburg"},
         {"to_agency", "Jugendamt Magdeburg"},
         {"state_label", "übergeben"},
         {"overdue", i == 1},
         {"suspended", false},
         {"sent_on", "02.03.2026"},
         {"due_on", "16.03.2026"},
         {"reason", "Unterstützung bei der Wohnungssuche"},
         {"decline_reason", ""},
         {"decline_text", ""},
         {"has_actions", true},
         {"can_decline", true},
         {"csrf_token", "c5rf-t0ken"},
         {"actions", json::array{json::object{{"url", "/uebergaben/7/annehmen"},
                                              {"label", "Annehmen"},
                                              {"primary", true},
                                              {"csrf_token", "c5rf-t0ken"},
                                              {"case_id", 42}}}},
         {"decline_reasons",
          json::array{json::object{{"key", "capacity"}, {"label", "Keine Kapazität"}},
                      json::object{{"key", "scope"}, {"label", "Nicht zuständig"}}}}});
  }
  json::array offer_groups;
  for (int g = 0; g < 3; ++g) {
    json::array offers;
    for (int i = 0; i < 8; ++i) {
      offers.push_back({{"id", g * 10 + i},
                        {"name", "Angebot " + std::to_string(g * 10 + i)},
                        {"provider", "Träger " + std::to_string(i)},
                        {"selected", false}});
    }
    offer_groups.push_back({{"label", "Gruppe " + std::to_string(g)}, {"offers", offers}});
  }
  return {
      {"id", 42},
      {"url", url},
      {"csrf_token", "c5rf-t0ken"},
      {"person_name", "Kevin Müller"},
      {"notice", ""},
      {"has_errors", false},
      {"owner_agency", "Jobcenter Magdeburg"},
      {"lead_agency", "Jobcenter Magdeburg"},
      {"owner", true},
      {"report_links",
       {{"pendelbogen_url", url + "/pendelbogen"}, {"auskunft_url", url + "/auskunft"}}},
      {"master",
       {{"name", "Kevin Müller"},
        {"birth_date", "03.04.2007"},
        {"address", "Breiter Weg 1, 39104 Magdeburg"},
        {"phone", "0391 123456"},
        {"email", "kevin@example.org"}}},
      {"school",
       {{"any", true}, {"school", "Sekundarschule Nord"}, {"qualification", "Realschulabschluss"}}},
      {"needs_goals",
       {{"phase", "Berufsorientierung"},
        {"status", "aktiv"},
        {"needs", json::array{"Ausbildung", "Wohnen", "Schulden"}},
        {"goals", "Ausbildungsplatz bis August"}}},
      {"chain", {{"empty", false}, {"steps", steps}}},
      {"step_offer_groups", offer_groups},
      {"step_agencies", agencies(0)},
      {"step_statuses", json::array{json::object{{"key", "planned"}, {"label", "geplant"}},
                                    json::object{{"key", "running"}, {"label", "läuft"}}}},
      {"notes", {{"empty", false}, {"items", notes}}},
      {"note_can_entrust", true},
      {"consents", {{"empty", false}, {"items", consents}}},
      {"has_handovers", true},
      {"handovers", handovers},
      {"handover_agencies", agencies(2)},
      {"fe", json::object{}},
      {"v", json::object{}},
  };
}

// The inbox: a full first page of incoming handovers (25), ten outgoing, a
// pager and three conference tasks.
json::object inbox_data() {
  json::array incoming;
  for (int i = 0; i < 25; ++i) {
    incoming.push_back({{"id", 500 + i},
                        {"case_id", 40 + i},
                        {"case_url", "/faelle/" + std::to_string(40 + i)},
                        {"person_name", i % 5 ? "Lea Schmidt-Özdemir" : ""},
                        {"from_agency", "Agentur für Arbeit Magdeburg"},
                        {"state_label", "übergeben"},
                        {"overdue", i % 7 == 0},
                        {"suspended", false},
                        {"sent_on", "02.03.2026"},
                        {"due_on", "16.03.2026"},
                        {"reason", "Bitte um Übernahme: Jugendhilfe & Wohnen"}});
  }
  json::array outgoing;
  for (int i = 0; i < 10; ++i) {
    outgoing.push_back({{"id", 600 + i},
                        {"case_id", 80 + i},
                        {"case_url", "/faelle/" + std::to_string(80 + i)},
                        {"person_name", "Max Mustermann"},
                        {"to_agency", "Jugendamt Magdeburg"},
                        {"state_label", "angenommen"},
                        {"overdue", false},
                        {"suspended", i == 3},
                        {"sent_on", "01.03.2026"},
                        {"due_on", ""},
                        {"reason", "Zuständigkeitswechsel"}});
  }
  json::array pages;
  for (int i = 1; i <= 3; ++i) {
    pages.push_back(
        {{"page", i}, {"url", "/posteingang?seite=" + std::to_string(i)}, {"current", i == 1}});
  }
  json::array tasks;
  for (int i = 0; i < 3; ++i) {
    tasks.push_back({{"id", 900 + i},
                     {"text", "Unterlagen zur Fallkonferenz nachreichen"},
                     {"due_on", "20.03.2026"},
                     {"overdue", i == 0},
                     {"anonymous", i == 2},
                     {"conference_url", "/konferenzen/" + std::to_string(30 + i)},
                     {"conference_when", "10.03.2026 14:00"},
                     {"lead_agency", "Jobcenter Magdeburg"},
                     {"done_url", "/aufgaben/" + std::to_string(900 + i) + "/erledigt"},
                     {"csrf_token", "c5rf-t0ken"}});
  }
  return {
      {"csrf_token", "c5rf-t0ken"},
      {"has_errors", false},
      {"own_count", 57},
      {"has_incoming", true},
      {"incoming", incoming},
      {"incoming_count", 61},
      {"incoming_open", 12},
      {"incoming_overdue", 4},
      {"incoming_pager",
       {{"pages", pages},
        {"shown", "1–25"},
        {"next_url", "/posteingang?seite=2"},
        {"prev_url", ""}}},
      {"has_outgoing", true},
      {"outgoing", outgoing},
      {"outgoing_count", 10},
      {"outgoing_overdue", 0},
      {"conf_tasks_any", true},
      {"conf_tasks", tasks},
      {"conf_tasks_count", 3},
      {"conf_tasks_has_overdue", true},
      {"conf_tasks_overdue", 1},
      {"searched", false},
      {"fe", json::object{}},
      {"v", json::object{}},
  };
}

PageContext page_context(const char* title_key, const char* path) {
  return {.lang = "de",
          .title_key = title_key,
          .csrf_token = "c5rf-t0ken",
          .user_display_name = "Jobcenter Magdeburg",
          .user_role_label = "Fachkraft",
          .current_path = path};
}

const Views& new_views() {
  static auto views = [] {
    auto loaded = Views::load(kWebRoot);
    if (!loaded) {
      std::cerr << loaded.error().message << "\n";
      std::abort();
    }
    return *loaded;
  }();
  return *views;
}

const lotse::web::reference::KainjowViews& old_views() {
  static auto views = lotse::web::reference::KainjowViews::load(kWebRoot);
  return *views;
}

struct Page {
  const char* name;
  const char* title_key;
  const char* path;
  json::object (*data)();
};
const Page kCaseShow{"case_show", "case.title", "/faelle/42", case_show_data};
const Page kInbox{"inbox", "page.cases.title", "/posteingang", inbox_data};

// Checks once that both engines agree on this data before timing them.
void check_same(const Page& page) {
  static bool checked[2] = {false, false};
  bool& done = checked[&page == &kInbox ? 1 : 0];
  if (done) return;
  json::object data = page.data();
  PageContext ctx = page_context(page.title_key, page.path);
  if (new_views().render_page(page.name, data, ctx) !=
      old_views().render_page(page.name, data, ctx)) {
    std::cerr << page.name << ": the engines disagree\n";
    std::abort();
  }
  done = true;
}

// Renders `page` through one engine's Views (old_views or new_views).
template <typename ViewsT>
void render_loop(benchmark::State& state, const Page* page, const ViewsT& views) {
  check_same(*page);
  json::object data = page->data();
  PageContext ctx = page_context(page->title_key, page->path);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string html = views.render_page(page->name, data, ctx);
    bytes = html.size();
    benchmark::DoNotOptimize(html);
  }
  state.counters["html_bytes"] = static_cast<double>(bytes);
}

void BM_Kainjow(benchmark::State& state, const Page* page) {
  render_loop(state, page, old_views());
}

void BM_Template(benchmark::State& state, const Page* page) {
  render_loop(state, page, new_views());
}

BENCHMARK_CAPTURE(BM_Kainjow, case_show, &kCaseShow)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Template, case_show, &kCaseShow)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Kainjow, inbox, &kInbox)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Template, inbox, &kInbox)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
