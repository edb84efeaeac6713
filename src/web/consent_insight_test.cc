// The insight assessment (Einsichtsfähigkeit) and the guardians' path over
// real HTTP, on SQLite and PostgreSQL: the consent API refuses a
// 16-year-old's own consent without the assessment with problem+json naming
// the field and writes nothing, and shows the stored assessment; the consent
// wizard answers 422 with the error summary linking to the field and keeps
// what was typed; the printed form states the assessment or gives both
// guardians a signature line. The wizard's default start date is the
// German date, not UTC's.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <string>

#include "lotse/common/clock.h"
#include "lotse/common/date.h"
#include "support/http_client.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using lotse::testing::http_request;
using lotse::testing::HttpResult;

Date today() {
  return Date::from_unix_ms(system_clock()());
}

// Born on 1 January sixteen years ago: 16 today and on every start date
// this year (the web fixture runs on the real clock).
std::string sixteen_year_old_birth() {
  return Date{today().year - 16, 1, 1}.str();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ConsentInsightApiDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-jc")});
    auto r = http_request(port_, "POST", "/api/v1/tokens",
                          R"({"username":"15003-jc","password":")" + std::string(kPassword) + "\"}",
                          {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 201) << r.body;
    token_ = std::string(json::parse(r.body).at("token").as_string());
  }

  HttpResult call(const std::string& method, const std::string& target,
                  const std::string& body = "") {
    lotse::testing::HeaderList h{{"Authorization", "Bearer " + token_}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return http_request(port_, method, target, body, std::move(h));
  }

  std::string case_of(const std::string& birth) {
    auto p = call("POST", "/api/v1/persons",
                  R"({"given_name":"Mia","family_name":"Krüger","birth_date":")" + birth + "\"}");
    EXPECT_EQ(p.status, 201) << p.body;
    auto c = call("POST", "/api/v1/cases",
                  R"({"person_id":)" + std::to_string(json::parse(p.body).at("id").as_int64()) +
                      R"(,"phase":3})");
    EXPECT_EQ(c.status, 201) << c.body;
    return "/api/v1/cases/" + std::to_string(json::parse(c.body).at("id").as_int64());
  }

  // A consent body; `extra` is spliced in as further members.
  static std::string body(const std::string& given_by, const std::string& extra) {
    return R"({"recipients":["15003-ja"],"categories":["master_data"],)"
           R"("purposes":["Abstimmung der Hilfen am Übergang"],"valid_until":")" +
           add_days(today(), 200).str() +
           R"(","form":"written","evidence_ref":"Akte 4711","given_by":")" + given_by +
           R"(","informed":true)" + extra + "}";
  }

  std::int64_t count(const std::string& sql) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  // What a refused request must leave untouched.
  std::int64_t written() {
    return count(
        "SELECT (SELECT COUNT(*) FROM consents) + (SELECT COUNT(*) FROM "
        "consent_recipients) + (SELECT COUNT(*) FROM audit_log WHERE action = "
        "'consent.record')");
  }

  static void expect_problem(const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.headers.at("Content-Type").find("application/problem+json"), std::string::npos);
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    auto* f = v.as_object().if_contains("field");
    ASSERT_TRUE(f && f->is_string()) << r.body;
    EXPECT_EQ(f->get_string(), field) << r.body;
  }

  std::string token_;
};

TEST_F(ConsentInsightApiDb,
       ASixteenYearOldsOwnConsentWithoutTheAssessmentIsRefusedAndWritesNothing) {
  const std::string c = case_of(sixteen_year_old_birth());
  const std::int64_t before = written();
  expect_problem(call("POST", c + "/consents", body("young_person", "")), "insight_confirmed");
  expect_problem(
      call("POST", c + "/consents", body("young_person", R"(,"insight_confirmed":null)")),
      "insight_confirmed");
  expect_problem(
      call("POST", c + "/consents", body("young_person", R"(,"insight_confirmed":true)")),
      "insight_reason");
  expect_problem(
      call("POST", c + "/consents", body("young_person", R"(,"insight_confirmed":"ja")")),
      "insight_confirmed");
  // Lacking insight, the young person cannot consent themself.
  expect_problem(call("POST", c + "/consents",
                      body("young_person",
                           R"(,"insight_confirmed":false,)"
                           R"("insight_reason":"Widerruf nicht verstanden, Empfänger unklar")")),
                 "given_by");
  EXPECT_EQ(written(), before);
  EXPECT_EQ(json::parse(call("GET", c + "/consents").body).at("items").as_array().size(), 0u);

  auto ok = call("POST", c + "/consents",
                 body("young_person",
                      R"(,"insight_confirmed":true,)"
                      R"("insight_reason":"Hat Zweck und Widerruf mit eigenen Worten erklärt")"));
  ASSERT_EQ(ok.status, 201) << ok.body;
  auto created = json::parse(ok.body).as_object();
  EXPECT_EQ(created.at("version").as_int64(), 1);
  EXPECT_EQ(created.at("insight_confirmed").as_bool(), true);
  EXPECT_EQ(created.at("insight_reason").as_string(),
            "Hat Zweck und Widerruf mit eigenen Worten erklärt");
  EXPECT_TRUE(created.at("custody").is_null());
  EXPECT_TRUE(created.at("guardian_name").is_null());

  auto list = json::parse(call("GET", c + "/consents").body).at("items").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("insight_confirmed").as_bool(), true);
  EXPECT_EQ(list[0].at("given_by").as_string(), "young_person");
}

