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
#include <charconv>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "casework/casework_internal.h"
#include "lotse/common/date.h"
#include "lotse/privacy/audit_log.h"

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
// SQLite: the trigram index runs over the distinct words of all names
// (search_vocab, migration 12); the service scores the words it finds
// against each query word (internal::NameScorer, the same rules as for
// whole names), and search_postings names the scope's persons carrying the
// words that match. PostgreSQL: pg_trgm's word similarity on the GIN index.
// Both end in the same ranking (a name's score: the mean of each query
// word's best match among its words), best first, newest first among
// equals; the gate decides on every result.

// The records of many cases at once (defined below, beside load_case_record).
Result<std::unordered_map<std::int64_t, domain::CaseRecord>> load_case_records(
    store::Executor& x, const std::vector<std::int64_t>& case_ids, bool summary);

// The categories a record carries, for PolicyGate::read_decided(): a list
// line (`summary`) the person's name and birth date (master data) and the
// case's phase, status and destination (needs and goals); a full record all.
domain::CategorySet shown_categories(bool summary) {
  return summary ? domain::CategorySet::of(
                       {domain::DataCategory::kMasterData, domain::DataCategory::kNeedsGoals})
                 : domain::CategorySet::all();
}

// A loader for PolicyGate::read_decided(): its first call fetches the
// records of all `allowed` cases (those the gate allowed; in four queries,
// or with `summary` their list lines in one) instead of four queries per
// case, and each call hands out its case's record. A case not among
// `allowed` is not found.
privacy::CaseLoader batch_loader(std::vector<std::int64_t> allowed, bool summary) {
  auto loaded =
      std::make_shared<std::optional<std::unordered_map<std::int64_t, domain::CaseRecord>>>();
  return [allowed = std::move(allowed), summary, loaded](
             store::Executor& x, std::int64_t id) -> Result<domain::CaseRecord> {
    if (!*loaded) {
      LOTSE_ASSIGN_OR_RETURN(*loaded, load_case_records(x, allowed, summary));
    }
    auto it = (*loaded)->find(id);
    if (it == (*loaded)->end()) return Error::not_found(internal::kCaseNotFound);
    return std::move(it->second);
  };
}

struct SearchHit {
  std::int64_t person_id = 0;
  double score = 0;
};

constexpr std::int64_t kScopeSpan = std::int64_t{1} << 32;
// At most this many candidates are scored for a query of several words
// (and on PostgreSQL); a query that matches more than this (e.g. "an b")
// still gets the best of them, newest first.
constexpr int kMaxCandidates = 1000;
// The first round of hits is this many times the limit (plus 20): enough
// when the gate allows most of them; more only when it does not.
constexpr int kFirstSliceFactor = 3;
// Vocabulary words looked at per query word, at most (a two-letter prefix
// of a common start may match a few hundred words).
constexpr int kMaxWords = 5000;

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
};

// The candidate rule for one query word `w`, shared by vocab_match() (FTS5)
// and vocabulary_candidates() (memory): a vocabulary word is a candidate
// when it contains `w` (every inner trigram; under three letters its first
// two padded ones, i.e. a prefix), or shares one run of consecutive padded
// trigrams with it: two (four letters in a row, counting the word's start
// and end) for words up to five letters, three up to eight, four from nine
// on. One wrong, missing or extra letter destroys at most three trigrams in
// a row, so such a run survives it.
struct CandidateRule {
  std::vector<std::string> padded, inner;
  std::size_t run = 0;
};

CandidateRule candidate_rule(const std::string& w) {
  CandidateRule rule{.padded = internal::padded_trigrams(w), .inner = internal::inner_trigrams(w)};
  const auto& t = rule.padded;
  if (rule.inner.empty())
    rule.inner.assign(t.begin(), t.begin() + std::min<std::size_t>(t.size(), 2));
  const std::size_t len = internal::text_length(w);
  rule.run = std::min<std::size_t>(t.size(), len >= 9 ? 4 : len >= 6 ? 3 : 2);
  return rule;
}

