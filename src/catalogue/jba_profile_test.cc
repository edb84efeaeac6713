#include "lotse/catalogue/jba_profile.h"

#include <gtest/gtest.h>

#include "lotse/catalogue/gazetteer.h"
#include "lotse/catalogue/hsds_model.h"
#include "lotse/organisation/seed.h"

namespace lotse::catalogue {
namespace {

TEST(JbaProfile, IdsAreStableUuids) {
  const std::string a = name_uuid("hsds-profile:jba-need:applications");
  EXPECT_EQ(a, name_uuid("hsds-profile:jba-need:applications"));
  EXPECT_NE(a, name_uuid("hsds-profile:jba-need:debts"));
  EXPECT_TRUE(hsds::is_uuid(a));
  EXPECT_EQ(a[14], '8');  // version 8 (name-based, SHA-256)
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
  const std::string r = random_uuid();
  EXPECT_TRUE(hsds::is_uuid(r));
  EXPECT_EQ(r[14], '4');
  EXPECT_NE(r, random_uuid());
  EXPECT_EQ(profile_term_id(Facet::kNeed, "applications"), a);
  EXPECT_EQ(facet_of_taxonomy(profile_taxonomy_id(Facet::kPhase)), Facet::kPhase);
  EXPECT_FALSE(facet_of_taxonomy(a));
}

TEST(JbaProfile, VocabularyCoversTheDomain) {
  Dataset d;
  ASSERT_TRUE(add_profile_vocabulary(d, {{"15003", "Magdeburg"}}));
  EXPECT_EQ(d.table("taxonomy").rows.size(), profile_taxonomies().size());
  // 1 alliance + 5 spheres + 5 phases + 14 needs + 7 groups + 5 funding + 9 kinds + 3 details.
  EXPECT_EQ(d.table("taxonomy_term").rows.size(), 49u);
  EXPECT_TRUE(check_dataset(d, {}).empty());
  EXPECT_TRUE(check_profile(d, {.alliances = {"15003"}}).empty());
  // The same term unknown as an alliance when the alliances table lacks it.
  auto unknown = check_profile(d, {});
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].field, "code");
}

TEST(JbaProfile, ImportChecks) {
  Dataset d;
  ASSERT_TRUE(add_profile_vocabulary(d, {{"15003", "Magdeburg"}}));
  const std::string service = "22222222-2222-4222-8222-222222222222";
  const std::string location = "33333333-3333-4333-8333-333333333333";
  int n = 0;
  auto attr = [&](const std::string& link, const std::string& entity, Facet f,
                  const std::string& code, const std::string& value = "") {
    ASSERT_TRUE(d.add("attribute", {{"id", name_uuid(std::to_string(n++) + "-attribute")},
                                    {"link_id", link},
                                    {"taxonomy_term_id", profile_term_id(f, code)},
                                    {"link_entity", entity},
                                    {"value", value}}));
  };
  attr(service, "service", Facet::kAlliance, "15003");
  attr(service, "service", Facet::kLegalSphere, "sgb3");
  attr(service, "service", Facet::kLegalSphere, "sgb2");          // twice
  attr(service, "location", Facet::kNeed, "debts");               // wrong entity
  attr(service, "service", Facet::kDetail, "capacity", "zwölf");  // not a number
  attr(service, "service", Facet::kDetail, "legal_basis", "");    // missing value
  attr(location, "location", Facet::kContactKind, "chat");
  // A term with an unknown code in a profile taxonomy.
  ASSERT_TRUE(d.add("taxonomy_term", {{"id", name_uuid("bad-term")},
                                      {"code", "flying"},
                                      {"name", "x"},
                                      {"description", "x"},
                                      {"taxonomy_id", profile_taxonomy_id(Facet::kNeed)}}));
  auto issues = check_profile(d, {.alliances = {"15003"}});
  std::vector<std::string> got;
  for (const auto& i : issues) got.push_back(i.table + "." + i.field);
  EXPECT_EQ(got, (std::vector<std::string>{"taxonomy_term.code", "attribute.taxonomy_term_id",
                                           "attribute.link_entity", "attribute.value",
                                           "attribute.value"}));
  // A legal sphere stored before counts against a second one in the file.
  Dataset one;
  ASSERT_TRUE(
      one.add("attribute", {{"id", name_uuid("new")},
                            {"link_id", service},
                            {"taxonomy_term_id", profile_term_id(Facet::kLegalSphere, "sgb2")},
                            {"link_entity", "service"}}));
  ProfileContext ctx{.alliances = {"15003"}};
  ctx.terms[profile_term_id(Facet::kLegalSphere, "sgb2")] = {
      profile_taxonomy_id(Facet::kLegalSphere), "sgb2"};
  ctx.terms[profile_term_id(Facet::kLegalSphere, "sgb3")] = {
      profile_taxonomy_id(Facet::kLegalSphere), "sgb3"};
  ctx.attributes[name_uuid("old")] = {service, profile_term_id(Facet::kLegalSphere, "sgb3")};
  EXPECT_EQ(check_profile(one, ctx).size(), 1u);
  // Re-importing the stored attribute itself is fine.
  ctx.attributes.clear();
  ctx.attributes[name_uuid("new")] = {service, profile_term_id(Facet::kLegalSphere, "sgb2")};
  EXPECT_TRUE(check_profile(one, ctx).empty());
}

