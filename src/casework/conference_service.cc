// Case conferences (Fallberatung), see conference_service.h. The rules of
// who may see what of a case stay in privacy::PolicyGate: this file asks the
// gate with the viewing agency's own reader and only adds the conference's
// own rules (host or participant, results need conference_results).
#include "lotse/casework/conference_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "casework/casework_internal.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"

namespace lotse::casework {
namespace {

using domain::DataCategory;
using internal::audit;
using internal::require_case_worker;
using internal::text_length;

constexpr const char* kConferenceNotFound = "Fallberatung nicht gefunden.";
constexpr const char* kTaskNotFound = "Aufgabe nicht gefunden.";
constexpr const char* kDeniedBasis = "keine (Zugriff verweigert)";
constexpr const char* kAnonymousBasis = "Anonymisierte Fallberatung ohne Personenbezug";
// A participant of a named conference whose consent no longer covers the
// case still sees the date, the host, the participants and its own tasks.
constexpr const char* kParticipationBasis = "Teilnahme an der Fallberatung (ohne Falldaten)";
constexpr const char* kNoResults =
    "Ihre Stelle sieht die Ergebnisse dieser Fallberatung nicht: Die Einwilligung umfasst die "
    "Kategorie „Ergebnisse der Fallberatung“ nicht.";

constexpr const char* kConferenceColumns =
    "c.id, c.case_id, c.alliance_ags, c.host_agency, a.name, c.scheduled_at, c.agenda, "
    "c.anonymous, c.case_summary, c.minutes, c.created_by, c.created_at, c.minutes_by, "
    "c.minutes_at";
constexpr const char* kConferenceFrom =
    " FROM conferences c LEFT JOIN agencies a ON a.agency_key = c.host_agency";

constexpr const char* kItemColumns =
    "i.id, i.conference_id, i.kind, i.text, i.owner_agency, a.name, i.due_on, i.done, i.done_at, "
    "i.done_by, i.agency_key, i.created_by, i.created_at";
constexpr const char* kItemFrom =
    " FROM conference_items i LEFT JOIN agencies a ON a.agency_key = i.owner_agency";

struct ConferenceRow {
  std::int64_t id = 0, case_id = 0;  // case_id 0: anonymous
  std::string alliance, host, host_name, scheduled_at, agenda;
  bool anonymous = false;
  std::string summary, minutes, created_by;
  std::int64_t created_at = 0;
  std::string minutes_by;
  std::int64_t minutes_at = 0;
};

ConferenceRow conference_from(const store::Row& row) {
  ConferenceRow c;
  c.id = row.integer(0);
  c.case_id = row.is_null(1) ? 0 : row.integer(1);
  c.alliance = row.text(2);
  c.host = row.text(3);
  c.host_name = row.is_null(4) ? c.host : row.text(4);
  c.scheduled_at = row.text(5);
  c.agenda = row.text(6);
  c.anonymous = row.integer(7) != 0;
  c.summary = row.text(8);
  c.minutes = row.text(9);
  c.created_by = row.text(10);
  c.created_at = row.integer(11);
  c.minutes_by = row.text(12);
  c.minutes_at = row.integer(13);
  return c;
}

Result<std::optional<ConferenceRow>> load_conference(store::Executor& x, std::int64_t id) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query(fmt::format("SELECT {}{} WHERE c.id = ?", kConferenceColumns, kConferenceFrom),
              {id}));
  if (rows.empty()) return std::optional<ConferenceRow>();
  return std::optional<ConferenceRow>(conference_from(rows[0]));
}

Result<std::vector<ConferenceParticipantView>> load_participants(store::Executor& x,
                                                                 std::int64_t id) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query("SELECT p.agency_key, a.name, p.staff_name FROM conference_participants p "
              "LEFT JOIN agencies a ON a.agency_key = p.agency_key WHERE p.conference_id = ? "
              "ORDER BY p.agency_key, p.staff_name",
              {id}));
  std::vector<ConferenceParticipantView> out;
  for (const auto& row : rows)
    out.push_back({.agency = row.text(0),
                   .agency_name = row.is_null(1) ? row.text(0) : row.text(1),
                   .staff_name = row.text(2)});
  return out;
}

