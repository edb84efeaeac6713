// The case-conference JSON API over real HTTP (App + HttpServer on
// 127.0.0.1, port 0), on SQLite and PostgreSQL: each agency gets what its
// consent allows, strangers a 404 without any of the data, bad input a
// problem+json naming the field and no change, tasks closed once.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "lotse/common/clock.h"
#include "lotse/common/date.h"
#include "support/http_client.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using lotse::testing::http_request;
using lotse::testing::HttpResult;

class ConferenceApiDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-jc"), case_worker("15003-ja"), case_worker("15003-aa")}, 64 * 1024);
    jc_ = token("15003-jc");
    ja_ = token("15003-ja");
    aa_ = token("15003-aa");
  }

  std::string token(const std::string& username) {
    auto r = http_request(port_, "POST", "/api/v1/tokens",
                          R"({"username":")" + username + R"(","password":")" + kPassword + "\"}",
                          {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 201) << r.body;
    std::smatch m;
    std::regex re(R"re("token":"([A-Za-z0-9_-]+)")re");
    EXPECT_TRUE(std::regex_search(r.body, m, re)) << r.body;
    return m[1];
  }

  HttpResult call(const std::string& method, const std::string& target, const std::string& token,
                  const std::string& body = "") {
    lotse::testing::HeaderList h{{"Authorization", "Bearer " + token}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return http_request(port_, method, target, body, std::move(h));
  }

  static json::object parse(const HttpResult& r) {
    json::error_code ec;
    json::value v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    if (ec || !v.is_object()) return {};
    return v.get_object();
  }

  static std::int64_t id_of(const HttpResult& r) {
    auto o = parse(r);
    auto* id = o.if_contains("id");
    return id && id->is_int64() ? id->get_int64() : 0;
  }

  static std::string day(int days) {
    return add_days(Date::from_unix_ms(system_clock()()), days).str();
  }

  // Lena Schulz's case at the Jobcenter, with a consent naming the
  // Jugendamt for `categories`.
  std::int64_t shared_case(const std::string& categories) {
    auto p = call("POST", "/api/v1/persons", jc_,
                  R"({"given_name":"Lena","family_name":"Schulz","birth_date":"2008-04-12"})");
    EXPECT_EQ(p.status, 201) << p.body;
    auto c = call("POST", "/api/v1/cases", jc_,
                  R"({"person_id":)" + std::to_string(id_of(p)) + R"(,"phase":4,"goals":"Ausbildung"})");
    EXPECT_EQ(c.status, 201) << c.body;
    const std::int64_t id = id_of(c);
    auto consent = call("POST", "/api/v1/cases/" + std::to_string(id) + "/consents", jc_,
                        R"({"recipients":["15003-ja"],"categories":)" + categories +
                            R"(,"purposes":["Gemeinsame Fallberatung"],"valid_until":")" + day(200) +
                            R"(","form":"written","evidence_ref":"AZ 1","given_by":"young_person","informed":true})");
    EXPECT_EQ(consent.status, 201) << consent.body;
    return id;
  }

  std::string plan_body(std::int64_t case_id, const std::string& participants) {
    return R"({"case_id":)" + std::to_string(case_id) + R"(,"scheduled_at":")" + day(2) +
           R"( 14:00","participants":)" + participants + R"(,"agenda":"Wohnen und Ausbildung"})";
  }

  std::int64_t plan(std::int64_t case_id) {
    auto r = call("POST", "/api/v1/conferences", jc_,
                  plan_body(case_id, R"([{"agency":"15003-ja","staff_name":"Frau Weber"}])"));
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.headers["Location"], "/api/v1/conferences/" + std::to_string(id_of(r)));
    return id_of(r);
  }

  static std::string conf(std::int64_t id) { return "/api/v1/conferences/" + std::to_string(id); }

  std::int64_t conference_rows() {
    auto n = db_->read([](store::Executor& x) {
      return x.query_int(
          "SELECT (SELECT COUNT(*) FROM conferences) + (SELECT COUNT(*) FROM "
          "conference_participants) + (SELECT COUNT(*) FROM conference_items) + "
          "(SELECT COUNT(*) FROM conferences WHERE minutes <> '')");
    });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  static void expect_problem(const HttpResult& r, int status, const std::string& field) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_NE(r.headers.at("Content-Type").find("application/problem+json"), std::string::npos)
        << r.body;
    auto o = parse(r);
    auto* f = o.if_contains("field");
    ASSERT_TRUE(f && f->is_string()) << r.body;
    EXPECT_EQ(f->get_string(), field) << r.body;
  }

  std::string jc_, ja_, aa_;
};

