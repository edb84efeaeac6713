#include "lotse/app/synthetic_people.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <map>
#include <vector>

// fold_for_search is the casework layer's own folding of names; the search
// index must see generated names exactly as it sees recorded ones.
#include "casework/casework_internal.h"
#include "lotse/common/csv.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/handover.h"
#include "lotse/privacy/audit_log.h"

namespace lotse::app {
namespace {

using domain::CategorySet;
using domain::DataCategory;
using domain::HandoverAction;
using domain::HandoverState;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

// splitmix64: small, fast and the same on every platform (std::
// distributions are not specified bit for bit), so a seed means the same data.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  // [lo, hi]
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return unit() < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(next() % v.size())];
  }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& v) {
    return v[static_cast<std::size_t>(next() % N)];
  }

 private:
  std::uint64_t state_;
};

// Draws an index with probability proportional to its weight (cumulative
// sums, binary search).
class Weighted {
 public:
  void add(double weight) {
    total_ += weight;
    cumulative_.push_back(total_);
  }
  std::size_t draw(Rng& rng) const {
    const double x = rng.unit() * total_;
    auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()),
                                 cumulative_.size() - 1);
  }
  bool empty() const { return cumulative_.empty(); }

 private:
  std::vector<double> cumulative_;
  double total_ = 0;
};

struct Place {
  std::string postcode, city;
};

struct District {
  std::string ags, name;
  std::vector<std::string> agencies;  // jc, aa, ja, schule
  std::vector<Place> places;
  Weighted place_weights;
};

struct Tables {
  std::vector<std::string> given[2];  // 0 female, 1 male
  Weighted given_weights[2];
  std::vector<std::string> family;
  Weighted family_weights;
  std::vector<District> districts;
  Weighted district_weights;
};

constexpr std::array<std::string_view, 24> kStreets = {
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Schillerstraße",
    "Goethestraße", "Am Markt", "Feldstraße", "Wiesenweg", "Breiter Weg", "Mühlenweg",
    "Friedensstraße", "Rosenweg", "Poststraße", "Am Anger", "Lessingstraße", "Thälmannstraße"};
constexpr std::array<std::string_view, 6> kSchoolKinds = {
    "Sekundarschule", "Gemeinschaftsschule", "Gymnasium", "Förderschule",
    "Berufsbildende Schulen", "Integrierte Gesamtschule"};
constexpr std::array<std::string_view, 12> kMeasures = {
    "Berufsberatung", "Kompetenzfeststellung", "Bewerbungstraining", "Betriebspraktikum",
    "Berufsvorbereitende Bildungsmaßnahme (BvB)", "Assistierte Ausbildung (AsA flex)",
    "Einstiegsqualifizierung", "Schuldnerberatung", "Suchtberatung",
    "Aktivierungshilfe für Jüngere", "Sprachkurs (Berufssprachkurs)", "Jugendwohnen"};
constexpr std::array<std::string_view, 7> kProviders = {
    "Internationaler Bund", "Bildungswerk der Wirtschaft", "Kolping-Bildungswerk",
    "DAA Deutsche Angestellten-Akademie", "AWO Kreisverband", "Caritasverband", "Diakonie"};
constexpr std::array<std::string_view, 8> kNotes = {
    "Beratungsgespräch geführt, nächste Schritte vereinbart.",
    "Bewerbungsunterlagen gemeinsam überarbeitet.",
    "Telefonisch nicht erreicht, Einladung per Brief verschickt.",
    "Termin bei der Schuldnerberatung vereinbart.",
    "Praktikumsplatz gefunden, Rückmeldung des Betriebs abwarten.",
    "Gespräch mit den Eltern zur Berufswahl.",
    "Unterlagen für den Antrag auf Berufsausbildungsbeihilfe ausgegeben.",
    "Rückmeldung der Schule zum voraussichtlichen Abschluss eingeholt."};
constexpr std::array<std::string_view, 5> kGoals = {
    "Ausbildungsplatz im Handwerk finden", "Schulabschluss nachholen",
    "Berufliche Orientierung und Praktikum", "Stabile Wohnsituation und Ausbildung",
    "Einstieg in Arbeit nach der Ausbildung"};