ConferenceItemView item_from(const store::Row& row, const Date& today) {
  ConferenceItemView v;
  v.id = row.integer(0);
  v.conference_id = row.integer(1);
  v.kind = row.text(2);
  v.text = row.text(3);
  v.owner_agency = row.text(4);
  v.owner_agency_name = row.is_null(5) ? v.owner_agency : row.text(5);
  v.due_on = row.text(6);
  v.done = row.integer(7) != 0;
  v.done_at_ms = row.integer(8);
  v.done_by = row.text(9);
  v.agency_key = row.text(10);
  v.created_by = row.text(11);
  v.created_at_ms = row.integer(12);
  if (v.kind == "task" && !v.done) {
    auto due = Date::parse(v.due_on);
    v.overdue = due && *due < today;
  }
  return v;
}

bool takes_part(const std::vector<ConferenceParticipantView>& parts, const std::string& agency) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](const ConferenceParticipantView& p) { return p.agency == agency; });
}

// An agency as the gate sees it: any of its case workers. Used to decide
// whether an invited agency, or the owner of a task, can read the case.
Reader agency_reader(const std::string& agency, const Reader& actor) {
  return {.username = agency, .agency_key = agency, .case_worker = true,
          .request_id = actor.request_id};
}

// What the caller's agency may do with a conference it takes part in.
struct Standing {
  bool host = false;
  privacy::CaseAccess access;  // named conferences: the caller's basis now
  bool results = false;        // may see (and so record) minutes, decisions, all tasks
  std::string basis;           // for the audit entry of a change
};

Result<Standing> standing(store::Executor& x, const Reader& r, const ConferenceRow& c,
                          std::int64_t now) {
  Standing s;
  s.host = c.host == r.agency_key;
  if (c.anonymous) {
    s.results = true;
    s.basis = kAnonymousBasis;
    return s;
  }
  LOTSE_ASSIGN_OR_RETURN(s.access, privacy::PolicyGate::decide(x, r, c.case_id, now));
  s.results = s.host || (s.access.allowed &&
                         s.access.categories.has(DataCategory::kConferenceResults));
  s.basis = s.access.allowed ? s.access.legal_basis : kParticipationBasis;
  return s;
}

// The conference if the caller's agency hosts it or takes part; kNotFound
// otherwise (existence hidden). For changes; reads audit their denials.
struct Involved {
  ConferenceRow row;
  std::vector<ConferenceParticipantView> participants;
  Standing standing;
};

Result<Involved> involved(store::Executor& x, const Reader& r, std::int64_t id, std::int64_t now) {
  LOTSE_ASSIGN_OR_RETURN(std::optional<ConferenceRow> row, load_conference(x, id));
  if (!row) return Error::not_found(kConferenceNotFound);
  LOTSE_ASSIGN_OR_RETURN(std::vector<ConferenceParticipantView> parts, load_participants(x, id));
  if (row->host != r.agency_key && !takes_part(parts, r.agency_key))
    return Error::not_found(kConferenceNotFound);
  LOTSE_ASSIGN_OR_RETURN(Standing s, standing(x, r, *row, now));
  return Involved{std::move(*row), std::move(parts), std::move(s)};
}

boost::json::object change_details(const Reader& r, const ConferenceRow& c) {
  boost::json::object d{{"agency", r.agency_key}, {"anonymous", c.anonymous}};
  // An anonymous conference is never linked to a case, not even in the log.
  if (!c.anonymous) d["case"] = c.case_id;
  return d;
}