TEST_F(ConsentInsightApiDb, GuardiansStateCustodyAndJointCustodyNamesBoth) {
  const std::string c = case_of(sixteen_year_old_birth());
  const std::string lacking =
      R"(,"insight_confirmed":false,"insight_reason":"Konnte Empfänger und Widerruf nicht erklären")";
  const std::int64_t before = written();
  expect_problem(call("POST", c + "/consents",
                      body("guardian", lacking + R"(,"guardian_name":"Anna Krüger")")),
                 "custody");
  expect_problem(
      call("POST", c + "/consents",
           body("guardian", lacking + R"(,"guardian_name":"Anna Krüger","custody":"both")")),
      "custody");
  expect_problem(
      call("POST", c + "/consents",
           body("guardian", lacking + R"(,"guardian_name":"Anna Krüger","custody":"joint")")),
      "second_guardian_name");
  EXPECT_EQ(written(), before);

  auto ok = call("POST", c + "/consents",
                 body("guardian", lacking + R"(,"guardian_name":"Anna Krüger","custody":"joint",)"
                                            R"("second_guardian_name":"Jan Krüger")"));
  ASSERT_EQ(ok.status, 201) << ok.body;
  auto list = json::parse(call("GET", c + "/consents").body).at("items").as_array();
  ASSERT_EQ(list.size(), 1u);
  const auto& k = list[0].as_object();
  EXPECT_EQ(k.at("given_by").as_string(), "guardian");
  EXPECT_EQ(k.at("custody").as_string(), "joint");
  EXPECT_EQ(k.at("guardian_name").as_string(), "Anna Krüger");
  EXPECT_EQ(k.at("second_guardian_name").as_string(), "Jan Krüger");
  EXPECT_EQ(k.at("insight_confirmed").as_bool(), false);
}

TEST_F(ConsentInsightApiDb, AdultsConsentThemselvesWithoutAssessment) {
  const std::string c = case_of(Date{today().year - 20, 6, 1}.str());
  const std::int64_t before = written();
  expect_problem(call("POST", c + "/consents",
                      body("guardian", R"(,"guardian_name":"Anna Krüger","custody":"sole")")),
                 "given_by");
  EXPECT_EQ(written(), before);
  auto ok = call("POST", c + "/consents", body("young_person", ""));
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(json::parse(ok.body).at("insight_confirmed").is_null());
}