// The candidate rule as an FTS5 query over the padded vocabulary words.
std::string vocab_match(const std::string& w) {
  const CandidateRule rule = candidate_rule(w);
  const auto& t = rule.padded;
  std::string all;
  for (const auto& g : rule.inner) all += (all.empty() ? "" : " AND ") + fts_string(g);
  std::string any = "(" + all + ")";
  for (std::size_t i = 0; i + rule.run <= t.size(); ++i) {
    std::string group;
    for (std::size_t k = i; k < i + rule.run; ++k)
      group += (group.empty() ? "" : " AND ") + fts_string(t[k]);
    any += " OR (" + group + ")";
  }
  return any;
}

struct WordMatch {
  std::int64_t word_id = 0;
  double score = 0;
};

std::uint64_t trigram_key(std::string_view t) {
  return std::hash<std::string_view>{}(t);
}

// The vocabulary as one version of it held in memory: each word and, per
// padded trigram, the words containing it. The same candidate rule as
// vocab_match() on the FTS5 index, answered without a query.
struct Vocabulary {
  std::int64_t version = -1;
  std::vector<std::int64_t> ids;
  std::vector<internal::NameScorer::Word> words;  // trigrams computed once
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> by_trigram;
};

}  // namespace

struct SearchVocabularyCache {
  std::mutex mutex;
  std::shared_ptr<const Vocabulary> current;
};

namespace {

// The vocabulary as of this transaction: the copy in memory while the
// database's version mark (migration 12) still matches it, else read anew.
Result<std::shared_ptr<const Vocabulary>> vocabulary(store::Executor& x,
                                                     SearchVocabularyCache& cache) {
  LOTSE_ASSIGN_OR_RETURN(std::int64_t version,
                         x.query_int("SELECT n FROM search_vocab_version WHERE id = 1"));
  {
    std::lock_guard lock(cache.mutex);
    if (cache.current && cache.current->version == version) return cache.current;
  }
  auto v = std::make_shared<Vocabulary>();
  v->version = version;
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query("SELECT id, word FROM search_vocab"));
  v->ids.reserve(rows.size());
  v->words.reserve(rows.size());
  for (const auto& row : rows) {
    const auto at = static_cast<std::uint32_t>(v->words.size());
    v->ids.push_back(row.integer(0));
    v->words.push_back(internal::NameScorer::make(row.text(1)));
    for (const auto& t : internal::padded_trigrams(v->words.back().text))
      v->by_trigram[trigram_key(t)].push_back(at);
  }
  std::lock_guard lock(cache.mutex);
  cache.current = v;
  return std::shared_ptr<const Vocabulary>(v);
}

// vocab_match() in memory: the words holding every inner trigram of `w`
// (under three letters: its first two padded ones), or one run of
// consecutive padded trigrams. nullopt when `w` has more trigrams than the
// bit mask holds (a word of 60 letters and more: the FTS5 path answers).
std::optional<std::vector<std::uint32_t>> vocabulary_candidates(const Vocabulary& v,
                                                                const std::string& w) {
  const CandidateRule rule = candidate_rule(w);
  const auto& t = rule.padded;
  if (t.size() > 64) return std::nullopt;
  std::uint64_t inner_mask = 0;
  for (const auto& g : rule.inner)
    for (std::size_t k = 0; k < t.size(); ++k)
      if (t[k] == g) inner_mask |= std::uint64_t{1} << k;
  const std::size_t run = rule.run;
  std::uint64_t run_mask = 0;
  for (std::size_t k = 0; k < run; ++k) run_mask |= std::uint64_t{1} << k;

  // Which of the query's trigrams each word holds, one bit each; a buffer
  // per thread, cleared again through the list of words touched.
  thread_local std::vector<std::uint64_t> mask;
  thread_local std::vector<std::uint32_t> touched;
  if (mask.size() < v.words.size()) mask.resize(v.words.size());
  touched.clear();
  for (std::size_t k = 0; k < t.size(); ++k) {
    auto it = v.by_trigram.find(trigram_key(t[k]));
    if (it == v.by_trigram.end()) continue;
    for (std::uint32_t word : it->second) {
      if (mask[word] == 0) touched.push_back(word);
      mask[word] |= std::uint64_t{1} << k;
    }
  }
  std::vector<std::uint32_t> out;
  for (std::uint32_t word : touched) {
    const std::uint64_t m = mask[word];
    mask[word] = 0;
    bool found = inner_mask != 0 && (m & inner_mask) == inner_mask;
    for (std::size_t i = 0; !found && i + run <= t.size(); ++i)
      found = ((m >> i) & run_mask) == run_mask;
    if (found) out.push_back(word);
  }
  return out;
}