// The person's name, read through the gate (audited) when the reader's
// access includes master data; "" otherwise. Cached per case for lists.
Result<std::string> person_name_through_gate(store::Executor& x, const Reader& r,
                                             std::int64_t case_id, std::int64_t now,
                                             std::map<std::int64_t, std::string>& cache) {
  if (auto it = cache.find(case_id); it != cache.end()) return it->second;
  std::string name;
  LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access, privacy::PolicyGate::decide(x, r, case_id, now));
  if (access.allowed && access.categories.has(DataCategory::kMasterData)) {
    auto rec = privacy::PolicyGate::read_case(x, r, case_id, ReadPath::kList, now,
                                              load_case_record);
    if (!rec && rec.error().code != ErrorCode::kNotFound) return rec.error();
    if (rec && rec->visible.has(DataCategory::kMasterData))
      name = rec->person.given_name + " " + rec->person.family_name;
  }
  cache.emplace(case_id, name);
  return name;
}

Result<void> check_length(const std::string& value, const char* field, std::size_t min,
                          std::size_t max, const char* label) {
  const std::size_t n = text_length(value);
  if (n < min || n > max) {
    if (min > 0)
      return Error::invalid(field, fmt::format("{}: bitte {} bis {} Zeichen.", label, min, max));
    return Error::invalid(field, fmt::format("{}: höchstens {} Zeichen.", label, max));
  }
  return ok();
}

