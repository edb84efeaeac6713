// Persons, cases, reads through the policy gate, notes, the support chain
// and the access log. Consents and transfers: consents.cc; handovers:
// handovers.cc.
#include "lotse/casework/casework_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <functional>
#include <optional>
#include <unordered_map>
#include <set>

#include "casework/casework_internal.h"
#include "lotse/common/date.h"

namespace lotse::casework {
namespace {

using internal::audit;
using internal::kOwnCaseBasis;
using internal::require_case_worker;
using internal::text_length;

Result<void> check_length(const std::string& value, std::string field, std::size_t min,
                          std::size_t max, const std::string& label) {
  const std::size_t n = text_length(value);
  if (n < min || n > max) {
    if (min > 0)
      return Error::invalid(std::move(field),
                            fmt::format("{}: bitte {} bis {} Zeichen.", label, min, max));
    return Error::invalid(std::move(field), fmt::format("{}: höchstens {} Zeichen.", label, max));
  }
  return ok();
}

Result<std::vector<std::string>> validate_needs(const std::vector<std::string>& needs) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& n : needs) {
    LOTSE_ASSIGN_OR_RETURN(std::string key, domain::validate_need(n));
    if (!seen.insert(key).second) return Error::invalid("needs", "Bedarf doppelt genannt: " + key);
    out.push_back(std::move(key));
  }
  return out;
}

Result<void> replace_needs(store::Executor& x, std::int64_t case_id,
                           const std::vector<std::string>& needs) {
  LOTSE_TRY(x.exec("DELETE FROM case_needs WHERE case_id = ?", {case_id}));
  for (const auto& n : needs)
    LOTSE_TRY(x.exec("INSERT INTO case_needs (case_id, need) VALUES (?, ?)", {case_id, n}));
  return ok();
}

// Cases the caller's agency could possibly see, newest first: its own, and
// those a consent or a legal-basis transfer ever named it on (case_shares,
// kept by triggers, migration 3). The gate decides afterwards. Each half is
// read in id order from its index and cut at `n` before the union, so a page
// never sorts all of a large agency's cases. Parameters: agency, [status,]
// n, agency, n.
std::string candidate_cases(bool own_status_filter) {
  return fmt::format(
      "SELECT id FROM (SELECT id FROM cases WHERE owner_agency = ?{} ORDER BY id DESC LIMIT ?) o "
      "UNION SELECT case_id FROM (SELECT case_id FROM case_shares WHERE agency_key = ? "
      "ORDER BY case_id DESC LIMIT ?) s",
      own_status_filter ? " AND status = ?" : "");
}

// ---- person search ------------------------------------------------------
//
// Candidates come only from the caller's search scope (migration 3): its own
// persons and those a consent or transfer with master data once named it on.
// SQLite: FTS5 trigram index, queried inside the scope's rowid range; first
// all trigrams of every word (substring match, cheap and selective), and
// only when that does not yield enough matches that no typo could beat, the
// typo-tolerant pass: names sharing a run of consecutive trigrams with each
// word. PostgreSQL: pg_trgm's word similarity on the GIN index. Both end in
// the same ranking (internal::NameScorer), best first, newest first among
// equals; the gate decides on every result.

struct SearchHit {
  std::int64_t person_id = 0;
  double score = 0;
};

constexpr std::int64_t kScopeSpan = std::int64_t{1} << 32;
// At most this many candidates are scored per pass; a query that matches
// more than this (e.g. "an") still gets the best of them, newest first.
constexpr int kMaxCandidates = 1000;
// The first slice of pass 1 (newest first) is this many times the limit:
// for a common name it already holds enough exact matches, and nothing can
// rank above those.
constexpr int kFirstSliceFactor = 3;

std::string fts_string(std::string_view trigram) {
  std::string out = "\"";
  for (char c : trigram) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

struct Scored {
  explicit Scored(const internal::SearchQuery& q) : scorer(q.words) {}
  internal::NameScorer scorer;
  std::unordered_map<std::int64_t, SearchHit> by_person;
  void add(std::int64_t person_id, std::string_view text) {
    if (by_person.contains(person_id)) return;
    const double score = scorer.score(text);
    if (score <= 0) return;
    by_person[person_id] = {person_id, score};
  }
  std::size_t at_least(double score) const {
    std::size_t n = 0;
    for (const auto& [id, hit] : by_person) n += hit.score >= score;
    return n;
  }
};

// One FTS5 query inside the scope, newest first; returns how many rows came.
Result<std::size_t> fts_rows(store::Executor& x, const std::string& match, std::int64_t lo,
                             std::int64_t hi, int limit, Scored& out, std::int64_t* last_rowid) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query("SELECT f.rowid, ps.person_id, ps.search_text FROM person_search_fts f "
              "JOIN person_search ps ON ps.id = f.rowid "
              "WHERE person_search_fts MATCH ? AND f.rowid BETWEEN ? AND ? "
              "ORDER BY f.rowid DESC LIMIT ?",
              {match, lo, hi, std::int64_t{limit}}));
  for (const auto& row : rows) out.add(row.integer(1), row.text(2));
  if (last_rowid && !rows.empty()) *last_rowid = rows.back().integer(0);
  return rows.size();
}