TEST_F(ConferenceApiDb, ParticipantsSeeWhatTheirConsentAllowsStrangersNothing) {
  const std::int64_t c = shared_case(R"(["master_data","needs_goals","conference_results"])");
  const std::int64_t id = plan(c);
  ASSERT_EQ(call("PUT", conf(id) + "/minutes", jc_, R"({"minutes":"Lena braucht eine Wohnung."})")
                .status,
            200);
  auto task = call("POST", conf(id) + "/items", jc_,
                   R"({"kind":"task","text":"Hilfeplangespräch","owner_agency":"15003-ja","due_on":")" +
                       day(7) + "\"}");
  ASSERT_EQ(task.status, 201) << task.body;

  auto ja = call("GET", conf(id), ja_);
  ASSERT_EQ(ja.status, 200) << ja.body;
  auto o = parse(ja);
  EXPECT_EQ(o["scheduled_at"].as_string(), day(2) + " 14:00");
  EXPECT_EQ(o["case"].at("person").at("family_name").as_string(), "Schulz");
  EXPECT_EQ(o["minutes"].as_string(), "Lena braucht eine Wohnung.");
  EXPECT_EQ(o["tasks"].as_array().size(), 1u);
  EXPECT_EQ(o["participants"].as_array()[0].at("staff_name").as_string(), "Frau Weber");

  auto list = call("GET", "/api/v1/conferences", ja_);
  ASSERT_EQ(list.status, 200) << list.body;
  auto items = parse(list)["items"].as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("person_name").as_string(), "Lena Schulz");
  EXPECT_EQ(items[0].at("case_id").as_int64(), c);

  // The Agentur für Arbeit takes no part: 404, and nothing of the case.
  for (const auto& target : {conf(id), conf(id) + "/minutes"}) {
    auto aa = target == conf(id) ? call("GET", target, aa_)
                                 : call("PUT", target, aa_, R"({"minutes":"fremd"})");
    EXPECT_EQ(aa.status, 404) << aa.body;
    for (const char* secret : {"Lena", "Schulz", "Wohnung", "Weber"})
      EXPECT_EQ(aa.body.find(secret), std::string::npos) << secret << " in " << aa.body;
  }
  EXPECT_TRUE(parse(call("GET", "/api/v1/conferences", aa_))["items"].as_array().empty());
  auto done_by_stranger = call("POST", "/api/v1/conference-tasks/" + std::to_string(id_of(task)) + "/done", aa_);
  EXPECT_EQ(done_by_stranger.status, 404);

  auto done = call("POST", "/api/v1/conference-tasks/" + std::to_string(id_of(task)) + "/done", ja_);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(parse(done)["conference_id"].as_int64(), id);
  EXPECT_EQ(call("POST", "/api/v1/conference-tasks/" + std::to_string(id_of(task)) + "/done", ja_)
                .status,
            409);
}

TEST_F(ConferenceApiDb, WithoutConferenceResultsConsentNoMinutesOrDecisionsAreSent) {
  const std::int64_t c = shared_case(R"(["master_data"])");
  const std::int64_t id = plan(c);
  ASSERT_EQ(call("PUT", conf(id) + "/minutes", jc_, R"({"minutes":"Vertraulich"})").status, 200);
  ASSERT_EQ(call("POST", conf(id) + "/items", jc_, R"({"kind":"decision","text":"Beschluss X"})")
                .status,
            201);
  ASSERT_EQ(call("POST", conf(id) + "/items", jc_,
                 R"({"kind":"task","text":"Aufgabe JC","owner_agency":"15003-jc","due_on":")" +
                     day(3) + "\"}")
                .status,
            201);
  auto ja = call("GET", conf(id), ja_);
  ASSERT_EQ(ja.status, 200) << ja.body;
  auto o = parse(ja);
  EXPECT_FALSE(o.contains("minutes")) << ja.body;
  EXPECT_FALSE(o.contains("decisions")) << ja.body;
  EXPECT_TRUE(o["tasks"].as_array().empty()) << ja.body;
  EXPECT_FALSE(o["results_visible"].as_bool());
  for (const char* secret : {"Vertraulich", "Beschluss X", "Aufgabe JC"})
    EXPECT_EQ(ja.body.find(secret), std::string::npos) << secret;
  EXPECT_EQ(o["case"].at("person").at("given_name").as_string(), "Lena");
  EXPECT_FALSE(o["case"].as_object().contains("phase")) << "needs_goals not consented";
  auto put = call("PUT", conf(id) + "/minutes", ja_, R"({"minutes":"überschrieben"})");
  EXPECT_EQ(put.status, 403) << put.body;
}

