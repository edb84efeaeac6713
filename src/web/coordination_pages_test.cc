// The coordinators' catalogue pages over real HTTP, on SQLite and
// PostgreSQL, with the demo catalogue loaded: the overview's counts are the
// service's matrix, gaps are marked in text, the filter changes the counts;
// only the alliance's coordinator changes its offers (another alliance's
// coordinator and case workers get 403); bad input is 422 with a summary and
// changes nothing; contact point hours come from weekday rows; a Förderkette
// step linked to an offer shows it; providers (Träger) are listed per
// alliance and changed only by the coordinator of the alliance they belong to.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/catalogue/demo_catalogue.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/organisation/seed.h"
#include "support/http_client.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

using lotse::testing::http_request;
using lotse::testing::HttpResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CoordinationPagesDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({coordinator("15003"), coordinator("15081"), case_worker("15003-jc")});
    auto loaded = catalogue::load_demo_catalogue(*db_, system_clock(),
                                                 organisation::default_data_dir());
    ASSERT_TRUE(loaded) << loaded.error().message;
    cat_ = std::make_unique<catalogue::CatalogueService>(*db_, system_clock(),
                                                         organisation::default_data_dir());
    koord_ = sign_in("15003-koord");
  }

  // The CSRF token of a session, from the start page's sign-out form.
  std::string csrf_of(const std::string& cookie) {
    std::smatch m;
    const std::string html = get("/start", cookie).body;
    std::regex re(R"re(name="csrf_token" value="([^"]+)")re");
    return std::regex_search(html, m, re) ? m[1].str() : "";
  }

  // The number shown in a matrix cell, or -1 for a gap, -2 if absent.
  static int cell(const std::string& html, const std::string& need, int phase) {
    const std::string attrs = "data-need=\"" + need + "\" data-phase=\"" + std::to_string(phase) + "\"";
    std::smatch m;
    std::regex gap("<td class=\"kern-table__cell lotse-gap\" " + attrs +
                   "><span class=\"lotse-gap__label\">Lücke</span>");
    if (std::regex_search(html, m, gap)) return -1;
    std::regex count("<td class=\"kern-table__cell\" " + attrs + "><a [^>]*>([0-9]+)<");
    if (std::regex_search(html, m, count)) return std::stoi(m[1].str());
    return -2;
  }

  std::int64_t count(const std::string& sql) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql); });
    EXPECT_TRUE(n);
    return n ? *n : -1;
  }

  std::string first_offer(const std::string& ags) {
    auto page = cat_->list_offers({.alliance_ags = ags, .limit = 1});
    EXPECT_TRUE(page && !page->offers.empty());
    return page->offers.at(0).id;
  }

  std::string provider_of(const std::string& offer_id) {
    auto o = cat_->get_offer(offer_id);
    EXPECT_TRUE(o);
    return o->data.organization_id;
  }

  std::unique_ptr<catalogue::CatalogueService> cat_;
  std::string koord_;
};

TEST_F(CoordinationPagesDb, MatrixCountsAreTheServicesAndGapsAreMarked) {
  auto page = get("/koordination/uebersicht", koord_);
  ASSERT_EQ(page.status, 200) << page.body;
  auto m = cat_->needs_phase_matrix({.alliance_ags = "15003"});
  ASSERT_TRUE(m);
  ASSERT_EQ(m->needs.size(), domain::all_needs().size());
  int gaps = 0;
  for (std::size_t i = 0; i < m->needs.size(); ++i)
    for (int p = 1; p <= 5; ++p) {
      const int n = m->counts[i][p - 1];
      EXPECT_EQ(cell(page.body, m->needs[i], p), n == 0 ? -1 : n) << m->needs[i] << " " << p;
      gaps += n == 0;
    }
  ASSERT_GT(gaps, 0) << "the demo leaves gaps";
  EXPECT_EQ(static_cast<std::size_t>(gaps), m->gaps().size());
  EXPECT_TRUE(has(page.body, "<strong>" + std::to_string(gaps) + "</strong> Lücken"));
  // A gap offers the coordinator the form for exactly that cell.
  const auto [need, phase] = m->gaps().front();
  EXPECT_TRUE(has(page.body, "/koordination/angebote/neu?bedarf=" + need +
                                 "&amp;phase=" + std::to_string(phase)));
  EXPECT_TRUE(has(page.body, "<caption"));
  EXPECT_TRUE(has(page.body, "scope=\"row\""));
}

