// `lotse retention …` as an operator runs it: the real binary against a
// fresh database (SQLite and PostgreSQL). After `retention run` the deleted
// person's name is nowhere in the database – every text column of every
// table, the audit log included – while `lotse audit verify` still passes
// and the deletions are on record by id. The same for contact requests from
// the youth portal: closed ones after their period, never-closed ones after
// a longer one.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "lotse/casework/casework_service.h"
#include "lotse/common/date.h"
#include "lotse/organisation/seed.h"
#include "lotse/portal/portal_service.h"
#include "lotse/store/database.h"
#include "support/test_database.h"

namespace lotse::app {
namespace {

using domain::CategorySet;
using domain::DataCategory;

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr
};

// `prefix` goes before the binary: environment variables, or `timeout` for
// commands that would otherwise keep running when they wrongly start.
Run lotse(const std::string& args, const std::string& prefix = "") {
  const std::string cmd = prefix + " " + std::string(LOTSE_BINARY) + " " + args + " 2>&1";
  Run run{-1, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe)) run.output.append(buf.data(), n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every table.column holding `needle` (ASCII, any case): every column of
// every table cast to text.
std::vector<std::string> places_holding(store::Database& db, const std::string& needle) {
  std::string lower = needle;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto found = db.read([&](store::Executor& x) -> Result<std::vector<std::string>> {
    std::vector<std::pair<std::string, std::string>> columns;
    if (x.dialect() == store::Dialect::kSqlite) {
      LOTSE_ASSIGN_OR_RETURN(store::Rows tables,
                             x.query("SELECT name FROM sqlite_master WHERE type = 'table'"));
      for (const auto& t : tables) {
        LOTSE_ASSIGN_OR_RETURN(store::Rows cols,
                               x.query("SELECT name FROM pragma_table_info(?)", {t.text(0)}));
        for (const auto& c : cols) columns.emplace_back(t.text(0), c.text(0));
      }
    } else {
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows cols,
          x.query("SELECT table_name, column_name FROM information_schema.columns WHERE "
                  "table_schema = current_schema() ORDER BY table_name, ordinal_position"));
      for (const auto& c : cols) columns.emplace_back(c.text(0), c.text(1));
    }
    std::vector<std::string> out;
    for (const auto& [table, column] : columns) {
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t n,
          x.query_int("SELECT COUNT(*) FROM \"" + table + "\" WHERE LOWER(CAST(\"" + column +
                          "\" AS TEXT)) LIKE ?",
                      {"%" + lower + "%"}));
      if (n > 0) out.push_back(table + "." + column);
    }
    if (columns.size() < 20) return Error::internal("the scan found too few columns");
    return out;
  });
  EXPECT_TRUE(found) << found.error().message;
  return found ? *found : std::vector<std::string>{"(scan failed)"};
}

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

class RetentionCliDb : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = lotse::testing::test_database_url();
    auto db = store::open_database(url_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    }));
    // The case work happened years ago: the binary runs on today's clock.
    cw_ = std::make_unique<casework::CaseworkService>(*db_, [this] { return now_.load(); });
  }

  std::int64_t count(const std::string& sql, const store::Params& params = {}) {
    auto n = db_->read([&](store::Executor& x) { return x.query_int(sql, params); });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  Date today() const { return Date::from_unix_ms(now_.load()); }

  // Monday, 4 January 2021, 09:00 UTC.
  std::atomic<std::int64_t> now_{Date{2021, 1, 4}.days_since_epoch() * kDayMs + 9 * 3600 * 1000};
  std::string url_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<casework::CaseworkService> cw_;
  casework::Reader jc_{.username = "jc.mueller", .agency_key = "15003-jc", .case_worker = true,
                       .request_id = "req-jc"};
  casework::Reader ja_{.username = "ja.schmidt", .agency_key = "15003-ja", .case_worker = true,
                       .request_id = "req-ja"};
};