TEST_F(ConferenceApiDb, BadInputNamesTheFieldAndChangesNothing) {
  const std::int64_t c = shared_case(R"(["master_data","conference_results"])");
  const std::int64_t before = conference_rows();
  const std::string ja = R"([{"agency":"15003-ja"}])";
  auto malformed = call("POST", "/api/v1/conferences", jc_,
                        R"({"case_id":)" + std::to_string(c) +
                            R"(,"scheduled_at":"nächsten Dienstag","participants":)" + ja + "}");
  expect_problem(malformed, 400, "scheduled_at");
  expect_problem(call("POST", "/api/v1/conferences", jc_,
                      plan_body(c, R"([{"agency":"99999-xx"}])")),
                 400, "participants[0].agency");
  expect_problem(call("POST", "/api/v1/conferences", jc_, plan_body(c, "[]")), 400,
                 "participants");
  expect_problem(call("POST", "/api/v1/conferences", jc_,
                      R"({"case_id":)" + std::to_string(c) + R"(,"scheduled_at":")" + day(2) +
                          R"( 10:00"})"),
                 400, "participants");
  expect_problem(call("POST", "/api/v1/conferences", jc_, plan_body(c, R"([{"staff_name":"x"}])")),
                 400, "participants[0].agency");
  auto not_consented = call("POST", "/api/v1/conferences", jc_,
                            plan_body(c, R"([{"agency":"15003-aa","staff_name":"Herr Krause"}])"));
  expect_problem(not_consented, 400, "participants[0].agency");
  EXPECT_NE(parse(not_consented)["detail"].as_string().find("anonyme Fallberatung"),
            std::string::npos)
      << not_consented.body;
  EXPECT_EQ(conference_rows(), before);

  const std::int64_t id = plan(c);
  const std::int64_t planned = conference_rows();
  expect_problem(call("POST", conf(id) + "/items", jc_,
                      R"({"kind":"task","text":"Ohne Stelle","due_on":")" + day(3) + "\"}"),
                 400, "owner_agency");
  expect_problem(call("POST", conf(id) + "/items", jc_,
                      R"({"kind":"task","text":"Ohne Datum","owner_agency":"15003-ja"})"),
                 400, "due_on");
  expect_problem(call("POST", conf(id) + "/items", jc_,
                      R"({"kind":"task","text":"Falsches Datum","owner_agency":"15003-ja","due_on":"31.12."})"),
                 400, "due_on");
  expect_problem(call("POST", conf(id) + "/items", jc_, R"({"kind":"memo","text":"x"})"), 400,
                 "kind");
  expect_problem(call("PUT", conf(id) + "/minutes", jc_, R"({"minutes":42})"), 400, "minutes");
  expect_problem(call("GET", "/api/v1/conferences?case_id=abc", jc_), 400, "case_id");
  EXPECT_EQ(conference_rows(), planned);
}

TEST_F(ConferenceApiDb, AnonymousConferenceSendsNoCase) {
  shared_case(R"(["master_data"])");
  auto r = call("POST", "/api/v1/conferences", jc_,
                R"({"anonymous":true,"case_summary":"Junger Mann, 19, Ausbildungsabbruch, Schulden.",)"
                R"("scheduled_at":")" + day(1) + R"(T09:00","participants":[{"agency":"15003-aa"}]})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto aa = call("GET", conf(id_of(r)), aa_);
  ASSERT_EQ(aa.status, 200) << aa.body;
  auto o = parse(aa);
  EXPECT_TRUE(o["anonymous"].as_bool());
  EXPECT_FALSE(o.contains("case"));
  EXPECT_FALSE(o.contains("case_id"));
  EXPECT_EQ(o["case_summary"].as_string(), "Junger Mann, 19, Ausbildungsabbruch, Schulden.");
  EXPECT_EQ(o["scheduled_at"].as_string(), day(1) + " 09:00");
  EXPECT_EQ(aa.body.find("Schulz"), std::string::npos);
  // A case id with the anonymous mode is refused: it would link them.
  auto linked = call("POST", "/api/v1/conferences", jc_,
                     R"({"anonymous":true,"case_id":1,"case_summary":"Junger Mann, 19, Schulden.",)"
                     R"("scheduled_at":")" + day(1) + R"( 09:00","participants":[{"agency":"15003-aa"}]})");
  expect_problem(linked, 400, "case_id");
}

TEST_F(ConferenceApiDb, RoutesAreDocumented) {
  auto r = http_request(port_, "GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = parse(r);
  const auto& paths = doc.at("paths").as_object();
  EXPECT_TRUE(paths.at("/api/v1/conferences").as_object().contains("post"));
  EXPECT_TRUE(paths.at("/api/v1/conferences").as_object().contains("get"));
  EXPECT_TRUE(paths.at("/api/v1/conferences/{id}").as_object().contains("get"));
  EXPECT_TRUE(paths.at("/api/v1/conferences/{id}/minutes").as_object().contains("put"));
  EXPECT_TRUE(paths.at("/api/v1/conferences/{id}/items").as_object().contains("post"));
  EXPECT_TRUE(paths.at("/api/v1/conference-tasks/{id}/done").as_object().contains("post"));
  const auto& schemas = doc.at("components").at("schemas").as_object();
  EXPECT_TRUE(schemas.contains("NewConference"));
  EXPECT_TRUE(schemas.contains("NewConferenceItem"));
}

}  // namespace
}  // namespace lotse::web