TEST_F(CoordinationPagesDb, FilterChangesTheCounts) {
  auto all = get("/koordination/uebersicht", koord_);
  auto sgb8 = get("/koordination/uebersicht?rechtskreis=sgb8&zielgruppe=", koord_);
  ASSERT_EQ(sgb8.status, 200);
  auto m = cat_->needs_phase_matrix({.alliance_ags = "15003", .legal_sphere = "sgb8"});
  ASSERT_TRUE(m);
  bool differs = false;
  for (std::size_t i = 0; i < m->needs.size(); ++i)
    for (int p = 1; p <= 5; ++p) {
      const int n = m->counts[i][p - 1];
      EXPECT_EQ(cell(sgb8.body, m->needs[i], p), n == 0 ? -1 : n);
      differs = differs || cell(all.body, m->needs[i], p) != cell(sgb8.body, m->needs[i], p);
    }
  EXPECT_TRUE(differs);
  // The counts link to the cell's offers with the filter kept.
  EXPECT_TRUE(has(sgb8.body, "&amp;rechtskreis=sgb8\""));
  auto bad = get("/koordination/uebersicht?rechtskreis=sgb99", koord_);
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(has(bad.body, "href=\"#rechtskreis\""));
}

TEST_F(CoordinationPagesDb, CellLinkListsTheCellsOffers) {
  auto page = cat_->list_offers({.alliance_ags = "15003", .need = "applications", .phase = 3});
  ASSERT_TRUE(page);
  auto list = get("/koordination/angebote?bedarf=applications&phase=3", koord_);
  ASSERT_EQ(list.status, 200);
  for (const auto& o : page->offers) EXPECT_TRUE(has(list.body, "/koordination/angebote/" + o.id));
  EXPECT_TRUE(has(list.body, "<strong>" + std::to_string(page->total) + "</strong>"));
}

TEST_F(CoordinationPagesDb, AnotherAlliancesCoordinatorCannotEditTheOffer) {
  const std::string id = first_offer("15003");
  auto before = cat_->get_offer(id);
  ASSERT_TRUE(before);
  const std::string other = sign_in("15081-koord");
  EXPECT_EQ(get("/koordination/angebote/" + id, other).status, 403);
  const std::string csrf = csrf_of(other);
  EXPECT_EQ(post("/koordination/angebote/" + id,
                 "csrf_token=" + csrf + "&name=Gekapert&legal_sphere=sgb3&phases=1&needs=housing"
                 "&organization_id=" + before->data.organization_id,
                 other)
                .status,
            403);
  EXPECT_EQ(post("/koordination/angebote/" + id + "/loeschen",
                 "csrf_token=" + csrf + "&confirm_delete=1", other)
                .status,
            403);
  auto after = cat_->get_offer(id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->data.name, before->data.name);
}