Result<void> sqlite_candidates(store::Executor& x, const std::string& agency,
                               const internal::SearchQuery& q, std::size_t limit, Scored& out) {
  LOTSE_ASSIGN_OR_RETURN(store::Rows scope,
                         x.query("SELECT scope FROM search_scopes WHERE agency_key = ?", {agency}));
  if (scope.empty()) return ok();  // the agency has never had a person to find
  const std::int64_t lo = scope[0].integer(0) * kScopeSpan, hi = lo + kScopeSpan - 1;

  if (q.birth_date) {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT ps.person_id, ps.search_text FROM persons p "
                "JOIN person_search ps ON ps.id = ? + p.id WHERE p.birth_date = ?",
                {lo, *q.birth_date}));
    for (const auto& row : rows) out.add(row.integer(0), row.text(1));
    return ok();
  }

  // Pass 1: every trigram of every word, i.e. names containing each word
  // (words under three letters: the padded start, i.e. a prefix). Newest
  // first; stop early once enough exact matches are in.
  std::string all;
  for (const auto& w : q.words) {
    std::vector<std::string> terms = internal::inner_trigrams(w);
    if (terms.empty()) {
      terms = internal::padded_trigrams(w);
      terms.resize(std::min<std::size_t>(terms.size(), 2));
    }
    for (const auto& t : terms) {
      if (!all.empty()) all += " AND ";
      all += fts_string(t);
    }
  }
  std::int64_t last = hi;
  const int slice = static_cast<int>(limit) * kFirstSliceFactor + 20;
  LOTSE_ASSIGN_OR_RETURN(std::size_t first, fts_rows(x, all, lo, hi, slice, out, &last));
  if (first == static_cast<std::size_t>(slice) && out.at_least(1.0) < limit)
    LOTSE_TRY(fts_rows(x, all, lo, last - 1, kMaxCandidates - slice, out, nullptr));
  // Names that contain every word, scored at least as high as any name with
  // a typo can be: nothing fuzzy would rank above them.
  if (out.at_least(out.scorer.fuzzy_bound()) >= limit) return ok();

  // Pass 2 (typos): a name must share, for every word, one run of
  // consecutive padded trigrams: two (four letters in a row, counting the
  // word's start and end) for words up to five letters, three up to eight,
  // four from nine on. One wrong, missing or extra letter destroys at most
  // three trigrams in a row, so such a run survives it (longer runs keep
  // common endings like "mann" from matching half the scope); FTS5 answers
  // this with seeks, not by reading the doclists of "  s" or "er ".
  std::string fuzzy;
  for (const auto& w : q.words) {
    const std::vector<std::string> t = internal::padded_trigrams(w);
    const std::size_t len = internal::text_length(w);
    const std::size_t run = std::min<std::size_t>(t.size(), len >= 9 ? 4 : len >= 6 ? 3 : 2);
    std::string any;
    for (std::size_t i = 0; i + run <= t.size(); ++i) {
      std::string group;
      for (std::size_t k = i; k < i + run; ++k)
        group += (group.empty() ? "" : " AND ") + fts_string(t[k]);
      any += (any.empty() ? "(" : " OR (") + group + ")";
    }
    fuzzy += (fuzzy.empty() ? "(" : " AND (") + any + ")";
  }
  LOTSE_TRY(fts_rows(x, fuzzy, lo, hi, kMaxCandidates, out, nullptr));
  return ok();
}

Result<void> postgres_candidates(store::Executor& x, const std::string& agency,
                                 const internal::SearchQuery& q, Scored& out) {
  if (q.birth_date) {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT ps.person_id, ps.search_text FROM persons p JOIN person_search ps "
                "ON ps.person_id = p.id AND ps.agency_key = ? WHERE p.birth_date = ?",
                {agency, *q.birth_date}));
    for (const auto& row : rows) out.add(row.integer(0), row.text(1));
    return ok();
  }
  // pg_trgm's word similarity (the query against the best matching part of
  // the name), from 0.3 on as for similarity; the GIN index serves `<%`.
  LOTSE_TRY(x.query("SELECT set_config('pg_trgm.word_similarity_threshold', '0.3', true)"));
  std::string text;
  for (const auto& w : q.words) text += (text.empty() ? "" : " ") + w;
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query("SELECT person_id, search_text FROM person_search "
              "WHERE agency_key = ? AND ? <% search_text "
              "ORDER BY word_similarity(?, search_text) DESC, person_id DESC LIMIT ?",
              {agency, text, text, std::int64_t{kMaxCandidates}}));
  for (const auto& row : rows) out.add(row.integer(0), row.text(1));
  return ok();
}

