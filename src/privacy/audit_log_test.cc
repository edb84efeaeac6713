#include "lotse/privacy/audit_log.h"

#include <fmt/format.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "support/test_database.h"

namespace lotse::privacy {
namespace {

class AuditLogDb : public ::testing::Test {
 protected:
  void SetUp() override { db_ = lotse::testing::test_database(); }

  void append_n(int n) {
    for (int i = 0; i < n; ++i) {
      auto r = db_->write([&](store::Executor& x) {
        return AuditLog::append(x, 1'700'000'000'000 + i,
                                {.actor = "15003-jc",
                                 .action = "auth.sign_in",
                                 .object = "user:15003-jc",
                                 .legal_basis = "Art. 32 DSGVO",
                                 .request_id = "req" + std::to_string(i),
                                 .details_json = "{}"});
      });
      ASSERT_TRUE(r) << r.error().message;
    }
  }

  // What an attacker with database rights would do first.
  void drop_append_only_triggers() {
    auto r = db_->write([&](store::Executor& x) -> Result<void> {
      if (x.dialect() == store::Dialect::kPostgres) {
        LOTSE_TRY(x.exec_script("DROP TRIGGER audit_log_no_update ON audit_log"));
      } else {
        LOTSE_TRY(
            x.exec_script("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"));
      }
      return ok();
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  void sql(const std::string& statement) {
    auto r = db_->write([&](store::Executor& x) { return x.exec(statement); });
    ASSERT_TRUE(r) << r.error().message;
  }

  std::unique_ptr<store::Database> db_;
};

TEST_F(AuditLogDb, IntactChainVerifies) {
  append_n(5);
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries_checked, 5);
}

TEST_F(AuditLogDb, EntriesAreLinkedAndNewestFirst) {
  append_n(3);
  auto entries = db_->read([](store::Executor& x) { return AuditLog::recent(x, 10); });
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].seq, 3);
  EXPECT_EQ((*entries)[0].prev_hash, (*entries)[1].hash);
  EXPECT_EQ((*entries)[2].prev_hash, "genesis");
}

std::int64_t count(store::Database& db, const std::string& sql) {
  auto n = db.read([&](store::Executor& x) { return x.query_int(sql); });
  EXPECT_TRUE(n) << n.error().message;
  return n ? *n : -1;
}

// A list read appends its entries in one go, as one batch: one stored
// entry (one seq, one hash) that recent() opens into its items, newest
// first; an empty batch changes nothing, and one batch holds the entries of
// one actor and request only.
TEST_F(AuditLogDb, AppendAllStoresABatchThatReadersOpen) {
  append_n(1);
  std::vector<AuditEvent> batch;
  for (int i = 0; i < 3; ++i)
    batch.push_back({.actor = "15003-ja",
                     .action = "case.read",
                     .object = "case:" + std::to_string(i),
                     .legal_basis = "Einwilligung Nr. " + std::to_string(i),
                     .request_id = "list",
                     .details_json = R"({"path":"list","person":)" + std::to_string(40 + i) + "}"});
  ASSERT_TRUE(db_->write([&](store::Executor& x) { return AuditLog::append_all(x, 42, batch); }));
  ASSERT_TRUE(db_->write([&](store::Executor& x) { return AuditLog::append_all(x, 43, {}); }));
  auto entries = db_->read([](store::Executor& x) { return AuditLog::recent(x, 10); });
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 4u);
  for (int i = 0; i < 3; ++i) {
    const AuditEntry& e = (*entries)[2 - i];
    EXPECT_EQ(e.seq, 2);
    EXPECT_EQ(e.item, i + 1);
    EXPECT_EQ(e.at_ms, 42);
    EXPECT_EQ(e.event.actor, "15003-ja");
    EXPECT_EQ(e.event.request_id, "list");
    EXPECT_EQ(e.event.action, "case.read");
    EXPECT_EQ(e.event.object, "case:" + std::to_string(i));
    EXPECT_EQ(e.event.legal_basis, "Einwilligung Nr. " + std::to_string(i));
    EXPECT_EQ(e.event.details_json, batch[static_cast<std::size_t>(i)].details_json);
    EXPECT_EQ(e.prev_hash, (*entries)[3].hash);
  }
  EXPECT_EQ((*entries)[3].seq, 1);
  EXPECT_EQ((*entries)[3].item, 0);
  // Stored: one entry for the batch.
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_log"), 2);
  EXPECT_EQ(count(*db_,
                  "SELECT COUNT(*) FROM audit_entries WHERE seq = 2 AND action = "
                  "'case.read' AND object = 'case:1' AND item = 2 AND "
                  "legal_basis = 'Einwilligung Nr. 1' AND details LIKE '%\"person\":41%'"),
            1);
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries_checked, 2);

