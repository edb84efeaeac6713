// The append-only, hash-chained audit log, in two chains. Every entry: who,
// when, action, object, legal basis, request id, details, and the hash of
// the previous entry of its chain.
//
// - The change log (audit_log): entries appended inside the caller's write
//   transaction, so an action and its audit entry commit together or not at
//   all.
// - The read log (reads.read_log; on SQLite a file of its own, migration
//   15): entries appended inside a read transaction (a gated read). They are
//   written in one write transaction right after it, before read() returns:
//   the reader gets nothing unless its entries are written
//   (store::Executor::write_after_read). Kept apart so that page views do
//   not commit to the file the case data lives in. All that one read()
//   audits (a case page: the case and its consents) is one entry, a batch
//   when there are several events (below).
//
//   db.write([&](store::Executor& x) -> Result<void> {
//     LOTSE_TRY(change_something(x));
//     return AuditLog::append(x, clock(), {.actor = "15003-jc", .action = "auth.sign_in",
//                                          .object = "user:15003-jc", ...});
//   });
//   auto report = AuditLog::verify(db);   // both chains: report->ok, report->first_bad_seq
//   auto about = AuditLog::entries_about(x, {"case:12"});  // both logs, oldest first
//
// Found by object (the Art. 15 report, a case's access log) through an
// index per log with one row per object, hour and actor and the entries by
// actor and time: a person read a hundred times in an hour costs the index
// one row.
//
// A list read (a Posteingang page, search results) writes one entry per
// case it shows, stored together as one row of its log, a batch (action
// "batch", details {"items": [{action, object, legal_basis, details}, ...]}):
// one hash, one row and one index entry by actor instead of fifty. Readers
// never see the batch: recent() and entries_about() return its items as
// entries of their own (same seq, `item` = their position), and so does the
// view audit_entries.
//
// Thread safety: append() serialises writers on the chain's head row
// (SQLite: the write transaction itself; PostgreSQL: SELECT ... FOR UPDATE).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::privacy {

struct AuditEvent {
  std::string actor;        // username, or "-" when nobody is signed in
  std::string action;       // e.g. "auth.sign_in", "user.disable"
  std::string object;       // e.g. "user:15003-jc"
  std::string legal_basis;  // e.g. "Art. 6 Abs. 1 lit. c DSGVO (Protokollierung)"
  std::string request_id;   // HTTP request id or "cli"
  std::string details_json = "{}";
};

struct AuditEntry {
  bool read_log = false;   // from the read log (its own seq and chain)
  std::int64_t as_of = 0;  // read log: the last change-log entry (seq) its read saw
  std::int64_t seq = 0;
  int item = 0;  // an item of a batch: its position there (1, 2, ...); 0: an entry of its own
  std::int64_t at_ms = 0;
  AuditEvent event;
  std::string prev_hash;
  std::string hash;
};

struct AuditVerifyReport {
  bool ok = true;
  bool read_log = false;  // the first problem is in the read log (else the change log)
  std::int64_t entries_checked = 0;
  std::optional<std::int64_t> first_bad_seq;  // the first entry changed, inserted or deleted
  std::string problem;                        // human-readable, names the entry
};

// A record the audit names as `object` ("case:12"), with the action that
// created it and when. SQLite may hand out the id of a deleted last row
// again (no AUTOINCREMENT), so "case:12" can also name an earlier case that
// retention deleted; entries_about leaves those entries out.
struct AuditRecord {
  std::string object;
  std::string creation;            // e.g. "case.open"; empty: no creating entry to look for
  std::int64_t created_at_ms = 0;  // 0: no bound by time
};

class AuditLog {
 public:
  static constexpr std::int64_t kMsPerHour = 3'600'000;

  static Result<void> append(store::Executor& x, std::int64_t at_ms, const AuditEvent& event);
  static constexpr std::string_view kBatchAction = "batch";

  // Several entries of one actor and request in order, as one batch (a
  // single event: an entry of its own): a list read writes one entry per
  // case it shows. Events of different actors or requests are refused.
  static Result<void> append_all(store::Executor& x, std::int64_t at_ms,
                                 const std::vector<AuditEvent>& events);
  static Result<AuditVerifyReport> verify(store::Database& db);
  // Newest first, at most `limit` entries of both logs (interleaved as in
  // entries_about; a batch's items count one by one).
  static Result<std::vector<AuditEntry>> recent(store::Executor& x, int limit);
  // Every entry of both logs about the records, oldest first: each log in
  // its own order (seq), a read right after the last change its snapshot
  // saw (as_of). An entry is about the record if it comes after the
  // record's creating entry (the newest change-log entry with the creating
  // action, at or after created_at_ms: written in the same transaction as
  // the record, so exact even within one millisecond), i.e. a change with a
  // seq from it on or a read whose as_of reaches it; a record written
  // without one (synthetic data, imports) from created_at_ms on.
  //
  //   auto entries = AuditLog::entries_about(x, {{"case:12", "case.open", opened_at_ms}});
  static Result<std::vector<AuditEntry>> entries_about(store::Executor& x,
                                                       const std::vector<AuditRecord>& records);
  // The canonical hash of an entry (exposed for tests and external
  // verifiers); read-log entries also cover their as_of.
  static std::string entry_hash(std::int64_t seq, std::int64_t at_ms, const AuditEvent& event,
                                const std::string& prev_hash,
                                std::optional<std::int64_t> as_of = std::nullopt);
};

}  // namespace lotse::privacy
