// `lotse demo --persons N` on both backends: what it writes is complete and
// consistent, follows the rules the policy gate enforces, is the same for
// the same seed, and the inbox pages and counts of the generated data agree.
#include "lotse/app/synthetic_people.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <set>
#include <sys/wait.h>

#include "lotse/casework/casework_service.h"
#include "lotse/common/date.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "support/test_database.h"

namespace lotse::app {
namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
// Monday, 2 March 2026, 10:00 UTC.
const std::int64_t kNow = Date{2026, 3, 2}.days_since_epoch() * kDayMs + 10LL * 3600 * 1000;

privacy::Reader worker(const std::string& agency) {
  return {.username = agency, .agency_key = agency, .case_worker = true, .request_id = "t"};
}

class SyntheticPeopleDb : public ::testing::Test {
 protected:
  void SetUp() override { db_ = fresh(); }

  static std::unique_ptr<store::Database> fresh() {
    auto db = lotse::testing::test_database();
    auto seeded = db->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    });
    EXPECT_TRUE(seeded) << seeded.error().message;
    return db;
  }

  static SyntheticSummary generate(store::Database& db, std::int64_t n, std::uint64_t seed) {
    auto s = generate_people(db, [] { return kNow; },
                             {.persons = n, .seed = seed,
                              .data_dir = organisation::default_data_dir(), .batch = 97});
    EXPECT_TRUE(s) << s.error().message;
    return s ? *s : SyntheticSummary{};
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << sql << ": " << n.error().message;
    return n ? *n : -1;
  }

  store::Rows rows(store::Database& db, const std::string& sql) {
    auto r = db.read([&](store::Executor& x) { return x.query(sql); });
    EXPECT_TRUE(r) << sql << ": " << r.error().message;
    return r ? std::move(*r) : store::Rows{};
  }

  std::unique_ptr<store::Database> db_;
};

TEST_F(SyntheticPeopleDb, WritesCompleteConsistentDataWithOneAuditEntry) {
  const SyntheticSummary s = generate(*db_, 1500, 11);
  EXPECT_EQ(s.persons, 1500);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons"), 1500);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), s.cases);
  EXPECT_GE(s.cases, 1500);
  EXPECT_EQ(count("SELECT COUNT(*) FROM consents"), s.consents);
  EXPECT_EQ(count("SELECT COUNT(*) FROM handovers"), s.handovers);
  EXPECT_EQ(count("SELECT COUNT(*) FROM notes"), s.notes);
  EXPECT_EQ(count("SELECT COUNT(*) FROM support_steps"), s.steps);
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_transfers"), s.transfers);
  // Every person has a case, owned by the person's agency.
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons p WHERE NOT EXISTS "
                  "(SELECT 1 FROM cases c WHERE c.person_id = p.id)"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases c JOIN persons p ON p.id = c.person_id "
                  "WHERE c.owner_agency <> p.owner_agency"),
            0);
  // Consents and transfers name existing agencies other than the owner.
  EXPECT_EQ(count("SELECT COUNT(*) FROM consent_recipients cr LEFT JOIN agencies a "
                  "ON a.agency_key = cr.agency_key WHERE a.agency_key IS NULL"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM consent_recipients cr JOIN consents c ON c.id = "
                  "cr.consent_id JOIN cases k ON k.id = c.case_id "
                  "WHERE cr.agency_key = k.owner_agency"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_transfers t JOIN cases k ON k.id = t.case_id "
                  "WHERE t.to_agency = k.owner_agency"),
            0);
  // Ages 14..25, postcodes of five digits, spread over all 14 alliances.
  auto ages = rows(*db_, "SELECT MIN(birth_date), MAX(birth_date) FROM persons");
  ASSERT_EQ(ages.size(), 1u);
  const Date today = Date::from_unix_ms(kNow);
  EXPECT_LE(age_on(*Date::parse(ages[0].text(0)), today), 25);
  EXPECT_GE(age_on(*Date::parse(ages[0].text(1)), today), 14);
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE LENGTH(postcode) <> 5"), 0);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT a.alliance_ags) FROM persons p JOIN agencies a "
                  "ON a.agency_key = p.owner_agency"),
            14);
  // Consents in every state, handovers in every state.
  const std::string day = today.str();
  EXPECT_GT(count("SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NULL AND superseded_at "
                  "IS NULL AND valid_from <= ? AND valid_until >= ?",
                  {day, day}),
            0);
  EXPECT_GT(count("SELECT COUNT(*) FROM consents WHERE valid_until < ?", {day}), 0);
  EXPECT_GT(count("SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NOT NULL"), 0);
  EXPECT_GT(count("SELECT COUNT(*) FROM consents WHERE superseded_at IS NOT NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT state) FROM handovers"), 7);
  EXPECT_EQ(count("SELECT COUNT(*) FROM handovers WHERE state <> 'draft' AND due_on IS NULL"), 0);
  // One summary audit entry, and the chain is intact.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'demo.generate' AND "
                  "object = 'persons:1500'"),
            1);
  auto verified = privacy::AuditLog::verify(*db_);
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->ok) << verified->problem;
}

