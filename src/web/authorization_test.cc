// The generated authorization test: a world of cases owned by different
// agencies, each with one consent situation (none, active, expired,
// withdrawn, wrong recipient, wrong category, legal-basis transfer), then
// 10,000 random reads (reader role × agency × case × read path: item, list,
// search, export, print, API). An independent oracle says what each reader
// may see; the test asserts 0 disallowed reads (no data beyond the oracle's
// categories) and that every allowed read left its audit entry. Runs on
// SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <random>

#include "lotse/casework/casework_service.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/web/app.h"
#include "support/test_database.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
using domain::CategorySet;
using domain::DataCategory;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kT0 = 20'000LL * kDay + 9 * 3'600'000;  // 2024-10-04 09:00 UTC
constexpr std::int64_t kReadTime = kT0 + 60 * kDay;            // when all reads happen
constexpr const char* kPassword = "ein-langes-passwort";

enum class Situation {
  kNone,
  kActive,
  kExpired,
  kWithdrawn,
  kWrongRecipient,
  kWrongCategory,
  kTransfer
};
constexpr Situation kSituations[] = {Situation::kNone,           Situation::kActive,
                                     Situation::kExpired,        Situation::kWithdrawn,
                                     Situation::kWrongRecipient, Situation::kWrongCategory,
                                     Situation::kTransfer};

struct ReaderSpec {
  std::string username;
  std::string agency;  // empty for non-case-workers
  bool case_worker;
};

const std::vector<ReaderSpec> kReaders = {
    {"15003-jc", "15003-jc", true}, {"15003-aa", "15003-aa", true},
    {"15003-ja", "15003-ja", true}, {"15003-schule", "15003-schule", true},
    {"15002-jc", "15002-jc", true}, {"15003-koord", "", false},
    {"land", "land", false},        {"admin", "", false},
};

struct WorldCase {
  std::int64_t id = 0;
  std::string owner;    // owner agency (and owner username)
  std::string partner;  // the agency the consent/transfer is meant for
  std::string named;    // the agency the consent/transfer actually names
  Situation situation;
  CategorySet granted;      // categories of the consent / transfer
  std::string family_name;  // unique, for search
};

enum class Path { kItem, kList, kSearch, kExport, kPrint, kApi };
constexpr Path kPaths[] = {Path::kItem,   Path::kList,  Path::kSearch,
                           Path::kExport, Path::kPrint, Path::kApi};

// The oracle, written from LEGAL.md independently of the policy gate.
CategorySet expected(const ReaderSpec& r, const WorldCase& c) {
  if (!r.case_worker) return {};
  if (r.agency == c.owner) return CategorySet::all();
  if (r.agency != c.named) return {};
  switch (c.situation) {
    case Situation::kActive:
    case Situation::kWrongCategory:
    case Situation::kWrongRecipient:  // the agency it does name may read
      return c.granted;
    case Situation::kTransfer: {
      CategorySet g = c.granted;
      g.remove(DataCategory::kEntrusted);
      return g;
    }
    default:
      return {};
  }
}

class AuthorizationDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = lotse::testing::test_database();
    ASSERT_TRUE(db_->write([](store::Executor& x) {
      return organisation::seed_organisations(x, organisation::default_data_dir());
    }));
    Clock clock = [this] { return now_.load(); };
    identity::AuthOptions auth_options;
    auth_options.token_lifetime_seconds = 365 * 24 * 3600;
    identity::AuthService auth(*db_, clock, auth_options);
    for (const auto& r : kReaders) {
      identity::NewUser u{
          .username = r.username, .display_name = r.username, .password = kPassword};
      if (r.username == "15003-koord") {
        u.role = identity::Role::kCoordinator;
        u.alliance_ags = "15003";
      } else if (r.username == "land") {
        u.role = identity::Role::kStateOffice;
      } else if (r.username == "admin") {
        u.role = identity::Role::kAdmin;
      } else {
        u.role = identity::Role::kCaseWorker;
        u.agency_key = r.agency;
      }
      auto added = auth.add_user(u, {});
      ASSERT_TRUE(added) << added.error().message;
      auto token = auth.issue_token(r.username, kPassword, {.request_id = "setup"});
      ASSERT_TRUE(token) << token.error().message;
      tokens_[r.username] = token->token;
    }
    service_ = std::make_unique<casework::CaseworkService>(*db_, clock);
    app_ = std::make_unique<App>(*db_, clock, default_app_options());
    build_world();
    now_ = kReadTime;
  }

  privacy::Reader reader(const ReaderSpec& r) {
    return {.username = r.username,
            .agency_key = r.case_worker ? r.agency : "",
            .case_worker = r.case_worker,
            .request_id = "authz"};
  }

  void build_world() {
    const std::vector<std::pair<std::string, std::string>> owners = {
        {"15003-jc", "15003-ja"}, {"15003-ja", "15003-jc"}, {"15003-aa", "15003-schule"}};
    const std::vector<CategorySet> variants = {
        CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals}),
        CategorySet::of({DataCategory::kNeedsGoals, DataCategory::kSupportChain}),
        CategorySet::of(
            {DataCategory::kMasterData, DataCategory::kNotes, DataCategory::kSchoolData}),
        CategorySet::of(
            {DataCategory::kMasterData, DataCategory::kNotes, DataCategory::kEntrusted}),
    };
    int n = 0;
    for (const auto& [owner, partner] : owners)
      for (Situation s : kSituations)
        for (const CategorySet& v : variants) {
          WorldCase c{.owner = owner, .partner = partner, .situation = s, .granted = v};
          if (s == Situation::kWrongCategory)
            c.granted = CategorySet::of({DataCategory::kConferenceResults});
          // Entrusted data exists only at the Jugendamt.
          if (owner != "15003-ja") c.granted.remove(DataCategory::kEntrusted);
          if (s == Situation::kTransfer) c.granted.remove(DataCategory::kEntrusted);
          c.family_name = "Zzfall" + std::to_string(++n) + "q";
          // "Wrong recipient": the consent names another agency than the partner.
          c.named = s == Situation::kWrongRecipient
                        ? (partner == "15003-schule" ? "15003-ja" : "15003-schule")
                        : partner;
          create_case(c);
          world_.push_back(c);
        }
  }

  void create_case(WorldCase& c) {
    ReaderSpec owner_spec{c.owner, c.owner, true};
    privacy::Reader me = reader(owner_spec);
    now_ = kT0;
    auto person = service_->create_person(me, {.given_name = "Anna",
                                               .family_name = c.family_name,
                                               .birth_date = "2006-03-01",
                                               .street = "Breiter Weg 1",
                                               .postcode = "39104",
                                               .city = "Magdeburg",
                                               .school = "Schule am Park",
                                               .school_qualification = "Realschulabschluss"});
    ASSERT_TRUE(person) << person.error().message;
    auto case_id = service_->open_case(
        me, {.person_id = *person, .phase = 3, .needs = {"applications"}, .goals = "Ausbildung"});
    ASSERT_TRUE(case_id) << case_id.error().message;
    c.id = *case_id;
    ASSERT_TRUE(service_->add_note(
        me, c.id, {.body = "eigener Vermerk", .visibility = "own", .entrusted = false}));
    ASSERT_TRUE(service_->add_note(
        me, c.id, {.body = "geteilter Vermerk", .visibility = "partners", .entrusted = false}));
    if (c.owner == "15003-ja") {
      ASSERT_TRUE(service_->add_note(me, c.id,
                                     {.body = "anvertraut",
                                      .visibility = "partners",
                                      .entrusted = true,
                                      .entruster = "young_person"}));
    }
    ASSERT_TRUE(service_->add_support_step(
        me, c.id, {.measure = "Bewerbungstraining", .responsible_agency = c.owner}));
    auto draft = [&](std::vector<std::string> recipients, Date until) {
      domain::ConsentDraft d;
      d.purposes = {"Gemeinsame Fallarbeit"};
      d.recipients = std::move(recipients);
      d.categories = c.granted;
      d.valid_from = Date::from_unix_ms(kT0);
      d.valid_until = until;
      d.evidence_ref = "EV-" + std::to_string(c.id);
      d.informed_of_refusal_and_withdrawal = true;
      return d;
    };
    const Date long_end = add_days(Date::from_unix_ms(kT0), 400);
    switch (c.situation) {
      case Situation::kNone:
        break;
      case Situation::kActive:
      case Situation::kWrongCategory:
        ASSERT_TRUE(service_->record_consent(me, c.id, draft({c.partner}, long_end)));
        break;
      case Situation::kExpired:
        ASSERT_TRUE(service_->record_consent(
            me, c.id, draft({c.partner}, add_days(Date::from_unix_ms(kT0), 30))));
        break;
      case Situation::kWithdrawn: {
        auto id = service_->record_consent(me, c.id, draft({c.partner}, long_end));
        ASSERT_TRUE(id) << id.error().message;
        now_ = kT0 + kDay;
        ASSERT_TRUE(service_->withdraw_consent(me, *id));
        break;
      }
      case Situation::kWrongRecipient:
        ASSERT_TRUE(service_->record_consent(me, c.id, draft({c.named}, long_end)));
        break;
      case Situation::kTransfer:
        ASSERT_TRUE(
            service_->record_transfer(me, c.id,
                                      {.to_agency = c.partner,
                                       .legal_basis = "§ 69 SGB X",
                                       .reason = "Erfüllung der eigenen gesetzlichen Aufgabe",
                                       .categories = c.granted,
                                       .valid_until = add_days(Date::from_unix_ms(kT0), 300).str(),
                                       .does_not_endanger_help = true}));
        break;
    }
  }

  // What a read returned, as categories actually present in the answer.
  struct Seen {
    bool found = false;
    bool name = false, school = false, needs = false, chain = false;
    bool own_note = false, shared_note = false, entrusted_note = false;
  };

  static Seen seen_from(const domain::CaseRecord& r) {
    Seen s;
    s.found = true;
    s.name = !r.person.family_name.empty();
    s.school = !r.person.school.empty();
    s.needs = r.phase != 0 || !r.needs.empty();
    s.chain = !r.support_chain.empty();
    for (const auto& n : r.notes) {
      if (n.entrusted)
        s.entrusted_note = true;
      else if (n.visibility == "own")
        s.own_note = true;
      else
        s.shared_note = true;
    }
    return s;
  }

  Seen read(const ReaderSpec& rs, const WorldCase& c, Path path) {
    privacy::Reader r = reader(rs);
    switch (path) {
      case Path::kItem:
      case Path::kExport:
      case Path::kPrint: {
        auto rec = service_->get_case(r, c.id,
                                      path == Path::kItem     ? privacy::ReadPath::kItem
                                      : path == Path::kExport ? privacy::ReadPath::kExport
                                                              : privacy::ReadPath::kPrint);
        if (!rec) {
          EXPECT_TRUE(rec.error().code == ErrorCode::kNotFound ||
                      rec.error().code == ErrorCode::kForbidden)
              << rec.error().message;
          return {};
        }
        return seen_from(*rec);
      }
      case Path::kList:
      case Path::kSearch: {
        auto recs = path == Path::kList ? service_->list_cases(r, {.limit = 200})
                                        : service_->search(r, c.family_name, 50);
        if (!recs) {
          EXPECT_TRUE(recs.error().code == ErrorCode::kForbidden) << recs.error().message;
          return {};
        }
        for (const auto& rec : *recs)
          if (rec.id == c.id) return seen_from(rec);
        return {};
      }
      case Path::kApi: {
        Request req;
        req.method = "GET";
        req.target = req.path = "/api/v1/cases/" + std::to_string(c.id);
        req.headers["Authorization"] = "Bearer " + tokens_.at(rs.username);
        req.request_id = "authz-api";
        req.remote_address = "127.0.0.1";
        Response res = app_->handle(req);
        if (res.status != 200) {
          EXPECT_TRUE(res.status == 404 || res.status == 403) << res.status << " " << res.body;
          EXPECT_EQ(res.body.find(c.family_name), std::string::npos) << "data in a denial";
          return {};
        }
        Seen s;
        s.found = true;
        const auto body = res.body;
        s.name = body.find(c.family_name) != std::string::npos;
        s.school = body.find("Schule am Park") != std::string::npos;
        s.needs = body.find("applications") != std::string::npos;
        s.chain = body.find("Bewerbungstraining") != std::string::npos;
        s.own_note = body.find("eigener Vermerk") != std::string::npos;
        s.shared_note = body.find("geteilter Vermerk") != std::string::npos;
        s.entrusted_note = body.find("\"anvertraut\"") != std::string::npos;
        return s;
      }
    }
    return {};
  }

  // The last entry of each log (change log, read log): each has its own seq.
  struct AuditMark {
    std::int64_t changes = 0, reads = 0;
  };
  AuditMark audit_mark() {
    auto row = db_->read([](store::Executor& x) {
      return x.query_one(
          "SELECT (SELECT COALESCE(MAX(seq), 0) FROM audit_log), "
          "(SELECT COALESCE(MAX(seq), 0) FROM reads.read_log)");
    });
    EXPECT_TRUE(row) << row.error().message;
    return row ? AuditMark{row->integer(0), row->integer(1)} : AuditMark{};
  }

  bool audited(const AuditMark& after, const ReaderSpec& rs, const WorldCase& c) {
    auto n = db_->read([&](store::Executor& x) {
      const std::string object = "case:" + std::to_string(c.id);
      // audit_entries: one row per entry, a list read's batch opened.
      return x.query_int(
          "SELECT (SELECT COUNT(*) FROM audit_entries WHERE log = 'audit_log' AND seq > ? AND "
          "actor = ? AND action = 'case.read' AND object = ?) + (SELECT COUNT(*) FROM "
          "audit_entries WHERE log = 'read_log' AND seq > ? AND actor = ? AND action = "
          "'case.read' AND object = ?)",
          {after.changes, rs.username, object, after.reads, rs.username, object});
    });
    return n && *n > 0;
  }

  std::unique_ptr<store::Database> db_;
  std::atomic<std::int64_t> now_{kT0};
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<casework::CaseworkService> service_;
  std::unique_ptr<App> app_;
  std::vector<WorldCase> world_;
};

