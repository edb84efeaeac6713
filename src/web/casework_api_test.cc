// End-to-end tests of the case-work JSON API over real HTTP (App + HttpServer
// on 127.0.0.1, port 0), on SQLite and PostgreSQL: consent-cut reads, the
// handover loop, field-naming errors that change nothing, and the OpenAPI
// document against the registered routes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "lotse/common/clock.h"
#include "lotse/common/date.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/web/app.h"
#include "lotse/web/web_context.h"
#include "lotse/web/http_server.h"
#include "support/http_client.h"
#include "support/test_database.h"
#include "web/web_db_fixture.h"

namespace lotse::web {

namespace {

namespace json = boost::json;
using lotse::testing::http_request;
using lotse::testing::HttpResult;

class CaseworkApiDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-jc"), case_worker("15003-ja"), case_worker("15003-aa"),
           coordinator("15003")},
          64 * 1024);
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
                  const std::string& body = "", const std::string& type = "application/json") {
    lotse::testing::HeaderList h;
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) h.emplace_back("Content-Type", type);
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

  static std::string today_plus(int days) {
    return add_days(Date::from_unix_ms(system_clock()()), days).str();
  }

  // Lena Schulz, recorded by the Jobcenter, with an open case in phase 4.
  std::int64_t jc_case() {
    auto p = call("POST", "/api/v1/persons", jc_,
                  R"({"given_name":"Lena","family_name":"Schulz","birth_date":"2008-04-12",)"
                  R"("city":"Magdeburg","school":"Sekundarschule Nord"})");
    EXPECT_EQ(p.status, 201) << p.body;
    EXPECT_EQ(p.headers["Location"], "/api/v1/persons/" + std::to_string(id_of(p)));
    auto c = call("POST", "/api/v1/cases", jc_,
                  R"({"person_id":)" + std::to_string(id_of(p)) +
                      R"(,"phase":4,"needs":["applications"],"goals":"Ausbildungsplatz"})");
    EXPECT_EQ(c.status, 201) << c.body;
    EXPECT_EQ(c.headers["Location"], "/api/v1/cases/" + std::to_string(id_of(c)));
    return id_of(c);
  }

  std::string consent_body(const std::string& recipients, const std::string& categories,
                           const std::string& until = "") {
    return R"({"recipients":)" + recipients + R"(,"categories":)" + categories +
           R"(,"purposes":["Abstimmung der Hilfen am Übergang"],"valid_until":")" +
           (until.empty() ? today_plus(300) : until) +
           R"(","form":"written","evidence_ref":"Akte 4711","given_by":"young_person","informed":true})";
  }

  std::int64_t consent(std::int64_t case_id, const std::string& categories) {
    auto r = call("POST", cases(case_id) + "/consents", jc_,
                  consent_body(R"(["15003-ja"])", categories));
    EXPECT_EQ(r.status, 201) << r.body;
    return id_of(r);
  }

  static std::string cases(std::int64_t id) { return "/api/v1/cases/" + std::to_string(id); }
  static std::string handover(std::int64_t id) {
    return "/api/v1/handovers/" + std::to_string(id);
  }

  // All rows of case work: a refused request must not change any of them.
  std::int64_t case_rows() {
    auto n = db_->read([](store::Executor& x) {
      return x.query_int(
          "SELECT (SELECT COUNT(*) FROM persons) + (SELECT COUNT(*) FROM cases) + "
          "(SELECT COUNT(*) FROM case_needs) + (SELECT COUNT(*) FROM consents) + "
          "(SELECT COUNT(*) FROM consent_recipients) + (SELECT COUNT(*) FROM legal_transfers) + "
          "(SELECT COUNT(*) FROM notes) + (SELECT COUNT(*) FROM support_steps) + "
          "(SELECT COUNT(*) FROM handovers) + (SELECT COUNT(*) FROM handover_events)");
    });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  static void expect_problem(const HttpResult& r, int status, const std::string& field) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_NE(r.headers.at("Content-Type").find("application/problem+json"), std::string::npos)
        << r.body;
    if (!field.empty()) {
      auto o = parse(r);
      auto* f = o.if_contains("field");
      ASSERT_TRUE(f && f->is_string()) << r.body;
      EXPECT_EQ(f->get_string(), field) << r.body;
    }
  }

  std::string jc_, ja_, aa_;
};

