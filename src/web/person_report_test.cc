// The young person's view of their data over real HTTP (App + HttpServer on
// 127.0.0.1, port 0), on SQLite and PostgreSQL: the Art. 15 report as JSON
// and as a page, the Pendelbogen page, who may have them (only the agency
// that recorded the person; everyone else 404, audited), and the
// configurable handover due days.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <regex>
#include <set>

#include "lotse/common/clock.h"
#include "lotse/common/date.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/web/app.h"
#include "lotse/web/http_server.h"
#include "support/http_client.h"
#include "support/test_database.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using lotse::testing::http_request;
using lotse::testing::HttpResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

json::object parse(const HttpResult& r) {
  json::error_code ec;
  json::value v = json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body;
  if (ec || !v.is_object()) return {};
  return v.get_object();
}

std::int64_t id_of(const HttpResult& r) {
  auto o = parse(r);
  auto* id = o.if_contains("id");
  return id && id->is_int64() ? id->get_int64() : 0;
}

std::string token_for(std::uint16_t port, const std::string& username, const std::string& password) {
  auto r = http_request(port, "POST", "/api/v1/tokens",
                        R"({"username":")" + username + R"(","password":")" + password + "\"}",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 201) << r.body;
  std::smatch m;
  std::regex re(R"re("token":"([A-Za-z0-9_-]+)")re");
  EXPECT_TRUE(std::regex_search(r.body, m, re)) << r.body;
  return m[1];
}

HttpResult call(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& token, const std::string& body = "") {
  lotse::testing::HeaderList h;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  if (!body.empty()) h.emplace_back("Content-Type", "application/json");
  return http_request(port, method, target, body, std::move(h));
}

class PersonReportWebDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-jc"), case_worker("15003-ja"), case_worker("15003-aa"),
           coordinator("15003")});
    jc_ = token_for(port_, "15003-jc", kPassword);
    ja_ = token_for(port_, "15003-ja", kPassword);
    aa_ = token_for(port_, "15003-aa", kPassword);
  }

  HttpResult api(const std::string& method, const std::string& target, const std::string& token,
                 const std::string& body = "") {
    return call(port_, method, target, token, body);
  }

  // Signs in through the form, as a browser would; returns the Cookie value.

  static std::string today_plus(int days) {
    return add_days(Date::from_unix_ms(system_clock()()), days).str();
  }

  std::int64_t person(const std::string& token, const std::string& given,
                      const std::string& family) {
    auto p = api("POST", "/api/v1/persons", token,
                 R"({"given_name":")" + given + R"(","family_name":")" + family +
                     R"(","birth_date":"2008-04-12","street":"Breiter Weg 1","postcode":"39104",)"
                     R"("city":"Magdeburg","phone":"0391 555","email":"lena@example.org",)"
                     R"("school":"Sekundarschule Nord","school_qualification":"Hauptschulabschluss"})");
    EXPECT_EQ(p.status, 201) << p.body;
    return id_of(p);
  }

  std::int64_t open_case(const std::string& token, std::int64_t person_id) {
    auto c = api("POST", "/api/v1/cases", token,
                 R"({"person_id":)" + std::to_string(person_id) +
                     R"(,"phase":4,"needs":["applications"],"goals":"Ausbildungsplatz"})");
    EXPECT_EQ(c.status, 201) << c.body;
    return id_of(c);
  }

  std::int64_t consent(const std::string& token, std::int64_t case_id,
                       const std::string& recipients, const std::string& categories) {
    auto r = api("POST", cases(case_id) + "/consents", token,
                 R"({"recipients":)" + recipients + R"(,"categories":)" + categories +
                     R"(,"purposes":["Abstimmung der Hilfen am Übergang"],"valid_until":")" +
                     today_plus(300) +
                     R"(","form":"written","evidence_ref":"Akte 4711","given_by":"young_person","informed":true})");
    EXPECT_EQ(r.status, 201) << r.body;
    return id_of(r);
  }

  static std::string cases(std::int64_t id) { return "/api/v1/cases/" + std::to_string(id); }
  static std::string report(std::int64_t id) {
    return "/api/v1/persons/" + std::to_string(id) + "/report";
  }
  static std::string auskunft(std::int64_t id) {
    return "/personen/" + std::to_string(id) + "/auskunft";
  }
  static std::string pendelbogen(std::int64_t id) {
    return "/faelle/" + std::to_string(id) + "/pendelbogen";
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::string jc_, ja_, aa_;
};

