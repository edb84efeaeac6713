#include "lotse/domain/agency_key.h"

#include <gtest/gtest.h>

namespace lotse::domain {
namespace {

TEST(AgencyKey, ParsesEveryKindAndRoundTrips) {
  for (const char* k : {"15003-jc", "15003-aa", "15085-ja", "15091-schule", "land"}) {
    auto parsed = parse_agency_key(k);
    ASSERT_TRUE(parsed) << k;
    EXPECT_EQ(format_agency_key(*parsed), k);
  }
  EXPECT_EQ(parse_agency_key("15003-ja")->kind, AgencyKind::kJugendamt);
  EXPECT_EQ(legal_sphere(AgencyKind::kJugendamt), "SGB VIII");
  EXPECT_EQ(legal_sphere(AgencyKind::kJobcenter), "SGB II");
  EXPECT_EQ(legal_sphere(AgencyKind::kArbeitsagentur), "SGB III");
}

TEST(AgencyKey, RejectsMalformedKeys) {
  for (const char* k : {"", "15003", "15003-", "15003-xx", "16003-jc", "1500-jc", "abcde-jc", "-jc"}) {
    auto parsed = parse_agency_key(k);
    ASSERT_FALSE(parsed) << k;
    EXPECT_EQ(parsed.error().field, "agency");
  }
}

TEST(AgencyKey, DistrictKeys) {
  EXPECT_TRUE(is_district_key("15001"));
  EXPECT_TRUE(is_district_key("15091"));
  EXPECT_FALSE(is_district_key("14001"));
  EXPECT_FALSE(is_district_key("150011"));
}

}  // namespace
}  // namespace lotse::domain