TEST_F(RetentionCliDb, RunLeavesTheNameNowhereAndTheAuditChainIntact) {
  // Zacharias Quellmalz: a case with everything on it, closed in January 2021.
  auto zq = cw_->create_person(jc_, {.given_name = "Zacharias",
                                     .family_name = "Quellmalz",
                                     .birth_date = "2003-05-17",
                                     .street = "Quellmalzweg 3",
                                     .postcode = "39104",
                                     .city = "Magdeburg",
                                     .phone = "0391 424242",
                                     .email = "zacharias.quellmalz@example.org",
                                     .school = "Quellmalz-Gymnasium"});
  ASSERT_TRUE(zq) << zq.error().message;
  auto c = cw_->open_case(jc_, {.person_id = *zq, .phase = 4, .needs = {"housing"},
                                .goals = "Zacharias Quellmalz sucht eine Wohnung"});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(cw_->record_consent(
      jc_, *c,
      {.purposes = {"Wohnungssuche für Zacharias Quellmalz"},
       .recipients = {"15003-ja"},
       .categories = CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals}),
       .valid_from = today(),
       .valid_until = add_days(today(), 300),
       .evidence_ref = "Akte Quellmalz",
       .informed_of_refusal_and_withdrawal = true,
       // 17 on the test clock: an own consent needs the insight assessment.
       .insight_confirmed = true,
       .insight_reason = "Zweck und Widerruf mit eigenen Worten erklärt"}));
  ASSERT_TRUE(cw_->add_note(jc_, *c, {.body = "Zacharias Quellmalz war pünktlich"}));
  ASSERT_TRUE(cw_->add_support_step(
      jc_, *c, {.measure = "Wohnungsbörse mit Quellmalz", .responsible_agency = "15003-ja"}));
  ASSERT_TRUE(cw_->record_transfer(jc_, *c,
                                   {.to_agency = "15003-aa",
                                    .legal_basis = "§ 31a SGB III",
                                    .reason = "Meldung Quellmalz nach § 31a SGB III",
                                    .categories = CategorySet::of({DataCategory::kMasterData}),
                                    .valid_until = add_days(today(), 300).str()}));
  ASSERT_TRUE(cw_->create_handover(jc_, *c, {.to_agency = "15003-ja",
                                             .reason = "Quellmalz braucht Hilfe beim Wohnen"}));
  ASSERT_TRUE(cw_->get_case(ja_, *c, casework::ReadPath::kItem));
  ASSERT_TRUE(cw_->search(jc_, "Quellmalz", 10));
  ASSERT_TRUE(cw_->update_case(jc_, *c, {.status = "closed", .destination = "work"}));
  // Lena Schulz: still open, with a § 31a transfer from the same day.
  auto ls = cw_->create_person(jc_, {.given_name = "Lena", .family_name = "Schulz",
                                     .birth_date = "2004-04-12"});
  ASSERT_TRUE(ls);
  auto lc = cw_->open_case(jc_, {.person_id = *ls, .phase = 3});
  ASSERT_TRUE(lc);
  ASSERT_TRUE(cw_->record_transfer(jc_, *lc,
                                   {.to_agency = "15003-aa",
                                    .legal_basis = "§ 31a SGB III",
                                    .reason = "Schulabgang ohne Anschlussperspektive",
                                    .categories = CategorySet::of({DataCategory::kMasterData}),
                                    .valid_until = add_days(today(), 300).str()}));
  ASSERT_FALSE(places_holding(*db_, "Quellmalz").empty());

  // A dry run shows what is due and changes nothing.
  const std::int64_t audit_before = count("SELECT COUNT(*) FROM audit_log");
  auto dry = lotse("retention run --dry-run --database " + url_);
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_TRUE(has(dry.output, "Probelauf")) << dry.output;
  EXPECT_TRUE(has(dry.output, "case:" + std::to_string(*c))) << dry.output;
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id = ?", {*zq}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), audit_before);

  auto run = lotse("retention run --as admin --database " + url_);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(has(run.output, "case:" + std::to_string(*c) + "\tclosed_cases")) << run.output;
  EXPECT_TRUE(has(run.output, "persons=1")) << run.output;
  EXPECT_TRUE(has(run.output, "case:" + std::to_string(*lc) + "\tsection_31a")) << run.output;
  EXPECT_FALSE(has(run.output, "Quellmalz")) << run.output;

  for (const char* needle :
       {"Quellmalz", "Zacharias", "424242", "2003-05-17", "Wohnungsbörse", "pünktlich"})
    EXPECT_EQ(places_holding(*db_, needle), std::vector<std::string>{}) << needle;
  EXPECT_EQ(count("SELECT COUNT(*) FROM persons WHERE id = ?", {*ls}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE id = ?", {*lc}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM legal_transfers"), 0);

  // SQLite: not even the bytes of the files keep it (deleted cells are
  // overwritten), once the last connection has checkpointed the WAL.
  if (url_.rfind("sqlite:", 0) == 0) {
    db_.reset();
    for (const std::string suffix : {"", "-wal", "-reads", "-reads-wal"}) {
      std::ifstream in(url_.substr(7) + suffix, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_FALSE(has(bytes, "Quellmalz")) << "in the file " << url_ << suffix;
    }
    auto reopened = store::open_database(url_);
    ASSERT_TRUE(reopened) << reopened.error().message;
    db_ = std::move(*reopened);
  }
  auto verify = lotse("audit verify --database " + url_);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_TRUE(has(verify.output, "chain intact")) << verify.output;
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.delete' AND "
                  "object = ? AND actor = 'admin' AND details LIKE ?",
                  {"case:" + std::to_string(*c), "%\"person\":" + std::to_string(*zq) + "%"}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.delete' AND "
                  "object = ? AND details LIKE '%section_31a%'",
                  {"case:" + std::to_string(*lc)}),
            1);
  // The earlier entries about the person are still there, by id only.
  EXPECT_GT(count("SELECT COUNT(*) FROM audit_log WHERE object = ?",
                  {"case:" + std::to_string(*c)}),
            3);
}