TEST_F(PersonReportWebDb, ApiReportHoldsExactlyWhatWasRecordedAndTheReads) {
  const std::int64_t p = person(jc_, "Lena", "Schulz");
  const std::int64_t c = open_case(jc_, p);
  const std::int64_t k = consent(jc_, c, R"(["15003-ja"])", R"(["master_data","needs_goals"])");
  ASSERT_EQ(api("POST", cases(c) + "/notes", jc_, R"({"body":"Erstgespräch geführt"})").status, 201);
  ASSERT_EQ(api("POST", cases(c) + "/support-steps", jc_,
                R"({"measure":"Bewerbungstraining","responsible_agency":"15003-aa"})")
                .status,
            201);
  ASSERT_EQ(api("POST", cases(c) + "/transfers", jc_,
                R"({"to_agency":"15003-aa","legal_basis":"§ 50 SGB II","reason":"Gemeinsame )"
                R"(Ausbildungsvermittlung","categories":["master_data"],"valid_until":")" +
                    today_plus(60) + "\"}")
                .status,
            201);
  auto h = api("POST", cases(c) + "/handovers", jc_,
               R"({"to_agency":"15003-ja","reason":"Wohnen und Schulden"})");
  ASSERT_EQ(h.status, 201) << h.body;
  const std::int64_t hid = id_of(h);
  // The Jugendamt reads the case twice: disclosures the report must name.
  ASSERT_EQ(api("GET", cases(c), ja_).status, 200);
  ASSERT_EQ(api("GET", cases(c), ja_).status, 200);
  // Someone else, also read: nothing of it may appear.
  const std::int64_t other = open_case(jc_, person(jc_, "Maximilian", "Meierhofer"));
  ASSERT_EQ(api("GET", cases(other), jc_).status, 200);

  auto r = api("GET", report(p), jc_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["Cache-Control"], "no-store");
  EXPECT_FALSE(has(r.body, "Maximilian"));
  EXPECT_FALSE(has(r.body, "Meierhofer"));
  auto o = parse(r);
  EXPECT_EQ(o.at("controller").at("key").as_string(), "15003-jc");
  EXPECT_EQ(o.at("generated_by").as_string(), "15003-jc");

  // The person as stored, field by field.
  const auto& person_json = o.at("person").as_object();
  auto stored = db_->read([&](store::Executor& x) {
    return x.query_one("SELECT given_name, family_name, birth_date, street, postcode, city, "
                       "phone, email, school, school_qualification FROM persons WHERE id = ?",
                       {p});
  });
  ASSERT_TRUE(stored) << stored.error().message;
  const char* fields[] = {"given_name", "family_name", "birth_date", "street", "postcode",
                          "city",       "phone",       "email",      "school", "school_qualification"};
  for (std::size_t i = 0; i < std::size(fields); ++i)
    EXPECT_EQ(person_json.at(fields[i]).as_string(), stored->text(i)) << fields[i];

  const auto& cs = o.at("cases").as_array();
  ASSERT_EQ(cs.size(), 1u);
  const auto& kase = cs[0].as_object();
  EXPECT_EQ(kase.at("id").as_int64(), c);
  EXPECT_EQ(kase.at("goals").as_string(), "Ausbildungsplatz");
  EXPECT_EQ(kase.at("needs").as_array(), json::array{"applications"});
  ASSERT_EQ(kase.at("notes").as_array().size(), 1u);
  EXPECT_EQ(kase.at("notes").as_array()[0].at("body").as_string(), "Erstgespräch geführt");
  ASSERT_EQ(kase.at("support_chain").as_array().size(), 1u);
  ASSERT_EQ(kase.at("consents").as_array().size(), 1u);
  EXPECT_EQ(kase.at("consents").as_array()[0].at("id").as_int64(), k);
  EXPECT_EQ(kase.at("consents").as_array()[0].at("recipients").as_array(),
            json::array{"15003-ja"});
  ASSERT_EQ(kase.at("transfers").as_array().size(), 1u);
  EXPECT_EQ(kase.at("transfers").as_array()[0].at("legal_basis").as_string(), "§ 50 SGB II");
  ASSERT_EQ(kase.at("handovers").as_array().size(), 1u);
  EXPECT_EQ(kase.at("handovers").as_array()[0].at("to_agency").as_string(), "15003-ja");

  // To whom, on which basis: the consent and the transfer (the handover is
  // not accepted yet); and the reads the Jugendamt actually made.
  std::multiset<std::string> recipients;
  for (const auto& rec : o.at("recipients").as_array())
    recipients.insert(std::string(rec.at("kind").as_string()) + ":" +
                      std::string(rec.at("agency").at("key").as_string()));
  EXPECT_EQ(recipients, (std::multiset<std::string>{"consent:15003-ja", "transfer:15003-aa"}));
  const auto& disclosures = o.at("disclosures").as_array();
  ASSERT_EQ(disclosures.size(), 1u);
  EXPECT_EQ(disclosures[0].at("agency").at("key").as_string(), "15003-ja");
  EXPECT_EQ(disclosures[0].at("reads").as_int64(), 2);

  // Who read it and when: exactly the audit entries about this person's
  // records, as recorded (the report's own entry is written after it).
  auto recorded = db_->read([&](store::Executor& x) {
    return x.query("SELECT seq, actor, action, legal_basis, log, item FROM audit_entries WHERE "
                   "object IN (?, ?, ?, ?) AND action <> 'person.report' ORDER BY change_seq, "
                   "log, seq, item",
                   {"person:" + std::to_string(p), "case:" + std::to_string(c),
                    "consent:" + std::to_string(k), "handover:" + std::to_string(hid)});
  });
  ASSERT_TRUE(recorded) << recorded.error().message;
  const auto& accesses = o.at("accesses").as_array();
  ASSERT_EQ(accesses.size(), recorded->size());
  for (std::size_t i = 0; i < accesses.size(); ++i) {
    const auto& a = accesses[i].as_object();
    EXPECT_EQ(a.at("seq").as_int64(), (*recorded)[i].integer(0));
    EXPECT_EQ(a.at("log").as_string(), (*recorded)[i].text(4));
    EXPECT_EQ(a.at("item").as_int64(), (*recorded)[i].integer(5));
    EXPECT_EQ(a.at("actor").as_string(), (*recorded)[i].text(1));
    EXPECT_EQ(a.at("action").as_string(), (*recorded)[i].text(2));
    EXPECT_EQ(a.at("legal_basis").as_string(), (*recorded)[i].text(3));
  }
  int ja_reads = 0;
  for (const auto& a : accesses)
    if (a.at("action").as_string() == "case.read" && a.at("actor").as_string() == "15003-ja") {
      ++ja_reads;
      EXPECT_EQ(a.at("agency").as_string(), "15003-ja");
      EXPECT_EQ(a.at("path").as_string(), "api");
    }
  EXPECT_EQ(ja_reads, 2);
  EXPECT_EQ(o.at("retention").as_array().size(), 3u);

  // The generation is audited as an export.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'person.report' AND object = ? "
                  "AND actor = '15003-jc' AND details LIKE '%\"path\":\"export\"%'",
                  {"person:" + std::to_string(p)}),
            1);

  // And the route is in the OpenAPI document.
  auto doc = parse(call(port_, "GET", "/api/v1/openapi.json", ""));
  EXPECT_TRUE(doc.at("paths").as_object().contains("/api/v1/persons/{id}/report"));
}