std::vector<std::string> words(std::string_view text) {
  const std::string folded = internal::fold_for_search(text);
  std::vector<std::string> out;
  std::string word;
  for (unsigned char ch : folded) {
    // Bytes of multi-byte UTF-8 characters count as letters.
    if (std::isalnum(ch) || ch >= 0x80) {
      word += static_cast<char>(ch);
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

bool contains_sequence(const std::vector<std::string>& haystack,
                       const std::vector<std::string>& needle) {
  if (needle.empty() || needle.size() > haystack.size()) return false;
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

}  // namespace

Result<std::string> parse_conference_time(std::string_view text, std::string field) {
  auto bad = [&] {
    return Error::invalid(field, "Bitte Datum und Uhrzeit als JJJJ-MM-TT HH:MM angeben.");
  };
  if (text.size() != 16 || (text[10] != ' ' && text[10] != 'T') || text[13] != ':') return bad();
  auto date = Date::parse(text.substr(0, 10), field);
  if (!date) return bad();
  auto two = [&](std::size_t at) -> int {
    const char a = text[at], b = text[at + 1];
    if (!std::isdigit(static_cast<unsigned char>(a)) || !std::isdigit(static_cast<unsigned char>(b)))
      return -1;
    return (a - '0') * 10 + (b - '0');
  };
  const int hour = two(11), minute = two(14);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return bad();
  return fmt::format("{} {:02}:{:02}", date->str(), hour, minute);
}

bool summary_names_person(std::string_view summary, std::string_view given_name,
                          std::string_view family_name) {
  static const std::set<std::string> kParticles = {"von", "vom", "van", "der", "den", "dem",
                                                    "zu",  "zum", "zur", "de",  "da",  "di",
                                                    "del", "la",  "le",  "al",  "el",  "ten"};
  const std::vector<std::string> text = words(summary);
  for (std::string_view name : {given_name, family_name}) {
    const std::vector<std::string> parts = words(name);
    if (contains_sequence(text, parts)) return true;
    for (const auto& part : parts) {
      if (part.size() < 3 || kParticles.contains(part)) continue;
      // "Lenas Mutter": the German genitive is the name, too.
      for (const auto& word : text)
        if (word == part || word == part + "s") return true;
    }
  }
  return false;
}

ConferenceService::ConferenceService(store::Database& db, Clock clock)
    : db_(db), clock_(std::move(clock)) {}

Result<std::int64_t> ConferenceService::create(const Reader& r, const NewConference& c) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;

  // Input first, in the order of the form, so the first wrong field is named.
  if (c.anonymous) {
    if (c.case_id)
      return Error::invalid("case_id",
                            "Eine anonyme Fallberatung ist mit keinem Fall verknüpft.");
    LOTSE_TRY(check_length(c.case_summary, "case_summary", 10, 5000, "Fallzusammenfassung"));
  } else {
    if (!c.case_id)
      return Error::invalid("case_id",
                            "Bitte den Fall angeben oder die anonyme Fallberatung wählen.");
    if (!c.case_summary.empty())
      return Error::invalid("case_summary",
                            "Nur eine anonyme Fallberatung hat eine Fallzusammenfassung.");
  }
  LOTSE_ASSIGN_OR_RETURN(std::string when, parse_conference_time(c.scheduled_at));
  const Date day = *Date::parse(std::string_view(when).substr(0, 10));
  if (day < today)
    return Error::invalid("scheduled_at", "Der Termin liegt in der Vergangenheit.");
  if (day.days_since_epoch() - today.days_since_epoch() > 730)
    return Error::invalid("scheduled_at", "Der Termin liegt mehr als zwei Jahre in der Zukunft.");
  if (c.participants.empty())
    return Error::invalid("participants", "Bitte mindestens eine teilnehmende Stelle wählen.");
  if (c.participants.size() > 50)
    return Error::invalid("participants", "Höchstens 50 Teilnehmende.");
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < c.participants.size(); ++i) {
    const auto& p = c.participants[i];
    const std::string field = fmt::format("participants[{}]", i);
    if (p.agency.empty())
      return Error::invalid(field + ".agency", "Bitte die teilnehmende Stelle angeben.");
    if (text_length(p.staff_name) > 200)
      return Error::invalid(field + ".staff_name", "Name der Fachkraft: höchstens 200 Zeichen.");
    if (!seen.emplace(p.agency, p.staff_name).second)
      return Error::invalid(field + ".agency", "Diese Teilnahme ist doppelt genannt.");
  }
  LOTSE_TRY(check_length(c.agenda, "agenda", 0, 5000, "Tagesordnung"));

  // Anonymous, started from a case page: the summary must not name the
  // person. The names are read through the gate in a transaction of their
  // own, so that the audit entry of this read (or of its denial) stays.
  if (c.anonymous && c.source_case_id) {
    auto named = db_.write([&](store::Executor& x) -> Result<std::optional<bool>> {
      auto rec = privacy::PolicyGate::read_case(x, r, *c.source_case_id, ReadPath::kItem, now,
                                                load_case_record);
      if (!rec) {
        if (rec.error().code == ErrorCode::kNotFound) return std::optional<bool>();
        return rec.error();
      }
      if (!rec->visible.has(DataCategory::kMasterData)) return std::optional<bool>(false);
      return std::optional<bool>(summary_names_person(c.case_summary, rec->person.given_name,
                                                      rec->person.family_name));
    });
    if (!named) return named.error();
    if (!*named) return Error::not_found(internal::kCaseNotFound);
    if (**named)
      return Error::invalid("case_summary",
                            "Die Zusammenfassung nennt den Namen der jungen Person. Eine anonyme "
                            "Fallberatung darf niemanden erkennbar machen: bitte ohne Namen "
                            "beschreiben.");
  }

  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows own,
        x.query("SELECT alliance_ags FROM agencies WHERE agency_key = ?", {r.agency_key}));
    if (own.empty() || own[0].is_null(0))
      return Error::forbidden("Fallberatungen plant eine Stelle eines Bündnisses.");
    const std::string alliance = own[0].text(0);
    if (!c.anonymous) LOTSE_TRY(internal::require_owner(x, r, *c.case_id, now));

    std::vector<std::string> bases;
    std::set<std::string> checked;
    for (std::size_t i = 0; i < c.participants.size(); ++i) {
      const std::string& agency = c.participants[i].agency;
      const std::string field = fmt::format("participants[{}].agency", i);
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows found,
          x.query("SELECT alliance_ags, name FROM agencies WHERE agency_key = ?", {agency}));
      if (found.empty()) return Error::invalid(field, "Unbekannte Stelle: " + agency);
      if (found[0].text(0) != alliance)
        return Error::invalid(field, found[0].text(1) + " gehört nicht zu Ihrem Bündnis.");
      if (agency == r.agency_key)
        return Error::invalid(field, "Ihre Stelle lädt ein und nimmt ohnehin teil.");
      if (c.anonymous || !checked.insert(agency).second) continue;
      // A named conference shows the case to every participant: each must
      // hold a basis for it now.
      LOTSE_ASSIGN_OR_RETURN(
          privacy::CaseAccess access,
          privacy::PolicyGate::decide(x, agency_reader(agency, r), *c.case_id, now));
      if (!access.allowed)
        return Error::invalid(
            field, found[0].text(1) +
                       " kann den Fall nicht einsehen: Es gibt keine aktive Einwilligung, die "
                       "diese Stelle nennt, und keine erfasste Übermittlungsbefugnis. Laden Sie "
                       "nur berechtigte Stellen ein oder wählen Sie die anonyme Fallberatung.");
      bases.push_back(access.legal_basis);
    }

    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int("INSERT INTO conferences (case_id, alliance_ags, host_agency, scheduled_at, "
                    "agenda, anonymous, case_summary, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {c.anonymous ? store::Value(nullptr) : store::Value(*c.case_id), alliance,
                     r.agency_key, when, c.agenda, std::int64_t{c.anonymous ? 1 : 0},
                     c.anonymous ? c.case_summary : std::string(), r.username, now}));
    boost::json::array invited;
    for (const auto& p : c.participants) {
      LOTSE_TRY(x.exec("INSERT INTO conference_participants (conference_id, agency_key, "
                       "staff_name) VALUES (?, ?, ?)",
                       {id, p.agency, p.staff_name}));
      invited.emplace_back(p.agency);
    }
    boost::json::object details{{"agency", r.agency_key},
                                {"anonymous", c.anonymous},
                                {"participants", std::move(invited)},
                                {"scheduled_at", when}};
    std::string basis = kAnonymousBasis;
    if (!c.anonymous) {
      details["case"] = *c.case_id;
      basis = internal::kOwnCaseBasis;
      for (const auto& b : bases) basis += "; " + b;
    }
    LOTSE_TRY(audit(x, now, r, "conference.create", fmt::format("conference:{}", id), basis,
                    boost::json::serialize(details)));
    return id;
  });
}