  batch[1].actor = "15003-jc";
  auto mixed = db_->write([&](store::Executor& x) { return AuditLog::append_all(x, 44, batch); });
  EXPECT_FALSE(mixed);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_log"), 2);
}

// The seqs of the change-log entries about `object` as the Art. 15 report
// and the access log find them (entries_about, through the index), and as a
// scan of the whole log.
std::vector<std::int64_t> seqs_about(store::Database& db, const std::string& object,
                                     bool through_index) {
  std::vector<std::int64_t> out;
  if (through_index) {
    auto entries = db.read(
        [&](store::Executor& x) { return AuditLog::entries_about(x, {{.object = object}}); });
    EXPECT_TRUE(entries) << entries.error().message;
    if (entries) {
      for (const auto& e : *entries) {
        EXPECT_FALSE(e.read_log);
        EXPECT_EQ(e.event.object, object);
        out.push_back(e.seq);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  auto rows = db.read([&](store::Executor& x) {
    return x.query(
        "SELECT seq FROM audit_entries WHERE log = 'audit_log' AND object = ? ORDER "
        "BY seq",
        {object});
  });
  EXPECT_TRUE(rows) << rows.error().message;
  if (rows)
    for (const auto& r : *rows) out.push_back(r.integer(0));
  return out;
}

// Reads of the same persons by several actors over several hours, in
// batches and one by one, with entries on both sides of hour boundaries:
// every entry about a person is found through the index, none about
// another, and the index holds one row per object, hour and actor however
// often that actor read the object in that hour.
TEST_F(AuditLogDb, EveryEntryIsFoundByItsObjectThroughTheHourIndex) {
  constexpr std::int64_t kHour = AuditLog::kMsPerHour;
  const std::int64_t start = 1'700'000'000'000 / kHour * kHour;
  const std::vector<std::int64_t> times = {start,         start + 1,         start + kHour - 1,
                                           start + kHour, start + kHour + 5, start + 3 * kHour};
  const std::vector<std::string> actors = {"15003-jc", "15003-ja", "-"};
  std::set<std::tuple<std::string, std::int64_t, std::string>> hours;
  int n = 0;
  for (std::int64_t at : times)
    for (const std::string& actor : actors) {
      std::vector<AuditEvent> batch;
      for (int person = 0; person < 4; ++person)
        if ((person + n) % 3 != 0) {
          batch.push_back({.actor = actor,
                           .action = "case.read",
                           .object = "case:" + std::to_string(person),
                           .legal_basis = "Einwilligung",
                           .request_id = "r" + std::to_string(n),
                           .details_json = "{}"});
          hours.insert({batch.back().object, at / kHour, actor});
        }
      ++n;
      // The same batch twice: a list page shown again.
      for (int again = 0; again < 2; ++again)
        ASSERT_TRUE(
            db_->write([&](store::Executor& x) { return AuditLog::append_all(x, at, batch); }));
    }
  // A different object whose name starts like one of them.
  ASSERT_TRUE(db_->write([&](store::Executor& x) {
    return AuditLog::append(x, start,
                            {.actor = "15003-jc",
                             .action = "case.read",
                             .object = "case:10",
                             .legal_basis = "Einwilligung",
                             .request_id = "x",
                             .details_json = "{}"});
  }));
  hours.insert({"case:10", start / kHour, "15003-jc"});

  for (int person = 0; person <= 10; ++person) {
    const std::string object = "case:" + std::to_string(person);
    const auto scanned = seqs_about(*db_, object, false);
    if (person < 4 || person == 10) EXPECT_FALSE(scanned.empty()) << object;
    EXPECT_EQ(seqs_about(*db_, object, true), scanned) << object;
  }
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_object_hours"),
            static_cast<std::int64_t>(hours.size()));
  EXPECT_GT(count(*db_, "SELECT COUNT(*) FROM audit_entries"),
            2 * count(*db_, "SELECT COUNT(*) FROM audit_object_hours"));
}

// Entries written before the hour index existed (a database of an older
// release) are indexed by the migration that adds it.
TEST_F(AuditLogDb, MigrationIndexesTheEntriesWrittenBeforeIt) {
  append_n(3);
  ASSERT_TRUE(db_->write([&](store::Executor& x) {
    return AuditLog::append(x, 1'700'000'000'000 + 7'200'000,
                            {.actor = "15003-ja",
                             .action = "case.read",
                             .object = "case:7",
                             .legal_basis = "Einwilligung",
                             .request_id = "r",
                             .details_json = "{}"});
  }));
  // Back to schema 13: the entries are there, the index rows are not.
  sql("DROP TABLE audit_object_hours");
  sql("DROP INDEX audit_log_by_actor");
  sql("CREATE INDEX audit_log_by_object ON audit_log(object, seq)");
  sql("DELETE FROM schema_migrations WHERE version = 14");
  auto version = store::migrate(*db_);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, store::latest_schema_version());
  EXPECT_EQ(seqs_about(*db_, "user:15003-jc", true), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(seqs_about(*db_, "case:7", true), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_object_hours"), 2);
}

TEST_F(AuditLogDb, AppendOnlyTriggersRefuseChanges) {
  append_n(1);
  auto upd = db_->write(
      [](store::Executor& x) { return x.exec("UPDATE audit_log SET actor = 'x' WHERE seq = 1"); });
  EXPECT_FALSE(upd);
  auto del = db_->write([](store::Executor& x) { return x.exec("DELETE FROM audit_log"); });
  EXPECT_FALSE(del);
  if (db_->dialect() == store::Dialect::kPostgres) {
    auto truncate =
        db_->write([](store::Executor& x) { return x.exec_script("TRUNCATE audit_log"); });
    EXPECT_FALSE(truncate);
  }
  auto count =
      db_->read([](store::Executor& x) { return x.query_int("SELECT COUNT(*) FROM audit_log"); });
  EXPECT_EQ(*count, 1);
}

TEST_F(AuditLogDb, ReadLogIsAppendOnlyToo) {
  ASSERT_TRUE(db_->read([&](store::Executor& x) -> Result<void> {
    return AuditLog::append(x, 7000,
                            {.actor = "15003-ja",
                             .action = "case.read",
                             .object = "case:1",
                             .legal_basis = "Einwilligung",
                             .request_id = "r",
                             .details_json = "{}"});
  }));
  EXPECT_FALSE(db_->write([](store::Executor& x) {
    return x.exec("UPDATE reads.read_log SET actor = 'x' WHERE seq = 1");
  }));
  EXPECT_FALSE(db_->write([](store::Executor& x) { return x.exec("DELETE FROM reads.read_log"); }));
  if (db_->dialect() == store::Dialect::kPostgres)
    EXPECT_FALSE(
        db_->write([](store::Executor& x) { return x.exec_script("TRUNCATE reads.read_log"); }));
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM reads.read_log WHERE actor = '15003-ja'"), 1);
}

TEST_F(AuditLogDb, ChangedEntryIsNamed) {
  append_n(6);
  drop_append_only_triggers();
  sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4");
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 4);
  EXPECT_NE(report->problem.find("entry 4 was changed"), std::string::npos) << report->problem;
}

// Entries appended by a read go to the read log, with a chain of their own;
// entries appended by a write stay in the change log. entries_about finds
// both, each log in its own order, a read right after the last change it saw.
TEST_F(AuditLogDb, ReadsAreAuditedInTheReadLogAndFoundWithTheChanges) {
  auto read_entry = [&](std::int64_t at, const std::string& request) {
    auto r = db_->read([&](store::Executor& x) -> Result<void> {
      return AuditLog::append(x, at,
                              {.actor = "15003-ja",
                               .action = "case.read",
                               .object = "case:5",
                               .legal_basis = "Einwilligung",
                               .request_id = request,
                               .details_json = "{}"});
    });
    ASSERT_TRUE(r) << r.error().message;
  };
  auto change_entry = [&](std::int64_t at, const std::string& request) {
    auto r = db_->write([&](store::Executor& x) -> Result<void> {
      return AuditLog::append(x, at,
                              {.actor = "15003-jc",
                               .action = "note.add",
                               .object = "case:5",
                               .legal_basis = "Eigene Fallakte",
                               .request_id = request,
                               .details_json = "{}"});
    });
    ASSERT_TRUE(r) << r.error().message;
  };
  change_entry(1000, "c1");
  read_entry(2000, "r1");
  read_entry(3000, "r2");
  change_entry(3000, "c2");
  read_entry(4000, "r3");
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_log"), 2);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM reads.read_log"), 3);

  auto about = db_->read(
      [](store::Executor& x) { return AuditLog::entries_about(x, {{.object = "case:5"}}); });
  ASSERT_TRUE(about) << about.error().message;
  std::vector<std::string> order;
  for (const auto& e : *about)
    order.push_back(e.event.request_id + (e.read_log ? "@read" : "@change") +
                    std::to_string(e.seq));
  // r2 was read before c2 was written, in the same millisecond.
  EXPECT_EQ(order, (std::vector<std::string>{"c1@change1", "r1@read1", "r2@read2", "c2@change2",
                                             "r3@read3"}));
  auto recent = db_->read([](store::Executor& x) { return AuditLog::recent(x, 2); });
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].event.request_id, "r3");
  EXPECT_EQ((*recent)[1].event.request_id, "c2");
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries_checked, 5);
}