constexpr std::array<std::string_view, 5> kHandoverReasons = {
    "Berufsberatung und Vermittlung in Ausbildung", "Mehrfache Problemlagen, Wohnen",
    "Leistungsbezug (SGB II) prüfen", "Jugendhilfe: Unterstützung in der Familie",
    "Schulabschluss gefährdet, gemeinsame Förderung"};

struct Nationality {
  std::string_view name, residence_status;
  double weight;
};
constexpr std::array<Nationality, 9> kNationalities = {{
    {"deutsch", "", 88},
    {"syrisch", "Aufenthaltserlaubnis", 3},
    {"ukrainisch", "Aufenthaltserlaubnis (§ 24 AufenthG)", 3},
    {"afghanisch", "Aufenthaltsgestattung", 1.5},
    {"polnisch", "Freizügigkeit (EU)", 1.2},
    {"rumänisch", "Freizügigkeit (EU)", 1.0},
    {"irakisch", "Duldung", 0.8},
    {"vietnamesisch", "Niederlassungserlaubnis", 0.8},
    {"eritreisch", "Aufenthaltserlaubnis", 0.7},
}};

std::string place_name(std::string official) {
  // "Magdeburg, Landeshauptstadt" -> "Magdeburg"
  if (auto comma = official.find(','); comma != std::string::npos) official.resize(comma);
  return official;
}

Result<Tables> load_tables(store::Database& db, const std::string& data_dir) {
  Tables t;
  try {
    LOTSE_ASSIGN_OR_RETURN(CsvTable given, read_csv_file(data_dir + "/names/vornamen.csv"));
    const auto c_name = given.column("vorname"), c_sex = given.column("geschlecht"),
               c_weight = given.column("gewicht");
    for (const auto& row : given.rows) {
      const int sex = row[c_sex] == "m" ? 1 : 0;
      t.given[sex].push_back(row[c_name]);
      t.given_weights[sex].add(std::stod(row[c_weight]));
    }
    LOTSE_ASSIGN_OR_RETURN(CsvTable family, read_csv_file(data_dir + "/names/nachnamen.csv"));
    const auto f_name = family.column("nachname"), f_weight = family.column("gewicht");
    for (const auto& row : family.rows) {
      t.family.push_back(row[f_name]);
      t.family_weights.add(std::stod(row[f_weight]));
    }
    LOTSE_ASSIGN_OR_RETURN(
        CsvTable gemeinden,
        read_csv_file(data_dir + "/municipalities/gemeinden_sachsen-anhalt.csv"));
    const auto g_kreis = gemeinden.column("kreis_ags"), g_name = gemeinden.column("name"),
               g_plz = gemeinden.column("plz"), g_pop = gemeinden.column("einwohner");
    LOTSE_ASSIGN_OR_RETURN(store::Rows alliances, db.read([](store::Executor& x) {
      return x.query("SELECT ags, name, population FROM alliances ORDER BY ags");
    }));
    LOTSE_ASSIGN_OR_RETURN(store::Rows agencies, db.read([](store::Executor& x) {
      return x.query(
          "SELECT alliance_ags, agency_key FROM agencies WHERE alliance_ags IS NOT NULL "
          "ORDER BY agency_key");
    }));
    for (const auto& a : alliances) {
      District d{.ags = a.text(0), .name = a.text(1)};
      for (const auto& ag : agencies)
        if (ag.text(0) == d.ags) d.agencies.push_back(ag.text(1));
      for (const auto& row : gemeinden.rows) {
        if (row[g_kreis] != d.ags || row[g_plz].size() != 5) continue;
        d.places.push_back({row[g_plz], place_name(row[g_name])});
        d.place_weights.add(std::stod(row[g_pop]));
      }
      if (d.agencies.empty() || d.places.empty()) continue;
      t.district_weights.add(static_cast<double>(a.integer(2)));
      t.districts.push_back(std::move(d));
    }
  } catch (const std::exception& e) {
    return Error::invalid("data", std::string("generator table unreadable: ") + e.what());
  }
  if (t.given[0].empty() || t.given[1].empty() || t.family.empty())
    return Error::invalid("data", "name tables in " + data_dir + "/names are empty");
  if (t.districts.empty())
    return Error::invalid("data", "no alliances with agencies: run the demo seed first");
  return t;
}

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.between(0, 9));
  return s;
}