TEST_F(ConsentInsightApiDb, TheOpenApiDocumentDescribesTheAssessment) {
  auto r = http_request(port_, "GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = json::parse(r.body);
  const auto& schemas = doc.at("components").at("schemas").as_object();
  const auto& props = schemas.at("NewConsent").at("properties").as_object();
  for (const char* field :
       {"insight_confirmed", "insight_reason", "custody", "second_guardian_name"})
    EXPECT_TRUE(props.contains(field)) << field;
  EXPECT_TRUE(
      has(std::string(props.at("insight_confirmed").at("description").as_string()), "15-17"));
  const auto& answer = schemas.at("Consent").at("properties").as_object();
  for (const char* field :
       {"insight_confirmed", "insight_reason", "custody", "second_guardian_name", "guardian_name"})
    EXPECT_TRUE(answer.contains(field)) << field;
}

class ConsentInsightPagesDb : public WebDbFixture {
 protected:
  void SetUp() override { start({case_worker("15003-jc")}); }

  HttpResult get(const std::string& target) {
    return http_request(port_, "GET", target, "", {{"Cookie", cookie_}});
  }
  HttpResult post(const std::string& target, const std::string& body) {
    return http_request(
        port_, "POST", target, body,
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie_}});
  }

  static std::string match(const std::string& text, const std::string& pattern) {
    std::smatch m;
    return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
  }

  void sign_in() {
    auto form = http_request(port_, "GET", "/anmelden");
    const std::string csrf = match(form.headers["Set-Cookie"], "lotse_csrf=([^;\n]*)");
    auto r = http_request(
        port_, "POST", "/anmelden",
        "username=15003-jc&password=" + std::string(kPassword) +
            "&next=%2Fstart&csrf_token=" + csrf,
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "lotse_csrf=" + csrf}});
    ASSERT_EQ(r.status, 303) << r.body;
    cookie_ = "lotse_session=" + match(r.headers["Set-Cookie"], "lotse_session=([^;\n]*)");
    csrf_ = match(get("/faelle").body, R"re(name="csrf_token" value="([^"]+)")re");
  }

  // A case for Mia Krüger born on `birth`; returns the case page path.
  std::string case_of(const std::string& birth) {
    auto r = post("/faelle/neu", "csrf_token=" + csrf_ +
                                     "&given_name=Mia&family_name=Kr%C3%BCger&birth_date=" + birth +
                                     "&phase=3");
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string location = r.headers["Location"];
    return location.substr(0, location.find('?'));
  }

  // The wizard's fields; `extra` adds or overrides further fields.
  std::string form(const std::string& extra) {
    return "csrf_token=" + csrf_ +
           "&recipients=15003-ja&categories=master_data&purposes=Gemeinsame+Beratung"
           "&valid_from=" +
           today().str() + "&valid_until=" + add_days(today(), 300).str() +
           "&form=written&evidence_ref=AZ-16&informed=1" + extra;
  }

  std::string print_of(const std::string& path) {
    auto page = get(path);
    const std::string print =
        match(page.body, R"re(href="(/faelle/\d+/einwilligungen/\d+/druck)")re");
    EXPECT_FALSE(print.empty()) << page.body;
    auto r = get(print);
    EXPECT_EQ(r.status, 200);
    return r.body;
  }

  std::string cookie_, csrf_;
};

TEST_F(ConsentInsightPagesDb, TheWizardAsksForTheAssessmentAndKeepsWhatWasTyped) {
  sign_in();
  const std::string path = case_of(sixteen_year_old_birth());
  auto page = get(path + "/einwilligung");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(has(page.body, "id=\"insight_confirmed-yes\""));
  EXPECT_TRUE(has(page.body, "id=\"insight_reason\""));
  EXPECT_TRUE(has(page.body, "(heute 16 Jahre)")) << "the age the rule depends on is shown";
  EXPECT_TRUE(has(page.body, "Nach dem Geburtsdatum ist die Einschätzung hier Pflicht."));

  auto r = post(path + "/einwilligung", form("&given_by=young_person&insight_reason="));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(has(r.body, "lotse-error-summary"));
  EXPECT_TRUE(has(r.body, "href=\"#insight_confirmed-yes\""));
  EXPECT_TRUE(has(r.body, "id=\"insight_confirmed-error\""));
  EXPECT_TRUE(has(r.body, "Bei 15 bis 17 Jahren ist die Einschätzung Pflicht."));
  EXPECT_TRUE(has(r.body, "value=\"AZ-16\""));
  EXPECT_TRUE(has(r.body, ">Gemeinsame Beratung</textarea>"));

  // Insight lacking, own consent: back to the form, pointing to the guardians.
  r = post(path + "/einwilligung", form("&given_by=young_person&insight_confirmed=no"
                                        "&insight_reason=Konnte+den+Widerruf+nicht+erkl%C3%A4ren"));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_TRUE(has(r.body, "href=\"#given_by-young_person\""));
  EXPECT_TRUE(has(r.body, "sorgeberechtigte Person"));
  EXPECT_TRUE(std::regex_search(r.body, std::regex(R"(value="no" checked)")));
  EXPECT_TRUE(has(r.body, ">Konnte den Widerruf nicht erklären</textarea>"));

  // The guardians' path without custody, then joint custody without the
  // second name: each error at its field.
  r = post(path + "/einwilligung",
           form("&given_by=guardian&guardian_name=Anna+Kr%C3%BCger&insight_confirmed=no"
                "&insight_reason=Konnte+den+Widerruf+nicht+erkl%C3%A4ren"));
  ASSERT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "href=\"#custody-sole\""));
  EXPECT_TRUE(has(r.body, "id=\"custody-error\""));
  r = post(path + "/einwilligung",
           form("&given_by=guardian&guardian_name=Anna+Kr%C3%BCger&custody=joint"
                "&insight_confirmed=no&insight_reason=Konnte+den+Widerruf+nicht+erkl%C3%A4ren"));
  ASSERT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "href=\"#second_guardian_name\""));
  EXPECT_TRUE(std::regex_search(r.body, std::regex(R"(value="joint" checked)")));
  auto none =
      db_->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM consents"); });
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);

  r = post(path + "/einwilligung",
           form("&given_by=guardian&guardian_name=Anna+Kr%C3%BCger&custody=joint"
                "&second_guardian_name=Jan+Kr%C3%BCger&insight_confirmed=no"
                "&insight_reason=Konnte+den+Widerruf+nicht+erkl%C3%A4ren"));
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string print = print_of(path);
  EXPECT_TRUE(has(print, "Unterschrift der sorgeberechtigten Person (Anna Krüger)"));
  EXPECT_TRUE(has(print, "Unterschrift der zweiten sorgeberechtigten Person (Jan Krüger)"));
  EXPECT_TRUE(has(print, "gemeinsame Sorgerecht"));
  EXPECT_TRUE(has(print, "nicht einsichtsfähig"));
  EXPECT_TRUE(has(print, "Konnte den Widerruf nicht erklären"));
  EXPECT_FALSE(has(print, "Unterschrift des jungen Menschen"));
}

