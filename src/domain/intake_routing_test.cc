#include "lotse/domain/intake_routing.h"

#include <gtest/gtest.h>

#include <set>

#include "lotse/domain/case_vocabulary.h"

namespace lotse::domain {
namespace {

struct Case {
  const char* need;
  const char* key;  // in alliance 15003
};

TEST(IntakeRouting, RoutesEachNeedToTheResponsibleAgency) {
  const Case cases[] = {
      {"careers_orientation", "15003-aa"}, {"applications", "15003-aa"},
      {"school_qualification", "15003-schule"}, {"language", "15003-jc"},
      {"housing", "15003-ja"}, {"debts", "15003-jc"},
      {"health_addiction", "15003-ja"}, {"family", "15003-ja"},
      {"care_leaver", "15003-ja"}, {"disability", "15003-aa"},
      {"residence_status", "15003-ja"}, {"motivation", "15003-ja"},
      {"mobility", "15003-jc"}, {"childcare", "15003-ja"},
  };
  for (const auto& c : cases) {
    auto key = routed_agency_key("15003", c.need);
    ASSERT_TRUE(key) << c.need;
    EXPECT_EQ(*key, c.key) << c.need;
  }
}

TEST(IntakeRouting, EveryNeedHasExactlyOneRouteInOrder) {
  auto needs = all_needs();
  auto routes = intake_routes();
  ASSERT_EQ(needs.size(), routes.size());
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < needs.size(); ++i) {
    EXPECT_EQ(needs[i].key, routes[i].need);
    EXPECT_TRUE(seen.insert(routes[i].need).second);
    EXPECT_FALSE(routes[i].reason_de.empty());
    EXPECT_NE(routes[i].agency, AgencyKind::kLandesnetzwerkstelle);
  }
}

TEST(IntakeRouting, UnknownNeedOrAllianceIsRefusedNamingTheField) {
  auto bad = route_need("ponies", "topic");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "topic");
  EXPECT_FALSE(routed_agency_key("15003", ""));
  EXPECT_FALSE(routed_agency_key("99", "housing"));
}

}  // namespace
}  // namespace lotse::domain