TEST_F(SyntheticPeopleDb, SameSeedSameData) {
  generate(*db_, 60, 5);
  auto other = fresh();
  generate(*other, 60, 5);
  auto third = fresh();
  generate(*third, 60, 6);
  const std::string sql =
      "SELECT p.given_name, p.family_name, p.birth_date, p.owner_agency, p.city, c.phase, "
      "c.status FROM persons p JOIN cases c ON c.person_id = p.id ORDER BY p.id, c.id";
  const auto a = rows(*db_, sql), b = rows(*other, sql), c = rows(*third, sql);
  ASSERT_EQ(a.size(), b.size());
  bool differs = a.size() != c.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t col = 0; col < a[i].size(); ++col) {
      EXPECT_EQ(a[i].text(col), b[i].text(col)) << "row " << i << " column " << col;
      if (i < c.size() && a[i].text(col) != c[i].text(col)) differs = true;
    }
  }
  EXPECT_TRUE(differs);
}

// The gate's decisions on generated data match the rules computed
// independently in SQL, and search and lists return nothing else.
TEST_F(SyntheticPeopleDb, AuthorizationRulesHoldOnGeneratedData) {
  generate(*db_, 300, 21);
  casework::CaseworkService cw(*db_, [] { return kNow; });
  const std::string day = Date::from_unix_ms(kNow).str();
  auto agencies = rows(*db_, "SELECT agency_key FROM agencies WHERE agency_key LIKE '15003-%' "
                             "OR agency_key LIKE '15002-%' ORDER BY agency_key");
  auto cases = rows(*db_, "SELECT id, owner_agency FROM cases ORDER BY id");
  ASSERT_FALSE(cases.empty());
  int allowed_seen = 0, denied_seen = 0;
  for (const auto& a : agencies) {
    const std::string agency = a.text(0);
    const privacy::Reader r = worker(agency);
    for (const auto& c : cases) {
      const std::int64_t id = c.integer(0);
      const bool owner = c.text(1) == agency;
      const bool consent =
          count("SELECT COUNT(*) FROM consents k JOIN consent_recipients cr ON cr.consent_id = "
                "k.id WHERE k.case_id = ? AND cr.agency_key = ? AND k.withdrawn_at IS NULL AND "
                "k.superseded_at IS NULL AND k.valid_from <= ? AND k.valid_until >= ?",
                {id, agency, day, day}) > 0;
      const bool transfer =
          count("SELECT COUNT(*) FROM legal_transfers WHERE case_id = ? AND to_agency = ? AND "
                "revoked_at IS NULL AND valid_until >= ?",
                {id, agency, day}) > 0;
      auto access = db_->read([&](store::Executor& x) {
        return privacy::PolicyGate::decide(x, r, id, kNow);
      });
      ASSERT_TRUE(access) << access.error().message;
      EXPECT_EQ(access->allowed, owner || consent || transfer) << agency << " case " << id;
      (access->allowed ? allowed_seen : denied_seen)++;
    }
    // Lists and searches hold only what the gate allows.
    auto list = cw.list_cases(r, {.limit = 200});
    ASSERT_TRUE(list) << list.error().message;
    for (const auto& k : *list) {
      auto access = db_->read([&](store::Executor& x) {
        return privacy::PolicyGate::decide(x, r, k.id, kNow);
      });
      ASSERT_TRUE(access);
      EXPECT_TRUE(access->allowed) << agency << " listed case " << k.id;
    }
    for (const auto& k : *list) {
      if (k.person.family_name.empty()) continue;
      auto found = cw.search(r, k.person.family_name, 50);
      ASSERT_TRUE(found) << found.error().message;
      for (const auto& f : *found) {
        auto access = db_->read([&](store::Executor& x) {
          return privacy::PolicyGate::decide(x, r, f.id, kNow);
        });
        ASSERT_TRUE(access);
        EXPECT_TRUE(access->allowed && access->categories.has(domain::DataCategory::kMasterData))
            << agency << " found case " << f.id;
      }
      break;  // one search per agency keeps the test short
    }
  }
  EXPECT_GT(allowed_seen, 0);
  EXPECT_GT(denied_seen, 0);
}