TEST_F(CaseworkApiDb, ConsentLetsNamedAgencyReadAndHidesCaseFromOthers) {
  const auto id = jc_case();
  consent(id, R"(["master_data","needs_goals"])");

  auto own = call("GET", cases(id), jc_);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_NE(own.headers["Content-Type"].find("application/json"), std::string::npos);

  auto ja = call("GET", cases(id), ja_);
  ASSERT_EQ(ja.status, 200) << ja.body;
  auto o = parse(ja);
  ASSERT_TRUE(o.contains("person")) << ja.body;
  EXPECT_EQ(o["person"].at("given_name").as_string(), "Lena");
  EXPECT_EQ(o["phase"].as_int64(), 4);
  EXPECT_EQ(o["owner_agency"].as_string(), "15003-jc");
  // Categories the consent does not name are absent, not empty.
  EXPECT_FALSE(o.contains("school")) << ja.body;
  EXPECT_FALSE(o.contains("support_chain")) << ja.body;
  EXPECT_FALSE(o.contains("notes")) << ja.body;

  auto aa = call("GET", cases(id), aa_);
  expect_problem(aa, 404, "");
  for (const char* secret : {"Lena", "Schulz", "2008-04-12", "Sekundarschule", "Ausbildungsplatz"})
    EXPECT_EQ(aa.body.find(secret), std::string::npos) << secret << " in " << aa.body;

  auto list = call("GET", cases(id) + "/consents", jc_);
  ASSERT_EQ(list.status, 200) << list.body;
  auto items = parse(list)["items"].as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("state").as_string(), "active");
  EXPECT_EQ(items[0].at("recipients").as_array()[0].as_string(), "15003-ja");
  EXPECT_TRUE(items[0].at("withdrawn_at").is_null());
}

TEST_F(CaseworkApiDb, NeedsGoalsOnlyConsentSendsNoPersonKey) {
  const auto id = jc_case();
  consent(id, R"(["needs_goals"])");
  auto ja = call("GET", cases(id), ja_);
  ASSERT_EQ(ja.status, 200) << ja.body;
  auto o = parse(ja);
  EXPECT_FALSE(o.contains("person")) << ja.body;
  EXPECT_EQ(ja.body.find("Lena"), std::string::npos) << ja.body;
  EXPECT_EQ(o["visible_categories"].as_array(), json::array{"needs_goals"});
  EXPECT_EQ(o["goals"].as_string(), "Ausbildungsplatz");
}

TEST_F(CaseworkApiDb, WithdrawalEndsAccessWithTheNextRequest) {
  const auto id = jc_case();
  const auto consent_id = consent(id, R"(["master_data"])");
  ASSERT_EQ(call("GET", cases(id), ja_).status, 200);
  auto w = call("POST", "/api/v1/consents/" + std::to_string(consent_id) + "/withdraw", jc_);
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(parse(w)["state"].as_string(), "withdrawn");
  expect_problem(call("GET", cases(id), ja_), 404, "");
}