Result<std::vector<SearchHit>> find_persons(store::Executor& x, const std::string& agency,
                                            const internal::SearchQuery& q, std::size_t limit) {
  Scored scored(q);
  if (x.dialect() == store::Dialect::kSqlite) {
    LOTSE_TRY(sqlite_candidates(x, agency, q, limit, scored));
  } else {
    LOTSE_TRY(postgres_candidates(x, agency, q, scored));
  }
  std::vector<SearchHit> hits;
  hits.reserve(scored.by_person.size());
  for (const auto& [id, hit] : scored.by_person) hits.push_back(hit);
  // Best first; equal scores newest person first, so the order is stable.
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.person_id > b.person_id;
  });
  return hits;
}

}  // namespace

CaseworkService::CaseworkService(store::Database& db, Clock clock, CaseworkOptions options)
    : db_(db), clock_(std::move(clock)), options_(options) {}

Result<std::int64_t> CaseworkService::create_person(const Reader& r, const NewPerson& p) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;
  LOTSE_TRY(check_length(p.given_name, "given_name", 1, 100, "Vorname"));
  LOTSE_TRY(check_length(p.family_name, "family_name", 1, 100, "Nachname"));
  LOTSE_ASSIGN_OR_RETURN(Date birth, Date::parse(p.birth_date, "birth_date"));
  if (birth > today) return Error::invalid("birth_date", "Das Geburtsdatum liegt in der Zukunft.");
  const int age = age_on(birth, today);
  if (age < 10 || age > 30)
    return Error::invalid("birth_date", "Lotse begleitet junge Menschen von 10 bis 30 Jahren.");
  if (!p.email.empty() && p.email.find('@') == std::string::npos)
    return Error::invalid("email", "Bitte eine gültige E-Mail-Adresse angeben.");
  if (!p.postcode.empty() &&
      (p.postcode.size() != 5 || !std::all_of(p.postcode.begin(), p.postcode.end(),
                                              [](unsigned char c) { return std::isdigit(c); })))
    return Error::invalid("postcode", "Die Postleitzahl hat fünf Ziffern.");
  const std::pair<const std::string*, const char*> free_fields[] = {
      {&p.street, "street"},
      {&p.city, "city"},
      {&p.phone, "phone"},
      {&p.email, "email"},
      {&p.school, "school"},
      {&p.school_qualification, "school_qualification"},
      {&p.nationality, "nationality"},
      {&p.residence_status, "residence_status"}};
  for (const auto& [value, field] : free_fields)
    LOTSE_TRY(check_length(*value, field, 0, 200, "Angabe"));

  const std::string search_text = internal::fold_for_search(p.given_name + " " + p.family_name);
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int("INSERT INTO persons (owner_agency, given_name, family_name, birth_date, "
                    "street, postcode, city, phone, email, school, school_qualification, "
                    "nationality, residence_status, search_text, created_by, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {r.agency_key, p.given_name, p.family_name, birth.str(), p.street, p.postcode,
                     p.city, p.phone, p.email, p.school, p.school_qualification, p.nationality,
                     p.residence_status, search_text, r.username, now, now}));
    LOTSE_TRY(audit(x, now, r, "person.create", fmt::format("person:{}", id), kOwnCaseBasis,
                    boost::json::serialize(boost::json::object{{"agency", r.agency_key}})));
    return id;
  });
}

Result<std::int64_t> CaseworkService::open_case(const Reader& r, const NewCase& c) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  LOTSE_ASSIGN_OR_RETURN(int phase, domain::validate_phase(c.phase));
  LOTSE_ASSIGN_OR_RETURN(std::vector<std::string> needs, validate_needs(c.needs));
  LOTSE_TRY(check_length(c.goals, "goals", 0, 5000, "Ziele"));
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows person,
                           x.query("SELECT owner_agency FROM persons WHERE id = ?", {c.person_id}));
    // Another agency's person is as unknown as a missing one.
    if (person.empty() || person[0].text(0) != r.agency_key)
      return Error::invalid("person_id", "Diese Person ist bei Ihrer Stelle nicht erfasst.");
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int(
            "INSERT INTO cases (person_id, owner_agency, lead_agency, phase, status, goals, "
            "opened_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
            {c.person_id, r.agency_key, r.agency_key, std::int64_t{phase}, c.goals, now, now}));
    LOTSE_TRY(replace_needs(x, id, needs));
    LOTSE_TRY(audit(
        x, now, r, "case.open", fmt::format("case:{}", id), kOwnCaseBasis,
        boost::json::serialize(boost::json::object{{"person", c.person_id}, {"phase", phase}})));
    return id;
  });
}