TEST_F(ConsentInsightPagesDb, TheOwnConsentOfASixteenYearOldPrintsTheAssessment) {
  sign_in();
  const std::string path = case_of(sixteen_year_old_birth());
  auto r = post(path + "/einwilligung",
                form("&given_by=young_person&insight_confirmed=yes"
                     "&insight_reason=Hat+Zweck+und+Widerruf+mit+eigenen+Worten+erkl%C3%A4rt"));
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string print = print_of(path);
  EXPECT_TRUE(has(print, "Die Fachkraft hat die Einsichtsfähigkeit geprüft"));
  EXPECT_TRUE(has(print, "Hat Zweck und Widerruf mit eigenen Worten erklärt"));
  EXPECT_TRUE(has(print, "Unterschrift des jungen Menschen"));
  EXPECT_FALSE(has(print, "zweiten sorgeberechtigten"));
}

TEST_F(ConsentInsightPagesDb, AnAdultNeedsNoAssessmentAndItsPrintHasNone) {
  sign_in();
  const std::string path = case_of(Date{today().year - 19, 3, 1}.str());
  auto page = get(path + "/einwilligung");
  EXPECT_FALSE(has(page.body, "Nach dem Geburtsdatum ist die Einschätzung hier Pflicht."));
  auto r = post(path + "/einwilligung", form("&given_by=young_person"));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_FALSE(has(print_of(path), "Einsichtsfähigkeit geprüft"));
}

// The wizard's default start date is "today" in Germany: at 23:30 UTC on
// 15 July it is already 01:30 on 16 July there (CEST, UTC+2), and a consent
// recorded that night starts on the 16th.
class ConsentWizardDateDb : public ConsentInsightPagesDb {
 protected:
  void SetUp() override {
    clock_ = [] {
      return Date{2026, 7, 15}.days_since_epoch() * 86'400'000LL + 23LL * 3'600'000 + 30LL * 60'000;
    };
    start({case_worker("15003-jc")});
  }
};

TEST_F(ConsentWizardDateDb, TheDefaultStartIsTheGermanDateLateInASummerEvening) {
  ASSERT_EQ(berlin_time(clock_()).utc_offset_minutes, 120);  // the instant is in summer time
  sign_in();
  const std::string path = case_of("2004-05-05");  // 22: no assessment needed
  auto page = get(path + "/einwilligung");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(
      match(page.body, R"re(id="valid_from" name="valid_from" type="date" value="([^"]*)")re"),
      "2026-07-16");
  // A year later, counted from the German date as well.
  EXPECT_EQ(
      match(page.body, R"re(id="valid_until" name="valid_until" type="date" value="([^"]*)")re"),
      "2027-07-16");
}

}  // namespace
}  // namespace lotse::web
