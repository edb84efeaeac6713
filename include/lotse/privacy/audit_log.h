// The append-only, hash-chained audit log. Every entry: who, when, action,
// object, legal basis, request id, details, and the hash of the previous
// entry. Entries are appended inside the caller's write transaction, so an
// action and its audit entry commit together or not at all. Appended inside
// a read transaction (a gated read), they are written in one write
// transaction right after it, before read() returns: the reader gets
// nothing unless its entries are written (store::Executor::write_after_read).
//
//   db.write([&](store::Executor& x) -> Result<void> {
//     LOTSE_TRY(change_something(x));
//     return AuditLog::append(x, clock(), {.actor = "15003-jc", .action = "auth.sign_in",
//                                          .object = "user:15003-jc", ...});
//   });
//   auto report = AuditLog::verify(db);   // report->ok, report->first_bad_seq
//
// Found by object (the Art. 15 report, a case's access log) through an
// index with one row per object, hour and actor (audit_object_hours) and
// the entries by actor and time: a person read a hundred times in an hour
// costs the index one row (kEntriesAboutObjects).
//
// Thread safety: append() serialises writers on the audit_head row (SQLite:
// the write transaction itself; PostgreSQL: SELECT ... FOR UPDATE).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
  std::int64_t seq = 0;
  std::int64_t at_ms = 0;
  AuditEvent event;
  std::string prev_hash;
  std::string hash;
};

struct AuditVerifyReport {
  bool ok = true;
  std::int64_t entries_checked = 0;
  std::optional<std::int64_t> first_bad_seq;  // the first entry changed, inserted or deleted
  std::string problem;                        // human-readable, names the entry
};

class AuditLog {
 public:
  static constexpr std::int64_t kMsPerHour = 3'600'000;
  // The entries about objects, as the FROM part of a query: `h` is the
  // index row (object, hour, actor), `a` the entry. Filter on h.object
  // (equality or IN) so the index leads; every entry about the object is
  // joined exactly once.
  //
  //   x.query(std::string("SELECT a.seq, a.action FROM ") +
  //           AuditLog::kEntriesAboutObjects + " WHERE h.object = ? ORDER BY a.seq",
  //           {"case:12"});
  static constexpr const char* kEntriesAboutObjects =
      "audit_object_hours h JOIN audit_log a ON a.actor = h.actor AND "
      "a.at >= h.hour * 3600000 AND a.at < h.hour * 3600000 + 3600000 AND a.object = h.object";

  static Result<void> append(store::Executor& x, std::int64_t at_ms, const AuditEvent& event);
  // Several entries in order, reading and moving the chain's head once: a
  // list read writes one entry per case it shows.
  static Result<void> append_all(store::Executor& x, std::int64_t at_ms,
                                 const std::vector<AuditEvent>& events);
  static Result<AuditVerifyReport> verify(store::Database& db);
  // Newest first, at most `limit` entries.
  static Result<std::vector<AuditEntry>> recent(store::Executor& x, int limit);
  // The canonical hash of an entry (exposed for tests and external verifiers).
  static std::string entry_hash(std::int64_t seq, std::int64_t at_ms, const AuditEvent& event,
                                const std::string& prev_hash);
};

}  // namespace lotse::privacy