// A list page read in a read transaction: its batch goes to the read log.
// entries_about opens it and keeps the items about the records asked for,
// each once, even when the batch holds several of them or one twice (a
// case in both boxes of the Posteingang); the view shows the same items.
TEST_F(AuditLogDb, ListReadsAreFoundItemByItem) {
  auto read = [&](std::int64_t at, const std::string& request,
                  const std::vector<std::string>& objects) {
    std::vector<AuditEvent> events;
    for (const auto& o : objects)
      events.push_back({.actor = "15003-ja",
                        .action = "case.read",
                        .object = o,
                        .legal_basis = "Einwilligung " + o,
                        .request_id = request,
                        .details_json = R"({"path":"list"})"});
    auto r = db_->read(
        [&](store::Executor& x) -> Result<void> { return AuditLog::append_all(x, at, events); });
    ASSERT_TRUE(r) << r.error().message;
  };
  read(1000, "p1", {"case:1", "case:2", "case:3", "case:2"});
  read(2000, "p2", {"case:4", "case:5"});
  read(3000, "p3", {"case:1"});
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM reads.read_log"), 3);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_entries"), 7);

  auto about = db_->read([](store::Executor& x) {
    return AuditLog::entries_about(x, {{.object = "case:2"}, {.object = "case:1"}});
  });
  ASSERT_TRUE(about) << about.error().message;
  std::vector<std::string> found;
  for (const auto& e : *about) {
    EXPECT_TRUE(e.read_log);
    EXPECT_EQ(e.event.legal_basis, "Einwilligung " + e.event.object);
    EXPECT_EQ(e.event.details_json, R"({"path":"list"})");
    found.push_back(fmt::format("{}#{}.{} {}", e.event.request_id, e.seq, e.item, e.event.object));
  }
  EXPECT_EQ(found, (std::vector<std::string>{"p1#1.1 case:1", "p1#1.2 case:2", "p1#1.4 case:2",
                                             "p3#3.0 case:1"}));
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_entries WHERE object IN ('case:1', 'case:2') "
                        "AND legal_basis = 'Einwilligung ' || object"),
            static_cast<std::int64_t>(found.size()));
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries_checked, 3);
}