// The e-mail local part: ASCII only.
std::string mail_part(std::string_view folded) {
  std::string out;
  for (char c : folded)
    if ((c >= 'a' && c <= 'z') || c == '-') out += c;
  return out.empty() ? "jp" : out;
}

std::int64_t day_ms(Date d) { return d.days_since_epoch() * kDayMs; }

// Kinds of agency by their share of the young people an alliance knows.
double agency_weight(const std::string& key) {
  if (key.ends_with("-jc")) return 35;
  if (key.ends_with("-aa")) return 30;
  if (key.ends_with("-ja")) return 20;
  return 15;  // schule
}

class Generator {
 public:
  Generator(const Tables& t, Rng& rng, std::int64_t now_ms, SyntheticSummary& s)
      : t_(t), rng_(rng), now_(now_ms), today_(Date::from_unix_ms(now_ms)), s_(s) {
    for (const auto& d : t_.districts) {
      Weighted w;
      for (const auto& a : d.agencies) w.add(agency_weight(a));
      agency_weights_.push_back(std::move(w));
    }
    for (const auto& n : kNationalities) nationality_weights_.add(n.weight);
  }

  Result<void> person(store::Executor& x) {
    const std::size_t di = t_.district_weights.draw(rng_);
    const District& d = t_.districts[di];
    const std::string& owner = d.agencies[agency_weights_[di].draw(rng_)];
    const int sex = rng_.chance(0.5) ? 1 : 0;
    const std::string& given = t_.given[sex][t_.given_weights[sex].draw(rng_)];
    const std::string& family = t_.family[t_.family_weights.draw(rng_)];
    // Age 14..25 today: born between 26 years ago (+1 day) and 14 years ago.
    const Date youngest = Date{today_.year - 14, today_.month, std::min(today_.day, 28)};
    const Date oldest = add_days(Date{today_.year - 26, today_.month, std::min(today_.day, 28)}, 1);
    const Date birth = Date::from_days(rng_.between(oldest.days_since_epoch(),
                                                    youngest.days_since_epoch()));
    const int age = age_on(birth, today_);
    const Place& place = d.places[d.place_weights.draw(rng_)];
    const std::string folded = casework::internal::fold_for_search(given + " " + family);
    std::string street, phone, email;
    if (rng_.chance(0.9))
      street = fmt::format("{} {}", rng_.pick(kStreets), rng_.between(1, 120));
    if (rng_.chance(0.7)) phone = "01" + std::to_string(rng_.between(51, 79)) + " " + digits(rng_, 7);
    if (rng_.chance(0.5)) {
      const auto space = folded.find(' ');
      email = fmt::format("{}.{}{}@example.org", mail_part(folded.substr(0, space)),
                          mail_part(folded.substr(space + 1)), rng_.between(1, 99));
    }
    std::string school, qualification;
    if (age <= 17 || rng_.chance(0.3))
      school = fmt::format("{} {}", rng_.pick(kSchoolKinds), place.city);
    if (age >= 16) {
      const double q = rng_.unit();
      qualification = q < 0.08   ? "ohne Abschluss"
                      : q < 0.35 ? "Hauptschulabschluss"
                      : q < 0.75 ? "Realschulabschluss"
                      : q < 0.85 ? "Fachhochschulreife"
                                 : "Abitur";
    }
    const Nationality& nationality = kNationalities[nationality_weights_.draw(rng_)];
    // Recorded when the person first came: up to three years ago, not before 13.
    const std::int64_t earliest = std::max(now_ - 3 * 365 * kDayMs,
                                           day_ms(Date{birth.year + 13, birth.month,
                                                       std::min(birth.day, 28)}));
    const std::int64_t recorded = earliest + static_cast<std::int64_t>(
                                                 rng_.unit() * static_cast<double>(now_ - earliest));

    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t person_id,
        x.query_int(
            "INSERT INTO persons (owner_agency, given_name, family_name, birth_date, street, "
            "postcode, city, phone, email, school, school_qualification, nationality, "
            "residence_status, search_text, created_by, created_at, updated_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {owner, given, family, birth.str(), street, place.postcode, place.city, phone, email,
             school, qualification, std::string(nationality.name),
             std::string(nationality.residence_status), folded, owner, recorded, recorded}));
    ++s_.persons;
    LOTSE_TRY(one_case(x, d, owner, person_id, birth, age, recorded, family));
    // Some have an older, closed case as well.
    if (rng_.chance(0.05)) LOTSE_TRY(one_case(x, d, owner, person_id, birth, age, recorded, family));
    return ok();
  }

 private:
  struct Share {
    std::string agency;
    bool active = false;
    std::int64_t since_ms = 0;  // when the consent or transfer began
  };

  Result<void> one_case(store::Executor& x, const District& d, const std::string& owner,
                        std::int64_t person_id, Date birth, int age, std::int64_t opened,
                        const std::string& family) {
    int phase = age <= 15 ? static_cast<int>(rng_.between(1, 2))
                : age <= 17 ? static_cast<int>(rng_.between(2, 3))
                : age <= 20 ? static_cast<int>(rng_.between(3, 4))
                            : static_cast<int>(rng_.between(4, 5));
    const double st = rng_.unit();
    const std::string status = st < 0.7 ? "open" : st < 0.8 ? "paused" : "closed";
    store::Value destination = nullptr, closed_at = nullptr;
    if (status == "closed") {
      const auto all = domain::all_destinations();
      destination = std::string(all[static_cast<std::size_t>(rng_.next() % all.size())]);
      closed_at = opened + static_cast<std::int64_t>(rng_.unit() * static_cast<double>(now_ - opened));
    }
    const std::string goals(rng_.pick(kGoals));

    // Who else may see it: consents (various states) and a few transfers.
    std::vector<std::string> others;
    for (const auto& a : d.agencies)
      if (a != owner) others.push_back(a);
    std::vector<Share> shares;
    struct PlannedConsent {
      std::vector<std::string> recipients;
      CategorySet categories;
      Date from, until;
      std::optional<std::int64_t> withdrawn, superseded;
    };
    std::vector<PlannedConsent> consents;
    if (rng_.chance(0.45)) {
      PlannedConsent c;
      const int n = static_cast<int>(rng_.between(1, std::min<std::int64_t>(2, others.size())));
      std::vector<std::string> pool = others;
      for (int i = 0; i < n; ++i) {
        const std::size_t k = static_cast<std::size_t>(rng_.next() % pool.size());
        c.recipients.push_back(pool[k]);
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(k));
      }
      c.categories = CategorySet::of({DataCategory::kMasterData});
      for (DataCategory cat : {DataCategory::kSchoolData, DataCategory::kNeedsGoals,
                               DataCategory::kSupportChain, DataCategory::kConferenceResults,
                               DataCategory::kNotes})
        if (rng_.chance(0.6)) c.categories.add(cat);
      if (owner.ends_with("-ja") && rng_.chance(0.1)) c.categories.add(DataCategory::kEntrusted);
      // Mostly master data; one in ten without it (a partner who sees needs
      // and the support chain but not who it is).
      if (rng_.chance(0.1)) {
        c.categories.remove(DataCategory::kMasterData);
        if (c.categories.empty()) c.categories.add(DataCategory::kNeedsGoals);
      }
      const double state = rng_.unit();
      const Date now_day = today_;
      if (state < 0.60) {  // active
        c.from = add_days(now_day, -rng_.between(0, 300));
        c.until = add_days(now_day, rng_.between(1, 400));
      } else if (state < 0.75) {  // expired
        c.until = add_days(now_day, -rng_.between(1, 300));
        c.from = add_days(c.until, -rng_.between(60, 700));
      } else if (state < 0.90) {  // withdrawn
        c.from = add_days(now_day, -rng_.between(30, 400));
        c.until = add_days(c.from, rng_.between(400, 730));
        c.withdrawn = day_ms(add_days(c.from, rng_.between(1, 29))) + 10 * 3600 * 1000;
      } else {  // superseded by a second, active version
        c.from = add_days(now_day, -rng_.between(60, 400));
        c.until = add_days(c.from, rng_.between(400, 730));
        c.superseded = day_ms(add_days(now_day, -rng_.between(1, 59))) + 10 * 3600 * 1000;
      }
      consents.push_back(c);
      if (c.superseded) {
        PlannedConsent v2 = c;
        v2.superseded.reset();
        v2.from = Date::from_unix_ms(*c.superseded);
        v2.until = add_days(v2.from, rng_.between(90, 700));
        v2.categories.add(DataCategory::kNeedsGoals);
        consents.push_back(v2);
      }
      const PlannedConsent& last = consents.back();
      const bool active = !last.withdrawn && !last.superseded && last.from <= today_ &&
                          today_ <= last.until;
      for (const auto& r : last.recipients) shares.push_back({r, active, day_ms(last.from)});
    }
    struct PlannedTransfer {
      std::string to, basis;
      CategorySet categories;
      Date until;
      std::int64_t recorded = 0;
      bool revoked = false;
    };
    std::optional<PlannedTransfer> transfer;
    if (rng_.chance(0.03)) {
      PlannedTransfer tr;
      tr.to = rng_.pick(others);
      const auto bases = domain::transfer_legal_bases();
      tr.basis = std::string(bases[static_cast<std::size_t>(rng_.next() % bases.size())]);
      tr.categories = CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals});
      tr.recorded = now_ - rng_.between(1, 200) * kDayMs;
      tr.until = add_days(Date::from_unix_ms(tr.recorded), rng_.between(30, 365));
      tr.revoked = rng_.chance(0.2);
      shares.push_back({tr.to, !tr.revoked && tr.until >= today_, tr.recorded});
      transfer = tr;
    }

    // A handover to an agency that may receive the case.
    struct PlannedHandover {
      std::string to;
      HandoverState state = HandoverState::kSent;
      std::int64_t created = 0;
      bool move_lead = true;
    };
    std::optional<PlannedHandover> handover;
    // The loop closes: a handover older than a month is mostly completed
    // (or declined, withdrawn); the open states belong to recent ones, and
    // some of those are overdue.
    std::vector<const Share*> receivers;
    for (const auto& s : shares)
      if (s.active) receivers.push_back(&s);
    if (!receivers.empty() && rng_.chance(0.5)) {
      PlannedHandover h;
      const Share& to = *receivers[static_cast<std::size_t>(rng_.next() % receivers.size())];
      h.to = to.agency;
      const std::int64_t earliest = std::max({opened, to.since_ms, now_ - 730 * kDayMs});
      h.created = earliest + static_cast<std::int64_t>(rng_.unit() *
                                                       static_cast<double>(now_ - earliest));
      const double hs = rng_.unit();
      if (now_ - h.created > 30 * kDayMs) {
        h.state = hs < 0.75   ? HandoverState::kCompleted
                  : hs < 0.88 ? HandoverState::kDeclined
                  : hs < 0.97 ? HandoverState::kWithdrawn
                              : HandoverState::kAccepted;  // accepted, never completed
      } else {
        h.state = hs < 0.10   ? HandoverState::kDraft
                  : hs < 0.40 ? HandoverState::kSent
                  : hs < 0.60 ? HandoverState::kReceived
                  : hs < 0.80 ? HandoverState::kAccepted
                  : hs < 0.90 ? HandoverState::kDeclined
                  : hs < 0.93 ? HandoverState::kWithdrawn
                              : HandoverState::kCompleted;
      }
      h.move_lead = rng_.chance(0.8);
      handover = h;
    }
    std::string lead = owner;
    if (handover && handover->move_lead &&
        (handover->state == HandoverState::kAccepted || handover->state == HandoverState::kCompleted))
      lead = handover->to;

    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t case_id,
        x.query_int("INSERT INTO cases (person_id, owner_agency, lead_agency, phase, status, "
                    "destination, goals, opened_at, closed_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {person_id, owner, lead, std::int64_t{phase}, status, destination, goals,
                     opened, closed_at, opened}));
    ++s_.cases;

    // Needs (Bedarfslagen): one to three, distinct.
    const auto needs = domain::all_needs();
    const int n_needs = static_cast<int>(rng_.between(1, 3));
    std::vector<std::string_view> chosen;
    for (int i = 0; i < n_needs; ++i) {
      auto key = needs[static_cast<std::size_t>(rng_.next() % needs.size())].key;
      if (std::find(chosen.begin(), chosen.end(), key) != chosen.end()) continue;
      chosen.push_back(key);
      LOTSE_TRY(x.exec("INSERT INTO case_needs (case_id, need) VALUES (?, ?)",
                       {case_id, std::string(key)}));
    }

    int version = 0;
    for (const auto& c : consents) {
      ++version;
      const std::int64_t recorded = day_ms(c.from) + 9 * 3600 * 1000;
      const int age_then = age_on(birth, c.from);
      const bool guardian = age_then < 15;
      // At 15–17 an own consent carries the insight assessment (LEGAL.md § 2);
      // guardians state custody, joint custody (the usual case) names both.
      // Derived from the case id, not drawn: the random stream, and with it
      // every other generated value, stays as it was.
      const bool assessed = age_then >= 15 && age_then <= 17;
      const bool joint = guardian && case_id % 4 != 0;
      boost::json::array purposes{"Abgestimmte Beratung und Förderung im Übergang Schule–Beruf"};
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t consent_id,
          x.query_int(
              "INSERT INTO consents (case_id, version, purposes, categories, valid_from, "
              "valid_until, form, evidence_ref, given_by, guardian_name, informed, recorded_by, "
              "recorded_at, withdrawn_at, withdrawn_by, superseded_at, insight_confirmed, "
              "insight_reason, custody, second_guardian_name) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {case_id, std::int64_t{version}, boost::json::serialize(purposes),
               std::int64_t{c.categories.bits()}, c.from.str(), c.until.str(),
               std::string(rng_.chance(0.7) ? "written" : "electronic"),
               fmt::format("AZ {}/{}", rng_.between(100, 9999), c.from.year % 100),
               std::string(guardian ? "guardian" : "young_person"),
               guardian ? fmt::format("{} {}", t_.given[0][t_.given_weights[0].draw(rng_)], family)
                        : std::string(),
               owner, recorded, c.withdrawn ? store::Value(*c.withdrawn) : store::Value(nullptr),
               c.withdrawn ? store::Value(owner) : store::Value(nullptr),
               c.superseded ? store::Value(*c.superseded) : store::Value(nullptr),
               assessed ? store::Value(std::int64_t{1}) : store::Value(nullptr),
               assessed ? store::Value(std::string("Hat Zweck, Empfänger und Widerruf im "
                                                   "Gespräch mit eigenen Worten erklärt."))
                        : store::Value(nullptr),
               guardian ? store::Value(std::string(joint ? "joint" : "sole"))
                        : store::Value(nullptr),
               joint ? store::Value(fmt::format(
                           "{} {}",
                           t_.given[1][static_cast<std::size_t>(case_id) % t_.given[1].size()],
                           family))
                     : store::Value(nullptr)}));
      for (const auto& r : c.recipients)
        LOTSE_TRY(x.exec("INSERT INTO consent_recipients (consent_id, agency_key) VALUES (?, ?)",
                         {consent_id, r}));
      ++s_.consents;
    }
    if (transfer) {
      LOTSE_TRY(x.exec(
          "INSERT INTO legal_transfers (case_id, to_agency, legal_basis, reason, categories, "
          "valid_until, recorded_by, recorded_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {case_id, transfer->to, transfer->basis,
           std::string("Aufgabenerfüllung: Vermittlung in Ausbildung"),
           std::int64_t{transfer->categories.bits()}, transfer->until.str(), owner,
           transfer->recorded,
           transfer->revoked ? store::Value(transfer->recorded + kDayMs) : store::Value(nullptr)}));
      ++s_.transfers;
    }

    const int n_notes = static_cast<int>(rng_.between(0, 3));
    for (int i = 0; i < n_notes; ++i) {
      const bool ja = owner.ends_with("-ja");
      const bool entrusted = ja && rng_.chance(0.3);
      const std::int64_t at = opened + static_cast<std::int64_t>(
                                           rng_.unit() * static_cast<double>(now_ - opened));
      LOTSE_TRY(x.exec(
          "INSERT INTO notes (case_id, agency_key, author, body, visibility, entrusted, "
          "entruster, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {case_id, owner, owner,
           entrusted ? std::string("Im Vertrauen mitgeteilt: Belastung in der Familie, "
                                   "Unterstützung vereinbart.")
                     : std::string(rng_.pick(kNotes)),
           std::string(!entrusted && rng_.chance(0.5) ? "partners" : "own"),
           std::int64_t{entrusted ? 1 : 0},
           std::string(entrusted ? (rng_.chance(0.7) ? "young_person" : "parent") : ""), at}));
      ++s_.notes;
    }

    const int n_steps = static_cast<int>(rng_.between(0, 3));
    for (int i = 0; i < n_steps; ++i) {
      const Date start = add_days(Date::from_unix_ms(opened), rng_.between(0, 200));
      const Date end = add_days(start, rng_.between(14, 300));
      const std::string step_status = end < today_     ? (rng_.chance(0.85) ? "done" : "cancelled")
                                      : start > today_ ? "planned"
                                                       : "running";
      const bool started = step_status != "planned";
      const bool ended = step_status == "done" || step_status == "cancelled";
      LOTSE_TRY(x.exec(
          "INSERT INTO support_steps (case_id, position, measure, responsible_agency, provider, "
          "planned_start, planned_end, actual_start, actual_end, status, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {case_id, std::int64_t{i + 1}, std::string(rng_.pick(kMeasures)),
           d.agencies[static_cast<std::size_t>(rng_.next() % d.agencies.size())],
           std::string(rng_.pick(kProviders)), start.str(), end.str(),
           started ? store::Value(start.str()) : store::Value(nullptr),
           ended ? store::Value(end.str()) : store::Value(nullptr), step_status, opened}));
      ++s_.steps;
    }

    if (handover) LOTSE_TRY(write_handover(x, case_id, owner, *handover));
    return ok();
  }

  template <typename H>
  Result<void> write_handover(store::Executor& x, std::int64_t case_id, const std::string& owner,
                              const H& h) {
    using S = HandoverState;
    using A = HandoverAction;
    const bool sent = h.state != S::kDraft;
    store::Value sent_at = nullptr, due_on = nullptr;
    if (sent) {
      sent_at = h.created;
      due_on = domain::handover_due(Date::from_unix_ms(h.created), 5).str();
    }
    // The loop as it went, one event per step.
    std::vector<A> path;
    switch (h.state) {
      case S::kDraft:
      case S::kSent: break;
      case S::kReceived: path = {A::kReceive}; break;
      case S::kAccepted: path = {A::kReceive, A::kAccept}; break;
      case S::kDeclined: path = {A::kReceive, A::kDecline}; break;
      case S::kCompleted: path = {A::kReceive, A::kAccept, A::kComplete}; break;
      case S::kWithdrawn: path = {A::kWithdraw}; break;
    }
    std::string decline_reason, decline_text;
    if (h.state == S::kDeclined) {
      static constexpr std::array<std::string_view, 5> kReasons = {
          "no_capacity", "not_eligible", "declined_by_young_person", "not_reachable", "other"};
      decline_reason = rng_.pick(kReasons);
      if (decline_reason == "other") decline_text = "Umzug in einen anderen Landkreis";
    }
    const std::int64_t updated = h.created + static_cast<std::int64_t>(path.size()) * 3600 * 1000;
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int(
            "INSERT INTO handovers (case_id, from_agency, to_agency, reason, move_lead, state, "
            "created_by, created_at, sent_at, due_on, decline_reason, decline_text, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {case_id, owner, h.to, std::string(rng_.pick(kHandoverReasons)),
             std::int64_t{h.move_lead ? 1 : 0}, std::string(domain::handover_state_name(h.state)),
             owner, h.created, sent_at, due_on,
             decline_reason.empty() ? store::Value(nullptr) : store::Value(decline_reason),
             decline_text, updated}));
    ++s_.handovers;
    const char* kEvent =
        "INSERT INTO handover_events (handover_id, at, actor, agency_key, action, from_state, "
        "to_state) VALUES (?, ?, ?, ?, ?, ?, ?)";
    S state = sent ? S::kSent : S::kDraft;
    LOTSE_TRY(x.exec(kEvent, {id, h.created, owner, owner, std::string("create"), std::string(),
                              std::string(domain::handover_state_name(state))}));
    std::int64_t at = h.created;
    for (A a : path) {
      const bool sender = a == A::kWithdraw;
      auto next = domain::handover_transition(
          state, a, sender ? domain::HandoverSide::kSender : domain::HandoverSide::kReceiver);
      if (!next) return next.error();  // a generator bug, not data
      at += 3600 * 1000;
      const std::string& actor = sender ? owner : h.to;
      LOTSE_TRY(x.exec(kEvent, {id, at, actor, actor, std::string(domain::handover_action_name(a)),
                                std::string(domain::handover_state_name(state)),
                                std::string(domain::handover_state_name(*next))}));
      state = *next;
    }
    return ok();
  }

  const Tables& t_;
  Rng& rng_;
  const std::int64_t now_;
  const Date today_;
  SyntheticSummary& s_;
  std::vector<Weighted> agency_weights_;
  Weighted nationality_weights_;
};

}  // namespace