TEST_F(PersonReportWebDb, OtherAgenciesGet404EvenWithConsentAndTheAttemptIsAudited) {
  const std::int64_t p = person(jc_, "Lena", "Schulz");
  const std::int64_t c = open_case(jc_, p);
  consent(jc_, c, R"(["15003-ja"])", R"(["master_data","needs_goals"])");
  ASSERT_EQ(api("GET", cases(c), ja_).status, 200);  // the consent works for the case itself

  for (const std::string* token : {&ja_, &aa_}) {
    auto r = api("GET", report(p), *token);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_TRUE(has(r.headers["Content-Type"], "application/problem+json")) << r.body;
    EXPECT_FALSE(has(r.body, "Lena"));
    EXPECT_FALSE(has(r.body, "Schulz"));
  }
  const std::string ja_cookie = sign_in("15003-ja");
  auto page = get(auskunft(p), ja_cookie);
  EXPECT_EQ(page.status, 404);
  EXPECT_FALSE(has(page.body, "Schulz"));
  auto bogen = get(pendelbogen(c), ja_cookie);
  EXPECT_EQ(bogen.status, 404);
  EXPECT_FALSE(has(bogen.body, "Schulz"));

  const std::string object = "person:" + std::to_string(p);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'person.report_denied' AND "
                  "object = ? AND actor = '15003-ja'",
                  {object}),
            2);  // API and page
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'person.report_denied' AND "
                  "object = ? AND actor = '15003-aa'",
                  {object}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'pendelbogen.denied' AND "
                  "object = ? AND actor = '15003-ja'",
                  {"case:" + std::to_string(c)}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'person.report'"), 0);

  // Unknown and malformed ids look the same; other roles are refused.
  EXPECT_EQ(api("GET", report(p + 1000), jc_).status, 404);
  EXPECT_EQ(api("GET", "/api/v1/persons/abc/report", jc_).status, 404);
  EXPECT_EQ(api("GET", report(p), "").status, 401);
  const std::string koord = token_for(port_, "15003-koord", kPassword);
  EXPECT_EQ(api("GET", report(p), koord).status, 403);
  const std::string koord_cookie = sign_in("15003-koord");
  EXPECT_EQ(get(auskunft(p), koord_cookie).status, 403);
  EXPECT_EQ(get(pendelbogen(c), koord_cookie).status, 403);
  auto signed_out = get(auskunft(p));
  EXPECT_EQ(signed_out.status, 303);
  EXPECT_TRUE(has(signed_out.headers["Location"], "/anmelden?next="));
}