TEST_F(CaseworkApiDb, HandoverLoopThroughTheApi) {
  const auto id = jc_case();
  consent(id, R"(["master_data","needs_goals"])");
  auto h = call("POST", cases(id) + "/handovers", jc_,
                R"({"to_agency":"15003-ja","reason":"Hilfe zur Erziehung prüfen"})");
  ASSERT_EQ(h.status, 201) << h.body;
  const auto hid = id_of(h);
  EXPECT_EQ(h.headers["Location"], handover(hid));
  EXPECT_EQ(parse(h)["state"].as_string(), "sent");

  auto in = call("GET", "/api/v1/handovers?box=in", ja_);
  ASSERT_EQ(in.status, 200) << in.body;
  auto inbox = parse(in);
  EXPECT_EQ(inbox["items"].as_array().size(), 1u);
  EXPECT_EQ(inbox["open"].as_int64(), 1);
  EXPECT_EQ(inbox["overdue"].as_int64(), 0);
  auto out = parse(call("GET", "/api/v1/handovers?box=out", jc_));
  EXPECT_EQ(out["items"].as_array().size(), 1u);
  // Filtered: the open one is listed, no overdue one; the counts stay the box's.
  auto open = parse(call("GET", "/api/v1/handovers?box=in&filter=open", ja_));
  EXPECT_EQ(open["items"].as_array().size(), 1u);
  EXPECT_EQ(open["listed"].as_int64(), 1);
  auto late = parse(call("GET", "/api/v1/handovers?box=in&filter=overdue", ja_));
  EXPECT_TRUE(late["items"].as_array().empty());
  EXPECT_EQ(late["listed"].as_int64(), 0);
  EXPECT_EQ(late["total"].as_int64(), 1);

  auto received = call("POST", handover(hid) + "/receive", ja_);
  ASSERT_EQ(received.status, 200) << received.body;
  EXPECT_EQ(parse(received)["state"].as_string(), "received");
  auto accepted = call("POST", handover(hid) + "/accept", ja_);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(parse(accepted)["state"].as_string(), "accepted");
  EXPECT_EQ(parse(call("GET", "/api/v1/handovers?box=in", ja_))["open"].as_int64(), 0);
}

TEST_F(CaseworkApiDb, DeclinedHandoverCannotBeAcceptedAndOutsidersSeeNothing) {
  const auto id = jc_case();
  consent(id, R"(["master_data"])");
  auto h = call("POST", cases(id) + "/handovers", jc_,
                R"({"to_agency":"15003-ja","reason":"Zuständigkeit prüfen"})");
  ASSERT_EQ(h.status, 201) << h.body;
  const auto hid = id_of(h);

  const auto before = case_rows();
  expect_problem(call("POST", handover(hid) + "/accept", aa_), 404, "");
  EXPECT_EQ(case_rows(), before);

  ASSERT_EQ(call("POST", handover(hid) + "/receive", ja_).status, 200);
  auto declined = call("POST", handover(hid) + "/decline", ja_,
                       R"({"reason":"no_capacity","text":"Keine Plätze frei"})");
  ASSERT_EQ(declined.status, 200) << declined.body;
  EXPECT_EQ(parse(declined)["state"].as_string(), "declined");

  const auto after_decline = case_rows();
  expect_problem(call("POST", handover(hid) + "/accept", ja_), 409, "");
  EXPECT_EQ(case_rows(), after_decline);
}

