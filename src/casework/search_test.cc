// Typo-tolerant person search (FTS5 trigram on SQLite, pg_trgm on
// PostgreSQL): what it finds, in which order, and what it never returns.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "casework/casework_internal.h"
#include "lotse/casework/casework_service.h"
#include "lotse/organisation/seed.h"
#include "support/test_database.h"

namespace lotse::casework {
namespace {

using domain::CategorySet;
using domain::DataCategory;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
const std::int64_t kStart = Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10LL * 3600 * 1000;

Reader worker(const std::string& agency) {
  return {.username = agency, .agency_key = agency, .case_worker = true, .request_id = "t"};
}

// ---- the scoring alone ----------------------------------------------------

TEST(SearchScore, TyposAndSpellingVariantsScoreAboveTheThreshold) {
  using internal::word_score;
  EXPECT_EQ(word_score("schulz", "schulz"), 1.0);
  EXPECT_GE(word_score("schmitt", "schmidt"), internal::kWordMatchThreshold);
  EXPECT_GE(word_score("mueler", "mueller"), internal::kWordMatchThreshold);
  EXPECT_GE(word_score("meier", "meyer"), internal::kWordMatchThreshold);
  EXPECT_GE(word_score("schul", "schulz"), 0.75);  // prefix
  EXPECT_GE(word_score("rgen", "juergen"), 0.6);   // part of the name
  EXPECT_LT(word_score("becker", "weiss"), internal::kWordMatchThreshold);
  EXPECT_LT(word_score("lena", "jonas"), internal::kWordMatchThreshold);
  // Closer spellings rank higher.
  EXPECT_GT(word_score("schulz", "schultz"), word_score("schulz", "scholz"));
  EXPECT_GT(word_score("lena", "lena"), word_score("lena", "helena"));
}

TEST(SearchScore, EveryWordMustBeFound) {
  using internal::name_score;
  EXPECT_EQ(name_score({"lena", "schulz"}, "lena schulz"), 1.0);
  EXPECT_EQ(name_score({"schulz", "lena"}, "lena schulz"), 1.0);
  EXPECT_GT(name_score({"lena", "schulz"}, "lena schultz"), 0.8);
  EXPECT_EQ(name_score({"juergen", "becker"}, "juergen weiss"), 0.0);
  EXPECT_EQ(name_score({"juergen", "becker"}, "anna becker"), 0.0);
}

TEST(SearchScore, QueryParsingFoldsAndFindsTheBirthDate) {
  auto q = internal::parse_search_query("Müller, Lena 12.04.2008");
  EXPECT_EQ(q.words, (std::vector<std::string>{"mueller", "lena"}));
  ASSERT_TRUE(q.birth_date);
  EXPECT_EQ(*q.birth_date, "2008-04-12");
  EXPECT_EQ(*internal::parse_search_query("2008-04-12").birth_date, "2008-04-12");
  EXPECT_EQ(*internal::parse_search_query("1.2.2009").birth_date, "2009-02-01");
  EXPECT_FALSE(internal::parse_search_query("31.02.2009").birth_date);
  EXPECT_EQ(internal::parse_search_query("31.02.2009").words.size(), 1u);
}

// ---- against the database (both backends) --------------------------------

class SearchDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    auto seeded = db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    });
    ASSERT_TRUE(seeded) << seeded.error().message;
    cw_ = std::make_unique<CaseworkService>(*db_, [this] { return now_.load(); });
  }

  Date today() const { return Date::from_unix_ms(now_.load()); }

  std::int64_t add(const Reader& r, const std::string& given, const std::string& family,
                   const std::string& birth = "2008-04-12") {
    auto p =
        cw_->create_person(r, {.given_name = given, .family_name = family, .birth_date = birth});
    EXPECT_TRUE(p) << p.error().message;
    auto c = cw_->open_case(r, {.person_id = p ? *p : 0, .phase = 3, .needs = {"applications"}});
    EXPECT_TRUE(c) << c.error().message;
    return c ? *c : 0;
  }

  std::int64_t consent(const Reader& r, std::int64_t case_id, const std::string& to,
                       CategorySet categories) {
    auto id = cw_->record_consent(
        r, case_id,
        {.purposes = {"Abgestimmte Beratung"},
         .recipients = {to},
         .categories = categories,
         .valid_from = today(),
         .valid_until = add_days(today(), 90),
         .evidence_ref = "AZ 1/26",
         .informed_of_refusal_and_withdrawal = true,
         // Persons of 15-17 on the test clock need the insight assessment
         // for their own consent (domain/consent.cc); adults may carry one.
         .insight_confirmed = true,
         .insight_reason = "Zweck, Empfänger und Widerruf mit eigenen Worten erklärt"});
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : 0;
  }

  std::vector<std::string> names(const Reader& r, const std::string& q, int limit = 50) {
    auto found = cw_->search(r, q, limit);
    EXPECT_TRUE(found) << q << ": " << found.error().message;
    std::vector<std::string> out;
    if (found)
      for (const auto& c : *found) out.push_back(c.person.given_name + " " + c.person.family_name);
    return out;
  }

  std::vector<std::int64_t> ids(const Reader& r, const std::string& q, int limit = 50) {
    auto found = cw_->search(r, q, limit);
    EXPECT_TRUE(found) << q << ": " << found.error().message;
    std::vector<std::int64_t> out;
    if (found)
      for (const auto& c : *found) out.push_back(c.id);
    return out;
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CaseworkService> cw_;
  std::atomic<std::int64_t> now_{kStart};
  const Reader jc_ = worker("15003-jc"), aa_ = worker("15003-aa"), ja_ = worker("15003-ja");
};

