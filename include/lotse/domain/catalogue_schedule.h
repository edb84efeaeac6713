// Opening hours as HSDS 3.0 schedules: the iCalendar recurrence rule (RFC 5545
// RRULE) as far as HSDS uses it — FREQ WEEKLY or MONTHLY, INTERVAL, BYDAY
// (with ordinals like 2TU or -1FR when MONTHLY), BYMONTHDAY, BYWEEKNO,
// BYYEARDAY, WKST, COUNT, UNTIL and DTSTART — plus opens_at/closes_at and the
// validity window valid_from/valid_to.
//
//   ScheduleFields f{.freq = "WEEKLY", .byday = "MO,WE", .opens_at = "14:00",
//                    .closes_at = "17:30"};
//   auto rule = Recurrence::from_fields(f);          // errors name the HSDS field
//   rule->occurs_on(*Date::parse("2026-11-23"))      // true: a Monday
//   auto bus = Recurrence::fields_from_rrule("FREQ=MONTHLY;BYDAY=2TU");
//   opening_hours_on(rules, today)                   // the slots of one day
//   berlin_local_time(clock())                       // today's date in Germany
//
// Semantics the profile fixes where HSDS is silent:
//  - opens_at/closes_at are wall-clock times in Germany (Europe/Berlin); a
//    "Z" or offset suffix is accepted and ignored.
//  - Without FREQ, a schedule with a DTSTART is a single date (a bus stop's
//    visit); without both it describes availability in text only.
//  - DTSTART is the first possible date; COUNT counts matching dates from it.
//  - BYWEEKNO (ISO weeks) and BYYEARDAY, which RFC 5545 reserves for YEARLY,
//    are applied as additional limits, since HSDS has no YEARLY.
//
// Pure values and functions; safe to use from any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/date.h"
#include "lotse/common/result.h"

namespace lotse::domain {

struct TimeOfDay {
  int minutes = 0;          // since midnight, 0..1440 (24:00 closes at midnight)
  std::string str() const;  // "09:30"
  auto operator<=>(const TimeOfDay&) const = default;
};

// "HH:MM" or "HH:MM:SS", optionally followed by "Z" or "+HH:MM"/"-HH:MM".
Result<TimeOfDay> parse_time_of_day(std::string_view text, std::string field);

// The recurrence-related fields of an HSDS schedule row, as text (numbers in
// decimal, dates YYYY-MM-DD); empty means absent.
struct ScheduleFields {
  std::string freq, wkst, byday, bymonthday, byweekno, byyearday;
  std::string interval, count;
  std::string dtstart, until, valid_from, valid_to;
  std::string opens_at, closes_at;
  std::string timezone;  // UTC offset in hours (HSDS); validated, not applied
};

class Recurrence {
 public:
  enum class Freq { kNone, kWeekly, kMonthly };
  struct ByDay {
    int ordinal = 0;  // 0: every such weekday; 1..5 / -1..-5: n-th (from the end) in the month
    int weekday = 1;  // 1 = Monday … 7 = Sunday
  };

  // Validates every field; the first problem is returned, and when
  // `all_errors` is given every problem is appended there (each naming its
  // HSDS field: "freq", "byday", "until", …).
  static Result<Recurrence> from_fields(const ScheduleFields& fields,
                                        std::vector<Error>* all_errors = nullptr);
  // Splits an RRULE ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", optionally prefixed
  // "RRULE:") into schedule fields; UNTIL may be YYYYMMDD, YYYYMMDDTHHMMSSZ
  // or YYYY-MM-DD. Errors name `field`. Validate the result with from_fields.
  static Result<ScheduleFields> fields_from_rrule(std::string_view rrule,
                                                  std::string field = "rrule");

  bool occurs_on(Date d) const;
  // Up to `limit` dates from `from` on, looking at most `horizon_days` ahead.
  std::vector<Date> next_dates(Date from, int limit, int horizon_days = 400) const;
  // The canonical RRULE ("FREQ=MONTHLY;BYDAY=2TU"), empty without FREQ.
  std::string rrule() const;

  Freq freq() const { return freq_; }
  const std::optional<TimeOfDay>& opens_at() const { return opens_; }
  const std::optional<TimeOfDay>& closes_at() const { return closes_; }
  const std::optional<Date>& dtstart() const { return dtstart_; }

 private:
  bool matches_rule(Date d) const;  // everything but COUNT

  Freq freq_ = Freq::kNone;
  int interval_ = 1;
  int wkst_ = 1;
  std::vector<ByDay> byday_;
  std::vector<int> bymonthday_, byweekno_, byyearday_;
  std::optional<int> count_;
  std::optional<Date> dtstart_, until_, valid_from_, valid_to_;
  std::optional<TimeOfDay> opens_, closes_;
};

// One opening on a day; without times the schedule names the day only.
struct OpeningSlot {
  std::optional<TimeOfDay> opens, closes;
  bool operator==(const OpeningSlot&) const = default;
};

// The slots of all rules occurring on `d`, ordered by opening time (slots
// without times first), duplicates removed.
std::vector<OpeningSlot> opening_hours_on(std::span<const Recurrence> rules, Date d);

// Is any slot on `d` open at `minutes` after midnight? A day without times
// counts as open all day.
bool open_at(std::span<const Recurrence> rules, Date d, int minutes);

// Civil date and time in Germany (CET/CEST by the EU rule: summer time from
// the last Sunday of March to the last Sunday of October, 01:00 UTC); the
// conversion is common/date.h's berlin_time().
struct LocalTime {
  Date date;
  int minutes = 0;  // since local midnight
};
LocalTime berlin_local_time(std::int64_t unix_ms);

// "MO" … "SU" for 1 … 7.
std::string_view weekday_code(int weekday);

}  // namespace lotse::domain