TEST_F(RetentionCliDb, RulesAreShownAndChangedOnlyWithinTheirRange) {
  auto rules = lotse("retention rules --database " + url_);
  ASSERT_EQ(rules.exit_code, 0) << rules.output;
  for (const char* line : {"closed_cases\t36 Monate", "section_31a\t6 Monate",
                           "persons_without_case\t12 Monate", "§ 31a"})
    EXPECT_TRUE(has(rules.output, line)) << line << "\n" << rules.output;

  for (const std::string& bad : {std::string("section_31a 7"), std::string("section_31a 0"),
                                 std::string("closed_cases zwei"), std::string("notes 12")}) {
    auto r = lotse("retention set " + bad + " --as admin --database " + url_);
    EXPECT_EQ(r.exit_code, 1) << bad << ": " << r.output;
    EXPECT_TRUE(has(r.output, bad.rfind("notes", 0) == 0 ? "category" : "months"))
        << bad << ": " << r.output;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 0);
  EXPECT_EQ(count("SELECT months FROM retention_rules WHERE category = 'section_31a'"), 6);

  auto set = lotse("retention set closed_cases 60 --as admin --database " + url_);
  ASSERT_EQ(set.exit_code, 0) << set.output;
  EXPECT_EQ(count("SELECT months FROM retention_rules WHERE category = 'closed_cases'"), 60);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.rule_set' AND "
                  "actor = 'admin'"),
            1);
  auto after = lotse("retention rules --database " + url_);
  EXPECT_TRUE(has(after.output, "closed_cases\t60 Monate")) << after.output;
  EXPECT_TRUE(has(after.output, "von admin")) << after.output;
}