TEST_F(SearchDb, FindsNamesDespiteTypos) {
  add(jc_, "Max", "Schmidt");
  add(jc_, "Anna", "Müller");
  add(jc_, "Lena", "Schulz");
  add(jc_, "Jonas", "Meier");
  add(jc_, "Paul", "Becker");
  EXPECT_EQ(names(jc_, "Schmitt"), (std::vector<std::string>{"Max Schmidt"}));
  EXPECT_EQ(names(jc_, "Mueler"), (std::vector<std::string>{"Anna Müller"}));
  EXPECT_EQ(names(jc_, "müller anna"), (std::vector<std::string>{"Anna Müller"}));
  EXPECT_EQ(names(jc_, "lena schulz"), (std::vector<std::string>{"Lena Schulz"}));
  EXPECT_EQ(names(jc_, "LENA SCHULZ"), (std::vector<std::string>{"Lena Schulz"}));
  EXPECT_EQ(names(jc_, "Lena Schultz"), (std::vector<std::string>{"Lena Schulz"}));
  EXPECT_EQ(names(jc_, "Meyer"), (std::vector<std::string>{"Jonas Meier"}));
  EXPECT_EQ(names(jc_, "schul"), (std::vector<std::string>{"Lena Schulz"}));  // beginning
  EXPECT_EQ(names(jc_, "ecke"), (std::vector<std::string>{"Paul Becker"}));   // part
  EXPECT_TRUE(names(jc_, "Lena Becker").empty());  // every word must be found
  EXPECT_TRUE(names(jc_, "Wolfgang").empty());
}

TEST_F(SearchDb, FindsByBirthDateAloneOrWithAName) {
  add(jc_, "Lena", "Schulz", "2008-04-12");
  add(jc_, "Lea", "Schulz", "2009-01-30");
  add(jc_, "Tom", "Wagner", "2009-01-30");
  EXPECT_EQ(names(jc_, "12.04.2008"), (std::vector<std::string>{"Lena Schulz"}));
  EXPECT_EQ(names(jc_, "2009-01-30").size(), 2u);
  EXPECT_EQ(names(jc_, "Schulz 30.01.2009"), (std::vector<std::string>{"Lea Schulz"}));
  EXPECT_EQ(names(jc_, "schulz 30.1.2009"), (std::vector<std::string>{"Lea Schulz"}));
  EXPECT_TRUE(names(jc_, "Wagner 12.04.2008").empty());
}

TEST_F(SearchDb, RanksBySimilarityBestFirst) {
  add(jc_, "Lea", "Scholz");
  add(jc_, "Helena", "Schulze");
  add(jc_, "Lena", "Schultz");
  add(jc_, "Lena", "Schulz");
  add(jc_, "Lena", "Schulz");  // same name twice: newest case first
  const auto found = names(jc_, "lena schulz");
  ASSERT_GE(found.size(), 4u);
  EXPECT_EQ(found[0], "Lena Schulz");
  EXPECT_EQ(found[1], "Lena Schulz");
  EXPECT_EQ(found[2], "Lena Schultz");
  EXPECT_EQ(found[3], "Helena Schulze");
  auto by_id = cw_->search(jc_, "lena schulz", 50);
  ASSERT_TRUE(by_id);
  EXPECT_GT((*by_id)[0].id, (*by_id)[1].id);
  // The limit keeps the best.
  EXPECT_EQ(names(jc_, "lena schulz", 1), (std::vector<std::string>{"Lena Schulz"}));
}

