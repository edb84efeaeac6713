// Helpers shared by the casework sources (not part of the public interface).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/casework/casework_service.h"

namespace lotse::casework::internal {

// Legal bases written to the audit log for changes.
inline constexpr const char* kOwnCaseBasis = "Art. 6 Abs. 1 lit. e DSGVO, § 67b SGB X";
inline constexpr const char* kConsentBasis = "Einwilligung (Art. 7 DSGVO, § 67b SGB X)";
inline constexpr const char* kWithdrawalBasis = "Widerruf der Einwilligung (Art. 7 Abs. 3 DSGVO)";
inline constexpr const char* kCaseNotFound = "Fall nicht gefunden.";

// Only case workers of an agency work on cases; everyone else is refused
// before anything is read.
Result<void> require_case_worker(const Reader& r);

// Appends the audit entry of a change in the caller's transaction.
Result<void> audit(store::Executor& x, std::int64_t now_ms, const Reader& r, std::string action,
                   std::string object, std::string legal_basis, std::string details_json = "{}");

Result<bool> agency_known(store::Executor& x, const std::string& agency_key);
bool is_jugendamt(std::string_view agency_key);

struct CaseHeader {
  std::int64_t id = 0, person_id = 0;
  std::string owner_agency, lead_agency;
};

// Loads the case and checks that the caller's agency owns it. A case the
// caller may not even read is answered as kNotFound (its existence stays
// hidden); a partner that can read it gets kForbidden.
Result<CaseHeader> require_owner(store::Executor& x, const Reader& r, std::int64_t case_id,
                                 std::int64_t now_ms);
// The kNotFound / kForbidden answer for a caller who is not allowed to act.
Error refusal(store::Executor& x, const Reader& r, std::int64_t case_id, std::int64_t now_ms);

// Every version of a case's consents with its state at `now_ms` (no access
// check, no audit: callers decide and log). Oldest version first, or newest
// first with `newest_first`.
Result<std::vector<ConsentView>> load_consents(store::Executor& x, std::int64_t case_id,
                                               std::int64_t now_ms, bool newest_first);

// The consents of the caller's own case, newest first, with the audit entry
// of the read ("consent.list"). The caller has checked ownership.
Result<std::vector<ConsentView>> read_own_consents(store::Executor& x, const Reader& r,
                                                   std::int64_t case_id, std::int64_t now_ms);

// The handovers of one case as the caller's boxes show them (handovers.cc).
Result<std::vector<HandoverView>> load_case_handovers(store::Executor& x, const Reader& r,
                                                      std::int64_t case_id, std::int64_t now_ms);

// Length in Unicode code points (inputs are UTF-8).
std::size_t text_length(std::string_view s);
// Lowercases ASCII and folds German umlauts and ß (ä→ae, ö→oe, ü→ue, ß→ss),
// so that "Müller" and "mueller" find each other.
std::string fold_for_search(std::string_view s);

// ---- typo-tolerant person search (casework_service.cc) ------------------

// A search query as the case worker typed it: name words (folded) and an
// optional birth date ("12.04.2008", "12.4.2008" or "2008-04-12").
struct SearchQuery {
  std::vector<std::string> words;
  std::optional<std::string> birth_date;  // YYYY-MM-DD
};
SearchQuery parse_search_query(std::string_view query);

// The distinct trigrams of a folded word padded as pg_trgm pads it
// ("  w " -> "  w", " wo", "wor", ...), by Unicode characters.
std::vector<std::string> padded_trigrams(std::string_view word);
// The trigrams inside the word only (substring match; empty below 3 characters).
std::vector<std::string> inner_trigrams(std::string_view word);

// How well query word `q` matches name word `w`, 0..1: 1 equal, then prefix,
// substring, and otherwise the trigram similarity (as pg_trgm's similarity),
// also compared after folding common spelling variants (dt/tt -> t, y -> i,
// ph -> f, doubled letters), so that "schmitt" ~ "schmidt", "meier" ~ "meyer".
double word_score(std::string_view q, std::string_view w);
// A word counts as found from this score on (pg_trgm's default threshold).
inline constexpr double kWordMatchThreshold = 0.3;
// Score of a folded name ("lena schulz", spaces as separators) for the query
// words: the mean of each word's best match, or 0 when any query word finds
// no name word at or above kWordMatchThreshold (all words must be found).
double name_score(const std::vector<std::string>& words, std::string_view folded_name);
// True when every query word equals a word of the name: nothing fuzzy can rank higher.
bool exact_name_match(const std::vector<std::string>& words, std::string_view folded_name);

// name_score for many names against one query: the query's trigrams are
// computed once, each name's once (search scores hundreds of names).
class NameScorer {
 public:
  explicit NameScorer(const std::vector<std::string>& words);
  double score(std::string_view folded_name) const;
  std::size_t size() const { return words_.size(); }
  // How well query word `i` matches one name word: word_score() on the
  // query's precomputed trigrams (the search scores vocabulary words).
  double word_match(std::size_t i, std::string_view name_word) const;
  // A name word with its trigrams computed once (the search keeps its
  // vocabulary so), and word_match() on it.
  struct Word {
    std::string text, variant;
    std::vector<std::uint64_t> trigrams, variant_trigrams;  // sorted hashes
  };
  static Word make(std::string_view w);
  double word_match(std::size_t i, const Word& name_word) const;

 private:
  static double word(const Word& q, const Word& w);
  std::vector<Word> words_;
};

// A condition "column is one of ids" with ONE parameter, so the statement
// text (and its prepared statement) does not depend on the number of ids:
// SQLite json_each, PostgreSQL = ANY(array).
struct IdListCondition {
  std::string sql;
  store::Value param;
};
IdListCondition id_in(store::Dialect dialect, std::string_view column,
                      const std::vector<std::int64_t>& ids);

}  // namespace lotse::casework::internal