TEST_F(CoordinationPagesDb, CaseWorkerSeesTheCatalogueReadOnlyAndCannotEdit) {
  const std::string jc = sign_in("15003-jc");
  const std::string id = first_offer("15003");
  auto matrix = get("/koordination/uebersicht", jc);
  EXPECT_EQ(matrix.status, 200);
  EXPECT_FALSE(has(matrix.body, "/koordination/angebote/neu"));
  auto show = get("/koordination/angebote/" + id, jc);
  ASSERT_EQ(show.status, 200);
  EXPECT_FALSE(has(show.body, "method=\"post\" action=\"/koordination/angebote/"));
  EXPECT_EQ(get("/koordination/angebote/neu", jc).status, 403);
  const std::string csrf = csrf_of(jc);
  const std::int64_t offers = count("SELECT COUNT(*) FROM hsds_service");
  EXPECT_EQ(post("/koordination/angebote/neu",
                 "csrf_token=" + csrf + "&name=X&legal_sphere=sgb2&phases=1&needs=housing", jc)
                .status,
            403);
  EXPECT_EQ(post("/koordination/angebote/" + id + "/loeschen",
                 "csrf_token=" + csrf + "&confirm_delete=1", jc)
                .status,
            403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM hsds_service"), offers);
  // Another alliance's offer stays hidden from case workers.
  EXPECT_EQ(get("/koordination/angebote/" + first_offer("15081"), jc).status, 404);
  EXPECT_EQ(get("/koordination/kontaktstellen/neu", jc).status, 403);
}

TEST_F(CoordinationPagesDb, BadOfferInputIs422WithSummaryAndChangesNothing) {
  const std::string provider = provider_of(first_offer("15003"));
  const std::int64_t offers = count("SELECT COUNT(*) FROM hsds_service");
  const std::int64_t audit = count("SELECT COUNT(*) FROM audit_log");
  const std::string csrf = csrf_of(koord_);
  auto r = post("/koordination/angebote/neu",
                "csrf_token=" + csrf + "&name=&legal_basis=%C2%A7+13+SGB+VIII&capacity=viele"
                "&needs=housing&organization_id=" + provider,
                koord_);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(has(r.body, "lotse-error-summary"));
  EXPECT_TRUE(has(r.body, "href=\"#name\""));
  EXPECT_TRUE(has(r.body, "href=\"#capacity\""));
  EXPECT_TRUE(has(r.body, "href=\"#legal_sphere\""));
  EXPECT_TRUE(has(r.body, "href=\"#phases-1\""));
  EXPECT_TRUE(has(r.body, "id=\"name-error\""));
  EXPECT_TRUE(has(r.body, "value=\"§ 13 SGB VIII\""));  // kept
  EXPECT_TRUE(has(r.body, "value=\"viele\""));
  EXPECT_TRUE(has(r.body, "id=\"needs-housing\" name=\"needs\" value=\"housing\" checked"));

  // An error only the service finds (the e-mail address) lands at its field.
  auto svc = post("/koordination/angebote/neu",
                  "csrf_token=" + csrf + "&name=Wohnberatung&legal_sphere=sgb8&phases=4"
                  "&needs=housing&email=keine-adresse&organization_id=" + provider,
                  koord_);
  ASSERT_EQ(svc.status, 422) << svc.body;
  EXPECT_TRUE(has(svc.body, "href=\"#email\""));
  EXPECT_TRUE(has(svc.body, "id=\"email-error\""));
  EXPECT_TRUE(has(svc.body, "value=\"Wohnberatung\""));

  // Without the CSRF token: 403.
  EXPECT_EQ(post("/koordination/angebote/neu",
                 "name=Wohnberatung&legal_sphere=sgb8&phases=4&needs=housing&organization_id=" +
                     provider,
                 koord_)
                .status,
            403);
  // Deleting needs the confirmation box.
  const std::string id = first_offer("15003");
  auto del = post("/koordination/angebote/" + id + "/loeschen", "csrf_token=" + csrf, koord_);
  EXPECT_EQ(del.status, 422);
  EXPECT_TRUE(has(del.body, "href=\"#confirm_delete\""));
  EXPECT_EQ(count("SELECT COUNT(*) FROM hsds_service"), offers);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), audit);
}