TEST_F(CaseworkApiDb, BadInputNamesTheFieldAndChangesNothing) {
  const auto id = jc_case();
  const std::string consents = cases(id) + "/consents";
  const std::string handovers = cases(id) + "/handovers";
  struct Bad {
    const char* what;
    std::string method, target, body, type;
    int status;
    std::string field;
  };
  const std::string json_type = "application/json";
  const std::vector<Bad> bad = {
      {"consent without recipients", "POST", consents, consent_body("[]", R"(["master_data"])"),
       json_type, 400, "recipients"},
      {"consent ends before it starts", "POST", consents,
       consent_body(R"(["15003-ja"])", R"(["master_data"])", today_plus(-3)), json_type, 400,
       "valid_until"},
      {"consent to an unknown agency", "POST", consents,
       consent_body(R"(["99999-jc"])", R"(["master_data"])"), json_type, 400, "recipients"},
      {"consent with an unknown category", "POST", consents,
       consent_body(R"(["15003-ja"])", R"(["everything"])"), json_type, 400, "categories"},
      {"recipients of the wrong type", "POST", consents,
       consent_body(R"("15003-ja")", R"(["master_data"])"), json_type, 400, "recipients"},
      {"handover to the own agency", "POST", handovers,
       R"({"to_agency":"15003-jc","reason":"Zuständigkeit prüfen"})", json_type, 400, "to_agency"},
      {"handover to an unknown agency", "POST", handovers,
       R"({"to_agency":"99999-ja","reason":"Zuständigkeit prüfen"})", json_type, 400, "to_agency"},
      {"phase 7", "POST", "/api/v1/cases", R"({"person_id":1,"phase":7})", json_type, 400, "phase"},
      {"phase 7 on update", "PATCH", cases(id), R"({"phase":7})", json_type, 400, "phase"},
      {"phase as text", "PATCH", cases(id), R"({"phase":"vier"})", json_type, 400, "phase"},
      {"given name as number", "POST", "/api/v1/persons",
       R"({"given_name":5,"family_name":"X","birth_date":"2008-01-01"})", json_type, 400,
       "given_name"},
      {"malformed JSON", "POST", "/api/v1/persons", R"({"given_name":)", json_type, 400, "body"},
      {"invalid UTF-8", "POST", "/api/v1/persons", "{\"given_name\":\"\xff\xfe\"}", json_type, 400,
       "body"},
      {"array instead of object", "POST", "/api/v1/persons", "[]", json_type, 400, "body"},
      {"form body", "POST", "/api/v1/persons", "given_name=Lena",
       "application/x-www-form-urlencoded", 415, "body"},
      {"handover box missing", "GET", "/api/v1/handovers", "", "", 400, "box"},
      {"handover box unknown", "GET", "/api/v1/handovers?box=all", "", "", 400, "box"},
      {"handover filter unknown", "GET", "/api/v1/handovers?box=in&filter=late", "", "", 400,
       "filter"},
      {"limit not a number", "GET", "/api/v1/cases?limit=ten", "", "", 400, "limit"},
      {"non-numeric case id", "GET", "/api/v1/cases/abc", "", "", 404, ""},
      {"non-numeric case id on write", "POST", "/api/v1/cases/1x/notes", R"({"body":"x"})",
       json_type, 404, ""},
      {"unknown case", "POST", "/api/v1/cases/999999/notes", R"({"body":"x"})", json_type, 404, ""},
  };
  for (const auto& b : bad) {
    SCOPED_TRACE(b.what);
    const auto before = case_rows();
    expect_problem(call(b.method, b.target, jc_, b.body, b.type), b.status, b.field);
    EXPECT_EQ(case_rows(), before);
  }
  // The case itself still reads as created.
  auto c = parse(call("GET", cases(id), jc_));
  EXPECT_EQ(c["phase"].as_int64(), 4);
}

TEST_F(CaseworkApiDb, NotesStepsAndTransfersAreCreatedAndListed) {
  const auto id = jc_case();
  auto note = call("POST", cases(id) + "/notes", jc_,
                   R"({"body":"Bewerbungsmappe besprochen","visibility":"partners"})");
  ASSERT_EQ(note.status, 201) << note.body;
  auto step = call("POST", cases(id) + "/support-steps", jc_,
                   R"({"measure":"Bewerbungstraining","responsible_agency":"15003-jc",)"
                   R"("planned_start":")" + today_plus(7) + R"("})");
  ASSERT_EQ(step.status, 201) << step.body;
  auto transfer = call("POST", cases(id) + "/transfers", jc_,
                       R"({"to_agency":"15003-aa","legal_basis":"§ 69 SGB X",)"
                       R"("reason":"Vermittlung in Ausbildung","categories":["needs_goals"],)"
                       R"("valid_until":")" + today_plus(90) + R"("})");
  ASSERT_EQ(transfer.status, 201) << transfer.body;

  auto notes = call("GET", cases(id) + "/notes", jc_);
  ASSERT_EQ(notes.status, 200) << notes.body;
  auto items = parse(notes)["items"].as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("body").as_string(), "Bewerbungsmappe besprochen");
  auto c = parse(call("GET", cases(id), jc_));
  EXPECT_EQ(c["support_chain"].as_array().size(), 1u);

  // The transfer lets the Agentur read needs and goals, nothing else.
  auto aa = call("GET", cases(id), aa_);
  ASSERT_EQ(aa.status, 200) << aa.body;
  auto o = parse(aa);
  EXPECT_FALSE(o.contains("person"));
  EXPECT_FALSE(o.contains("notes"));
  EXPECT_EQ(o["phase"].as_int64(), 4);

  auto log = call("GET", cases(id) + "/access-log", jc_);
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_FALSE(parse(log)["items"].as_array().empty());
}