// The vocabulary words that query word `i` finds (score at or above the
// threshold), best first.
Result<std::vector<WordMatch>> matching_words(store::Executor& x, const Vocabulary& vocab,
                                              const internal::NameScorer& scorer, std::size_t i,
                                              const std::string& w) {
  std::vector<WordMatch> out;
  if (auto found = vocabulary_candidates(vocab, w)) {
    for (std::uint32_t k : *found) {
      const double score = scorer.word_match(i, vocab.words[k]);
      if (score >= internal::kWordMatchThreshold) out.push_back({vocab.ids[k], score});
    }
  } else {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows, x.query("SELECT v.id, v.word FROM search_vocab_fts f JOIN search_vocab v "
                                  "ON v.id = f.rowid WHERE search_vocab_fts MATCH ? LIMIT ?",
                                  {vocab_match(w), std::int64_t{kMaxWords}}));
    for (const auto& row : rows) {
      const double score = scorer.word_match(i, row.text(1));
      if (score >= internal::kWordMatchThreshold) out.push_back({row.integer(0), score});
    }
  }
  std::sort(out.begin(), out.end(), [](const WordMatch& a, const WordMatch& b) {
    return a.score != b.score ? a.score > b.score : a.word_id < b.word_id;
  });
  return out;
}

// The ids of a group_concat() of integers ("" for none).
std::vector<std::int64_t> parse_id_list(std::string_view list) {
  std::vector<std::int64_t> ids;
  const char* p = list.data();
  const char* const end = p + list.size();
  while (p < end) {
    std::int64_t id = 0;
    const auto [next, ec] = std::from_chars(p, end, id);
    if (ec != std::errc()) break;
    ids.push_back(id);
    p = next + 1;  // past the comma
  }
  return ids;
}

void sort_hits(std::vector<SearchHit>& hits) {
  // Best first; equal scores newest person first, so the order is stable.
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.person_id > b.person_id;
  });
}

// The `want` best of the scored persons, best first.
std::vector<SearchHit> best_hits(const Scored& scored, std::size_t want) {
  std::vector<SearchHit> hits;
  hits.reserve(scored.by_person.size());
  for (const auto& [id, hit] : scored.by_person) hits.push_back(hit);
  sort_hits(hits);
  if (hits.size() > want) hits.resize(want);
  return hits;
}