TEST_F(CoordinationPagesDb, CoordinatorCreatesEditsAndDeletesAnOfferAndTheGapCloses) {
  auto m = cat_->needs_phase_matrix({.alliance_ags = "15003"});
  ASSERT_TRUE(m && !m->gaps().empty());
  const auto [need, phase] = m->gaps().front();
  const std::string provider = provider_of(first_offer("15003"));
  const std::string csrf = csrf_of(koord_);
  auto form = get("/koordination/angebote/neu?bedarf=" + need + "&phase=" + std::to_string(phase),
                  koord_);
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(has(form.body, "id=\"needs-" + need + "\" name=\"needs\" value=\"" + need + "\" checked"));
  const std::int64_t audit = count("SELECT COUNT(*) FROM audit_log");
  auto r = post("/koordination/angebote/neu",
                "csrf_token=" + csrf + "&name=L%C3%BCckenschluss&legal_sphere=sgb8"
                "&legal_basis=%C2%A7+13+SGB+VIII&phases=" + std::to_string(phase) + "&needs=" + need +
                "&target_groups=parents&funding=land&minimum_age=14&maximum_age=25&capacity=10"
                "&waiting_days=7&status=active&organization_id=" + provider,
                koord_);
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string location = r.headers["Location"];
  ASSERT_EQ(location.rfind("/koordination/angebote/", 0), 0u) << location;
  const std::string id = location.substr(23, location.find('?') - 23);
  auto offer = cat_->get_offer(id);
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->data.name, "Lückenschluss");
  EXPECT_EQ(offer->data.capacity, 10);
  EXPECT_EQ(offer->data.target_groups, std::vector<std::string>{"parents"});
  EXPECT_GT(count("SELECT COUNT(*) FROM audit_log"), audit);

  auto matrix = get("/koordination/uebersicht", koord_);
  EXPECT_EQ(cell(matrix.body, need, phase), 1);

  auto edit = post("/koordination/angebote/" + id,
                   "csrf_token=" + csrf + "&name=L%C3%BCckenschluss+II&legal_sphere=sgb8"
                   "&phases=" + std::to_string(phase) + "&needs=" + need +
                   "&status=inactive&organization_id=" + provider,
                   koord_);
  ASSERT_EQ(edit.status, 303) << edit.body;
  EXPECT_EQ(cat_->get_offer(id)->data.name, "Lückenschluss II");
  EXPECT_EQ(cell(get("/koordination/uebersicht", koord_).body, need, phase), -1);  // inactive

  auto del = post("/koordination/angebote/" + id + "/loeschen",
                  "csrf_token=" + csrf + "&confirm_delete=1", koord_);
  ASSERT_EQ(del.status, 303);
  EXPECT_FALSE(cat_->get_offer(id));
}

TEST_F(CoordinationPagesDb, ContactPointHoursFromWeekdayRowsAndBusDates) {
  const std::string provider = provider_of(first_offer("15003"));
  const std::string csrf = csrf_of(koord_);
  const std::int64_t points = count("SELECT COUNT(*) FROM hsds_location");
  auto bad = post("/koordination/kontaktstellen/neu",
                  "csrf_token=" + csrf + "&kind=mobile_stop&name=Bus+am+Markt&street=Markt+1"
                  "&postcode=39104&city=Magdeburg&wk0_days=MO&wk0_opens=14%3A00"
                  "&dt0_date=2026-13-40&organization_id=" + provider,
                  koord_);
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(has(bad.body, "href=\"#wk0_opens\""));
  EXPECT_TRUE(has(bad.body, "href=\"#dt0_date\""));
  EXPECT_TRUE(has(bad.body, "value=\"Bus am Markt\""));
  EXPECT_EQ(count("SELECT COUNT(*) FROM hsds_location"), points);

  auto r = post("/koordination/kontaktstellen/neu",
                "csrf_token=" + csrf + "&kind=mobile_stop&name=Bus+am+Markt&street=Markt+1"
                "&postcode=39104&city=Magdeburg&accessibility=Rampe+am+Bus"
                "&wk0_days=MO&wk0_days=WE&wk0_opens=14%3A00&wk0_closes=17%3A30"
                "&dt0_date=2026-12-03&dt0_opens=09%3A00&dt0_closes=12%3A00&dt0_note=Marktplatz"
                "&organization_id=" + provider,
                koord_);
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string location = r.headers["Location"];
  const std::string id = location.substr(29, location.find('?') - 29);
  auto p = cat_->get_contact_point(id);
  ASSERT_TRUE(p) << id;
  ASSERT_EQ(p->data.opening_hours.size(), 2u);
  // (The service does not promise the order of the schedules.)
  const bool weekly_first = !p->data.opening_hours[0].rrule.empty();
  const auto& weekly = p->data.opening_hours[weekly_first ? 0 : 1];
  const auto& single = p->data.opening_hours[weekly_first ? 1 : 0];
  EXPECT_EQ(weekly.rrule, "FREQ=WEEKLY;BYDAY=MO,WE");
  EXPECT_EQ(weekly.opens_at.substr(0, 5), "14:00");
  EXPECT_EQ(single.dtstart, "2026-12-03");
  EXPECT_EQ(single.description, "Marktplatz");
  EXPECT_TRUE(p->data.latitude.has_value());  // from the postcode
  EXPECT_EQ(p->data.accessibility, "Rampe am Bus");
  // The form shows the rules again as rows.
  auto form = get(location, koord_);
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(has(form.body, "id=\"wk0_days-WE\" name=\"wk0_days\" value=\"WE\" checked"));
  EXPECT_TRUE(has(form.body, "value=\"2026-12-03\""));
  // Another alliance's coordinator cannot open it.
  EXPECT_EQ(get(location, sign_in("15081-koord")).status, 403);
}