TEST_F(RetentionCliDb, ContactRequestsLeaveNoTraceAfterTheirPeriod) {
  // The binary runs on today's clock; the requests were sent in the past.
  const std::int64_t today_ms = system_clock()();
  portal::PortalService portal(*db_, [this] { return now_.load(); });
  const privacy::Reader staff{
      .username = "15003-aa", .agency_key = "15003-aa", .case_worker = true, .request_id = "t"};
  int client = 0;
  auto send = [&](std::int64_t at_ms, const std::string& name, const std::string& contact,
                  const std::string& message) -> std::int64_t {
    now_ = at_ms;
    auto sent =
        portal.submit({.alliance_ags = "15003",
                       .need = "applications",
                       .name = name,
                       .contact = contact,
                       .message = message,
                       .consent = true},
                      {.address = "198.51.100." + std::to_string(++client), .request_id = "t"});
    EXPECT_TRUE(sent && sent->stored) << (sent ? "" : sent.error().message);
    return count("SELECT MAX(id) FROM contact_requests");
  };
  // Closed 40 days ago (default period: 30 days after closing): due.
  const std::int64_t closed_old =
      send(today_ms - 60 * kDayMs, "Quirinus", "quirinus.zwiebelkern@example.org",
           "Zwiebelkern sucht eine Ausbildung");
  // Forwarded to the Jobcenter first, with a reason that names the young
  // person: it must go with the request.
  const privacy::Reader jobcenter{
      .username = "15003-jc", .agency_key = "15003-jc", .case_worker = true, .request_id = "t"};
  now_ = today_ms - 50 * kDayMs;
  ASSERT_TRUE(portal.forward(staff, closed_old, "15003-jc",
                             "Quirinus wohnt Pfefferminzgasse 7, Frage nach Buergergeld"));
  now_ = today_ms - 40 * kDayMs;
  ASSERT_TRUE(portal.close(jobcenter, closed_old, "contacted"));
  // Sent 200 days ago and never closed (default: 180 days): due.
  const std::int64_t open_old =
      send(today_ms - 200 * kDayMs, "Ottilie", "0170 9876543", "Bitte um Rückruf, Knusperhof");
  now_ = today_ms - 199 * kDayMs;
  ASSERT_TRUE(
      portal.forward(staff, open_old, "15003-ja", "Ottilie sucht Wohnung am Holunderstieg"));
  // Closed 5 days ago, and sent 100 days ago but still open: both kept.
  const std::int64_t closed_new = send(today_ms - 10 * kDayMs, "Bertram", "0171 1111111", "");
  now_ = today_ms - 5 * kDayMs;
  ASSERT_TRUE(portal.close(staff, closed_new, "case_opened"));
  const std::int64_t open_new = send(today_ms - 100 * kDayMs, "Hedwig", "0172 2222222", "");
  ASSERT_TRUE(portal.assign(staff, open_new));
  ASSERT_FALSE(places_holding(*db_, "Zwiebelkern").empty());
  ASSERT_EQ(places_holding(*db_, "Pfefferminzgasse"),
            std::vector<std::string>{"contact_request_forwards.reason"});
  ASSERT_EQ(count("SELECT COUNT(*) FROM contact_request_forwards"), 2);

  // A dry run only counts.
  const std::int64_t audit_before = count("SELECT COUNT(*) FROM audit_log");
  auto dry = lotse("retention run --dry-run --database " + url_);
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_TRUE(has(dry.output,
                  "contact_request:" + std::to_string(closed_old) + "\tcontact_requests_closed"))
      << dry.output;
  EXPECT_TRUE(has(dry.output,
                  "contact_request:" + std::to_string(open_old) + "\tcontact_requests_unclosed"))
      << dry.output;
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests"), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), audit_before);

  auto run = lotse("retention run --as admin --database " + url_);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(has(run.output, "contact_requests_closed (30 Tage): contact_requests=1"))
      << run.output;
  EXPECT_TRUE(has(run.output, "contact_requests_unclosed (180 Tage): contact_requests=1"))
      << run.output;
  EXPECT_FALSE(has(run.output, "Zwiebelkern")) << run.output;
  for (const char* needle : {"Quirinus", "Zwiebelkern", "Ottilie", "9876543", "Knusperhof",
                             "Pfefferminzgasse", "Holunderstieg"})
    EXPECT_EQ(places_holding(*db_, needle), std::vector<std::string>{}) << needle;
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_request_forwards"), 0);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM contact_requests WHERE id IN (?, ?)", {closed_new, open_new}), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_requests"), 2);
  if (url_.rfind("sqlite:", 0) == 0) {
    db_.reset();
    for (const std::string suffix : {"", "-wal", "-reads", "-reads-wal"}) {
      std::ifstream in(url_.substr(7) + suffix, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      for (const char* needle :
           {"Zwiebelkern", "Knusperhof", "9876543", "Pfefferminzgasse", "Holunderstieg"})
        EXPECT_FALSE(has(bytes, needle)) << needle << " in the file " << url_ << suffix;
    }
    auto reopened = store::open_database(url_);
    ASSERT_TRUE(reopened) << reopened.error().message;
    db_ = std::move(*reopened);
  }
  // One audit entry, by id only; the chain still verifies.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.delete' AND "
                  "object = 'contact_requests' AND actor = 'admin' AND details LIKE ? AND "
                  "details LIKE ?",
                  {"%\"ids\":[" + std::to_string(closed_old) + "]%",
                   "%\"ids\":[" + std::to_string(open_old) + "]%"}),
            1);
  auto verify = lotse("audit verify --database " + url_);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;

  // A second run finds nothing more and writes no further deletion entry.
  auto again = lotse("retention run --as admin --database " + url_);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE object = 'contact_requests'"), 1);
}