// The best `want` persons of the scope for the query, best first.
Result<std::vector<SearchHit>> sqlite_find(store::Executor& x, SearchVocabularyCache& cache,
                                           const std::string& agency,
                                           const internal::SearchQuery& q, std::size_t want) {
  LOTSE_ASSIGN_OR_RETURN(store::Rows scope_rows,
                         x.query("SELECT scope FROM search_scopes WHERE agency_key = ?", {agency}));
  if (scope_rows.empty()) return std::vector<SearchHit>{};  // never had a person to find
  const std::int64_t scope = scope_rows[0].integer(0), lo = scope * kScopeSpan;
  Scored out(q);
  std::shared_ptr<const Vocabulary> vocab;
  if (!q.birth_date) {
    LOTSE_ASSIGN_OR_RETURN(vocab, vocabulary(x, cache));
  }

  if (q.birth_date) {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT ps.person_id, ps.search_text FROM persons p "
                "JOIN person_search ps ON ps.id = ? + p.id WHERE p.birth_date = ?",
                {lo, *q.birth_date}));
    for (const auto& row : rows) out.add(row.integer(0), row.text(1));
  } else if (q.words.size() == 1) {
    // One word: a person's score is its best word's. Walk the matching
    // words best first and take each one's newest `want` persons; stop once
    // `want` persons score above every word still to come (a person found
    // later scores at most that word's score, so it cannot rank above them).
    LOTSE_ASSIGN_OR_RETURN(std::vector<WordMatch> words,
                           matching_words(x, *vocab, out.scorer, 0, q.words[0]));
    // Words come best first, so a person's first word is its best one, and
    // the persons scoring above the current word are all found before the
    // run of words with its score began: counted as they go, not recounted.
    std::unordered_map<std::int64_t, double> best;
    std::size_t above = 0, at_score = 0;
    double score = -1;
    for (const WordMatch& w : words) {
      if (w.score != score) {
        above += at_score;
        at_score = 0;
        score = w.score;
      }
      if (above >= want) break;
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows rows,
          x.query("SELECT person_id FROM search_postings WHERE scope = ? AND word_id = ? "
                  "ORDER BY person_id DESC LIMIT ?",
                  {scope, w.word_id, static_cast<std::int64_t>(want)}));
      for (const auto& row : rows) at_score += best.emplace(row.integer(0), w.score).second;
    }
    for (const auto& [id, score] : best) out.by_person[id] = {id, score};
  } else {
    // Several words: persons carrying a match for every word (newest
    // first, at most kMaxCandidates), scored on their whole name. Each
    // word's persons come as one list and are intersected here: SQLite's
    // INTERSECT sorted both sides into temporary B-trees, which took longer
    // than the scans themselves ("lena schulz": ~1,100 and ~1,300 postings,
    // 1.1 ms against 0.2 ms a scan).
    std::vector<std::int64_t> common;
    for (std::size_t i = 0; i < q.words.size(); ++i) {
      LOTSE_ASSIGN_OR_RETURN(std::vector<WordMatch> words,
                             matching_words(x, *vocab, out.scorer, i, q.words[i]));
      if (words.empty()) return std::vector<SearchHit>{};  // every word must be found
      std::vector<std::int64_t> ids;
      for (const WordMatch& w : words) ids.push_back(w.word_id);
      const auto in = internal::id_in(x.dialect(), "word_id", ids);
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows lists,
          x.query(
              "SELECT group_concat(person_id) FROM search_postings WHERE scope = ? AND " + in.sql,
              {scope, in.param}));
      std::vector<std::int64_t> persons = parse_id_list(lists.at(0).text(0));
      std::sort(persons.begin(), persons.end());
      persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
      if (i == 0) {
        common = std::move(persons);
      } else {
        std::vector<std::int64_t> both;
        std::set_intersection(common.begin(), common.end(), persons.begin(), persons.end(),
                              std::back_inserter(both));
        common = std::move(both);
      }
      if (common.empty()) return std::vector<SearchHit>{};
    }
    const auto keep = std::min(common.size(), static_cast<std::size_t>(kMaxCandidates));
    std::vector<std::int64_t> rowids;
    for (auto it = common.rbegin(); it != common.rbegin() + keep; ++it) rowids.push_back(lo + *it);
    if (!rowids.empty()) {
      const auto in = internal::id_in(x.dialect(), "id", rowids);
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows rows,
          x.query("SELECT person_id, search_text FROM person_search WHERE " + in.sql, {in.param}));
      for (const auto& row : rows) out.add(row.integer(0), row.text(1));
    }
  }
  return best_hits(out, want);
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