TEST_F(SearchDb, NeverReturnsAnotherAgencysPersonWithTheSameName) {
  const std::int64_t own = add(jc_, "Lena", "Schulz");
  // Agentur für Arbeit Magdeburg records a near-identical and an identical
  // name; nothing is shared with the Jobcenter.
  const std::int64_t theirs = add(aa_, "Lena", "Schultz");
  const std::int64_t same = add(aa_, "Lena", "Schulz");
  // Shared with the Jobcenter, but without master data: still not findable.
  const std::int64_t no_master = add(aa_, "Lena", "Schulze");
  consent(aa_, no_master, "15003-jc", CategorySet::of({DataCategory::kNeedsGoals}));
  const std::int64_t seq_before = count("SELECT COALESCE(MAX(seq), 0) FROM reads.read_log");

  for (const char* q : {"Lena Schulz", "Lena Schultz", "schulz", "Lena", "12.04.2008"}) {
    EXPECT_EQ(ids(jc_, q), (std::vector<std::int64_t>{own})) << q;
  }
  // The Agentur sees only its own two.
  auto aa = ids(aa_, "Lena Schulz");
  EXPECT_EQ(aa.size(), 3u);  // Schulz, Schultz, Schulze: all its own
  // Nothing about the other agency's cases was read, not even a denial.
  for (std::int64_t c : {theirs, same, no_master}) {
    EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE log = 'read_log' AND seq > ? AND "
                    "object = ? AND actor = ?",
                    {seq_before, "case:" + std::to_string(c), std::string("15003-jc")}),
              0)
        << c;
  }
  // Every result was read through the gate, on the search path.
  EXPECT_GT(count("SELECT COUNT(*) FROM audit_entries WHERE log = 'read_log' AND seq > ? AND "
                  "object = ? AND "
                  "action = 'case.read' AND details LIKE '%\"search\"%'",
                  {seq_before, "case:" + std::to_string(own)}),
            0);
}

TEST_F(SearchDb, SharedPersonsOnlyWhileTheConsentWithMasterDataHolds) {
  const std::int64_t c = add(aa_, "Lena", "Schulz");
  EXPECT_TRUE(ids(jc_, "Lena Schulz").empty());
  const std::int64_t consent_id =
      consent(aa_, c, "15003-jc", CategorySet::of({DataCategory::kMasterData}));
  EXPECT_EQ(ids(jc_, "Lena Schultz"), (std::vector<std::int64_t>{c}));
  EXPECT_TRUE(ids(ja_, "Lena Schulz").empty());  // not named
  ASSERT_TRUE(cw_->withdraw_consent(aa_, consent_id));
  EXPECT_TRUE(ids(jc_, "Lena Schulz").empty());  // the very next request
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_entries WHERE log = 'read_log' AND action = "
                  "'case.read_denied' AND "
                  "object = ?",
                  {"case:" + std::to_string(c)}),
            0);  // decided before reading: not even a denied read
}

TEST_F(SearchDb, TyposInEveryWordAndPartsOfNames) {
  const std::int64_t lena = add(jc_, "Lena", "Schulz");
  const std::int64_t emma = add(jc_, "Emma", "Koch");
  add(jc_, "Lena", "Koch");
  EXPECT_EQ(ids(jc_, "Lenna Schuls"), (std::vector<std::int64_t>{lena}));  // a typo in each
  EXPECT_EQ(ids(jc_, "koch emma"), (std::vector<std::int64_t>{emma}));     // any word order
  EXPECT_EQ(ids(jc_, "emm koc"), (std::vector<std::int64_t>{emma}));       // beginnings
  EXPECT_EQ(names(jc_, "Koch"), (std::vector<std::string>{"Lena Koch", "Emma Koch"}));
  EXPECT_TRUE(ids(jc_, "Emma Schulz").empty());  // both words, but not on one person
}