TEST_F(CoordinationPagesDb, SupportStepLinkedToAnOfferShowsIt) {
  const std::string jc = sign_in("15003-jc");
  const std::string csrf = csrf_of(jc);
  auto c = post("/faelle/neu",
                "csrf_token=" + csrf +
                    "&given_name=Lena&family_name=Schulz&birth_date=2008-04-12&phase=4",
                jc);
  ASSERT_EQ(c.status, 303) << c.body;
  const std::string path = c.headers["Location"].substr(0, c.headers["Location"].find('?'));
  const std::string id = first_offer("15003");
  auto offer = cat_->get_offer(id);
  ASSERT_TRUE(offer);
  auto page = get(path, jc);
  EXPECT_TRUE(has(page.body, "<option value=\"" + id + "\""));
  EXPECT_TRUE(has(page.body, "<optgroup label="));

  // An offer of another alliance: field error, nothing added.
  auto bad = post(path + "/foerderkette",
                  "csrf_token=" + csrf + "&step_offer_id=" + first_offer("15081") +
                      "&step_responsible_agency=15003-jc&step_status=planned",
                  jc);
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_TRUE(has(bad.body, "href=\"#step_offer_id\""));
  EXPECT_EQ(count("SELECT COUNT(*) FROM support_steps"), 0);

  auto r = post(path + "/foerderkette",
                "csrf_token=" + csrf + "&step_offer_id=" + id +
                    "&step_measure=&step_responsible_agency=15003-jc&step_status=planned",
                jc);
  ASSERT_EQ(r.status, 303) << r.body;
  auto shown = get(path, jc);
  EXPECT_TRUE(has(shown.body, "<a class=\"kern-link\" href=\"/koordination/angebote/" + id + "\">"));
  auto stored = db_->read([&](store::Executor& x) {
    return x.query("SELECT offer_id, measure FROM support_steps");
  });
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].text(0), id);
  EXPECT_EQ((*stored)[0].text(1), offer->data.name);  // the offer's name as the measure
}

