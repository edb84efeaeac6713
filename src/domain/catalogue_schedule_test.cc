#include "lotse/domain/catalogue_schedule.h"

#include <gtest/gtest.h>

#include "lotse/domain/catalogue_vocabulary.h"

namespace lotse::domain {
namespace {

Date D(const char* s) {
  return *Date::parse(s);
}

Recurrence rule(ScheduleFields f) {
  auto r = Recurrence::from_fields(f);
  EXPECT_TRUE(r) << r.error().field << ": " << r.error().message;
  return r ? *r : Recurrence{};
}

TEST(CatalogueSchedule, WeeklyByDay) {
  auto r = rule({.freq = "WEEKLY", .byday = "MO,WE", .opens_at = "14:00", .closes_at = "17:30"});
  EXPECT_TRUE(r.occurs_on(D("2026-11-23")));   // Monday
  EXPECT_FALSE(r.occurs_on(D("2026-11-24")));  // Tuesday
  EXPECT_TRUE(r.occurs_on(D("2026-11-25")));   // Wednesday
  EXPECT_EQ(r.rrule(), "FREQ=WEEKLY;BYDAY=MO,WE");
  EXPECT_EQ(r.opens_at()->str(), "14:00");
  EXPECT_EQ(r.closes_at()->str(), "17:30");
}

TEST(CatalogueSchedule, FortnightlyFromDtstart) {
  auto r = rule({.freq = "WEEKLY", .byday = "TU", .interval = "2", .dtstart = "2026-11-03"});
  EXPECT_FALSE(r.occurs_on(D("2026-10-27")));  // before dtstart
  EXPECT_TRUE(r.occurs_on(D("2026-11-03")));
  EXPECT_FALSE(r.occurs_on(D("2026-11-10")));
  EXPECT_TRUE(r.occurs_on(D("2026-11-17")));
  EXPECT_TRUE(r.occurs_on(D("2027-01-12")));  // 10 weeks later
  EXPECT_EQ(r.rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU");
}

TEST(CatalogueSchedule, WeekStartMattersForIntervals) {
  // Dtstart on a Sunday; with WKST=SU the Sunday starts the week, so the
  // following Monday is in the same (even) week; with WKST=MO it is not.
  auto su = rule(
      {.freq = "WEEKLY", .wkst = "SU", .byday = "SU,MO", .interval = "2", .dtstart = "2026-11-01"});
  auto mo = rule(
      {.freq = "WEEKLY", .wkst = "MO", .byday = "SU,MO", .interval = "2", .dtstart = "2026-11-01"});
  EXPECT_TRUE(su.occurs_on(D("2026-11-02")));
  EXPECT_FALSE(mo.occurs_on(D("2026-11-02")));
}

TEST(CatalogueSchedule, MonthlyOrdinals) {
  auto second_tuesday = rule({.freq = "MONTHLY", .byday = "2TU"});
  EXPECT_TRUE(second_tuesday.occurs_on(D("2026-11-10")));
  EXPECT_FALSE(second_tuesday.occurs_on(D("2026-11-03")));
  EXPECT_TRUE(second_tuesday.occurs_on(D("2026-12-08")));
  auto last_friday = rule({.freq = "MONTHLY", .byday = "-1FR"});
  EXPECT_TRUE(last_friday.occurs_on(D("2026-11-27")));
  EXPECT_FALSE(last_friday.occurs_on(D("2026-11-20")));
  EXPECT_TRUE(last_friday.occurs_on(D("2027-02-26")));
  auto every_thursday = rule({.freq = "MONTHLY", .byday = "TH"});
  EXPECT_TRUE(every_thursday.occurs_on(D("2026-11-05")));
  EXPECT_TRUE(every_thursday.occurs_on(D("2026-11-26")));
}

TEST(CatalogueSchedule, MonthlyByMonthDay) {
  auto r = rule({.freq = "MONTHLY", .bymonthday = "1,15,-1"});
  EXPECT_TRUE(r.occurs_on(D("2026-11-01")));
  EXPECT_TRUE(r.occurs_on(D("2026-11-15")));
  EXPECT_TRUE(r.occurs_on(D("2026-11-30")));
  EXPECT_TRUE(r.occurs_on(D("2027-02-28")));
  EXPECT_FALSE(r.occurs_on(D("2026-11-29")));
  // BYDAY and BYMONTHDAY together: both must hold (Friday the 13th).
  auto f13 = rule({.freq = "MONTHLY", .byday = "FR", .bymonthday = "13"});
  EXPECT_TRUE(f13.occurs_on(D("2026-11-13")));
  EXPECT_FALSE(f13.occurs_on(D("2026-10-13")));
  // Every other month on the dtstart's day.
  auto bimonthly = rule({.freq = "MONTHLY", .interval = "2", .dtstart = "2026-01-20"});
  EXPECT_TRUE(bimonthly.occurs_on(D("2026-03-20")));
  EXPECT_FALSE(bimonthly.occurs_on(D("2026-04-20")));
}

TEST(CatalogueSchedule, CountAndUntil) {
  auto three = rule({.freq = "WEEKLY", .byday = "MO", .count = "3", .dtstart = "2026-11-01"});
  EXPECT_TRUE(three.occurs_on(D("2026-11-02")));
  EXPECT_TRUE(three.occurs_on(D("2026-11-16")));
  EXPECT_FALSE(three.occurs_on(D("2026-11-23")));  // the fourth
  EXPECT_EQ(three.next_dates(D("2026-11-01"), 10).size(), 3u);
  auto until = rule({.freq = "WEEKLY", .byday = "MO", .until = "2026-11-16"});
  EXPECT_TRUE(until.occurs_on(D("2026-11-16")));
  EXPECT_FALSE(until.occurs_on(D("2026-11-23")));
  EXPECT_EQ(until.rrule(), "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261116");
}

TEST(CatalogueSchedule, ValidityWindow) {
  auto r =
      rule({.freq = "WEEKLY", .byday = "MO", .valid_from = "2026-11-09", .valid_to = "2026-11-30"});
  EXPECT_FALSE(r.occurs_on(D("2026-11-02")));
  EXPECT_TRUE(r.occurs_on(D("2026-11-09")));
  EXPECT_TRUE(r.occurs_on(D("2026-11-30")));
  EXPECT_FALSE(r.occurs_on(D("2026-12-07")));
}

TEST(CatalogueSchedule, SingleDateWithoutFreq) {
  auto r = rule({.dtstart = "2026-12-03", .opens_at = "10:00", .closes_at = "12:00"});
  EXPECT_TRUE(r.occurs_on(D("2026-12-03")));
  EXPECT_FALSE(r.occurs_on(D("2026-12-04")));
  EXPECT_EQ(r.rrule(), "");
  auto text_only = rule({.opens_at = "10:00"});
  EXPECT_FALSE(text_only.occurs_on(D("2026-12-03")));
}

TEST(CatalogueSchedule, WeekNumbersAndYearDays) {
  auto week1 = rule({.freq = "WEEKLY", .byday = "MO", .byweekno = "1"});
  EXPECT_TRUE(week1.occurs_on(D("2026-12-28")) == false);
  EXPECT_TRUE(week1.occurs_on(D("2027-01-04")));  // ISO week 1 of 2027
  EXPECT_TRUE(week1.occurs_on(D("2025-12-29")));  // ISO week 1 of 2026 starts in 2025
  auto last_day = rule({.freq = "MONTHLY", .bymonthday = "31", .byyearday = "-1"});
  EXPECT_TRUE(last_day.occurs_on(D("2026-12-31")));
  EXPECT_FALSE(last_day.occurs_on(D("2026-10-31")));
}

struct BadCase {
  ScheduleFields fields;
  const char* field;
};

TEST(CatalogueSchedule, BadRulesNameTheirField) {
  const BadCase cases[] = {
      {{.freq = "DAILY"}, "freq"},
      {{.freq = "weekly", .byday = "MO"}, "freq"},
      {{.freq = "WEEKLY", .byday = "MO,XX"}, "byday"},
      {{.freq = "WEEKLY", .byday = "2MO"}, "byday"},
      {{.freq = "MONTHLY", .byday = "6MO"}, "byday"},
      {{.freq = "MONTHLY", .byday = "MO,"}, "byday"},
      {{.freq = "MONTHLY", .bymonthday = "0"}, "bymonthday"},
      {{.freq = "MONTHLY", .bymonthday = "32"}, "bymonthday"},
      {{.freq = "WEEKLY", .byday = "MO", .bymonthday = "3"}, "bymonthday"},
      {{.freq = "WEEKLY", .byday = "MO", .byweekno = "54"}, "byweekno"},
      {{.freq = "WEEKLY", .byday = "MO", .interval = "0", .dtstart = "2026-01-01"}, "interval"},
      {{.freq = "WEEKLY", .byday = "MO", .interval = "2"}, "dtstart"},
      {{.freq = "WEEKLY", .byday = "MO", .count = "3"}, "dtstart"},
      {{.freq = "WEEKLY", .byday = "MO", .count = "x", .dtstart = "2026-01-01"}, "count"},
      {{.freq = "WEEKLY",
        .byday = "MO",
        .count = "3",
        .dtstart = "2026-01-01",
        .until = "2026-02-01"},
       "count"},
      {{.freq = "WEEKLY", .byday = "MO", .dtstart = "2026-02-01", .until = "2026-01-01"}, "until"},
      {{.freq = "WEEKLY"}, "byday"},
      {{.freq = "MONTHLY"}, "bymonthday"},
      {{.byday = "MO"}, "byday"},
      {{.until = "2026-01-01"}, "until"},
      {{.freq = "WEEKLY", .wkst = "XY", .byday = "MO"}, "wkst"},
      {{.freq = "WEEKLY", .byday = "MO", .dtstart = "2026-02-30"}, "dtstart"},
      {{.valid_from = "2026-02-01", .valid_to = "2026-01-01"}, "valid_to"},
      {{.opens_at = "9 Uhr"}, "opens_at"},
      {{.opens_at = "25:00"}, "opens_at"},
      {{.opens_at = "10:00", .closes_at = "09:00"}, "closes_at"},
      {{.timezone = "20"}, "timezone"},
  };
  for (const auto& c : cases) {
    auto r = Recurrence::from_fields(c.fields);
    ASSERT_FALSE(r) << "expected an error in " << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(CatalogueSchedule, AllErrorsAreListed) {
  std::vector<Error> all;
  auto r = Recurrence::from_fields(
      {.freq = "DAILY", .wkst = "XX", .dtstart = "2026-13-01", .opens_at = "x"}, &all);
  ASSERT_FALSE(r);
  std::vector<std::string> fields;
  for (const auto& e : all) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"freq", "wkst", "dtstart", "opens_at"}));
}

TEST(CatalogueSchedule, TimesAcceptSecondsAndZones) {
  EXPECT_EQ(parse_time_of_day("09:30:00", "t")->minutes, 570);
  EXPECT_EQ(parse_time_of_day("09:30Z", "t")->minutes, 570);
  EXPECT_EQ(parse_time_of_day("09:30+01:00", "t")->minutes, 570);
  EXPECT_EQ(parse_time_of_day("24:00", "t")->minutes, 1440);
  EXPECT_FALSE(parse_time_of_day("24:01", "t"));
  EXPECT_FALSE(parse_time_of_day("9:30", "t"));
  EXPECT_FALSE(parse_time_of_day("09:30+1", "t"));
}

TEST(CatalogueSchedule, RruleTextRoundTrip) {
  const char* rules[] = {"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=MONTHLY;BYDAY=2TU,-1FR",
                         "FREQ=MONTHLY;BYMONTHDAY=1,-1;COUNT=5",
                         "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;WKST=SU"};
  for (const char* text : rules) {
    auto f = Recurrence::fields_from_rrule(text);
    ASSERT_TRUE(f) << text << ": " << f.error().message;
    f->dtstart = "2026-01-01";
    auto r = Recurrence::from_fields(*f);
    ASSERT_TRUE(r) << text << ": " << r.error().message;
    EXPECT_EQ(r->rrule(), text);
  }
  auto until = Recurrence::fields_from_rrule("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T235959Z");
  ASSERT_TRUE(until);
  EXPECT_EQ(until->until, "2026-12-31");
  for (const char* bad : {"", "BYDAY=MO", "FREQ=WEEKLY;FREQ=MONTHLY", "FREQ=WEEKLY;BYSETPOS=1",
                          "FREQ", "FREQ=WEEKLY;UNTIL=2026"}) {
    auto r = Recurrence::fields_from_rrule(bad, "opening_rule");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "opening_rule");
  }
}

TEST(CatalogueSchedule, OpeningHoursOfADay) {
  std::vector<Recurrence> rules = {
      rule(
          {.freq = "WEEKLY", .byday = "MO,TU,WE,TH,FR", .opens_at = "09:00", .closes_at = "12:00"}),
      rule({.freq = "WEEKLY", .byday = "TU,TH", .opens_at = "14:00", .closes_at = "18:00"}),
      rule(
          {.freq = "WEEKLY", .byday = "MO,TU,WE,TH,FR", .opens_at = "09:00", .closes_at = "12:00"}),
  };
  auto tuesday = opening_hours_on(rules, D("2026-11-24"));
  ASSERT_EQ(tuesday.size(), 2u);  // the duplicate counted once
  EXPECT_EQ(tuesday[0].opens->str(), "09:00");
  EXPECT_EQ(tuesday[1].closes->str(), "18:00");
  EXPECT_EQ(opening_hours_on(rules, D("2026-11-23")).size(), 1u);
  EXPECT_TRUE(opening_hours_on(rules, D("2026-11-28")).empty());  // Saturday
  EXPECT_TRUE(open_at(rules, D("2026-11-24"), 15 * 60));
  EXPECT_FALSE(open_at(rules, D("2026-11-23"), 15 * 60));
  EXPECT_FALSE(open_at(rules, D("2026-11-24"), 12 * 60));  // closes_at is exclusive
}

TEST(CatalogueSchedule, BerlinLocalTime) {
  // 2026-03-29 is the last Sunday of March: 00:59 UTC is 01:59 CET, 01:00 UTC is 03:00 CEST.
  const std::int64_t switch_ms = (Date{2026, 3, 29}.days_since_epoch() * 86'400 + 3'600) * 1000;
  EXPECT_EQ(berlin_local_time(switch_ms - 60'000).minutes, 1 * 60 + 59);
  EXPECT_EQ(berlin_local_time(switch_ms).minutes, 3 * 60);
  // Late evening UTC in winter is already the next day in Germany.
  const std::int64_t winter =
      (Date{2026, 11, 23}.days_since_epoch() * 86'400 + 23 * 3'600 + 30 * 60) * 1000;
  EXPECT_EQ(berlin_local_time(winter).date, D("2026-11-24"));
  EXPECT_EQ(berlin_local_time(winter).minutes, 30);
  // Summer: UTC+2.
  const std::int64_t summer = (Date{2026, 7, 1}.days_since_epoch() * 86'400 + 10 * 3'600) * 1000;
  EXPECT_EQ(berlin_local_time(summer).minutes, 12 * 60);
}

TEST(CatalogueVocabulary, TermsValidateAndLabel) {
  EXPECT_EQ(*validate_catalogue_term(offer_legal_spheres(), "sgb3", "legal_sphere"), "sgb3");
  auto bad = validate_catalogue_term(target_groups(), "pupils", "target_groups");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "target_groups");
  EXPECT_NE(bad.error().message.find("parents"), std::string::npos);
  EXPECT_EQ(catalogue_term_label(offer_legal_spheres(), "sgb8"), "SGB VIII");
  EXPECT_EQ(target_groups().size(), 7u);
  EXPECT_EQ(funding_kinds().size(), 5u);
  EXPECT_TRUE(is_virtual_contact_kind("messenger"));
  EXPECT_FALSE(is_virtual_contact_kind("mobile_stop"));
}

}  // namespace
}  // namespace lotse::domain