TEST_F(SearchDb, NamesWithQuotesAndBackslashesAreFoundAndHarmless) {
  const std::int64_t c = add(jc_, "Ma\"x", "O'Bri\\en");
  EXPECT_EQ(ids(jc_, "o'bri\\en"), (std::vector<std::int64_t>{c}));
  EXPECT_EQ(ids(jc_, "ma\"x"), (std::vector<std::int64_t>{c}));
}

TEST_F(SearchDb, FindsVeryLongNamesToo) {
  // A word of 70 letters, no trigram twice: more trigrams than the
  // in-memory match holds (64), so the FTS5 index over the vocabulary
  // answers for it.
  const std::string long_name =
      "Abhxvjjnxqkppfcwwerugzdvbdlifpwtbzadfozgcqpataizrjbpxoxmsqqkskfippwddb";
  const std::int64_t c = add(jc_, "Lena", long_name);
  EXPECT_EQ(ids(jc_, long_name), (std::vector<std::int64_t>{c}));
  EXPECT_EQ(ids(jc_, "lena " + long_name.substr(0, 69) + "x"), (std::vector<std::int64_t>{c}));
}

TEST_F(SearchDb, LooksBeyondTheFirstRoundWhenTheGateRefusesItsHits) {
  // The oldest "Schulz" is the Jobcenter's own; the Agentur's 24 newer ones
  // were shared with master data and withdrawn: more than the first round
  // of hits for limit 1 (1 * 3 + 20), all refused by the gate.
  const std::int64_t own = add(jc_, "Lena", "Schulz");
  std::vector<std::int64_t> withdrawn;
  for (int i = 0; i < 24; ++i) {
    const std::int64_t c = add(aa_, "Lena", "Schulz");
    const std::int64_t consent_id =
        consent(aa_, c, "15003-jc", CategorySet::of({DataCategory::kMasterData}));
    ASSERT_TRUE(cw_->withdraw_consent(aa_, consent_id));
    withdrawn.push_back(c);
  }
  const std::int64_t seq_before = count("SELECT COALESCE(MAX(seq), 0) FROM reads.read_log");
  auto found = cw_->search(jc_, "Schulz", 1);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, own);
  // Only the result shown was read; the refused ones were neither shown,
  // nor read, nor counted.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_entries WHERE log = 'read_log' AND seq > ?", {seq_before}),
      1);
  for (std::int64_t c : withdrawn)
    EXPECT_EQ(
        count(
            "SELECT COUNT(*) FROM audit_entries WHERE log = 'read_log' AND seq > ? AND object = ?",
            {seq_before, "case:" + std::to_string(c)}),
        0);
}

TEST_F(SearchDb, ShowsTheBestAllowedHitsInHitOrderWhateverTheRounds) {
  // Equal names rank newest first. Every second "Schulz" is the Agentur's,
  // shared and withdrawn; the search decides in rounds sized by what is
  // still missing, and the result is the newest allowed ones, in order.
  std::vector<std::int64_t> own;
  for (int i = 0; i < 12; ++i) {
    own.push_back(add(jc_, "Lena", "Schulz"));
    const std::int64_t refused = add(aa_, "Lena", "Schulz");
    const std::int64_t consent_id =
        consent(aa_, refused, "15003-jc", CategorySet::of({DataCategory::kMasterData}));
    ASSERT_TRUE(cw_->withdraw_consent(aa_, consent_id));
  }
  std::reverse(own.begin(), own.end());
  for (int limit : {1, 4, 7, 12}) {
    EXPECT_EQ(ids(jc_, "Schulz", limit),
              std::vector<std::int64_t>(own.begin(), own.begin() + limit))
        << "limit " << limit;
  }
}

// A search of several words considers at most 1,000 persons carrying a
// match for every word: the newest. With more, the newest are shown, and
// persons matching one word only (newer still) do not take their places.
TEST_F(SearchDb, SeveralWordsFindTheNewestWhenMorePersonsCarryThemAllThanAreConsidered) {
  std::vector<std::int64_t> both;
  for (int i = 0; i < 1003; ++i) both.push_back(add(jc_, "Lena", "Schulz"));
  for (int i = 0; i < 5; ++i) {
    add(jc_, "Lena", "Becker");
    add(jc_, "Paul", "Schulz");
  }
  std::reverse(both.begin(), both.end());
  EXPECT_EQ(ids(jc_, "lena schulz", 4), std::vector<std::int64_t>(both.begin(), both.begin() + 4));
  EXPECT_EQ(ids(jc_, "schulz lena", 4), std::vector<std::int64_t>(both.begin(), both.begin() + 4));
}