TEST_F(PersonReportWebDb, PendelbogenPageShowsOnlyWhatTheActiveConsentShares) {
  const std::int64_t p = person(jc_, "Lena", "Schulz");
  const std::int64_t c = open_case(jc_, p);
  ASSERT_EQ(api("POST", cases(c) + "/support-steps", jc_,
                R"({"measure":"Einstiegsqualifizierung Pendel","responsible_agency":"15003-aa"})")
                .status,
            201);
  ASSERT_EQ(api("POST", cases(c) + "/notes", jc_,
                R"({"body":"Vermerk für Partner","visibility":"partners"})")
                .status,
            201);
  // master data, needs and goals, notes – but no support chain.
  const std::int64_t k =
      consent(jc_, c, R"(["15003-ja"])", R"(["master_data","needs_goals","notes"])");
  const std::string cookie = sign_in("15003-jc");

  auto page = get(pendelbogen(c), cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Dein Pendelbogen"));
  EXPECT_TRUE(has(page.body, "Lena Schulz"));
  EXPECT_TRUE(has(page.body, "Wo du gerade stehst"));
  EXPECT_TRUE(has(page.body, "Bewerbung"));  // the need
  EXPECT_TRUE(has(page.body, "Jugendamt"));   // whom it is shared with
  EXPECT_FALSE(has(page.body, "Einstiegsqualifizierung Pendel"));
  EXPECT_FALSE(has(page.body, "Förderkette"));
  EXPECT_FALSE(has(page.body, "Vermerk für Partner"));  // notes are never on it
  EXPECT_FALSE(has(page.body, "Sekundarschule Nord"));  // school data not shared
  EXPECT_TRUE(has(page.body, "/static/person_report.css"));
  EXPECT_EQ(page.headers["Cache-Control"], "no-store");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE action = 'case.read' AND object = ? AND "
                  "details LIKE '%\"path\":\"print\"%'",
                  {"case:" + std::to_string(c)}),
            1);

  // Withdrawn: the very next request shows nothing that was shared.
  ASSERT_EQ(api("POST", "/api/v1/consents/" + std::to_string(k) + "/withdraw", jc_).status, 200);
  auto after = get(pendelbogen(c), cookie);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_TRUE(has(after.body, "Zurzeit hast du keiner anderen Stelle erlaubt"));
  EXPECT_FALSE(has(after.body, "Lena"));
  EXPECT_FALSE(has(after.body, "Schulz"));
  EXPECT_FALSE(has(after.body, "Wo du gerade stehst"));
  EXPECT_FALSE(has(after.body, "Ausbildungsplatz"));
  EXPECT_TRUE(has(after.body, "Jobcenter"));  // who supports the young person

  // English works too (same keys).
  auto en = get(pendelbogen(c) + "?lang=en", cookie);
  ASSERT_EQ(en.status, 200);
  EXPECT_TRUE(has(en.body, "Your journey sheet"));
}

