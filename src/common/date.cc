#include "lotse/common/date.h"

#include <fmt/format.h>

namespace lotse {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

Result<Date> Date::parse(std::string_view t, std::string field) {
  auto digits = [&](std::size_t from, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  Date d;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !digits(0, 4, d.year) ||
      !digits(5, 2, d.month) || !digits(8, 2, d.day))
    return Error::invalid(field, "Datum im Format JJJJ-MM-TT erwartet.");
  if (d.year < 1900 || d.year > 2200 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > days_in_month(d.year, d.month))
    return Error::invalid(field, "Dieses Datum gibt es nicht.");
  return d;
}

Date Date::from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

Date Date::from_unix_ms(std::int64_t unix_ms) {
  std::int64_t days = unix_ms / 86'400'000;
  if (unix_ms < 0 && unix_ms % 86'400'000 != 0) --days;
  return from_days(days);
}

std::int64_t Date::days_since_epoch() const {
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string Date::str() const { return fmt::format("{:04}-{:02}-{:02}", year, month, day); }
std::string Date::german() const { return fmt::format("{:02}.{:02}.{:04}", day, month, year); }

int Date::weekday() const {
  const std::int64_t z = days_since_epoch();  // 1970-01-01 was a Thursday (4)
  return static_cast<int>(((z % 7) + 7 + 3) % 7) + 1;
}

Date add_days(Date d, std::int64_t days) { return Date::from_days(d.days_since_epoch() + days); }

Date add_working_days(Date d, int n) {
  while (n > 0) {
    d = add_days(d, 1);
    if (d.weekday() <= 5) --n;
  }
  return d;
}

int age_on(Date birth, Date on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
  return age;
}

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// 01:00 UTC on the last Sunday of `month`.
std::int64_t last_sunday_1am_utc(int year, int month) {
  Date d{year, month, days_in_month(year, month)};
  d = add_days(d, -(d.weekday() % 7));  // back to the Sunday (weekday 7 stays)
  return d.days_since_epoch() * kDayMs + 3'600'000;
}

}  // namespace

std::int64_t berlin_summer_time_start(int year) {
  return last_sunday_1am_utc(year, 3);
}
std::int64_t berlin_summer_time_end(int year) {
  return last_sunday_1am_utc(year, 10);
}

BerlinTime berlin_time(std::int64_t unix_ms) {
  // The UTC year decides: both switches lie well inside it.
  const int year = Date::from_unix_ms(unix_ms).year;
  const bool summer =
      unix_ms >= berlin_summer_time_start(year) && unix_ms < berlin_summer_time_end(year);
  const int offset = summer ? 120 : 60;
  const std::int64_t local_ms = unix_ms + offset * 60'000LL;
  std::int64_t ms_of_day = local_ms % kDayMs;
  if (ms_of_day < 0) ms_of_day += kDayMs;
  return {Date::from_unix_ms(local_ms), static_cast<int>(ms_of_day / 60'000), offset};
}

std::int64_t berlin_day_start(Date d) {
  // The clocks change at 01:00 UTC, never near local midnight, so the offset
  // two hours before UTC midnight is the offset at local midnight.
  const std::int64_t utc_midnight = d.days_since_epoch() * kDayMs;
  return utc_midnight - berlin_time(utc_midnight - 2 * 3'600'000LL).utc_offset_minutes * 60'000LL;
}

std::string format_berlin(std::int64_t unix_ms) {
  const BerlinTime t = berlin_time(unix_ms);
  return fmt::format("{}, {:02}:{:02}", t.date.german(), t.minutes / 60, t.minutes % 60);
}

}  // namespace lotse
