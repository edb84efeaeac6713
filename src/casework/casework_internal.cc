#include "casework/casework_internal.h"

#include <fmt/format.h>

#include <algorithm>

#include "lotse/common/date.h"
#include "lotse/domain/agency_key.h"

namespace lotse::casework::internal {

Result<void> require_case_worker(const Reader& r) {
  if (!privacy::PolicyGate::may_work_on_cases(r))
    return Error::forbidden("Nur Fachkräfte bearbeiten Fälle.");
  return ok();
}

Result<void> audit(store::Executor& x, std::int64_t now_ms, const Reader& r, std::string action,
                   std::string object, std::string legal_basis, std::string details_json) {
  return privacy::AuditLog::append(x, now_ms,
                                   {.actor = r.username.empty() ? "-" : r.username,
                                    .action = std::move(action),
                                    .object = std::move(object),
                                    .legal_basis = std::move(legal_basis),
                                    .request_id = r.request_id,
                                    .details_json = std::move(details_json)});
}

Result<bool> agency_known(store::Executor& x, const std::string& agency_key) {
  if (!domain::parse_agency_key(agency_key)) return false;
  LOTSE_ASSIGN_OR_RETURN(
      std::int64_t n,
      x.query_int("SELECT COUNT(*) FROM agencies WHERE agency_key = ?", {agency_key}));
  return n > 0;
}

bool is_jugendamt(std::string_view agency_key) {
  auto key = domain::parse_agency_key(agency_key);
  return key && key->kind == domain::AgencyKind::kJugendamt;
}

Error refusal(store::Executor& x, const Reader& r, std::int64_t case_id, std::int64_t now_ms) {
  auto access = privacy::PolicyGate::decide(x, r, case_id, now_ms);
  if (!access) return access.error();
  if (!access->allowed) return Error::not_found(kCaseNotFound);
  return Error::forbidden("Nur die Stelle, die den Fall führt, darf ihn ändern.");
}

Result<CaseHeader> require_owner(store::Executor& x, const Reader& r, std::int64_t case_id,
                                 std::int64_t now_ms) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query("SELECT id, person_id, owner_agency, lead_agency FROM cases WHERE id = ?",
              {case_id}));
  if (rows.empty()) return Error::not_found(kCaseNotFound);
  CaseHeader h{.id = rows[0].integer(0),
               .person_id = rows[0].integer(1),
               .owner_agency = rows[0].text(2),
               .lead_agency = rows[0].text(3)};
  if (h.owner_agency != r.agency_key) return refusal(x, r, case_id, now_ms);
  return h;
}

std::size_t text_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string fold_for_search(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      const unsigned char d = static_cast<unsigned char>(s[i + 1]);
      const char* folded = nullptr;
      switch (d) {
        case 0xA4:
        case 0x84:
          folded = "ae";
          break;  // ä Ä
        case 0xB6:
        case 0x96:
          folded = "oe";
          break;  // ö Ö
        case 0xBC:
        case 0x9C:
          folded = "ue";
          break;  // ü Ü
        case 0x9F:
          folded = "ss";
          break;  // ß
        default:
          break;
      }
      if (folded) {
        out += folded;
        ++i;
        continue;
      }
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  }
  return out;
}

}  // namespace lotse::casework::internal

// ---- typo-tolerant person search ------------------------------------------

