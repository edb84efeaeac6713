#include "lotse/common/date.h"

#include <gtest/gtest.h>

namespace lotse {
namespace {

TEST(Date, ParsesAndFormats) {
  auto d = Date::parse("2026-11-21");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->str(), "2026-11-21");
  EXPECT_EQ(d->german(), "21.11.2026");
  EXPECT_EQ(d->weekday(), 6);  // Saturday
  EXPECT_TRUE(Date::parse("2024-02-29"));
}

TEST(Date, RejectsImpossibleDatesNamingTheField) {
  for (const char* bad : {"2025-02-29", "2026-13-01", "2026-00-10", "21.11.2026", "2026-1-1", "", "abcd-ef-gh"}) {
    auto d = Date::parse(bad, "birth_date");
    ASSERT_FALSE(d) << bad;
    EXPECT_EQ(d.error().field, "birth_date");
  }
}

TEST(Date, DaysRoundTripAcrossEras) {
  for (std::int64_t z : {-1000000LL, -1LL, 0LL, 1LL, 20000LL, 60000LL}) EXPECT_EQ(Date::from_days(z).days_since_epoch(), z);
  EXPECT_EQ(Date::from_unix_ms(0).str(), "1970-01-01");
  EXPECT_EQ(Date::from_unix_ms(-1).str(), "1969-12-31");
}

TEST(Date, WorkingDaysSkipWeekends) {
  const Date friday = *Date::parse("2026-11-20");
  EXPECT_EQ(add_working_days(friday, 1).str(), "2026-11-23");  // Monday
  EXPECT_EQ(add_working_days(friday, 5).str(), "2026-11-27");
  EXPECT_EQ(add_working_days(*Date::parse("2026-11-21"), 1).str(), "2026-11-23");
}

TEST(Date, AgeCountsFullYears) {
  const Date birth = *Date::parse("2010-11-22");
  EXPECT_EQ(age_on(birth, *Date::parse("2026-11-21")), 15);
  EXPECT_EQ(age_on(birth, *Date::parse("2026-11-22")), 16);
}

}  // namespace
}  // namespace lotse