Result<domain::CaseRecord> CaseworkService::get_case(const Reader& r, std::int64_t case_id,
                                                     ReadPath path) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  // A write transaction: the gate appends the audit entry of the read. A
  // denied read is answered only after commit, so that its audit entry is
  // not rolled back with the error.
  auto read = db_.write([&](store::Executor& x) -> Result<std::optional<domain::CaseRecord>> {
    auto rec = privacy::PolicyGate::read_case(x, r, case_id, path, now, load_case_record);
    if (rec) return std::optional<domain::CaseRecord>(std::move(*rec));
    if (rec.error().code == ErrorCode::kNotFound) return std::optional<domain::CaseRecord>();
    return rec.error();
  });
  if (!read) return read.error();
  if (!*read) return Error::not_found(internal::kCaseNotFound);
  return std::move(**read);
}

Result<CaseView> CaseworkService::case_view(const Reader& r, std::int64_t case_id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  // As get_case: a denied read commits its audit entry and then answers
  // kNotFound; the consents only for the agency that recorded the case.
  auto read = db_.write([&](store::Executor& x) -> Result<std::optional<CaseView>> {
    auto rec = privacy::PolicyGate::read_case(x, r, case_id, ReadPath::kItem, now,
                                              load_case_record);
    if (!rec) {
      if (rec.error().code == ErrorCode::kNotFound) return std::optional<CaseView>();
      return rec.error();
    }
    CaseView view{.record = std::move(*rec)};
    if (view.record.owner_agency == r.agency_key) {
      LOTSE_ASSIGN_OR_RETURN(view.consents, internal::read_own_consents(x, r, case_id, now));
    }
    LOTSE_ASSIGN_OR_RETURN(view.handovers,
                           internal::load_case_handovers(x, r, case_id, now,
                                                         options_.handover_due_working_days));
    return std::optional<CaseView>(std::move(view));
  });
  if (!read) return read.error();
  if (!*read) return Error::not_found(internal::kCaseNotFound);
  return std::move(**read);
}

Result<std::vector<domain::CaseRecord>> CaseworkService::list_cases(const Reader& r,
                                                                    const ListFilter& f) {
  LOTSE_ASSIGN_OR_RETURN(CasePage page, case_page(r, f));
  return std::move(page.cases);
}

Result<CasePage> CaseworkService::case_page(const Reader& r, const ListFilter& f) {
  LOTSE_TRY(require_case_worker(r));
  if (f.limit < 1 || f.limit > 200)
    return Error::invalid("limit", "Bitte 1 bis 200 Einträge je Seite.");
  if (f.offset < 0) return Error::invalid("offset", "Der Versatz darf nicht negativ sein.");
  std::optional<std::string> status;
  if (f.status) {
    LOTSE_ASSIGN_OR_RETURN(domain::CaseStatus s, domain::parse_status(*f.status));
    status = std::string(domain::status_name(s));
  }
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<CasePage> {
    // The status filter is applied in SQL to own cases only; for partner
    // cases it is applied after the gate, so that filtering does not reveal
    // a status the partner may not see. One row more than the page tells
    // whether a next page exists.
    const std::string own_where =
        status ? "owner_agency = ? AND status = ?" : std::string("owner_agency = ?");
    store::Params params{r.agency_key};
    if (status && f.scope != CaseScope::kShared) params.push_back(*status);
    std::string sql;
    switch (f.scope) {
      case CaseScope::kAll: {
        const std::int64_t n = std::int64_t{f.offset} + f.limit + 1;
        params.push_back(n);
        params.push_back(r.agency_key);
        params.push_back(n);
        sql = fmt::format("SELECT k.id FROM ({}) k ORDER BY k.id DESC LIMIT ? OFFSET ?",
                          candidate_cases(status.has_value()));
        break;
      }
      case CaseScope::kOwn:
        sql = fmt::format("SELECT id FROM cases WHERE {} ORDER BY id DESC LIMIT ? OFFSET ?",
                          own_where);
        break;
      case CaseScope::kShared:
        // A case the agency owns is never "shared with" it, even if an old
        // consent named it.
        params.push_back(r.agency_key);
        sql = "SELECT s.case_id FROM case_shares s JOIN cases k ON k.id = s.case_id "
              "WHERE s.agency_key = ? AND k.owner_agency <> ? ORDER BY s.case_id DESC "
              "LIMIT ? OFFSET ?";
        break;
    }
    params.push_back(std::int64_t{f.limit} + 1);
    params.push_back(std::int64_t{f.offset});
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    CasePage page;
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) ids.push_back(row.integer(0));
    if (ids.size() > static_cast<std::size_t>(f.limit)) {
      page.more = true;
      ids.resize(static_cast<std::size_t>(f.limit));
    }
    LOTSE_ASSIGN_OR_RETURN(page.cases,
                           privacy::PolicyGate::read_cases(
                               x, r, ids, ReadPath::kList, now,
                               f.summary ? privacy::CaseLoader(load_case_summary)
                                         : privacy::CaseLoader(load_case_record)));
    if (status)
      std::erase_if(page.cases, [&](const domain::CaseRecord& c) { return c.status != *status; });
    if (f.scope == CaseScope::kOwn) {
      store::Params count_params{r.agency_key};
      if (status) count_params.push_back(*status);
      // Kept by triggers (migration 9): one row instead of counting every case.
      LOTSE_ASSIGN_OR_RETURN(
          store::Row total,
          x.query_one(fmt::format("SELECT COALESCE(SUM(n), 0) FROM case_counts WHERE {}", own_where),
                      count_params));
      page.own_total = total.integer(0);
    }
    return page;
  });
}