// Paging through the inbox of the agency with the most handovers gives the
// same entries as one big page, and the counts are those of the whole box.
TEST_F(SyntheticPeopleDb, InboxPagesAndCountsAgree) {
  generate(*db_, 3000, 3);
  // The agency with the most open handovers sent more than 8 days (so
  // more than 5 working days) ago: its outgoing box has overdue entries.
  auto busiest = rows(
      *db_, "SELECT from_agency, COUNT(*) FROM handovers WHERE state IN ('sent', 'received') AND "
            "sent_at < " + std::to_string(kNow - 8 * kDayMs) +
                " GROUP BY from_agency ORDER BY COUNT(*) DESC, from_agency LIMIT 1");
  ASSERT_EQ(busiest.size(), 1u);
  const privacy::Reader r = worker(busiest[0].text(0));
  casework::CaseworkService cw(*db_, [] { return kNow; });
  auto all = cw.inbox(r);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_GT(all->outgoing.size(), 4u);
  EXPECT_EQ(all->incoming_total, static_cast<int>(all->incoming.size()));
  EXPECT_EQ(all->outgoing_total, static_cast<int>(all->outgoing.size()));
  auto open = [](const casework::HandoverView& v) { return v.state == "sent" || v.state == "received"; };
  int in_open = 0, in_overdue = 0, out_open = 0, out_overdue = 0;
  for (const auto& v : all->incoming) in_open += open(v), in_overdue += v.overdue;
  for (const auto& v : all->outgoing) out_open += open(v), out_overdue += v.overdue;
  EXPECT_EQ(all->incoming_open, in_open);
  EXPECT_EQ(all->incoming_overdue, in_overdue);
  EXPECT_EQ(all->outgoing_open, out_open);
  EXPECT_EQ(all->outgoing_overdue, out_overdue);
  EXPECT_GT(out_overdue, 0);

  std::vector<std::int64_t> in_ids, out_ids;
  for (int offset = 0;; offset += 2) {
    auto page = cw.inbox(r, {.limit = 2, .incoming_offset = offset, .outgoing_offset = offset});
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->outgoing_total, all->outgoing_total);
    EXPECT_EQ(page->outgoing_overdue, all->outgoing_overdue);
    EXPECT_EQ(page->incoming_open, all->incoming_open);
    for (const auto& v : page->incoming) in_ids.push_back(v.id);
    for (const auto& v : page->outgoing) out_ids.push_back(v.id);
    if (page->incoming.empty() && page->outgoing.empty()) break;
  }
  std::vector<std::int64_t> want_in, want_out;
  for (const auto& v : all->incoming) want_in.push_back(v.id);
  for (const auto& v : all->outgoing) want_out.push_back(v.id);
  EXPECT_EQ(in_ids, want_in);
  EXPECT_EQ(out_ids, want_out);

  // The case page's view of one case equals the boxes' entries of that case.
  const std::int64_t case_id = all->outgoing.front().case_id;
  auto of_case = cw.case_handovers(r, case_id);
  ASSERT_TRUE(of_case) << of_case.error().message;
  std::vector<std::int64_t> expected;
  for (const auto* box : {&all->incoming, &all->outgoing})
    for (const auto& v : *box)
      if (v.case_id == case_id) expected.push_back(v.id);
  std::vector<std::int64_t> got;
  for (const auto& v : *of_case) got.push_back(v.id);
  EXPECT_EQ(got, expected);

  // Case lists page the same way: pages of 9 equal one page of 200.
  auto one = cw.list_cases(r, {.limit = 200});
  ASSERT_TRUE(one);
  std::vector<std::int64_t> paged;
  for (int offset = 0; offset < 200; offset += 9) {
    auto page = cw.list_cases(r, {.limit = 9, .offset = offset});
    ASSERT_TRUE(page);
    for (const auto& k : *page) paged.push_back(k.id);
    if (page->empty()) break;
  }
  std::vector<std::int64_t> want;
  for (const auto& k : *one) want.push_back(k.id);
  paged.resize(std::min(paged.size(), want.size()));
  EXPECT_EQ(paged, want);
}

struct CliRun {
  int exit_code;
  std::string output;
};

CliRun run_lotse(const std::string& args) {
  const std::string cmd = std::string(LOTSE_BINARY) + " " + args + " 2>&1";
  CliRun run{-1, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe)) run.output.append(buf.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The real command: demo accounts and persons, progress on stderr, and the
// demo sign-ins still work afterwards.
TEST(SyntheticPeopleCliDb, DemoWithPersonsShowsProgressAndKeepsTheSignIns) {
  const std::string url = lotse::testing::test_database_url();
  const CliRun run = run_lotse("demo --database '" + url + "' --persons 120 --seed 4");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("Personen: 120/120 (100 %)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Synthetische Personen: 120 Personen"), std::string::npos)
      << run.output;
  auto db = store::open_database(url);
  ASSERT_TRUE(db) << db.error().message;
  identity::AuthService auth(**db, system_clock());
  auto signed_in = auth.sign_in("15003-jc", "demo", {.username = "-", .request_id = "t"});
  ASSERT_TRUE(signed_in) << signed_in.error().message;
  auto n = (*db)->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM persons"); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 120);
  const CliRun bad = run_lotse("demo --database '" + url + "' --persons -5");
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace lotse::app