// A list read about more objects than one index statement holds (64): every
// object gets its index row, once, and is found.
TEST_F(AuditLogDb, AListOfManyObjectsIsFoundByEachOfThem) {
  std::vector<AuditEvent> events;
  for (int i = 1; i <= 70; ++i)
    events.push_back({.actor = "15003-ja",
                      .action = "case.read",
                      .object = fmt::format("case:{}", i),
                      .legal_basis = "Einwilligung",
                      .request_id = "long-list",
                      .details_json = R"({"path":"list"})"});
  auto r = db_->read(
      [&](store::Executor& x) -> Result<void> { return AuditLog::append_all(x, 1000, events); });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM reads.read_object_hours"), 70);
  for (int i : {1, 2, 63, 64, 65, 69, 70}) {
    const std::string object = fmt::format("case:{}", i);
    auto about = db_->read(
        [&](store::Executor& x) { return AuditLog::entries_about(x, {{.object = object}}); });
    ASSERT_TRUE(about) << about.error().message;
    ASSERT_EQ(about->size(), 1u) << object;
    EXPECT_EQ(about->front().event.object, object);
    EXPECT_EQ(about->front().item, i);
  }
}

// All that one read audits is one entry of the read log (a case page
// audits the case and then its consents): one head, hash and index row per
// page view. Its events stay entries of their own to every reader, in the
// order they were audited. Another request in the same read keeps its own.
TEST_F(AuditLogDb, EverythingOneReadAuditsIsOneEntry) {
  auto event = [](std::string action, std::string request) {
    return AuditEvent{.actor = "15003-jc",
                      .action = std::move(action),
                      .object = "case:7",
                      .legal_basis = "Eigene Fallakte",
                      .request_id = std::move(request),
                      .details_json = R"({"path":"item"})"};
  };
  auto r = db_->read([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(AuditLog::append(x, 1000, event("case.read", "page")));
    LOTSE_TRY(AuditLog::append_all(x, 1000, {event("consent.list", "page")}));
    return AuditLog::append(x, 1000, event("case.read", "other"));
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM reads.read_log"), 2);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM reads.read_object_hours"), 1);

  auto about = db_->read(
      [](store::Executor& x) { return AuditLog::entries_about(x, {{.object = "case:7"}}); });
  ASSERT_TRUE(about) << about.error().message;
  std::vector<std::string> found;
  for (const auto& e : *about)
    found.push_back(fmt::format("{}#{}.{} {}", e.event.request_id, e.seq, e.item, e.event.action));
  EXPECT_EQ(found, (std::vector<std::string>{"page#1.1 case.read", "page#1.2 consent.list",
                                             "other#2.0 case.read"}));
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
}