Result<std::int64_t> CaseworkService::own_case_count(const Reader& r) {
  LOTSE_TRY(require_case_worker(r));
  return db_.read([&](store::Executor& x) {
    // Kept by triggers (migration 9).
    return x.query_int("SELECT COALESCE(SUM(n), 0) FROM case_counts WHERE owner_agency = ?",
                       {r.agency_key});
  });
}

Result<std::vector<domain::CaseRecord>> CaseworkService::search(const Reader& r,
                                                                const std::string& query,
                                                                int limit, bool summary) {
  LOTSE_TRY(require_case_worker(r));
  const std::size_t qlen = text_length(query);
  if (qlen < 2 || qlen > 100) return Error::invalid("q", "Bitte 2 bis 100 Zeichen eingeben.");
  if (limit < 1 || limit > 50) return Error::invalid("limit", "Bitte 1 bis 50 Treffer.");
  const internal::SearchQuery q = internal::parse_search_query(query);
  if (q.words.empty() && !q.birth_date)
    return Error::invalid("q", "Bitte 2 bis 100 Zeichen eingeben.");
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<std::vector<domain::CaseRecord>> {
    // Persons in the caller's search scope, best first.
    LOTSE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits,
                           find_persons(x, r.agency_key, q, static_cast<std::size_t>(limit)));
    // Their cases, in the order of the hits. Decide first (no audit) so that
    // a name match on a case whose master data the caller may not see (a
    // person shared once, whose consent has expired) is neither returned
    // nor read; then read the chosen ones through the gate (audited).
    std::vector<std::int64_t> ids;
    constexpr std::size_t kChunk = 64;
    for (std::size_t from = 0; from < hits.size() && static_cast<int>(ids.size()) < limit;
         from += kChunk) {
      std::vector<std::int64_t> persons;
      for (std::size_t i = from; i < std::min(hits.size(), from + kChunk); ++i)
        persons.push_back(hits[i].person_id);
      const auto in = internal::id_in(x.dialect(), "person_id", persons);
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows rows,
          x.query("SELECT id, person_id FROM cases WHERE " + in.sql + " ORDER BY id DESC",
                  {in.param}));
      // The chunk's cases in hit order, decided at once.
      std::vector<std::int64_t> candidates;
      for (std::int64_t person : persons)
        for (const auto& row : rows)
          if (row.integer(1) == person) candidates.push_back(row.integer(0));
      LOTSE_ASSIGN_OR_RETURN(std::vector<privacy::CaseAccess> decided,
                             privacy::PolicyGate::decide_all(x, r, candidates, now));
      for (std::size_t i = 0; i < candidates.size() && static_cast<int>(ids.size()) < limit; ++i)
        if (decided[i].allowed && decided[i].categories.has(domain::DataCategory::kMasterData))
          ids.push_back(candidates[i]);
    }
    LOTSE_ASSIGN_OR_RETURN(
        std::vector<domain::CaseRecord> cases,
        privacy::PolicyGate::read_cases(x, r, ids, ReadPath::kSearch, now,
                                        summary ? privacy::CaseLoader(load_case_summary)
                                                : privacy::CaseLoader(load_case_record)));
    std::erase_if(cases, [](const domain::CaseRecord& c) {
      return !c.visible.has(domain::DataCategory::kMasterData);
    });
    return cases;
  });
}