TEST_F(PersonReportWebDb, PendelbogenNeverShowsEntrustedNotes) {
  const std::int64_t p = person(ja_, "Mia", "Fischer");
  const std::int64_t c = open_case(ja_, p);
  ASSERT_EQ(api("POST", cases(c) + "/notes", ja_,
                R"({"body":"Geheimnis zuhause","visibility":"partners","entruster":"young_person"})")
                .status,
            201);
  consent(ja_, c, R"(["15003-jc"])", R"(["master_data","needs_goals","notes","entrusted"])");
  auto page = get(pendelbogen(c), sign_in("15003-ja"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Mia Fischer"));
  EXPECT_FALSE(has(page.body, "Geheimnis zuhause"));
  EXPECT_FALSE(has(page.body, "Anvertraute Daten"));
}

TEST_F(PersonReportWebDb, AuskunftPageAndCaseLinksForTheOwnerOnly) {
  const std::int64_t p = person(jc_, "Lena", "Schulz");
  const std::int64_t c = open_case(jc_, p);
  consent(jc_, c, R"(["15003-ja"])", R"(["master_data"])");
  ASSERT_EQ(api("GET", cases(c), ja_).status, 200);

  const std::string cookie = sign_in("15003-jc");
  auto case_page = get("/faelle/" + std::to_string(c), cookie);
  ASSERT_EQ(case_page.status, 200) << case_page.body;
  EXPECT_TRUE(has(case_page.body, "href=\"" + pendelbogen(c) + "\""));
  EXPECT_TRUE(has(case_page.body, "href=\"" + auskunft(p) + "\""));
  auto partner_page = get("/faelle/" + std::to_string(c), sign_in("15003-ja"));
  ASSERT_EQ(partner_page.status, 200);
  EXPECT_FALSE(has(partner_page.body, "/pendelbogen"));
  EXPECT_FALSE(has(partner_page.body, "/auskunft"));

  auto page = get(auskunft(p), cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.headers["Cache-Control"], "no-store");
  std::size_t h1 = 0;
  for (auto at = page.body.find("<h1"); at != std::string::npos; at = page.body.find("<h1", at + 1))
    ++h1;
  EXPECT_EQ(h1, 1u);
  for (const char* part : {"Auskunft nach Art. 15 DSGVO", "Lena Schulz", "Breiter Weg 1",
                           "Einwilligung", "Jugendamt", "Fall gelesen", "Speicherdauer",
                           "Hauptschulabschluss", "href=\"/api/v1/persons/"})
    EXPECT_TRUE(has(page.body, part)) << part;
  auto en = get(auskunft(p) + "?lang=en", cookie);
  ASSERT_EQ(en.status, 200);
  EXPECT_TRUE(has(en.body, "Report under Art. 15 GDPR"));
}

// A 16-year-old consented themself: the report shows that the case worker
// assessed their insight, and why (HTML and JSON).
TEST_F(PersonReportWebDb, ReportShowsTheInsightAssessmentOfAYoungConsenter) {
  const Date today = Date::from_unix_ms(system_clock()());
  auto made = api("POST", "/api/v1/persons", jc_,
                  R"({"given_name":"Mia","family_name":"Krause","birth_date":")" +
                      std::to_string(today.year - 16) + R"(-01-01"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::int64_t p = id_of(made);
  const std::int64_t c = open_case(jc_, p);
  auto k = api("POST", cases(c) + "/consents", jc_,
               R"({"recipients":["15003-ja"],"categories":["master_data"],)"
               R"("purposes":["Abstimmung der Hilfen am Übergang"],"valid_until":")" +
                   today_plus(100) +
                   R"(","form":"written","evidence_ref":"Akte 1","given_by":"young_person",)"
                   R"("informed":true,"insight_confirmed":true,)"
                   R"("insight_reason":"Hat Zweck und Widerruf mit eigenen Worten erklärt"})");
  ASSERT_EQ(k.status, 201) << k.body;

  auto r = api("GET", report(p), jc_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto o = parse(r);
  const auto& consent = o.at("cases").as_array().at(0).at("consents").as_array().at(0);
  EXPECT_EQ(consent.at("insight_confirmed").as_bool(), true);
  EXPECT_EQ(consent.at("insight_reason").as_string(),
            "Hat Zweck und Widerruf mit eigenen Worten erklärt");
  EXPECT_TRUE(consent.at("custody").is_null());

  auto page = get(auskunft(p), sign_in("15003-jc"));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has(page.body, "Einsichtsfähigkeit"));
  EXPECT_TRUE(has(page.body, "einsichtsfähig, hat selbst eingewilligt"));
  EXPECT_TRUE(has(page.body, "Hat Zweck und Widerruf mit eigenen Worten erklärt"));
}

// ---- the configurable handover due days ------------------------------------

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

class HandoverDueDaysDb : public ::testing::Test {
 protected:
  static constexpr const char* kPassword = "richtig-langes-passwort";

