#include "lotse/organisation/directory.h"

#include <gtest/gtest.h>

#include "lotse/organisation/seed.h"
#include "support/test_database.h"

namespace lotse::organisation {
namespace {

TEST(OrganisationNames, DisplayNamesAndSlugs) {
  EXPECT_EQ(alliance_display_name("Magdeburg, Landeshauptstadt", "kreisfreie Stadt"), "Magdeburg");
  EXPECT_EQ(alliance_display_name("Halle (Saale), Stadt", "kreisfreie Stadt"), "Halle (Saale)");
  EXPECT_EQ(alliance_display_name("Harz", "Landkreis"), "Landkreis Harz");
  EXPECT_EQ(alliance_display_name("Burgenlandkreis", "Landkreis"), "Burgenlandkreis");
  EXPECT_EQ(slugify("Halle (Saale)"), "halle-saale");
  EXPECT_EQ(slugify("Dessau-Roßlau"), "dessau-rosslau");
  EXPECT_EQ(slugify("Landkreis Mansfeld-Südharz"), "mansfeld-suedharz");
  EXPECT_EQ(slugify("Landkreis Börde"), "boerde");
}

class DirectoryDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    auto r = db_->write([](store::Executor& x) { return seed_organisations(x, default_data_dir()); });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->alliances, 14);
    EXPECT_EQ(r->agencies, 14 * 4 + 1);
  }
  std::unique_ptr<store::Database> db_;
};

TEST_F(DirectoryDb, FourteenAlliancesWithRealPopulation) {
  auto alliances = db_->read([](store::Executor& x) { return Directory::alliances(x); });
  ASSERT_TRUE(alliances);
  ASSERT_EQ(alliances->size(), 14u);
  EXPECT_EQ((*alliances)[0].ags, "15001");
  EXPECT_EQ((*alliances)[0].name, "Dessau-Roßlau");
  auto md = db_->read([](store::Executor& x) { return Directory::find_alliance(x, "15003"); });
  ASSERT_TRUE(md);
  EXPECT_EQ(md->name, "Magdeburg");
  EXPECT_EQ(md->population, 237565);  // Destatis, 31.12.2019
  EXPECT_EQ(md->slug, "magdeburg");
  std::int64_t total = 0;
  for (const auto& a : *alliances) total += a.population;
  EXPECT_EQ(total, 2194782);  // Sachsen-Anhalt, 31.12.2019
}

TEST_F(DirectoryDb, EachAllianceHasFourAgenciesWithLegalSpheres) {
  auto agencies = db_->read([](store::Executor& x) { return Directory::agencies(x, "15003"); });
  ASSERT_TRUE(agencies);
  ASSERT_EQ(agencies->size(), 4u);
  auto jc = db_->read([](store::Executor& x) { return Directory::find_agency(x, "15003-jc"); });
  ASSERT_TRUE(jc);
  EXPECT_EQ(jc->name, "Jobcenter Magdeburg");
  EXPECT_EQ(jc->legal_sphere, "SGB II");
  auto ja = db_->read([](store::Executor& x) { return Directory::find_agency(x, "15085-ja"); });
  ASSERT_TRUE(ja);
  EXPECT_EQ(ja->name, "Jugendamt Landkreis Harz");
  EXPECT_EQ(ja->legal_sphere, "SGB VIII");
  auto land = db_->read([](store::Executor& x) { return Directory::find_agency(x, "land"); });
  ASSERT_TRUE(land);
  EXPECT_TRUE(land->alliance_ags.empty());
}

TEST_F(DirectoryDb, SeedingTwiceChangesNothing) {
  auto again = db_->write([](store::Executor& x) { return seed_organisations(x, default_data_dir()); });
  ASSERT_TRUE(again);
  auto n = db_->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM agencies"); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 57);
}

TEST_F(DirectoryDb, UnknownKeysAreNotFound) {
  auto a = db_->read([](store::Executor& x) { return Directory::find_agency(x, "99999-jc"); });
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace lotse::organisation