Result<void> CaseworkService::update_case(const Reader& r, std::int64_t case_id,
                                          const CaseUpdate& u) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  std::optional<int> phase;
  if (u.phase) {
    LOTSE_ASSIGN_OR_RETURN(int p, domain::validate_phase(*u.phase));
    phase = p;
  }
  std::optional<std::string> status;
  if (u.status) {
    LOTSE_ASSIGN_OR_RETURN(domain::CaseStatus s, domain::parse_status(*u.status));
    status = std::string(domain::status_name(s));
  }
  std::optional<std::string> destination;
  if (u.destination && !u.destination->empty()) {
    LOTSE_ASSIGN_OR_RETURN(std::string d, domain::validate_destination(*u.destination));
    destination = std::move(d);
  }
  if (u.goals) LOTSE_TRY(check_length(*u.goals, "goals", 0, 5000, "Ziele"));
  std::optional<std::vector<std::string>> needs;
  if (u.needs) {
    LOTSE_ASSIGN_OR_RETURN(std::vector<std::string> n, validate_needs(*u.needs));
    needs = std::move(n);
  }
  return db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(internal::require_owner(x, r, case_id, now));
    LOTSE_ASSIGN_OR_RETURN(
        store::Row current,
        x.query_one("SELECT status, destination FROM cases WHERE id = ?", {case_id}));
    const std::string old_status = current.text(0);
    const std::string new_status = status.value_or(old_status);
    std::optional<std::string> new_destination = destination;
    if (!new_destination && !current.is_null(1) && !current.text(1).empty())
      new_destination = current.text(1);
    if (new_status == "closed" && !new_destination)
      return Error::invalid("destination", "Bitte beim Abschluss den Verbleib angeben.");

    std::string sql = "UPDATE cases SET updated_at = ?";
    store::Params params{now};
    if (phase) {
      sql += ", phase = ?";
      params.push_back(std::int64_t{*phase});
    }
    if (status) {
      sql += ", status = ?";
      params.push_back(*status);
      if (*status == "closed" && old_status != "closed") {
        sql += ", closed_at = ?";
        params.push_back(now);
      } else if (*status != "closed") {
        sql += ", closed_at = NULL";
      }
    }
    if (destination) {
      sql += ", destination = ?";
      params.push_back(*destination);
    }
    if (u.goals) {
      sql += ", goals = ?";
      params.push_back(*u.goals);
    }
    sql += " WHERE id = ?";
    params.push_back(case_id);
    LOTSE_TRY(x.exec(sql, params));
    if (needs) LOTSE_TRY(replace_needs(x, case_id, *needs));
    boost::json::object details;
    if (phase) details["phase"] = *phase;
    if (status) details["status"] = *status;
    if (destination) details["destination"] = *destination;
    if (needs) details["needs"] = static_cast<std::int64_t>(needs->size());
    return audit(x, now, r, "case.update", fmt::format("case:{}", case_id), kOwnCaseBasis,
                 boost::json::serialize(details));
  });
}

Result<std::int64_t> CaseworkService::add_note(const Reader& r, std::int64_t case_id,
                                               const NewNote& n) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  LOTSE_TRY(check_length(n.body, "body", 1, 20000, "Notiz"));
  if (n.visibility != "own" && n.visibility != "partners")
    return Error::invalid("visibility", "Sichtbarkeit: own (eigene Stelle) oder partners.");
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(internal::CaseHeader h, internal::require_owner(x, r, case_id, now));
    const bool jugendamt = internal::is_jugendamt(h.owner_agency);
    // § 65 SGB VIII: in a Jugendamt what a young person tells a worker is
    // entrusted unless the worker says otherwise.
    const bool entrusted = n.entrusted.value_or(jugendamt);
    if (entrusted && !jugendamt)
      return Error::invalid("entrusted",
                            "Anvertraute Daten (§ 65 SGB VIII) gibt es nur beim Jugendamt.");
    std::string entruster;
    if (entrusted) {
      static const std::set<std::string> kEntrusters = {"young_person", "parent", "foster_parent",
                                                        "other"};
      if (!kEntrusters.contains(n.entruster))
        return Error::invalid("entruster",
                              "Bitte angeben, wer es anvertraut hat (young_person, parent, "
                              "foster_parent, other).");
      entruster = n.entruster;
    }
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int("INSERT INTO notes (case_id, agency_key, author, body, visibility, entrusted, "
                    "entruster, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {case_id, r.agency_key, r.username, n.body, n.visibility,
                     std::int64_t{entrusted ? 1 : 0}, entruster, now}));
    LOTSE_TRY(audit(x, now, r, "note.add", fmt::format("case:{}", case_id), kOwnCaseBasis,
                    boost::json::serialize(boost::json::object{
                        {"note", id}, {"visibility", n.visibility}, {"entrusted", entrusted}})));
    return id;
  });
}

