// A civil date (no time zone), as used for birth dates, consent validity and
// due dates: "2026-11-21".
//
//   auto d = Date::parse("2026-11-21");      // Result<Date>; field name for errors
//   Date due = add_working_days(*d, 5);      // skips Saturdays and Sundays
//   int age = age_on(birth, today);
//   Date today = berlin_time(clock()).date;  // "today" for people in Germany
//   format_berlin(ms)                        // "21.11.2026, 22:30"
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "lotse/common/result.h"

namespace lotse {

struct Date {
  int year = 1970, month = 1, day = 1;

  // Parses YYYY-MM-DD and checks the calendar; errors name `field`.
  static Result<Date> parse(std::string_view text, std::string field = "date");
  static Date from_days(std::int64_t days_since_epoch);
  static Date from_unix_ms(std::int64_t unix_ms);  // UTC
  std::int64_t days_since_epoch() const;
  std::string str() const;       // "2026-11-21"
  std::string german() const;    // "21.11.2026"
  int weekday() const;           // 1 = Monday … 7 = Sunday
  auto operator<=>(const Date&) const = default;
};

Date add_days(Date d, std::int64_t days);
// Adds n working days (Monday to Friday); public holidays are not counted out.
Date add_working_days(Date d, int n);
// Full years between birth and on.
int age_on(Date birth, Date on);

// Civil date and time in Germany (Europe/Berlin) at a unix instant: CET
// (UTC+1), and CEST (UTC+2) from the last Sunday of March 01:00 UTC up to the
// last Sunday of October 01:00 UTC (the EU rule, Directive 2000/84/EC).
// Computed here because GCC 12's <chrono> has no time-zone database and the
// server must not depend on the host's tzdata or TZ setting; right for every
// year the EU rule holds. Use it wherever a page says "today" or "now" for
// people in Germany: from 22:00 or 23:00 UTC, UTC's date is yesterday there.
struct BerlinTime {
  Date date;
  int minutes = 0;              // since local midnight, 0..1439
  int utc_offset_minutes = 60;  // 60 (CET) or 120 (CEST)
};
BerlinTime berlin_time(std::int64_t unix_ms);
// Unix ms of the switch to summer time (last Sunday of March, 01:00 UTC) and
// back (last Sunday of October, 01:00 UTC) in `year`.
std::int64_t berlin_summer_time_start(int year);
std::int64_t berlin_summer_time_end(int year);
// The instant the German calendar day `d` begins (local midnight, in unix
// ms): 23:00 or 22:00 UTC of the day before.
std::int64_t berlin_day_start(Date d);
// "21.11.2026, 22:30" (German local time, 24 hours).
std::string format_berlin(std::int64_t unix_ms);

}  // namespace lotse