Result<std::vector<ConferenceSummary>> ConferenceService::list(const Reader& r,
                                                               const ConferenceFilter& f) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const std::string today = berlin_time(now).date.str();
  // Names shown in the list are reads through the gate (their audit entries
  // are written right after this read transaction).
  return db_.read([&](store::Executor& x) -> Result<std::vector<ConferenceSummary>> {
    std::string where =
        " WHERE (c.host_agency = ? OR EXISTS (SELECT 1 FROM conference_participants p "
        "WHERE p.conference_id = c.id AND p.agency_key = ?))";
    store::Params base{r.agency_key, r.agency_key};
    if (f.case_id) {
      where += " AND c.case_id = ?";
      base.push_back(*f.case_id);
    }
    store::Params upcoming_params = base, past_params = base;
    upcoming_params.push_back(today);
    past_params.push_back(today);
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows upcoming,
        x.query(fmt::format("SELECT {}{}{} AND c.scheduled_at >= ? "
                            "ORDER BY c.scheduled_at, c.id LIMIT 200",
                            kConferenceColumns, kConferenceFrom, where),
                upcoming_params));
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows past,
        x.query(fmt::format("SELECT {}{}{} AND c.scheduled_at < ? "
                            "ORDER BY c.scheduled_at DESC, c.id DESC LIMIT 200",
                            kConferenceColumns, kConferenceFrom, where),
                past_params));

    std::vector<ConferenceSummary> out;
    std::map<std::int64_t, std::string> names;
    for (const store::Rows* rows : {&upcoming, &past}) {
      for (const auto& row : *rows) {
        const ConferenceRow c = conference_from(row);
        ConferenceSummary s{.id = c.id,
                            .anonymous = c.anonymous,
                            .scheduled_at = c.scheduled_at,
                            .upcoming = rows == &upcoming,
                            .host_agency = c.host,
                            .host_agency_name = c.host_name,
                            .host = c.host == r.agency_key};
        if (!c.anonymous) {
          LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access,
                                 privacy::PolicyGate::decide(x, r, c.case_id, now));
          // Filtering by case must not tell a former participant which
          // conferences were about a case it can no longer read.
          if (f.case_id && !access.allowed) continue;
          if (access.allowed) {
            s.case_id = c.case_id;
            LOTSE_ASSIGN_OR_RETURN(s.person_name,
                                   person_name_through_gate(x, r, c.case_id, now, names));
          }
        } else if (f.case_id) {
          continue;
        }
        LOTSE_ASSIGN_OR_RETURN(s.participants, load_participants(x, c.id));
        LOTSE_ASSIGN_OR_RETURN(
            std::int64_t open,
            x.query_int("SELECT COUNT(*) FROM conference_items WHERE conference_id = ? AND "
                        "kind = 'task' AND owner_agency = ? AND done = 0",
                        {c.id, r.agency_key}));
        s.open_tasks = static_cast<int>(open);
        out.push_back(std::move(s));
      }
    }
    return out;
  });
}