  void SetUp() override {
    db_ = lotse::testing::test_database();
    ASSERT_TRUE(db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    }));
    identity::AuthService auth(*db_, system_clock());
    for (const char* agency : {"15003-jc", "15003-ja"}) {
      auto added = auth.add_user({.username = agency,
                                  .display_name = agency,
                                  .role = identity::Role::kCaseWorker,
                                  .agency_key = agency,
                                  .password = kPassword},
                                 {.username = "admin"});
      ASSERT_TRUE(added) << added.error().message;
    }
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  void serve(int due_days) {
    if (server_) server_->stop();
    AppOptions options = default_app_options();
    options.handover_due_working_days = due_days;
    app_ = std::make_unique<App>(*db_, [this] { return now_.load(); }, options);
    ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.threads = 2;
    so.access_log = false;
    server_ = std::make_unique<HttpServer>(so, [this](Request& r) { return app_->handle(r); });
    server_->start();
    port_ = server_->port();
  }

  // Whether the Jobcenter's one outgoing handover shows as overdue.
  bool overdue() {
    auto out = call(port_, "GET", "/api/v1/handovers?box=out", token_for(port_, "15003-jc", kPassword));
    EXPECT_EQ(out.status, 200) << out.body;
    auto items = parse(out).at("items").as_array();
    EXPECT_EQ(items.size(), 1u);
    return !items.empty() && items[0].at("overdue").as_bool();
  }

  // Monday, 2 March 2026, 10:00 UTC.
  std::atomic<std::int64_t> now_{Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10LL * 3600 * 1000};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<App> app_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HandoverDueDaysDb, OneWorkingDayMakesASentHandoverOverdueAfterOneWorkingDay) {
  serve(1);
  const std::string jc = token_for(port_, "15003-jc", kPassword);
  auto p = call(port_, "POST", "/api/v1/persons", jc,
                R"({"given_name":"Lena","family_name":"Schulz","birth_date":"2008-04-12"})");
  ASSERT_EQ(p.status, 201) << p.body;
  auto c = call(port_, "POST", "/api/v1/cases", jc,
                R"({"person_id":)" + std::to_string(id_of(p)) + R"(,"phase":4})");
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string case_path = "/api/v1/cases/" + std::to_string(id_of(c));
  const std::string until = add_days(Date::from_unix_ms(now_.load()), 200).str();
  ASSERT_EQ(call(port_, "POST", case_path + "/consents", jc,
                 R"({"recipients":["15003-ja"],"categories":["master_data"],"purposes":["Übergang"],)"
                 R"("valid_until":")" + until +
                     R"(","form":"written","evidence_ref":"A1","given_by":"young_person","informed":true,)"
                     // 17 on the test clock: the insight assessment is mandatory.
                     R"("insight_confirmed":true,"insight_reason":"Mit eigenen Worten erklärt"})")
                .status,
            201);
  auto h = call(port_, "POST", case_path + "/handovers", jc,
                R"({"to_agency":"15003-ja","reason":"Wohnen und Schulden"})");
  ASSERT_EQ(h.status, 201) << h.body;
  EXPECT_EQ(parse(h).at("due_on").as_string(), "2026-03-03");  // one working day after Monday

  EXPECT_FALSE(overdue());
  now_ += kDayMs;  // Tuesday: due today, not yet overdue
  EXPECT_FALSE(overdue());
  now_ += kDayMs;  // Wednesday: one working day has passed
  EXPECT_TRUE(overdue());

  // Five working days configured later move no deadline both sides have
  // been shown: the handover keeps its due date and stays overdue.
  serve(5);
  EXPECT_TRUE(overdue());
  auto listed =
      call(port_, "GET", "/api/v1/handovers?box=out", token_for(port_, "15003-jc", kPassword));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(parse(listed).at("items").as_array().at(0).at("due_on").as_string(), "2026-03-03");
}

TEST_F(HandoverDueDaysDb, TheAppRefusesDaysOutsideOneToSixty) {
  for (int bad : {0, -1, 61}) {
    AppOptions options = default_app_options();
    options.handover_due_working_days = bad;
    EXPECT_THROW(App(*db_, system_clock(), options), std::runtime_error) << bad;
  }
  AppOptions options = default_app_options();
  options.handover_due_working_days = 60;
  EXPECT_NO_THROW(App(*db_, system_clock(), options));
}

}  // namespace
}  // namespace lotse::web