TEST_F(AuthorizationDb, TenThousandRandomReadsLeakNothingAndAreAudited) {
  std::mt19937 rng(20261121);
  int scenarios = 0, allowed_reads = 0, denied_reads = 0, disallowed = 0, unaudited = 0;
  std::map<Situation, int> per_situation;
  for (; scenarios < 10'000; ++scenarios) {
    const WorldCase& c = world_[rng() % world_.size()];
    const ReaderSpec& rs = kReaders[rng() % kReaders.size()];
    const Path path = kPaths[rng() % std::size(kPaths)];
    const CategorySet may = expected(rs, c);
    const bool owner = rs.case_worker && rs.agency == c.owner;
    const AuditMark before = audit_mark();
    const Seen s = read(rs, c, path);
    ++per_situation[c.situation];

    // Anything seen beyond the oracle's categories is a disallowed read.
    auto leak = [&](bool seen, bool allowed_to_see, const char* what) {
      if (seen && !allowed_to_see) {
        ++disallowed;
        ADD_FAILURE() << rs.username << " saw " << what << " of case " << c.id << " (owner "
                      << c.owner << ", situation " << static_cast<int>(c.situation) << ", path "
                      << static_cast<int>(path) << ")";
      }
    };
    leak(s.found, !may.empty(), "the case");
    leak(s.name, may.has(DataCategory::kMasterData), "the name");
    leak(s.school, may.has(DataCategory::kSchoolData), "school data");
    leak(s.needs, may.has(DataCategory::kNeedsGoals), "needs");
    leak(s.chain, may.has(DataCategory::kSupportChain), "the support chain");
    leak(s.own_note, owner, "an own-agency note");
    leak(s.shared_note, owner || may.has(DataCategory::kNotes), "a shared note");
    // The entrusted note is written by the Jugendamt user 15003-ja: inside the
    // Jugendamt only that author sees it, outside only with the entrusted category.
    leak(s.entrusted_note, owner ? rs.username == "15003-ja" : may.has(DataCategory::kEntrusted),
         "an entrusted (§ 65) note");

    if (s.found) {
      ++allowed_reads;
      // What may be seen is also what is shown (no over-cutting of the item paths).
      if (path == Path::kItem && may.has(DataCategory::kMasterData)) {
        EXPECT_TRUE(s.name);
      }
      if (!audited(before, rs, c)) {
        ++unaudited;
        ADD_FAILURE() << "read of case " << c.id << " by " << rs.username << " not audited";
      }
    } else {
      ++denied_reads;
      // Item paths must find what the oracle allows (no false denials).
      if (path == Path::kItem || path == Path::kApi) {
        EXPECT_TRUE(may.empty()) << rs.username << " was refused case " << c.id;
      }
    }
  }
  std::cout << "[authz] " << lotse::testing::test_backend_name() << ": " << scenarios
            << " scenarios, " << world_.size() << " cases, " << allowed_reads
            << " allowed reads (all audited: " << (unaudited == 0 ? "yes" : "NO") << "), "
            << denied_reads << " denied, " << disallowed << " disallowed\n";
  EXPECT_EQ(disallowed, 0);
  EXPECT_EQ(unaudited, 0);
  EXPECT_GT(allowed_reads, 1000);  // the mix really exercises allowed reads
  EXPECT_GT(denied_reads, 1000);   // and denials
  for (Situation s : kSituations) EXPECT_GT(per_situation[s], 500);
}

}  // namespace
}  // namespace lotse::web