TEST_F(CoordinationPagesDb, ProvidersAreCreatedAndEditedByTheirAlliancesCoordinatorOnly) {
  // The list shows the alliance's providers, each linked for editing.
  auto list = get("/koordination/traeger", koord_);
  ASSERT_EQ(list.status, 200) << list.body;
  const std::string demo = provider_of(first_offer("15003"));
  EXPECT_TRUE(has(list.body, "/koordination/traeger/" + demo)) << list.body;
  EXPECT_TRUE(has(get("/koordination/angebote", koord_).body, "href=\"/koordination/traeger\""));

  // Bad input: 422, every problem in the summary linking to its field and
  // at the field, what was typed kept, nothing stored.
  const std::string csrf = csrf_of(koord_);
  const std::int64_t orgs = count("SELECT COUNT(*) FROM hsds_organization");
  auto bad = post("/koordination/traeger/neu",
                  "name=&website=javascript%3Aalert(1)&email=kein-at&phone=abc&csrf_token=" + csrf,
                  koord_);
  ASSERT_EQ(bad.status, 422) << bad.body;
  for (const char* field : {"name", "website", "email", "phone"}) {
    EXPECT_TRUE(has(bad.body, std::string("href=\"#") + field + "\"")) << field;
    EXPECT_TRUE(has(bad.body, std::string("id=\"") + field + "-error\"")) << field;
  }
  EXPECT_TRUE(has(bad.body, "mit http:// oder https://")) << bad.body;
  EXPECT_TRUE(has(bad.body, "value=\"kein-at\""));
  EXPECT_EQ(count("SELECT COUNT(*) FROM hsds_organization"), orgs);

  // A good one: created, audited, offered in the offer form, listed.
  auto made =
      post("/koordination/traeger/neu",
           "name=Werkstatt+Zukunft+e.+V.&description=Jugendwerkstatt&website=https%3A%2F%2F"
           "werkstatt.example&email=info%40werkstatt.example&phone=0391+555666&csrf_token=" +
               csrf,
           koord_);
  ASSERT_EQ(made.status, 303) << made.body;
  const std::string url = made.headers["Location"].substr(0, made.headers["Location"].find('?'));
  const std::string id = url.substr(url.rfind('/') + 1);
  auto shown = get(made.headers["Location"], koord_);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_TRUE(has(shown.body, "value=\"0391 555666\"")) << shown.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalogue.provider.create' AND "
                  "actor = '15003-koord' AND object = 'organization:" +
                  id + "'"),
            1);
  EXPECT_TRUE(has(get("/koordination/angebote/neu", koord_).body, "value=\"" + id + "\""));
  EXPECT_TRUE(has(get("/koordination/traeger", koord_).body, "Werkstatt Zukunft e. V."));

  // Edited by its coordinator.
  auto edited = post(url,
                     "name=Werkstatt+Zukunft+gGmbH&website=http%3A%2F%2Fwerkstatt.example"
                     "&csrf_token=" +
                         csrf,
                     koord_);
  ASSERT_EQ(edited.status, 303) << edited.body;
  auto again = cat_->get_provider(id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->data.name, "Werkstatt Zukunft gGmbH");
  EXPECT_EQ(again->data.phone, "");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalogue.provider.update'"), 1);

  // Denials: a case worker of the alliance, and another alliance's
  // coordinator (for this provider and the alliance's demo provider).
  const std::string jc = sign_in("15003-jc");
  EXPECT_EQ(get("/koordination/traeger/neu", jc).status, 403);
  EXPECT_EQ(get(url, jc).status, 403);
  EXPECT_EQ(post(url, "name=Gekapert&csrf_token=" + csrf_of(jc), jc).status, 403);
  EXPECT_FALSE(has(get("/koordination/traeger", jc).body, "href=\"" + url + "\""));
  const std::string other = sign_in("15081-koord");
  const std::string other_csrf = csrf_of(other);
  EXPECT_EQ(get(url, other).status, 403);
  EXPECT_EQ(post(url, "name=Gekapert&csrf_token=" + other_csrf, other).status, 403);
  EXPECT_EQ(
      post("/koordination/traeger/" + demo, "name=Gekapert&csrf_token=" + other_csrf, other).status,
      403);
  EXPECT_FALSE(has(get("/koordination/traeger", other).body, "Werkstatt Zukunft"));
  EXPECT_EQ(cat_->get_provider(id)->data.name, "Werkstatt Zukunft gGmbH");
  EXPECT_EQ(count("SELECT COUNT(*) FROM hsds_organization WHERE name = 'Gekapert'"), 0);
  // Without the session's CSRF token nothing changes either.
  EXPECT_EQ(post(url, "name=Gekapert", koord_).status, 403);
}

}  // namespace
}  // namespace lotse::web