TEST_F(CaseworkApiDb, ListAndSearchShowOnlyVisibleCases) {
  const auto id = jc_case();
  auto list = call("GET", "/api/v1/cases?status=open&limit=10", jc_);
  ASSERT_EQ(list.status, 200) << list.body;
  auto items = parse(list)["items"].as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("id").as_int64(), id);
  EXPECT_TRUE(parse(call("GET", "/api/v1/cases", aa_))["items"].as_array().empty());

  auto found = call("GET", "/api/v1/cases?q=Schulz", jc_);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(parse(found)["items"].as_array().size(), 1u);
  auto hidden = call("GET", "/api/v1/cases?q=Schulz", aa_);
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_EQ(hidden.body.find("Lena"), std::string::npos) << hidden.body;
}

TEST_F(CaseworkApiDb, TokenAndRoleAreRequired) {
  const auto before = case_rows();
  auto none = call("POST", "/api/v1/cases", "", R"({"person_id":1,"phase":4})");
  expect_problem(none, 401, "");
  EXPECT_EQ(none.headers["WWW-Authenticate"].rfind("Bearer", 0), 0u);
  expect_problem(call("GET", "/api/v1/cases/1", "not-a-token"), 401, "");
  expect_problem(call("POST", "/api/v1/cases", token("15003-koord"), R"({"person_id":1,"phase":4})"),
                 403, "");
  EXPECT_EQ(case_rows(), before);
}

TEST_F(CaseworkApiDb, OpenApiDocumentDescribesEveryRoute) {
  auto r = call("GET", "/api/v1/openapi.json", "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r);
  ASSERT_TRUE(doc.contains("openapi"));
  EXPECT_EQ(std::string(doc["openapi"].as_string()).rfind("3.1.", 0), 0u);
  EXPECT_TRUE(doc.at("components").at("securitySchemes").as_object().contains("bearer"));
  const auto& paths = doc.at("paths").as_object();

  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& [method, pattern] : api_routes()) registered.emplace(method, pattern);
  registered.emplace("POST", "/api/v1/tokens");
  registered.emplace("GET", "/api/v1/me");
  for (const auto& [method, pattern] : registered) {
    std::string lower = method;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto* item = paths.if_contains(pattern);
    ASSERT_TRUE(item && item->is_object()) << pattern;
    EXPECT_TRUE(item->as_object().contains(lower)) << method << " " << pattern;
  }

  // And the other way round: every documented operation is served. Without a
  // token a served route answers 401 (or 415/200 for the public ones), never
  // the router's 404 or 405.
  std::size_t operations = 0;
  for (const auto& [pattern, item] : paths) {
    for (const auto& [method, op] : item.as_object()) {
      ++operations;
      std::string upper(method);
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      EXPECT_TRUE(registered.count({upper, std::string(pattern)}) ||
                  pattern == "/api/v1/openapi.json")
          << upper << " " << pattern;
      const std::string target = std::regex_replace(std::string(pattern), std::regex(R"(\{id\})"), "1");
      auto res = call(upper, target, "");
      EXPECT_TRUE(res.status == 401 || res.status == 415 || res.status == 200)
          << upper << " " << target << " -> " << res.status;
      // Every request body has a schema; every operation documents problems.
      if (op.as_object().contains("requestBody")) {
        EXPECT_TRUE(op.at("responses").as_object().contains("400")) << upper << " " << pattern;
      }
    }
  }
  EXPECT_EQ(operations, registered.size());
}

}  // namespace
}  // namespace lotse::web
