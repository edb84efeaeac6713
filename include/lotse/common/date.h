// A civil date (no time zone), as used for birth dates, consent validity and
// due dates: "2026-11-21".
//
//   auto d = Date::parse("2026-11-21");      // Result<Date>; field name for errors
//   Date due = add_working_days(*d, 5);      // skips Saturdays and Sundays
//   int age = age_on(birth, today);
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

}  // namespace lotse