Result<ConferenceView> ConferenceService::get(const Reader& r, std::int64_t conference_id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;
  // The reads of the case and of the conference are audited (written right
  // after this read transaction). A denial returns "nothing" from the
  // callback and is answered after that, so that its audit entry is kept.
  auto read = db_.read([&](store::Executor& x) -> Result<std::optional<ConferenceView>> {
    auto deny = [&]() -> Result<std::optional<ConferenceView>> {
      LOTSE_TRY(audit(x, now, r, "conference.read_denied", fmt::format("conference:{}", conference_id),
                      kDeniedBasis,
                      boost::json::serialize(boost::json::object{{"agency", r.agency_key}})));
      return std::optional<ConferenceView>();
    };
    LOTSE_ASSIGN_OR_RETURN(std::optional<ConferenceRow> row, load_conference(x, conference_id));
    if (!row) return deny();
    LOTSE_ASSIGN_OR_RETURN(std::vector<ConferenceParticipantView> parts,
                           load_participants(x, conference_id));
    const bool host = row->host == r.agency_key;
    if (!host && !takes_part(parts, r.agency_key)) return deny();

    ConferenceView v{.id = row->id,
                     .anonymous = row->anonymous,
                     .scheduled_at = row->scheduled_at,
                     .host_agency = row->host,
                     .host_agency_name = row->host_name,
                     .created_by = row->created_by,
                     .created_at_ms = row->created_at,
                     .participants = std::move(parts),
                     .host = host};
    if (row->anonymous) {
      v.agenda = row->agenda;
      v.case_summary = row->summary;
      v.results_visible = true;
    } else {
      LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access,
                             privacy::PolicyGate::decide(x, r, row->case_id, now));
      // Through the gate with the viewer's own reader: cut to its categories
      // and audited as a case read (or as a denied one).
      auto rec = privacy::PolicyGate::read_case(x, r, row->case_id, ReadPath::kItem, now,
                                                load_case_record);
      if (!rec && rec.error().code != ErrorCode::kNotFound) return rec.error();
      if (rec) {
        v.case_access = true;
        v.agenda = row->agenda;
        v.results_visible = host || rec->visible.has(DataCategory::kConferenceResults);
        v.case_record = std::move(*rec);
      }
      boost::json::array cats;
      if (access.allowed)
        for (const auto& n : access.categories.names()) cats.emplace_back(n);
      LOTSE_TRY(audit(x, now, r, "conference.read", fmt::format("conference:{}", conference_id),
                      access.allowed ? access.legal_basis : kParticipationBasis,
                      boost::json::serialize(boost::json::object{{"agency", r.agency_key},
                                                                 {"case", row->case_id},
                                                                 {"categories", std::move(cats)},
                                                                 {"results", v.results_visible}})));
    }
    if (v.results_visible) {
      v.minutes = row->minutes;
      v.minutes_by = row->minutes_by;
      v.minutes_at_ms = row->minutes_at;
    }
    v.may_record = v.results_visible;

    LOTSE_ASSIGN_OR_RETURN(
        store::Rows items,
        x.query(fmt::format("SELECT {}{} WHERE i.conference_id = ? ORDER BY i.id", kItemColumns,
                            kItemFrom),
                {conference_id}));
    for (const auto& it : items) {
      ConferenceItemView item = item_from(it, today);
      if (item.kind == "decision") {
        if (v.results_visible) v.decisions.push_back(std::move(item));
      } else if (v.results_visible || item.owner_agency == r.agency_key) {
        // A task reaches the agency that has to do it, whatever else it sees.
        v.tasks.push_back(std::move(item));
      }
    }
    return std::optional<ConferenceView>(std::move(v));
  });
  if (!read) return read.error();
  if (!*read) return Error::not_found(kConferenceNotFound);
  return std::move(**read);
}