TEST_F(RetentionCliDb, ContactRequestPeriodsAreDaysWithinTheirRange) {
  auto rules = lotse("retention rules --database " + url_);
  ASSERT_EQ(rules.exit_code, 0) << rules.output;
  for (const char* line :
       {"contact_requests_closed\t30 Tage", "contact_requests_unclosed\t180 Tage"})
    EXPECT_TRUE(has(rules.output, line)) << line << "\n" << rules.output;
  for (const std::string& bad :
       {std::string("contact_requests_unclosed 29"), std::string("contact_requests_closed 0"),
        std::string("contact_requests_closed 366")}) {
    auto r = lotse("retention set " + bad + " --as admin --database " + url_);
    EXPECT_EQ(r.exit_code, 1) << bad << ": " << r.output;
    EXPECT_TRUE(has(r.output, "Tage")) << bad << ": " << r.output;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 0);
  auto set = lotse("retention set contact_requests_closed 14 --as admin --database " + url_);
  ASSERT_EQ(set.exit_code, 0) << set.output;
  EXPECT_EQ(count("SELECT months FROM retention_rules WHERE category = 'contact_requests_closed'"),
            14);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.rule_set' AND "
                  "object = 'retention_rule:contact_requests_closed' AND actor = 'admin'"),
            1);
  auto after = lotse("retention rules --database " + url_);
  EXPECT_TRUE(has(after.output, "contact_requests_closed\t14 Tage")) << after.output;
}

TEST_F(RetentionCliDb, ServeRefusesHandoverDueDaysOutsideOneToSixty) {
  // A server that wrongly started would run on; `timeout` ends it, and the
  // output then says it was running.
  const std::string guard = "timeout 30";
  for (const std::string& days : {std::string("0"), std::string("61"), std::string("fünf")}) {
    auto r = lotse("serve --handover-due-days " + days + " --port 0 --database " + url_, guard);
    EXPECT_NE(r.exit_code, 0) << days;
    EXPECT_TRUE(has(r.output, "--handover-due-days")) << days << ": " << r.output;
    EXPECT_FALSE(has(r.output, "Lotse läuft")) << days << ": " << r.output;
  }
  auto env = lotse("serve --port 0 --database " + url_, "LOTSE_HANDOVER_DUE_DAYS=99 " + guard);
  EXPECT_NE(env.exit_code, 0);
  EXPECT_TRUE(has(env.output, "--handover-due-days")) << env.output;
  EXPECT_FALSE(has(env.output, "Lotse läuft")) << env.output;
}

TEST_F(RetentionCliDb, ServeRefusesIntakeOverdueHoursOutsideOneTo720) {
  const std::string guard = "timeout 30";
  for (const std::string& hours : {std::string("0"), std::string("721"), std::string("zwei")}) {
    auto r = lotse("serve --intake-overdue-hours " + hours + " --port 0 --database " + url_, guard);
    EXPECT_NE(r.exit_code, 0) << hours;
    EXPECT_TRUE(has(r.output, "--intake-overdue-hours")) << hours << ": " << r.output;
    EXPECT_FALSE(has(r.output, "Lotse läuft")) << hours << ": " << r.output;
  }
  auto env = lotse("serve --port 0 --database " + url_, "LOTSE_INTAKE_OVERDUE_HOURS=0 " + guard);
  EXPECT_NE(env.exit_code, 0);
  EXPECT_TRUE(has(env.output, "--intake-overdue-hours")) << env.output;
  EXPECT_FALSE(has(env.output, "Lotse läuft")) << env.output;
}

}  // namespace
}  // namespace lotse::app