Result<std::int64_t> CaseworkService::add_support_step(const Reader& r, std::int64_t case_id,
                                                       const NewSupportStep& s) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  LOTSE_TRY(check_length(s.measure, "measure", 2, 300, "Maßnahme"));
  LOTSE_TRY(check_length(s.provider, "provider", 0, 300, "Träger"));
  std::optional<Date> start, end;
  if (!s.planned_start.empty()) {
    LOTSE_ASSIGN_OR_RETURN(Date d, Date::parse(s.planned_start, "planned_start"));
    start = d;
  }
  if (!s.planned_end.empty()) {
    LOTSE_ASSIGN_OR_RETURN(Date d, Date::parse(s.planned_end, "planned_end"));
    end = d;
  }
  if (start && end && *end < *start)
    return Error::invalid("planned_end", "Das Ende liegt vor dem Beginn.");
  static const std::set<std::string> kStatuses = {"planned", "running", "done", "cancelled"};
  if (!kStatuses.contains(s.status))
    return Error::invalid("status", "Status: planned, running, done oder cancelled.");
  auto date_value = [](const std::optional<Date>& d) -> store::Value {
    if (d) return d->str();
    return nullptr;
  };
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_TRY(internal::require_owner(x, r, case_id, now));
    LOTSE_ASSIGN_OR_RETURN(bool known, internal::agency_known(x, s.responsible_agency));
    if (!known)
      return Error::invalid("responsible_agency", "Unbekannte Stelle: " + s.responsible_agency);
    if (!s.offer_id.empty()) {
      // The offer must be in the catalogue of the case's alliance.
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows offer,
          x.query("SELECT 1 FROM catalogue_service_index i JOIN cases c ON c.id = ? "
                  "JOIN agencies a ON a.agency_key = c.owner_agency "
                  "WHERE i.service_id = ? AND i.alliance_ags = a.alliance_ags",
                  {case_id, s.offer_id}));
      if (offer.empty())
        return Error::invalid("offer_id", "Dieses Angebot gibt es im Katalog des Bündnisses nicht.");
    }
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t position,
        x.query_int("SELECT COALESCE(MAX(position), 0) + 1 FROM support_steps WHERE case_id = ?",
                    {case_id}));
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int("INSERT INTO support_steps (case_id, position, measure, responsible_agency, "
                    "provider, planned_start, planned_end, status, offer_id, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {case_id, position, s.measure, s.responsible_agency, s.provider,
                     date_value(start), date_value(end), s.status,
                     s.offer_id.empty() ? store::Value(nullptr) : store::Value(s.offer_id), now}));
    LOTSE_TRY(
        audit(x, now, r, "support_step.add", fmt::format("case:{}", case_id), kOwnCaseBasis,
              boost::json::serialize(boost::json::object{{"step", id}, {"position", position}})));
    return id;
  });
}

Result<std::vector<AccessLogEntry>> CaseworkService::access_log(const Reader& r,
                                                                std::int64_t case_id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  return db_.read([&](store::Executor& x) -> Result<std::vector<AccessLogEntry>> {
    LOTSE_ASSIGN_OR_RETURN(internal::CaseHeader h, internal::require_owner(x, r, case_id, now));
    // Each audit object naming this case's records, with the action that
    // created the record and when. SQLite may hand out the id of a deleted
    // last row again (no AUTOINCREMENT), so 'case:N' can also name an earlier
    // case that retention deleted: entries older than this record's creation
    // are not about it. The floor is the seq of the entry that created the
    // record (exact even within one millisecond): it is written in the same
    // transaction with the same time as the record's creation time. A
    // creating entry older than that time created an earlier record with
    // the id; records written without one (synthetic data, imports) are
    // floored by their creation time instead.
    struct Object {
      std::string name, creation;
      std::int64_t created_at_ms = 0, floor_seq = 0;
    };
    std::vector<Object> objects;
    LOTSE_ASSIGN_OR_RETURN(store::Row opened,
                           x.query_one("SELECT opened_at FROM cases WHERE id = ?", {case_id}));
    objects.push_back({fmt::format("case:{}", case_id), "case.open", opened.integer(0)});
    LOTSE_ASSIGN_OR_RETURN(
        store::Row person,
        x.query_one("SELECT created_at FROM persons WHERE id = ?", {h.person_id}));
    objects.push_back({fmt::format("person:{}", h.person_id), "person.create", person.integer(0)});
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows consents,
        x.query("SELECT id, recorded_at FROM consents WHERE case_id = ?", {case_id}));
    for (const auto& row : consents)
      objects.push_back(
          {fmt::format("consent:{}", row.integer(0)), "consent.record", row.integer(1)});
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows handovers,
        x.query("SELECT id, created_at FROM handovers WHERE case_id = ?", {case_id}));
    for (const auto& row : handovers)
      objects.push_back(
          {fmt::format("handover:{}", row.integer(0)), "handover.create", row.integer(1)});

    std::string in;
    store::Params names;
    for (const auto& o : objects) {
      in += in.empty() ? "?" : ", ?";
      names.push_back(o.name);
    }
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows creations,
        x.query("SELECT object, action, seq, at FROM audit_log WHERE object IN (" + in +
                    ") AND action IN ('case.open', 'person.create', 'consent.record', "
                    "'handover.create')",
                names));
    for (const auto& row : creations)
      for (auto& o : objects)
        if (o.name == row.text(0) && o.creation == row.text(1) &&
            row.integer(3) >= o.created_at_ms)
          o.floor_seq = std::max(o.floor_seq, row.integer(2));

    // The floors in SQL, so that LIMIT counts only this case's entries.
    std::string sql = "SELECT at, actor, action, legal_basis, details FROM audit_log WHERE ";
    store::Params params;
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const Object& o = objects[i];
      sql += i ? " OR " : "";
      sql += o.floor_seq ? "(object = ? AND seq >= ?)" : "(object = ? AND at >= ?)";
      params.push_back(o.name);
      params.push_back(o.floor_seq ? o.floor_seq : o.created_at_ms);
    }
    sql += " ORDER BY seq DESC LIMIT 500";
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    std::vector<AccessLogEntry> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      AccessLogEntry e{.at_ms = row.integer(0),
                       .actor = row.text(1),
                       .action = row.text(2),
                       .legal_basis = row.text(3)};
      boost::system::error_code ec;
      boost::json::value details = boost::json::parse(row.text(4), ec);
      if (!ec && details.is_object()) {
        const auto& o = details.as_object();
        if (auto* a = o.if_contains("agency"); a && a->is_string()) e.agency = a->as_string();
        if (auto* p = o.if_contains("path"); p && p->is_string()) e.path = p->as_string();
      }
      out.push_back(std::move(e));
    }
    return out;
  });
}