// The best `want` persons in the caller's search scope, best first (fewer
// when fewer match).
Result<std::vector<SearchHit>> find_persons(store::Executor& x, SearchVocabularyCache& cache,
                                            const std::string& agency,
                                            const internal::SearchQuery& q, std::size_t want) {
  if (x.dialect() == store::Dialect::kSqlite) return sqlite_find(x, cache, agency, q, want);
  Scored scored(q);
  LOTSE_TRY(postgres_candidates(x, agency, q, scored));
  return best_hits(scored, want);
}

}  // namespace

CaseworkService::CaseworkService(store::Database& db, Clock clock, CaseworkOptions options)
    : db_(db),
      clock_(std::move(clock)),
      options_(options),
      vocabulary_(std::make_shared<SearchVocabularyCache>()) {}

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
  // A read transaction; the gate's entry goes to the read log right after
  // it (with the entries in the main file, one write transaction was ~10 %
  // cheaper; in a file of their own, the read transaction is ~35 % cheaper:
  // measured on the case page, ARCHITECTURE.md). A denied read returns "no
  // record" rather than an error from the callback, so that its entry is
  // written; kNotFound is answered after that.
  auto read = db_.read([&](store::Executor& x) -> Result<std::optional<domain::CaseRecord>> {
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
  // A read transaction: its audit entries go to the read log, written right
  // after it (a denied read's entry too, then kNotFound); the consents only
  // for the agency that recorded the case.
  auto read = db_.read([&](store::Executor& x) -> Result<std::optional<CaseView>> {
    auto rec =
        privacy::PolicyGate::read_case(x, r, case_id, ReadPath::kItem, now, load_case_record);
    if (!rec) {
      if (rec.error().code == ErrorCode::kNotFound) return std::optional<CaseView>();
      return rec.error();
    }
    CaseView view{.record = std::move(*rec)};
    if (view.record.owner_agency == r.agency_key) {
      LOTSE_ASSIGN_OR_RETURN(view.consents, internal::read_own_consents(x, r, case_id, now));
    }
    LOTSE_ASSIGN_OR_RETURN(view.handovers, internal::load_case_handovers(x, r, case_id, now));
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
  return db_.read([&](store::Executor& x) -> Result<CasePage> {
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
        // A case the agency owns is never "shared with" it, even if a
        // consent named it: case_shares holds no such row (migration 21),
        // so a page is read on its index alone, however deep.
        sql =
            "SELECT case_id FROM case_shares WHERE agency_key = ? ORDER BY case_id DESC "
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
    // Decided first, so that only the allowed cases are loaded, together.
    LOTSE_ASSIGN_OR_RETURN(std::vector<privacy::CaseAccess> decisions,
                           privacy::PolicyGate::decide_all(x, r, ids, now));
    std::vector<std::int64_t> allowed;
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (decisions[i].allowed) allowed.push_back(ids[i]);
    LOTSE_ASSIGN_OR_RETURN(
        page.cases, privacy::PolicyGate::read_decided(x, r, ids, decisions, ReadPath::kList, now,
                                                      batch_loader(std::move(allowed), f.summary),
                                                      shown_categories(f.summary)));
    if (status)
      std::erase_if(page.cases, [&](const domain::CaseRecord& c) { return c.status != *status; });
    if (f.scope == CaseScope::kOwn) {
      store::Params count_params{r.agency_key};
      if (status) count_params.push_back(*status);
      // Kept by triggers (migration 9): one row instead of counting every case.
      LOTSE_ASSIGN_OR_RETURN(
          store::Row total,
          x.query_one(
              fmt::format("SELECT COALESCE(SUM(n), 0) FROM case_counts WHERE {}", own_where),
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
                                                                const std::string& query, int limit,
                                                                bool summary) {
  LOTSE_TRY(require_case_worker(r));
  const std::size_t qlen = text_length(query);
  if (qlen < 2 || qlen > 100) return Error::invalid("q", "Bitte 2 bis 100 Zeichen eingeben.");
  if (limit < 1 || limit > 50) return Error::invalid("limit", "Bitte 1 bis 50 Treffer.");
  const internal::SearchQuery q = internal::parse_search_query(query);
  if (q.words.empty() && !q.birth_date)
    return Error::invalid("q", "Bitte 2 bis 100 Zeichen eingeben.");
  const std::int64_t now = clock_();
  return db_.read([&](store::Executor& x) -> Result<std::vector<domain::CaseRecord>> {
    // Persons in the caller's search scope, best first: a first round, and
    // all candidates only when the gate refuses too many of those.
    const std::size_t first = static_cast<std::size_t>(limit) * kFirstSliceFactor + 20;
    LOTSE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits,
                           find_persons(x, *vocabulary_, r.agency_key, q, first));
    // Their cases, in the order of the hits. Decide first (no audit) so that
    // a name match on a case whose master data the caller may not see (a
    // person shared once, whose consent has expired) is neither returned
    // nor read; then read the chosen ones through the gate (audited). Each
    // round decides the persons still missing and a margin for refusals
    // (about one in ten in the demo data): a round too small costs another
    // round, one too large decides cases nobody will see. Which cases are
    // shown does not depend on the rounds, only on the hit order.
    std::vector<std::int64_t> ids;
    std::vector<privacy::CaseAccess> decisions;  // one per id, made in this transaction
    auto next_chunk = [&] {
      const std::size_t missing = static_cast<std::size_t>(limit) - ids.size();
      return ids.empty() ? missing + missing / 4 + 2 : 2 * missing + 4;
    };
    std::size_t from = 0;
    bool complete = hits.size() < first || first >= static_cast<std::size_t>(kMaxCandidates);
    while (static_cast<int>(ids.size()) < limit) {
      const std::size_t chunk = next_chunk();
      if (from >= hits.size()) {
        if (complete) break;
        // The order is total (score, then person id), so the longer list
        // begins with the hits already decided.
        LOTSE_ASSIGN_OR_RETURN(hits, find_persons(x, *vocabulary_, r.agency_key, q,
                                                  static_cast<std::size_t>(kMaxCandidates)));
        complete = true;
        if (from >= hits.size()) break;
      }
      std::vector<std::int64_t> persons;
      for (std::size_t i = from; i < std::min(hits.size(), from + chunk); ++i)
        persons.push_back(hits[i].person_id);
      from += persons.size();
      const auto in = internal::id_in(x.dialect(), "person_id", persons);
      LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query("SELECT id, person_id FROM cases WHERE " +
                                                           in.sql + " ORDER BY id DESC",
                                                       {in.param}));
      // The chunk's cases in hit order, decided at once.
      std::vector<std::int64_t> candidates;
      for (std::int64_t person : persons)
        for (const auto& row : rows)
          if (row.integer(1) == person) candidates.push_back(row.integer(0));
      LOTSE_ASSIGN_OR_RETURN(std::vector<privacy::CaseAccess> decided,
                             privacy::PolicyGate::decide_all(x, r, candidates, now));
      for (std::size_t i = 0; i < candidates.size() && static_cast<int>(ids.size()) < limit; ++i)
        if (decided[i].allowed && decided[i].categories.has(domain::DataCategory::kMasterData)) {
          ids.push_back(candidates[i]);
          decisions.push_back(std::move(decided[i]));
        }
    }
    // The gate has decided on every id (all allowed) before the first load.
    LOTSE_ASSIGN_OR_RETURN(
        std::vector<domain::CaseRecord> cases,
        privacy::PolicyGate::read_decided(x, r, ids, decisions, ReadPath::kSearch, now,
                                          batch_loader(ids, summary), shown_categories(summary)));
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
        return Error::invalid("offer_id",
                              "Dieses Angebot gibt es im Katalog des Bündnisses nicht.");
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
    // This case's records as the audit names them, with the action that
    // created each and when (entries about an earlier record with a reused
    // id are left out by entries_about).
    std::vector<privacy::AuditRecord> objects;
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

    LOTSE_ASSIGN_OR_RETURN(std::vector<privacy::AuditEntry> entries,
                           privacy::AuditLog::entries_about(x, objects));
    // Newest first, at most 500.
    std::vector<AccessLogEntry> out;
    for (auto row = entries.rbegin(); row != entries.rend() && out.size() < 500; ++row) {
      AccessLogEntry e{.at_ms = row->at_ms,
                       .actor = row->event.actor,
                       .action = row->event.action,
                       .legal_basis = row->event.legal_basis};
      boost::system::error_code ec;
      boost::json::value details = boost::json::parse(row->event.details_json, ec);
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

namespace {

// What a list line shows (the Fallliste, the Personensuche): the case's
// agencies, phase, status and dates, the person's name and birth date.
// Nothing else is loaded for a list: no address, contact, school or
// residence data and no goals (data minimisation).
#define LOTSE_LIST_LINE_COLUMNS                                             \
  "c.id, c.person_id, c.owner_agency, c.lead_agency, c.phase, c.status, "   \
  "c.destination, c.opened_at, c.closed_at, p.owner_agency, p.given_name, " \
  "p.family_name, p.birth_date"
#define LOTSE_CASE_PERSON_JOIN " FROM cases c JOIN persons p ON p.id = c.person_id WHERE "
// Parameters of both: a condition on c.id.
constexpr const char* kListLineSql = "SELECT " LOTSE_LIST_LINE_COLUMNS LOTSE_CASE_PERSON_JOIN;
// A case and its person as load_case_summary reads them: the list line's
// columns, then the rest.
constexpr int kSummaryRestAt = 13;
constexpr const char* kSummarySql =
    "SELECT " LOTSE_LIST_LINE_COLUMNS
    ", c.goals, p.street, p.postcode, p.city, p.phone, p.email, p.nationality, "
    "p.residence_status, p.school, p.school_qualification" LOTSE_CASE_PERSON_JOIN;
#undef LOTSE_CASE_PERSON_JOIN
#undef LOTSE_LIST_LINE_COLUMNS

domain::CaseRecord list_line_from_row(const store::Row& row) {
  domain::CaseRecord rec;
  rec.id = row.integer(0);
  rec.person_id = row.integer(1);
  rec.owner_agency = row.text(2);
  rec.lead_agency = row.text(3);
  rec.phase = static_cast<int>(row.integer(4));
  rec.status = row.text(5);
  rec.destination = row.text(6);
  rec.opened_at_ms = row.integer(7);
  rec.closed_at_ms = row.integer(8);
  domain::PersonData& p = rec.person;
  p.id = rec.person_id;
  p.owner_agency = row.text(9);
  p.given_name = row.text(10);
  p.family_name = row.text(11);
  p.birth_date = row.text(12);
  return rec;
}

domain::CaseRecord summary_from_row(const store::Row& row) {
  domain::CaseRecord rec = list_line_from_row(row);
  int at = kSummaryRestAt;
  rec.goals = row.text(at++);
  domain::PersonData& p = rec.person;
  p.street = row.text(at++);
  p.postcode = row.text(at++);
  p.city = row.text(at++);
  p.phone = row.text(at++);
  p.email = row.text(at++);
  p.nationality = row.text(at++);
  p.residence_status = row.text(at++);
  p.school = row.text(at++);
  p.school_qualification = row.text(at);
  return rec;
}

// Columns of the details (first column: the case id), and how a row adds
// to a record: the same queries as load_case_details, for many cases.
constexpr const char* kNeedsSql = "SELECT case_id, need FROM case_needs WHERE ";
constexpr const char* kNeedsOrder = " ORDER BY case_id, need";
void add_need(domain::CaseRecord& rec, const store::Row& n, int at) {
  rec.needs.push_back(n.text(at));
}
constexpr const char* kStepsSql =
    "SELECT case_id, id, position, measure, responsible_agency, provider, planned_start, "
    "planned_end, actual_start, actual_end, status, offer_id FROM support_steps WHERE ";
constexpr const char* kStepsOrder = " ORDER BY case_id, position, id";
void add_step(domain::CaseRecord& rec, const store::Row& s, int at) {
  rec.support_chain.push_back({.id = s.integer(at),
                               .position = static_cast<int>(s.integer(at + 1)),
                               .measure = s.text(at + 2),
                               .responsible_agency = s.text(at + 3),
                               .provider = s.text(at + 4),
                               .planned_start = s.text(at + 5),
                               .planned_end = s.text(at + 6),
                               .actual_start = s.text(at + 7),
                               .actual_end = s.text(at + 8),
                               .status = s.text(at + 9),
                               .offer_id = s.text(at + 10)});
}
constexpr const char* kNotesSql =
    "SELECT case_id, id, agency_key, author, body, visibility, entrusted, entruster, created_at "
    "FROM notes WHERE ";
constexpr const char* kNotesOrder = " ORDER BY case_id, created_at, id";
void add_note(domain::CaseRecord& rec, const store::Row& n, int at) {
  rec.notes.push_back({.id = n.integer(at),
                       .agency_key = n.text(at + 1),
                       .author = n.text(at + 2),
                       .body = n.text(at + 3),
                       .visibility = n.text(at + 4),
                       .entrusted = n.integer(at + 5) != 0,
                       .entruster = n.text(at + 6),
                       .created_at_ms = n.integer(at + 7)});
}

}  // namespace

Result<domain::CaseRecord> load_case_summary(store::Executor& x, std::int64_t case_id) {
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                         x.query(std::string(kSummarySql) + "c.id = ?", {case_id}));
  if (rows.empty()) return Error::not_found(internal::kCaseNotFound);
  return summary_from_row(rows[0]);
}

Result<domain::CaseRecord> load_case_details(store::Executor& x, domain::CaseRecord rec) {
  const std::int64_t case_id = rec.id;
  const store::Params id{case_id};
  LOTSE_ASSIGN_OR_RETURN(store::Rows needs,
                         x.query(std::string(kNeedsSql) + "case_id = ?" + kNeedsOrder, id));
  for (const auto& n : needs) add_need(rec, n, 1);
  LOTSE_ASSIGN_OR_RETURN(store::Rows steps,
                         x.query(std::string(kStepsSql) + "case_id = ?" + kStepsOrder, id));
  for (const auto& st : steps) add_step(rec, st, 1);
  LOTSE_ASSIGN_OR_RETURN(store::Rows notes,
                         x.query(std::string(kNotesSql) + "case_id = ?" + kNotesOrder, id));
  for (const auto& n : notes) add_note(rec, n, 1);
  return rec;
}

namespace {

Result<std::unordered_map<std::int64_t, domain::CaseRecord>> load_case_records(
    store::Executor& x, const std::vector<std::int64_t>& case_ids, bool summary) {
  std::unordered_map<std::int64_t, domain::CaseRecord> out;
  if (case_ids.empty()) return out;
  const auto in_case = internal::id_in(x.dialect(), "c.id", case_ids);
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query((summary ? kListLineSql : kSummarySql) + in_case.sql, {in_case.param}));
  for (const auto& row : rows) {
    domain::CaseRecord rec = summary ? list_line_from_row(row) : summary_from_row(row);
    out.emplace(rec.id, std::move(rec));
  }
  if (summary) return out;
  const auto in = internal::id_in(x.dialect(), "case_id", case_ids);
  const std::pair<std::string, void (*)(domain::CaseRecord&, const store::Row&, int)> parts[] = {
      {kNeedsSql + in.sql + kNeedsOrder, add_need},
      {kStepsSql + in.sql + kStepsOrder, add_step},
      {kNotesSql + in.sql + kNotesOrder, add_note}};
  for (const auto& [sql, add] : parts) {
    LOTSE_ASSIGN_OR_RETURN(store::Rows details, x.query(sql, {in.param}));
    for (const auto& row : details) {
      auto it = out.find(row.integer(0));
      if (it != out.end()) add(it->second, row, 1);
    }
  }
  return out;
}

}  // namespace

}  // namespace lotse::casework