Result<void> ConferenceService::set_minutes(const Reader& r, std::int64_t conference_id,
                                            const std::string& minutes) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  LOTSE_TRY(check_length(minutes, "minutes", 0, 20000, "Protokoll"));
  return db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(Involved in, involved(x, r, conference_id, now));
    if (!in.standing.results) return Error::forbidden(kNoResults);
    LOTSE_TRY(x.exec("UPDATE conferences SET minutes = ?, minutes_by = ?, minutes_at = ? "
                     "WHERE id = ?",
                     {minutes, r.username, now, conference_id}));
    boost::json::object details = change_details(r, in.row);
    details["length"] = static_cast<std::int64_t>(text_length(minutes));
    return audit(x, now, r, "conference.minutes", fmt::format("conference:{}", conference_id),
                 in.standing.host && !in.row.anonymous ? internal::kOwnCaseBasis
                                                       : in.standing.basis,
                 boost::json::serialize(details));
  });
}

Result<std::int64_t> ConferenceService::add_item(const Reader& r, std::int64_t conference_id,
                                                 const NewConferenceItem& item) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;
  if (item.kind != "decision" && item.kind != "task")
    return Error::invalid("kind", "Art: decision (Beschluss) oder task (Aufgabe).");
  LOTSE_TRY(check_length(item.text, "text", 1, 2000,
                         item.kind == "task" ? "Aufgabe" : "Beschluss"));
  std::optional<Date> due;
  if (item.kind == "task") {
    if (item.owner_agency.empty())
      return Error::invalid("owner_agency", "Bitte die Stelle wählen, die die Aufgabe übernimmt.");
    if (item.due_on.empty())
      return Error::invalid("due_on", "Bitte das Datum angeben, bis wann die Aufgabe erledigt ist.");
    LOTSE_ASSIGN_OR_RETURN(Date d, Date::parse(item.due_on, "due_on"));
    if (d < today) return Error::invalid("due_on", "Das Fälligkeitsdatum liegt in der Vergangenheit.");
    due = d;
  } else {
    if (!item.owner_agency.empty())
      return Error::invalid("owner_agency", "Nur eine Aufgabe hat eine zuständige Stelle.");
    if (!item.due_on.empty())
      return Error::invalid("due_on", "Nur eine Aufgabe hat ein Fälligkeitsdatum.");
  }
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(Involved in, involved(x, r, conference_id, now));
    if (!in.standing.results) return Error::forbidden(kNoResults);
    if (due) {
      const std::string& owner = item.owner_agency;
      if (owner != in.row.host && !takes_part(in.participants, owner))
        return Error::invalid("owner_agency",
                              "Aufgaben übernehmen nur Stellen, die an der Fallberatung "
                              "teilnehmen.");
      if (!in.row.anonymous && owner != in.row.host) {
        // The task tells its owner about the case: it needs a basis now.
        LOTSE_ASSIGN_OR_RETURN(
            privacy::CaseAccess access,
            privacy::PolicyGate::decide(x, agency_reader(owner, r), in.row.case_id, now));
        if (!access.allowed)
          return Error::invalid("owner_agency",
                                "Diese Stelle kann den Fall nicht mehr einsehen (keine aktive "
                                "Einwilligung oder Übermittlungsbefugnis).");
      }
    }
    auto date_value = [&]() -> store::Value {
      if (due) return due->str();
      return nullptr;
    };
    auto owner_value = [&]() -> store::Value {
      if (due) return item.owner_agency;
      return nullptr;
    };
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int("INSERT INTO conference_items (conference_id, kind, text, owner_agency, "
                    "due_on, done, agency_key, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id",
                    {conference_id, item.kind, item.text, owner_value(), date_value(),
                     r.agency_key, r.username, now}));
    boost::json::object details = change_details(r, in.row);
    details["item"] = id;
    details["kind"] = item.kind;
    if (due) {
      details["owner"] = item.owner_agency;
      details["due_on"] = due->str();
    }
    LOTSE_TRY(audit(x, now, r, "conference.item", fmt::format("conference:{}", conference_id),
                    in.standing.host && !in.row.anonymous ? internal::kOwnCaseBasis
                                                          : in.standing.basis,
                    boost::json::serialize(details)));
    return id;
  });
}