Result<domain::CaseRecord> load_case_record(store::Executor& x, std::int64_t case_id) {
  LOTSE_ASSIGN_OR_RETURN(domain::CaseRecord rec, load_case_summary(x, case_id));
  return load_case_details(x, std::move(rec));
}

Result<domain::CaseRecord> load_case_summary(store::Executor& x, std::int64_t case_id) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query("SELECT c.id, c.person_id, c.owner_agency, c.lead_agency, c.phase, c.status, "
              "c.destination, c.goals, c.opened_at, c.closed_at, p.owner_agency, p.given_name, "
              "p.family_name, p.birth_date, p.street, p.postcode, p.city, p.phone, p.email, "
              "p.nationality, p.residence_status, p.school, p.school_qualification "
              "FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = ?",
              {case_id}));
  if (rows.empty()) return Error::not_found(internal::kCaseNotFound);
  const store::Row& row = rows[0];
  domain::CaseRecord rec;
  rec.id = row.integer(0);
  rec.person_id = row.integer(1);
  rec.owner_agency = row.text(2);
  rec.lead_agency = row.text(3);
  rec.phase = static_cast<int>(row.integer(4));
  rec.status = row.text(5);
  rec.destination = row.text(6);
  rec.goals = row.text(7);
  rec.opened_at_ms = row.integer(8);
  rec.closed_at_ms = row.integer(9);
  domain::PersonData& p = rec.person;
  p.id = rec.person_id;
  p.owner_agency = row.text(10);
  p.given_name = row.text(11);
  p.family_name = row.text(12);
  p.birth_date = row.text(13);
  p.street = row.text(14);
  p.postcode = row.text(15);
  p.city = row.text(16);
  p.phone = row.text(17);
  p.email = row.text(18);
  p.nationality = row.text(19);
  p.residence_status = row.text(20);
  p.school = row.text(21);
  p.school_qualification = row.text(22);
  return rec;
}

Result<domain::CaseRecord> load_case_details(store::Executor& x, domain::CaseRecord rec) {
  const std::int64_t case_id = rec.id;
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows needs,
      x.query("SELECT need FROM case_needs WHERE case_id = ? ORDER BY need", {case_id}));
  for (const auto& n : needs) rec.needs.push_back(n.text(0));

  LOTSE_ASSIGN_OR_RETURN(
      store::Rows steps,
      x.query("SELECT id, position, measure, responsible_agency, provider, planned_start, "
              "planned_end, actual_start, actual_end, status, offer_id FROM support_steps "
              "WHERE case_id = ? ORDER BY position, id",
              {case_id}));
  for (const auto& s : steps)
    rec.support_chain.push_back({.id = s.integer(0),
                                 .position = static_cast<int>(s.integer(1)),
                                 .measure = s.text(2),
                                 .responsible_agency = s.text(3),
                                 .provider = s.text(4),
                                 .planned_start = s.text(5),
                                 .planned_end = s.text(6),
                                 .actual_start = s.text(7),
                                 .actual_end = s.text(8),
                                 .status = s.text(9),
                                 .offer_id = s.text(10)});

  LOTSE_ASSIGN_OR_RETURN(
      store::Rows notes,
      x.query("SELECT id, agency_key, author, body, visibility, entrusted, entruster, created_at "
              "FROM notes WHERE case_id = ? ORDER BY created_at, id",
              {case_id}));
  for (const auto& n : notes)
    rec.notes.push_back({.id = n.integer(0),
                         .agency_key = n.text(1),
                         .author = n.text(2),
                         .body = n.text(3),
                         .visibility = n.text(4),
                         .entrusted = n.integer(5) != 0,
                         .entruster = n.text(6),
                         .created_at_ms = n.integer(7)});
  return rec;
}

}  // namespace lotse::casework