namespace lotse::casework::internal {
namespace {

// Splits UTF-8 text into characters (code point sequences).
std::vector<std::string_view> characters(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = 1;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) n = 4;
    else if (c >= 0xE0) n = 3;
    else if (c >= 0xC0) n = 2;
    n = std::min(n, s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::vector<std::string> trigrams_of(const std::vector<std::string_view>& chars) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 3 <= chars.size(); ++i) {
    std::string t;
    t.append(chars[i]).append(chars[i + 1]).append(chars[i + 2]);
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string_view> padded_chars(std::string_view word) {
  std::vector<std::string_view> chars{" ", " "};
  for (auto c : characters(word)) chars.push_back(c);
  chars.push_back(" ");
  return chars;
}

double jaccard(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  std::size_t common = 0;
  for (const auto& t : a)
    if (std::find(b.begin(), b.end(), t) != b.end()) ++common;
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

// Spelling variants that sound alike in German names.
std::string spelling_variant(std::string_view w) {
  std::string s;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const char c = w[i];
    const char next = i + 1 < w.size() ? w[i + 1] : '\0';
    if (c == 'd' && next == 't') continue;                   // dt -> t
    if (c == 't' && next == 'h') { s += 't'; ++i; continue; } // th -> t
    if (c == 'p' && next == 'h') { s += 'f'; ++i; continue; } // ph -> f
    if (c == 'c' && next == 'k') continue;                   // ck -> k
    if (c == 't' && next == 'z') continue;                   // tz -> z
    s += c == 'y' ? 'i' : c;
  }
  std::string out;
  for (char c : s)
    if (out.empty() || out.back() != c) out += c;  // doubled letters
  return out;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<std::string> as_birth_date(std::string_view t) {
  if (auto d = Date::parse(t)) return d->str();
  // D.M.YYYY / DD.MM.YYYY
  int part[3] = {0, 0, 0}, digits[3] = {0, 0, 0}, k = 0;
  for (char c : t) {
    if (c == '.') {
      if (++k > 2) return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      part[k] = part[k] * 10 + (c - '0');
      ++digits[k];
    } else {
      return std::nullopt;
    }
  }
  if (k != 2 || digits[0] < 1 || digits[0] > 2 || digits[1] < 1 || digits[1] > 2 || digits[2] != 4)
    return std::nullopt;
  auto d = Date::parse(fmt::format("{:04}-{:02}-{:02}", part[2], part[1], part[0]));
  if (!d) return std::nullopt;
  return d->str();
}

}  // namespace

SearchQuery parse_search_query(std::string_view query) {
  SearchQuery q;
  std::string folded = fold_for_search(query);
  for (char& c : folded)
    if (c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';') c = ' ';
  for (std::string_view t : split_words(folded)) {
    if (!q.birth_date) {
      if (auto d = as_birth_date(t)) {
        q.birth_date = *d;
        continue;
      }
    }
    if (std::find(q.words.begin(), q.words.end(), t) == q.words.end()) q.words.emplace_back(t);
  }
  return q;
}

std::vector<std::string> padded_trigrams(std::string_view word) {
  return trigrams_of(padded_chars(word));
}

std::vector<std::string> inner_trigrams(std::string_view word) {
  return trigrams_of(characters(word));
}

double word_score(std::string_view q, std::string_view w) {
  if (q.empty() || w.empty()) return 0;
  if (q == w) return 1.0;
  const double ratio = static_cast<double>(q.size()) / static_cast<double>(w.size());
  if (w.size() > q.size() && w.compare(0, q.size(), q) == 0) return 0.75 + 0.2 * ratio;
  if (q.size() >= 3 && w.find(q) != std::string_view::npos) return 0.6 + 0.2 * ratio;
  const double plain = jaccard(padded_trigrams(q), padded_trigrams(w));
  const std::string qv = spelling_variant(q), wv = spelling_variant(w);
  const double variant = qv == wv ? 0.9 : jaccard(padded_trigrams(qv), padded_trigrams(wv)) * 0.9;
  return std::min(0.9, std::max(plain, variant));
}

double name_score(const std::vector<std::string>& words, std::string_view folded_name) {
  if (words.empty()) return 1.0;
  const auto name = split_words(folded_name);
  double sum = 0;
  for (const auto& q : words) {
    double best = 0;
    for (auto w : name) best = std::max(best, word_score(q, w));
    if (best < kWordMatchThreshold) return 0;
    sum += best;
  }
  return sum / static_cast<double>(words.size());
}

bool exact_name_match(const std::vector<std::string>& words, std::string_view folded_name) {
  const auto name = split_words(folded_name);
  for (const auto& q : words)
    if (std::find(name.begin(), name.end(), q) == name.end()) return false;
  return true;
}

namespace {

// The padded trigrams of a word as sorted 64-bit hashes, without building
// strings: search scores hundreds of names per query.
std::vector<std::uint64_t> trigram_hashes(std::string_view word) {
  // Code points of "  word ", each packed into 32 bits (its UTF-8 bytes).
  std::uint32_t cps[80];
  std::size_t n = 0;
  cps[n++] = ' ';
  cps[n++] = ' ';
  for (std::size_t i = 0; i < word.size() && n < 79;) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    len = std::min(len, word.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < len; ++k) v = (v << 8) | static_cast<unsigned char>(word[i + k]);
    cps[n++] = v;
    i += len;
  }
  cps[n++] = ' ';
  std::vector<std::uint64_t> out;
  out.reserve(n);
  for (std::size_t i = 0; i + 3 <= n; ++i) {
    std::uint64_t h = cps[i];
    h = h * 0x100000001B3ULL ^ cps[i + 1];
    h = h * 0x100000001B3ULL ^ cps[i + 2];
    h ^= h >> 29;
    out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double jaccard_sorted(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() || b.empty()) return 0;
  std::size_t common = 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) ++common, ++i, ++j;
    else if (a[i] < b[j]) ++i;
    else ++j;
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace

NameScorer::Word NameScorer::make(std::string_view w) {
  Word out{.text = std::string(w), .variant = spelling_variant(w)};
  out.trigrams = trigram_hashes(out.text);
  out.variant_trigrams = trigram_hashes(out.variant);
  return out;
}

// The same rules as word_score(), on precomputed trigrams.
double NameScorer::word(const Word& q, const Word& w) {
  const std::string_view qt = q.text, wt = w.text;
  if (qt.empty() || wt.empty()) return 0;
  if (qt == wt) return 1.0;
  const double ratio = static_cast<double>(qt.size()) / static_cast<double>(wt.size());
  if (wt.size() > qt.size() && wt.compare(0, qt.size(), qt) == 0) return 0.75 + 0.2 * ratio;
  if (qt.size() >= 3 && wt.find(qt) != std::string_view::npos) return 0.6 + 0.2 * ratio;
  const double plain = jaccard_sorted(q.trigrams, w.trigrams);
  const double variant =
      q.variant == w.variant ? 0.9 : jaccard_sorted(q.variant_trigrams, w.variant_trigrams) * 0.9;
  return std::min(0.9, std::max(plain, variant));
}

NameScorer::NameScorer(const std::vector<std::string>& words) {
  for (const auto& w : words) words_.push_back(make(w));
}

double NameScorer::score(std::string_view folded_name) const {
  if (words_.empty()) return 1.0;
  std::vector<Word> name;
  for (auto w : split_words(folded_name)) name.push_back(make(w));
  // (Trigrams of every name word are needed anyway as soon as one query
  // word is not found verbatim; computing them up front keeps this simple.)
  double sum = 0;
  for (const auto& q : words_) {
    double best = 0;
    for (const auto& w : name) {
      best = std::max(best, word(q, w));
      if (best >= 1.0) break;
    }
    if (best < kWordMatchThreshold) return 0;
    sum += best;
  }
  return sum / static_cast<double>(words_.size());
}

double NameScorer::word_match(std::size_t i, std::string_view name_word) const {
  return word(words_.at(i), make(name_word));
}

double NameScorer::word_match(std::size_t i, const Word& name_word) const {
  return word(words_.at(i), name_word);
}

IdListCondition id_in(store::Dialect dialect, std::string_view column,
                      const std::vector<std::int64_t>& ids) {
  std::string list;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) list += ',';
    list += std::to_string(ids[i]);
  }
  if (dialect == store::Dialect::kPostgres)
    return {fmt::format("{} = ANY(CAST(? AS BIGINT[]))", column), "{" + list + "}"};
  return {fmt::format("{} IN (SELECT value FROM json_each(?))", column), "[" + list + "]"};
}

}  // namespace lotse::casework::internal