TEST(JbaProfile, DerivedProfiles) {
  const std::string s = "s", l = "l";
  auto p = derive_profiles({{s, "service", Facet::kAlliance, "15003", ""},
                            {s, "service", Facet::kPhase, "4", ""},
                            {s, "service", Facet::kPhase, "2", ""},
                            {s, "service", Facet::kPhase, "4", ""},
                            {s, "service", Facet::kNeed, "debts", ""},
                            {s, "service", Facet::kDetail, "legal_basis", "§ 16a SGB II"},
                            {s, "service", Facet::kDetail, "capacity", "12"},
                            {l, "location", Facet::kContactKind, "mobile_stop", ""},
                            {l, "location", Facet::kAlliance, "15081", ""}});
  ASSERT_EQ(p.services.count(s), 1u);
  EXPECT_EQ(p.services[s].alliance_ags, "15003");
  EXPECT_EQ(p.services[s].phases, (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(p.services[s].legal_basis, "§ 16a SGB II");
  EXPECT_EQ(p.services[s].capacity, 12);
  EXPECT_FALSE(p.services[s].waiting_days);
  EXPECT_EQ(p.locations[l].kind, "mobile_stop");
  EXPECT_EQ(p.locations[l].alliance_ags, "15081");
}

TEST(Gazetteer, PostcodesAndTowns) {
  auto g = Gazetteer::load(organisation::default_data_dir());
  ASSERT_TRUE(g) << g.error().message;
  auto mitte = g->postcode("39104");
  ASSERT_TRUE(mitte);
  EXPECT_EQ(mitte->district_ags, "15003");
  EXPECT_EQ(mitte->label, "39104 Magdeburg");
  EXPECT_NEAR(mitte->lat, 52.1243, 1e-6);
  EXPECT_FALSE(g->postcode("10115"));  // Berlin: not in the folded-in data
  auto salzwedel = g->town("Salzwedel");
  ASSERT_TRUE(salzwedel);
  EXPECT_EQ(salzwedel->district_ags, "15081");
  EXPECT_EQ(g->town("halle")->label, "Halle (Saale)");  // prefix match
  EXPECT_EQ(g->town("STENDAL")->district_ags, "15090");
  EXPECT_FALSE(g->town("Atlantis"));
  const auto towns = g->towns_of_district("15081");
  ASSERT_GE(towns.size(), 7u);
  EXPECT_EQ(towns[0].name, "Salzwedel");
  EXPECT_GE(towns[0].population, towns[1].population);
  EXPECT_GE(g->postcodes_of_district("15003").size(), 10u);
  // Magdeburg – Halle (Saale): about 75 km as the crow flies.
  auto halle = g->postcode("06108");
  const double km = distance_km(mitte->lat, mitte->lon, halle->lat, halle->lon);
  EXPECT_GT(km, 70);
  EXPECT_LT(km, 80);
  EXPECT_EQ(fold_text("Groß Börnecke"), "gross boernecke");
}

}  // namespace
}  // namespace lotse::catalogue
