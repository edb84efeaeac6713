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

std::int64_t utc_ms(Date d, int h, int m) {
  return (d.days_since_epoch() * 86'400 + h * 3'600 + m * 60) * 1000;
}

TEST(BerlinTime, SwitchesToSummerTimeAtOneUtcOnTheLastSundayOfMarch) {
  // 2026-03-29 and 2027-03-28 are the last Sundays of March.
  EXPECT_EQ(berlin_summer_time_start(2026), utc_ms({2026, 3, 29}, 1, 0));
  EXPECT_EQ(berlin_summer_time_start(2027), utc_ms({2027, 3, 28}, 1, 0));
  const std::int64_t at = berlin_summer_time_start(2026);
  const BerlinTime before = berlin_time(at - 1);
  EXPECT_EQ(before.date, (Date{2026, 3, 29}));
  EXPECT_EQ(before.minutes, 1 * 60 + 59);  // 01:59 CET
  EXPECT_EQ(before.utc_offset_minutes, 60);
  const BerlinTime after = berlin_time(at);
  EXPECT_EQ(after.minutes, 3 * 60);  // 03:00 CEST: 02:xx never happens
  EXPECT_EQ(after.utc_offset_minutes, 120);
}

TEST(BerlinTime, SwitchesBackAtOneUtcOnTheLastSundayOfOctober) {
  // 2026-10-25 and 2027-10-31 are the last Sundays of October.
  EXPECT_EQ(berlin_summer_time_end(2026), utc_ms({2026, 10, 25}, 1, 0));
  EXPECT_EQ(berlin_summer_time_end(2027), utc_ms({2027, 10, 31}, 1, 0));
  const std::int64_t at = berlin_summer_time_end(2026);
  const BerlinTime before = berlin_time(at - 1);
  EXPECT_EQ(before.minutes, 2 * 60 + 59);  // 02:59 CEST
  EXPECT_EQ(before.utc_offset_minutes, 120);
  const BerlinTime after = berlin_time(at);
  EXPECT_EQ(after.minutes, 2 * 60);  // 02:00 CET: the hour from 02:00 repeats
  EXPECT_EQ(after.utc_offset_minutes, 60);
  EXPECT_EQ(after.date, (Date{2026, 10, 25}));
}

TEST(BerlinTime, DayStartIsLocalMidnight) {
  EXPECT_EQ(berlin_day_start({2026, 7, 15}), utc_ms({2026, 7, 14}, 22, 0));   // CEST
  EXPECT_EQ(berlin_day_start({2026, 11, 21}), utc_ms({2026, 11, 20}, 23, 0));  // CET
  // The days of the switches begin before them, on the old offset.
  EXPECT_EQ(berlin_day_start({2026, 3, 29}), utc_ms({2026, 3, 28}, 23, 0));
  EXPECT_EQ(berlin_day_start({2026, 10, 25}), utc_ms({2026, 10, 24}, 22, 0));
  for (Date d : {Date{2026, 1, 1}, Date{2026, 3, 30}, Date{2026, 10, 26}, Date{2027, 6, 1}}) {
    EXPECT_EQ(berlin_time(berlin_day_start(d)).date, d);
    EXPECT_EQ(berlin_time(berlin_day_start(d)).minutes, 0);
    EXPECT_EQ(berlin_time(berlin_day_start(d) - 1).date, add_days(d, -1));
  }
}

TEST(BerlinTime, LateEveningUtcIsAlreadyTomorrowInGermany) {
  // Summer: 23:30 UTC is 01:30 the next day.
  const BerlinTime summer = berlin_time(utc_ms({2026, 7, 14}, 23, 30));
  EXPECT_EQ(summer.date, (Date{2026, 7, 15}));
  EXPECT_EQ(summer.minutes, 1 * 60 + 30);
  // Winter: 23:30 UTC is 00:30; across the year's end too.
  const BerlinTime new_year = berlin_time(utc_ms({2026, 12, 31}, 23, 30));
  EXPECT_EQ(new_year.date, (Date{2027, 1, 1}));
  EXPECT_EQ(new_year.minutes, 30);
  // 22:59 UTC in winter is still the same day.
  EXPECT_EQ(berlin_time(utc_ms({2026, 11, 21}, 22, 59)).date, (Date{2026, 11, 21}));
  EXPECT_EQ(format_berlin(utc_ms({2026, 7, 14}, 23, 30)), "15.07.2026, 01:30");
  EXPECT_EQ(format_berlin(utc_ms({2026, 11, 21}, 8, 5)), "21.11.2026, 09:05");
}

}  // namespace
}  // namespace lotse