// The read log's chain is verified like the change log's; a changed entry
// is named with its log.
TEST_F(AuditLogDb, ChangedReadLogEntryIsNamed) {
  append_n(2);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(db_->read([&](store::Executor& x) -> Result<void> {
      return AuditLog::append(x, 5000 + i,
                              {.actor = "15003-ja",
                               .action = "case.read",
                               .object = "case:" + std::to_string(i),
                               .legal_basis = "Einwilligung",
                               .request_id = "r",
                               .details_json = "{}"});
    }));
  auto r = db_->write([&](store::Executor& x) -> Result<void> {
    if (x.dialect() == store::Dialect::kPostgres)
      return x.exec_script("DROP TRIGGER read_log_no_update ON reads.read_log");
    return x.exec_script("DROP TRIGGER reads.read_log_no_update");
  });
  ASSERT_TRUE(r) << r.error().message;
  sql("UPDATE reads.read_log SET actor = 'someone-else' WHERE seq = 2");
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_TRUE(report->read_log);
  EXPECT_EQ(report->first_bad_seq, 2);
  EXPECT_NE(report->problem.find("entry 2 was changed"), std::string::npos) << report->problem;
}

TEST_F(AuditLogDb, DeletedEntryIsNamed) {
  append_n(6);
  drop_append_only_triggers();
  sql("DELETE FROM audit_log WHERE seq = 3");
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 3);
  EXPECT_NE(report->problem.find("entry 3 is missing"), std::string::npos) << report->problem;
}

TEST_F(AuditLogDb, DeletedLastEntryIsNamed) {
  append_n(4);
  drop_append_only_triggers();
  sql("DELETE FROM audit_log WHERE seq = 4");
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 4);
}

TEST_F(AuditLogDb, RecomputedHashStillBreaksTheLink) {
  append_n(4);
  drop_append_only_triggers();
  // A forger who rewrites entry 2 and recomputes its hash still breaks entry 3's link.
  AuditEvent forged{.actor = "forger",
                    .action = "auth.sign_in",
                    .object = "user:x",
                    .legal_basis = "Art. 32 DSGVO",
                    .request_id = "req1",
                    .details_json = "{}"};
  auto prev = db_->read([](store::Executor& x) {
    return x.query_one("SELECT prev_hash, at FROM audit_log WHERE seq = 2");
  });
  ASSERT_TRUE(prev);
  std::string h = AuditLog::entry_hash(2, prev->integer(1), forged, prev->text(0));
  sql("UPDATE audit_log SET actor = 'forger', object = 'user:x', hash = '" + h + "' WHERE seq = 2");
  auto report = AuditLog::verify(*db_);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 3);
}

TEST(AuditLog, HashCoversEveryField) {
  AuditEvent e{.actor = "a",
               .action = "b",
               .object = "c",
               .legal_basis = "d",
               .request_id = "e",
               .details_json = "{}"};
  const std::string base = AuditLog::entry_hash(1, 10, e, "p");
  EXPECT_NE(base, AuditLog::entry_hash(2, 10, e, "p"));
  EXPECT_NE(base, AuditLog::entry_hash(1, 11, e, "p"));
  EXPECT_NE(base, AuditLog::entry_hash(1, 10, e, "q"));
  for (std::string AuditEvent::*field :
       {&AuditEvent::actor, &AuditEvent::action, &AuditEvent::object, &AuditEvent::legal_basis,
        &AuditEvent::request_id, &AuditEvent::details_json}) {
    AuditEvent changed = e;
    changed.*field += "x";
    EXPECT_NE(base, AuditLog::entry_hash(1, 10, changed, "p"));
  }
  // Length prefixes: moving a character between fields changes the hash.
  AuditEvent shifted = e;
  shifted.actor = "ab";
  shifted.action = "";
  EXPECT_NE(base, AuditLog::entry_hash(1, 10, shifted, "p"));
}

}  // namespace
}  // namespace lotse::privacy