TEST_F(SearchDb, NewNamesAreFoundAtOnceEvenWhenAnotherServerAddedThem) {
  add(jc_, "Lena", "Schulz");
  EXPECT_TRUE(ids(jc_, "Quellmalz").empty());  // the words are in memory now
  // Another server process on the same database (its own service) records
  // a person with a word never seen before.
  CaseworkService other(*db_, [this] { return now_.load(); });
  auto p = other.create_person(
      jc_, {.given_name = "Zacharias", .family_name = "Quellmalz", .birth_date = "2008-04-12"});
  ASSERT_TRUE(p) << p.error().message;
  auto c = other.open_case(jc_, {.person_id = *p, .phase = 3, .needs = {"applications"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(ids(jc_, "Quellmals"), (std::vector<std::int64_t>{*c}));
  EXPECT_EQ(ids(jc_, "zacharias quellmalz"), (std::vector<std::int64_t>{*c}));
}

TEST_F(SearchDb, RefusesWhoMayNotWorkOnCasesAndEmptyQueries) {
  add(jc_, "Lena", "Schulz");
  Reader coordinator{.username = "15003-koord", .agency_key = "", .case_worker = false};
  EXPECT_EQ(cw_->search(coordinator, "Lena", 10).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(cw_->search(jc_, " , ", 10).error().field, "q");
  EXPECT_TRUE(names(jc_, "\"\"").empty());
  EXPECT_TRUE(names(jc_, "%_").empty());
}

// A database that had persons before migration 3 gets them indexed by it.
TEST_F(SearchDb, MigrationBackfillsExistingPersons) {
  const std::int64_t own = add(jc_, "Lena", "Schulz");
  const std::int64_t shared = add(aa_, "Max", "Schmidt");
  consent(aa_, shared, "15003-jc", CategorySet::of({DataCategory::kMasterData}));
  // Back to the state before migration 3: its objects gone, its row too.
  const bool pg = db_->dialect() == store::Dialect::kPostgres;
  auto undone = db_->write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(x.exec_script(
        pg ? "DROP TABLE person_search; DROP FUNCTION persons_search_sync CASCADE; "
             "DROP FUNCTION consent_recipients_search_sync CASCADE; "
             "DROP FUNCTION legal_transfers_search_sync CASCADE;"
           : "DROP TABLE search_vocab_fts; DROP TABLE search_vocab; DROP TABLE search_postings; "
             "DROP TABLE search_vocab_version; "
             "DELETE FROM schema_migrations WHERE version IN (12, 13); "
             "DROP TABLE person_search; DROP TABLE search_scopes; "
             "DROP TRIGGER persons_search_ai; DROP TRIGGER persons_search_au; "
             "DROP TRIGGER persons_search_ad; DROP TRIGGER consent_recipients_share_ai; "
             "DROP TRIGGER consent_recipients_search_ai; DROP TRIGGER legal_transfers_share_ai; "
             "DROP TRIGGER legal_transfers_search_ai;"));
    LOTSE_TRY(x.exec_script(
        "DROP TABLE case_shares; DROP INDEX persons_by_birth_date; DROP INDEX cases_by_owner_id; "
        "DROP INDEX consents_by_case; "
        "DROP INDEX handovers_in_list; DROP INDEX handovers_out_list; "
        "DROP INDEX IF EXISTS handovers_in_box; DROP INDEX IF EXISTS handovers_out_box; "
        "DELETE FROM schema_migrations WHERE version = 3;"));
    return ok();
  });
  ASSERT_TRUE(undone) << undone.error().message;
  auto version = store::migrate(*db_);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, store::latest_schema_version());
  EXPECT_EQ(ids(jc_, "Lena Schultz"), (std::vector<std::int64_t>{own}));
  EXPECT_EQ(ids(jc_, "Max Schmitt"), (std::vector<std::int64_t>{shared}));
  EXPECT_TRUE(ids(ja_, "Max Schmidt").empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_shares WHERE agency_key = '15003-jc'"), 1);
  // And keeps them in sync from then on.
  const std::int64_t later = add(jc_, "Jonas", "Meier");
  EXPECT_EQ(ids(jc_, "Jonas Meyer"), (std::vector<std::int64_t>{later}));
}

}  // namespace
}  // namespace lotse::casework