Result<SyntheticSummary> generate_people(store::Database& db, Clock clock,
                                         const SyntheticOptions& options,
                                         const SyntheticProgress& progress) {
  if (options.persons < 0) return Error::invalid("persons", "Die Anzahl darf nicht negativ sein.");
  if (options.batch < 1) return Error::invalid("batch", "Mindestens eine Person je Transaktion.");
  SyntheticSummary summary;
  if (options.persons == 0) return summary;
  const auto started = std::chrono::steady_clock::now();
  LOTSE_ASSIGN_OR_RETURN(Tables tables, load_tables(db, options.data_dir));
  const std::int64_t now = clock();
  Rng rng(options.seed);
  Generator gen(tables, rng, now, summary);
  for (std::int64_t done = 0; done < options.persons;) {
    const std::int64_t n = std::min<std::int64_t>(options.batch, options.persons - done);
    LOTSE_TRY(db.write([&](store::Executor& x) -> Result<void> {
      // The indexes by owner and name, by birth date and the search index
      // take inserts all over the file: with SQLite's default 2 MB page
      // cache, a million persons would spend most of their time re-reading
      // pages. This connection of this process only.
      if (x.dialect() == store::Dialect::kSqlite)
        LOTSE_TRY(x.exec("PRAGMA cache_size = -524288"));  // 512 MiB
      for (std::int64_t i = 0; i < n; ++i) LOTSE_TRY(gen.person(x));
      return ok();
    }));
    done += n;
    if (progress) progress(done, options.persons);
  }
  // Small FTS5 segments from the batches would make every search of the
  // name words (search_vocab_fts) merge them; one merge now keeps it fast.
  if (db.dialect() == store::Dialect::kSqlite)
    LOTSE_TRY(db.write([](store::Executor& x) -> Result<void> {
      return x.exec_script("INSERT INTO search_vocab_fts (search_vocab_fts) VALUES ('optimize');");
    }));
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // One audit entry for the whole generation: no real person's data was
  // recorded or read.
  LOTSE_TRY(db.write([&](store::Executor& x) -> Result<void> {
    return privacy::AuditLog::append(
        x, clock(),
        {.actor = "-",
         .action = "demo.generate",
         .object = fmt::format("persons:{}", summary.persons),
         .legal_basis = "keine (synthetische Demodaten, keine realen Personen)",
         .request_id = "cli:demo",
         .details_json = boost::json::serialize(boost::json::object{
             {"persons", summary.persons},
             {"cases", summary.cases},
             {"consents", summary.consents},
             {"transfers", summary.transfers},
             {"notes", summary.notes},
             {"support_steps", summary.steps},
             {"handovers", summary.handovers},
             {"seed", static_cast<std::int64_t>(options.seed)}})});
  }));
  return summary;
}

}  // namespace lotse::app