Result<std::int64_t> ConferenceService::mark_task_done(const Reader& r, std::int64_t task_id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT conference_id, kind, owner_agency, done FROM conference_items "
                "WHERE id = ?",
                {task_id}));
    if (rows.empty() || rows[0].text(1) != "task") return Error::not_found(kTaskNotFound);
    const std::int64_t conference_id = rows[0].integer(0);
    const std::string owner = rows[0].text(2);
    auto in = involved(x, r, conference_id, now);
    if (!in) {
      if (in.error().code == ErrorCode::kNotFound) return Error::not_found(kTaskNotFound);
      return in.error();
    }
    if (r.agency_key != owner && !in->standing.host) {
      // A participant that cannot see the task must not learn it exists.
      if (!in->standing.results) return Error::not_found(kTaskNotFound);
      return Error::forbidden(
          "Nur die zuständige Stelle oder die einladende Stelle erledigt die Aufgabe.");
    }
    if (rows[0].integer(3) != 0) return Error::conflict("Die Aufgabe ist bereits erledigt.");
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        x.exec("UPDATE conference_items SET done = 1, done_at = ?, done_by = ? "
               "WHERE id = ? AND done = 0",
               {now, r.username, task_id}));
    if (changed == 0) return Error::conflict("Die Aufgabe ist bereits erledigt.");
    boost::json::object details = change_details(r, in->row);
    details["task"] = task_id;
    LOTSE_TRY(audit(x, now, r, "conference.task_done", fmt::format("conference:{}", conference_id),
                    in->standing.host && !in->row.anonymous ? internal::kOwnCaseBasis
                                                            : in->standing.basis,
                    boost::json::serialize(details)));
    return conference_id;
  });
}

Result<TaskInbox> ConferenceService::tasks(const Reader& r) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;
  const std::string sql = fmt::format(
      "SELECT {}, c.scheduled_at, c.anonymous, c.case_id{} "
      "JOIN conferences c ON c.id = i.conference_id "
      "WHERE i.kind = 'task' AND i.owner_agency = ? AND i.done = 0 "
      "ORDER BY i.due_on, i.id LIMIT 500",
      kItemColumns, kItemFrom);
  // A person's name shown with a task is a read through the gate, audited
  // (written right after this read transaction).
  return db_.read([&](store::Executor& x) -> Result<TaskInbox> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, {r.agency_key}));
    TaskInbox box;
    std::map<std::int64_t, std::string> names;
    for (const auto& row : rows) {
      TaskView t{.task = item_from(row, today),
                 .conference_scheduled_at = row.text(13),
                 .anonymous = row.integer(14) != 0};
      if (!t.anonymous && !row.is_null(15)) {
        LOTSE_ASSIGN_OR_RETURN(t.person_name,
                               person_name_through_gate(x, r, row.integer(15), now, names));
      }
      box.overdue_count += t.task.overdue ? 1 : 0;
      box.open.push_back(std::move(t));
    }
    // The counts are the lengths of what is listed, never a separate query.
    box.open_count = static_cast<int>(box.open.size());
    return box;
  });
}

}  // namespace lotse::casework
