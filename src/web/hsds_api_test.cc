// The public HSDS API over HTTP, on SQLite and PostgreSQL: no token needed,
// pages as the specification's Page object, filters, proximity, ndjson, and
// bad parameters answered 400 problem+json naming the parameter. (The
// documents themselves are validated against the official JSON schemas by
// tests/hsds/ with ajv.)
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "lotse/catalogue/demo_catalogue.h"
#include "lotse/catalogue/jba_profile.h"
#include "lotse/organisation/seed.h"
#include "support/http_client.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using lotse::testing::http_request;

class HsdsApiDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({});
    auto loaded =
        catalogue::load_demo_catalogue(*db_, system_clock(), organisation::default_data_dir());
    ASSERT_TRUE(loaded) << loaded.error().message;
    offers_ = loaded->offers;
  }

  json::object get(const std::string& target, int status = 200) {
    auto r = http_request(port_, "GET", target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v.is_object() ? v.get_object() : json::object{};
  }

  int offers_ = 0;
};

TEST_F(HsdsApiDb, PublicMetaAndPages) {
  auto meta = http_request(port_, "GET", "/api/hsds/", "", {{"Host", "lotse.example:8080"}});
  ASSERT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(meta.headers["Content-Type"], "application/json; charset=utf-8");
  EXPECT_EQ(meta.headers["Access-Control-Allow-Origin"], "*");
  EXPECT_EQ(json::parse(meta.body).at("openapi_url").get_string(),
            "http://lotse.example:8080/api/hsds/openapi.json");
  EXPECT_EQ(get("/api/hsds").at("version").get_string(), "3.0");
  // A Host header that is not a host name is not echoed.
  auto odd = http_request(port_, "GET", "/api/hsds/", "", {{"Host", "evil\"<script>"}});
  EXPECT_EQ(json::parse(odd.body).at("profile").get_string(), "http://localhost/api/hsds/profile");

  auto page = get("/api/hsds/services?page=3&per_page=20");
  EXPECT_EQ(page.at("total_items").as_int64(), offers_);
  EXPECT_EQ(page.at("total_pages").as_int64(), (offers_ + 19) / 20);
  EXPECT_EQ(page.at("page_number").as_int64(), 3);
  EXPECT_EQ(page.at("size").as_int64(), 20);
  EXPECT_FALSE(page.at("first_page").as_bool());
  EXPECT_FALSE(page.at("last_page").as_bool());
  EXPECT_FALSE(page.at("empty").as_bool());
  auto beyond = get("/api/hsds/services?page=1000&per_page=20");
  EXPECT_TRUE(beyond.at("empty").as_bool());
  EXPECT_TRUE(beyond.at("last_page").as_bool());
  EXPECT_EQ(beyond.at("contents").as_array().size(), 0u);
}

TEST_F(HsdsApiDb, FiltersAndDocuments) {
  const std::string debts = catalogue::profile_term_id(catalogue::Facet::kNeed, "debts");
  auto with_term = get("/api/hsds/services?per_page=1000&taxonomy_term_id=" + debts);
  EXPECT_EQ(with_term.at("total_items").as_int64(), 14);  // one Schuldnerberatung per alliance
  auto search = get("/api/hsds/services?search=Schuldnerberatung&per_page=1000");
  EXPECT_EQ(search.at("total_items").as_int64(), 14);
  const std::string id(with_term.at("contents").as_array()[0].at("id").as_string());
  auto service = get("/api/hsds/services/" + id);
  EXPECT_EQ(service.at("name").as_string(), "Schuldnerberatung");
  EXPECT_FALSE(service.at("service_at_locations").as_array().empty());
  EXPECT_FALSE(service.at("funding").as_array().empty());
  get("/api/hsds/services/00000000-0000-4000-8000-000000000000", 404);
  get("/api/hsds/services/not-an-id", 404);

  // Proximity: nearest first, all within the radius.
  auto near = get("/api/hsds/service_at_locations?postcode=39104&proximity=1500&per_page=100");
  const auto& items = near.at("contents").as_array();
  ASSERT_FALSE(items.empty());
  // The central office sits at the postcode's centre: it comes first.
  EXPECT_NE(items[0].at("location").at("name").as_string().find("zentrale Anlaufstelle"),
            std::string::npos)
      << items[0].at("location").at("name").as_string();
  auto wider = get("/api/hsds/service_at_locations?postcode=39104&proximity=10000&per_page=1");
  EXPECT_GT(wider.at("total_items").as_int64(), near.at("total_items").as_int64());
  auto org = get("/api/hsds/organizations?search=Grundsicherung&per_page=100");
  EXPECT_EQ(org.at("total_items").as_int64(), 14);
  auto terms = get("/api/hsds/taxonomy_terms?per_page=5&taxonomy_id=" +
                   catalogue::profile_taxonomy_id(catalogue::Facet::kPhase));
  EXPECT_EQ(terms.at("total_items").as_int64(), 5);
  auto profile = get("/api/hsds/profile");
  EXPECT_EQ(profile.at("taxonomies").as_array().size(), catalogue::profile_taxonomies().size());
}

TEST_F(HsdsApiDb, NdjsonHasEveryResult) {
  auto r = http_request(port_, "GET", "/api/hsds/taxonomy_terms?format=ndjson");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Content-Type"], "application/x-ndjson; charset=utf-8");
  const auto lines = std::count(r.body.begin(), r.body.end(), '\n');
  EXPECT_EQ(lines, get("/api/hsds/taxonomy_terms").at("total_items").as_int64());
}

TEST_F(HsdsApiDb, BadParametersNameTheParameter) {
  const std::pair<const char*, const char*> cases[] = {
      {"/api/hsds/services?per_page=1001", "per_page"},
      {"/api/hsds/services?page=0", "page"},
      {"/api/hsds/services?page=1&page=2", "page"},
      {"/api/hsds/services?sort=name", "sort"},
      {"/api/hsds/services?minimal=1", "minimal"},
      {"/api/hsds/services?organization_id=x", "organization_id"},
      {"/api/hsds/services?modified_after=2026-13-01", "modified_after"},
      {"/api/hsds/organizations/00000000-0000-4000-8000-000000000000?full_service=ja",
       "full_service"},
      {"/api/hsds/service_at_locations?proximity=100", "proximity"},
      {"/api/hsds/service_at_locations?postcode=39104&proximity=-5", "proximity"},
      {"/api/hsds/service_at_locations?postcode=ABCDE", "postcode"},
      {"/api/hsds/taxonomy_terms?top_only=maybe", "top_only"},
      {"/api/hsds/taxonomies?format=csv", "format"},
      {"/api/hsds/?x=1", "x"},
  };
  for (const auto& [target, field] : cases) {
    auto r = http_request(port_, "GET", target);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_EQ(r.headers["Content-Type"], "application/problem+json") << target;
    auto problem = json::parse(r.body).as_object();
    EXPECT_EQ(problem.at("field").as_string(), field) << target;
  }
  // Read-only: no other methods.
  EXPECT_EQ(http_request(port_, "POST", "/api/hsds/services", "{}",
                         {{"Content-Type", "application/json"}})
                .status,
            405);
}

}  // namespace
}  // namespace lotse::web
