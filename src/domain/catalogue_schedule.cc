#include "lotse/domain/catalogue_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace lotse::domain {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

int weekday_from_code(std::string_view code) {
  for (std::size_t i = 0; i < kWeekdays.size(); ++i)
    if (kWeekdays[i] == code) return static_cast<int>(i) + 1;
  return 0;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

int day_of_year(Date d) {
  return static_cast<int>(d.days_since_epoch() - Date{d.year, 1, 1}.days_since_epoch()) + 1;
}

// ISO 8601 week number and the number of ISO weeks in d's ISO year.
std::pair<int, int> iso_week(Date d) {
  // The Thursday of d's week decides the ISO year.
  const Date thursday = add_days(d, 4 - d.weekday());
  const int week = (day_of_year(thursday) - 1) / 7 + 1;
  auto weeks_in = [](int year) {
    const int jan1 = Date{year, 1, 1}.weekday();
    return jan1 == 4 || (leap(year) && jan1 == 3) ? 53 : 52;
  };
  return {week, weeks_in(thursday.year)};
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

// Collects the problems of one schedule; each names its field.
class Problems {
 public:
  explicit Problems(std::vector<Error>* all) : all_(all) {}
  void add(std::string field, std::string message) {
    Error e = Error::invalid(std::move(field), std::move(message));
    if (!first_) first_ = e;
    if (all_) all_->push_back(std::move(e));
  }
  const std::optional<Error>& first() const { return first_; }

 private:
  std::vector<Error>* all_;
  std::optional<Error> first_;
};

std::optional<int> positive_int(const std::string& text, const char* field, int max, Problems& p) {
  if (text.empty()) return std::nullopt;
  int v = 0;
  // HSDS numbers may arrive as "2" or "2.0"; accept integral decimals only.
  std::string_view s = text;
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.remove_suffix(2);
  if (!parse_int(s, v) || v < 1 || v > max) {
    p.add(field, fmt::format("Ganze Zahl von 1 bis {} erwartet, nicht \"{}\".", max, text));
    return std::nullopt;
  }
  return v;
}

std::optional<Date> date_field(const std::string& text, const char* field, Problems& p) {
  if (text.empty()) return std::nullopt;
  auto d = Date::parse(text, field);
  if (!d) {
    p.add(field, d.error().message);
    return std::nullopt;
  }
  return *d;
}

// A comma list of integers within ±[1, max].
std::vector<int> int_list(const std::string& text, const char* field, int max, Problems& p) {
  std::vector<int> out;
  if (text.empty()) return out;
  for (std::string_view part : split(text, ',')) {
    int v = 0;
    if (!parse_int(part, v) || v == 0 || v < -max || v > max) {
      p.add(field,
            fmt::format("Kommaliste von Zahlen zwischen 1 und {} (oder -1 bis -{}) erwartet, "
                        "\"{}\" passt nicht.",
                        max, max, part));
      return {};
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

std::string_view weekday_code(int weekday) {
  return weekday >= 1 && weekday <= 7 ? kWeekdays[weekday - 1] : std::string_view("?");
}

std::string TimeOfDay::str() const {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

Result<TimeOfDay> parse_time_of_day(std::string_view t, std::string field) {
  auto two = [&](std::size_t at, int& out) {
    if (at + 2 > t.size() || t[at] < '0' || t[at] > '9' || t[at + 1] < '0' || t[at + 1] > '9')
      return false;
    out = (t[at] - '0') * 10 + (t[at + 1] - '0');
    return true;
  };
  int h = 0, m = 0, s = 0;
  std::size_t pos = 5;
  bool ok = two(0, h) && t.size() >= 5 && t[2] == ':' && two(3, m);
  if (ok && t.size() >= 8 && t[5] == ':') {
    ok = two(6, s);
    pos = 8;
  }
  if (ok && pos < t.size()) {
    std::string_view zone = t.substr(pos);
    int zh = 0, zm = 0;
    ok = zone == "Z" || (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
                         two(pos + 1, zh) && two(pos + 4, zm) && zh <= 14 && zm <= 59);
  }
  if (!ok) return Error::invalid(std::move(field), "Uhrzeit im Format HH:MM erwartet.");
  if (h > 24 || m > 59 || s > 59 || (h == 24 && (m > 0 || s > 0)))
    return Error::invalid(std::move(field), "Diese Uhrzeit gibt es nicht.");
  return TimeOfDay{h * 60 + m};
}

Result<Recurrence> Recurrence::from_fields(const ScheduleFields& f,
                                           std::vector<Error>* all_errors) {
  Problems p(all_errors);
  Recurrence r;

  if (f.freq == "WEEKLY") {
    r.freq_ = Freq::kWeekly;
  } else if (f.freq == "MONTHLY") {
    r.freq_ = Freq::kMonthly;
  } else if (!f.freq.empty()) {
    p.add("freq", "HSDS kennt nur FREQ=WEEKLY oder FREQ=MONTHLY, nicht \"" + f.freq + "\".");
  }
  const bool has_freq = !f.freq.empty();

  if (!f.wkst.empty()) {
    r.wkst_ = weekday_from_code(f.wkst);
    if (r.wkst_ == 0) {
      p.add("wkst", "Wochentag MO, TU, WE, TH, FR, SA oder SU erwartet.");
      r.wkst_ = 1;
    }
  }
  if (auto v = positive_int(f.interval, "interval", 1000, p)) r.interval_ = *v;
  r.count_ = positive_int(f.count, "count", 10000, p);
  r.dtstart_ = date_field(f.dtstart, "dtstart", p);
  r.until_ = date_field(f.until, "until", p);
  r.valid_from_ = date_field(f.valid_from, "valid_from", p);
  r.valid_to_ = date_field(f.valid_to, "valid_to", p);

  if (!f.byday.empty()) {
    for (std::string_view part : split(f.byday, ',')) {
      ByDay b;
      const std::string_view code = part.size() >= 2 ? part.substr(part.size() - 2) : part;
      const std::string_view ordinal = part.substr(0, part.size() - code.size());
      b.weekday = weekday_from_code(code);
      bool ok = b.weekday != 0;
      if (ok && !ordinal.empty()) {
        ok = parse_int(ordinal, b.ordinal) && b.ordinal != 0 && b.ordinal >= -5 && b.ordinal <= 5;
        if (ok && r.freq_ != Freq::kMonthly) {
          p.add("byday", "Eine Ordnungszahl wie \"" + std::string(part) +
                             "\" gibt es nur bei FREQ=MONTHLY.");
          break;
        }
      }
      if (!ok) {
        p.add("byday",
              "Kommaliste von Wochentagen wie MO,TU oder (bei MONTHLY) 2TU, -1FR "
              "erwartet; \"" +
                  std::string(part) + "\" passt nicht.");
        break;
      }
      r.byday_.push_back(b);
    }
  }
  r.bymonthday_ = int_list(f.bymonthday, "bymonthday", 31, p);
  r.byweekno_ = int_list(f.byweekno, "byweekno", 53, p);
  r.byyearday_ = int_list(f.byyearday, "byyearday", 366, p);
  if (!r.bymonthday_.empty() && r.freq_ == Freq::kWeekly)
    p.add("bymonthday", "BYMONTHDAY gibt es nur bei FREQ=MONTHLY.");

  if (!has_freq) {
    for (auto [value, name] : {std::pair{&f.byday, "byday"},
                               {&f.bymonthday, "bymonthday"},
                               {&f.byweekno, "byweekno"},
                               {&f.byyearday, "byyearday"},
                               {&f.interval, "interval"},
                               {&f.count, "count"},
                               {&f.until, "until"},
                               {&f.wkst, "wkst"}})
      if (!value->empty()) p.add(name, std::string(name) + " setzt eine Frequenz (freq) voraus.");
  }
  if (r.count_ && r.until_) p.add("count", "count und until schließen sich aus (RFC 5545).");
  if (r.count_ && f.dtstart.empty())
    p.add("dtstart", "Mit count ist dtstart nötig (ab wann wird gezählt?).");
  if (r.interval_ > 1 && f.dtstart.empty())
    p.add("dtstart", "Mit interval ist dtstart nötig (HSDS).");
  if (r.freq_ == Freq::kWeekly && f.byday.empty() && f.dtstart.empty())
    p.add("byday", "Bei FREQ=WEEKLY ist byday oder dtstart nötig.");
  if (r.freq_ == Freq::kMonthly && f.byday.empty() && f.bymonthday.empty() && f.dtstart.empty())
    p.add("bymonthday", "Bei FREQ=MONTHLY ist byday, bymonthday oder dtstart nötig.");
  if (r.until_ && r.dtstart_ && *r.until_ < *r.dtstart_) p.add("until", "until liegt vor dtstart.");
  if (r.valid_to_ && r.valid_from_ && *r.valid_to_ < *r.valid_from_)
    p.add("valid_to", "valid_to liegt vor valid_from.");

  if (!f.opens_at.empty()) {
    auto t = parse_time_of_day(f.opens_at, "opens_at");
    if (t)
      r.opens_ = *t;
    else
      p.add("opens_at", t.error().message);
  }
  if (!f.closes_at.empty()) {
    auto t = parse_time_of_day(f.closes_at, "closes_at");
    if (t)
      r.closes_ = *t;
    else
      p.add("closes_at", t.error().message);
  }
  if (r.opens_ && r.closes_ && r.closes_->minutes <= r.opens_->minutes)
    p.add("closes_at", "closes_at muss nach opens_at liegen.");
  if (!f.timezone.empty()) {
    double tz = 0;
    auto [end, ec] = std::from_chars(f.timezone.data(), f.timezone.data() + f.timezone.size(), tz);
    if (ec != std::errc() || end != f.timezone.data() + f.timezone.size() || tz < -12 || tz > 14)
      p.add("timezone", "UTC-Versatz in Stunden zwischen -12 und 14 erwartet.");
  }

  if (p.first()) return *p.first();
  return r;
}

Result<ScheduleFields> Recurrence::fields_from_rrule(std::string_view text, std::string field) {
  ScheduleFields f;
  if (text.substr(0, 6) == "RRULE:") text.remove_prefix(6);
  if (text.empty()) return Error::invalid(field, "Die Regel (RRULE) ist leer.");
  for (std::string_view part : split(text, ';')) {
    const auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == part.size())
      return Error::invalid(field, "RRULE-Teil \"" + std::string(part) + "\" ist kein NAME=WERT.");
    const std::string_view name = part.substr(0, eq);
    const std::string value(part.substr(eq + 1));
    std::string* target = nullptr;
    if (name == "FREQ")
      target = &f.freq;
    else if (name == "INTERVAL")
      target = &f.interval;
    else if (name == "BYDAY")
      target = &f.byday;
    else if (name == "BYMONTHDAY")
      target = &f.bymonthday;
    else if (name == "BYWEEKNO")
      target = &f.byweekno;
    else if (name == "BYYEARDAY")
      target = &f.byyearday;
    else if (name == "COUNT")
      target = &f.count;
    else if (name == "WKST")
      target = &f.wkst;
    else if (name == "UNTIL")
      target = &f.until;
    else
      return Error::invalid(field,
                            "RRULE-Teil " + std::string(name) + " wird von HSDS nicht verwendet.");
    if (!target->empty())
      return Error::invalid(field, "RRULE-Teil " + std::string(name) + " steht doppelt.");
    *target = value;
  }
  if (f.freq.empty()) return Error::invalid(field, "Die Regel (RRULE) braucht FREQ.");
  if (!f.until.empty() && !(f.until.size() == 10 && f.until[4] == '-')) {
    // YYYYMMDD or YYYYMMDDTHHMMSS[Z]: HSDS stores the date.
    const std::string& u = f.until;
    const bool digits = u.size() >= 8 && std::all_of(u.begin(), u.begin() + 8,
                                                     [](char c) { return c >= '0' && c <= '9'; });
    const bool rest_ok = u.size() == 8 || (u.size() >= 15 && u[8] == 'T');
    if (!digits || !rest_ok) return Error::invalid(field, "UNTIL im Format JJJJMMTT erwartet.");
    f.until = u.substr(0, 4) + "-" + u.substr(4, 2) + "-" + u.substr(6, 2);
  }
  return f;
}

bool Recurrence::matches_rule(Date d) const {
  if (dtstart_ && d < *dtstart_) return false;
  if (until_ && d > *until_) return false;
  if (freq_ == Freq::kNone) return dtstart_ && d == *dtstart_;

  if (!byweekno_.empty()) {
    auto [week, weeks] = iso_week(d);
    bool hit = false;
    for (int w : byweekno_) hit = hit || (w > 0 ? w == week : weeks + 1 + w == week);
    if (!hit) return false;
  }
  if (!byyearday_.empty()) {
    const int doy = day_of_year(d), days = leap(d.year) ? 366 : 365;
    bool hit = false;
    for (int n : byyearday_) hit = hit || (n > 0 ? n == doy : days + 1 + n == doy);
    if (!hit) return false;
  }

  if (freq_ == Freq::kWeekly) {
    const int wd = d.weekday();
    if (byday_.empty()) {
      if (!dtstart_ || dtstart_->weekday() != wd) return false;
    } else if (std::none_of(byday_.begin(), byday_.end(),
                            [&](const ByDay& b) { return b.weekday == wd; })) {
      return false;
    }
    if (interval_ > 1 && dtstart_) {
      auto week_start = [&](Date x) {
        return x.days_since_epoch() - ((x.weekday() - wkst_ + 7) % 7);
      };
      const std::int64_t weeks = (week_start(d) - week_start(*dtstart_)) / 7;
      if (weeks % interval_ != 0) return false;
    }
    return true;
  }

  // MONTHLY
  if (interval_ > 1 && dtstart_) {
    const int months = (d.year * 12 + d.month) - (dtstart_->year * 12 + dtstart_->month);
    if (months % interval_ != 0) return false;
  }
  const int dim = days_in_month(d.year, d.month);
  if (!bymonthday_.empty()) {
    bool hit = false;
    for (int n : bymonthday_) hit = hit || (n > 0 ? n == d.day : dim + 1 + n == d.day);
    if (!hit) return false;
  }
  if (!byday_.empty()) {
    const int wd = d.weekday();
    const int nth = (d.day - 1) / 7 + 1;                // 2 = second such weekday
    const int nth_from_end = -((dim - d.day) / 7 + 1);  // -1 = last such weekday
    bool hit = false;
    for (const ByDay& b : byday_)
      hit = hit ||
            (b.weekday == wd && (b.ordinal == 0 || b.ordinal == nth || b.ordinal == nth_from_end));
    if (!hit) return false;
  }
  if (bymonthday_.empty() && byday_.empty()) return dtstart_ && dtstart_->day == d.day;
  return true;
}

bool Recurrence::occurs_on(Date d) const {
  if (valid_from_ && d < *valid_from_) return false;
  if (valid_to_ && d > *valid_to_) return false;
  if (!matches_rule(d)) return false;
  if (!count_) return true;
  // The n-th matching date from DTSTART on; COUNT is at most 10000, so this
  // walk is bounded by the dates up to d.
  int n = 0;
  for (Date x = *dtstart_; x <= d; x = add_days(x, 1)) {
    if (matches_rule(x)) ++n;
    if (n > *count_) return false;
  }
  return n <= *count_;
}

std::vector<Date> Recurrence::next_dates(Date from, int limit, int horizon_days) const {
  std::vector<Date> out;
  for (int i = 0; i < horizon_days && static_cast<int>(out.size()) < limit; ++i) {
    const Date d = add_days(from, i);
    if (occurs_on(d)) out.push_back(d);
  }
  return out;
}

std::string Recurrence::rrule() const {
  if (freq_ == Freq::kNone) return "";
  std::string out = freq_ == Freq::kWeekly ? "FREQ=WEEKLY" : "FREQ=MONTHLY";
  if (interval_ > 1) out += fmt::format(";INTERVAL={}", interval_);
  auto ints = [](const std::vector<int>& v) {
    std::string s;
    for (int n : v) {
      if (!s.empty()) s += ',';
      s += std::to_string(n);
    }
    return s;
  };
  if (!byday_.empty()) {
    out += ";BYDAY=";
    for (std::size_t i = 0; i < byday_.size(); ++i) {
      if (i) out += ",";
      if (byday_[i].ordinal != 0) out += std::to_string(byday_[i].ordinal);
      out += weekday_code(byday_[i].weekday);
    }
  }
  if (!bymonthday_.empty()) out += ";BYMONTHDAY=" + ints(bymonthday_);
  if (!byweekno_.empty()) out += ";BYWEEKNO=" + ints(byweekno_);
  if (!byyearday_.empty()) out += ";BYYEARDAY=" + ints(byyearday_);
  if (count_) out += fmt::format(";COUNT={}", *count_);
  if (until_)
    out += fmt::format(";UNTIL={:04}{:02}{:02}", until_->year, until_->month, until_->day);
  if (wkst_ != 1) out += ";WKST=" + std::string(weekday_code(wkst_));
  return out;
}

std::vector<OpeningSlot> opening_hours_on(std::span<const Recurrence> rules, Date d) {
  std::vector<OpeningSlot> out;
  for (const Recurrence& r : rules)
    if (r.occurs_on(d)) out.push_back({r.opens_at(), r.closes_at()});
  auto key = [](const OpeningSlot& s) {
    return std::pair{s.opens ? s.opens->minutes : -1, s.closes ? s.closes->minutes : -1};
  };
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool open_at(std::span<const Recurrence> rules, Date d, int minutes) {
  for (const OpeningSlot& s : opening_hours_on(rules, d)) {
    const int from = s.opens ? s.opens->minutes : 0;
    const int to = s.closes ? s.closes->minutes : 24 * 60;
    if (minutes >= from && minutes < to) return true;
  }
  return false;
}

LocalTime berlin_local_time(std::int64_t unix_ms) {
  const BerlinTime t = berlin_time(unix_ms);  // common/date: the one conversion
  return {t.date, t.minutes};
}

}  // namespace lotse::domain
