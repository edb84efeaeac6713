#include "lotse/privacy/audit_log.h"

#include <fmt/format.h>

#include <set>
#include <string_view>
#include <utility>

#include "lotse/common/crypto.h"

namespace lotse::privacy {
namespace {

constexpr const char* kGenesis = "genesis";

// Length-prefixed fields: unambiguous whatever the values contain.
void add_field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

AuditEntry entry_from_row(const store::Row& r) {
  AuditEntry e;
  e.seq = r.integer(0);
  e.at_ms = r.integer(1);
  e.event.actor = r.text(2);
  e.event.action = r.text(3);
  e.event.object = r.text(4);
  e.event.legal_basis = r.text(5);
  e.event.request_id = r.text(6);
  e.event.details_json = r.text(7);
  e.prev_hash = r.text(8);
  e.hash = r.text(9);
  return e;
}

constexpr const char* kColumns =
    "seq, at, actor, action, object, legal_basis, request_id, details, prev_hash, hash";

}  // namespace

std::string AuditLog::entry_hash(std::int64_t seq, std::int64_t at_ms, const AuditEvent& event,
                                 const std::string& prev_hash) {
  std::string canonical;
  add_field(canonical, std::to_string(seq));
  add_field(canonical, std::to_string(at_ms));
  add_field(canonical, event.actor);
  add_field(canonical, event.action);
  add_field(canonical, event.object);
  add_field(canonical, event.legal_basis);
  add_field(canonical, event.request_id);
  add_field(canonical, event.details_json);
  add_field(canonical, prev_hash);
  return sha256_hex(canonical);
}

Result<void> AuditLog::append(store::Executor& x, std::int64_t at_ms, const AuditEvent& event) {
  return append_all(x, at_ms, {event});
}

Result<void> AuditLog::append_all(store::Executor& x, std::int64_t at_ms,
                                  const std::vector<AuditEvent>& events) {
  if (events.empty()) return ok();
  // A gated read inside read(): the entries are written right after the
  // snapshot ends, before the read returns (store::Executor::write_after_read).
  if (x.read_only()) {
    return x.write_after_read([at_ms, events](store::Executor& w) {
      return append_all(w, at_ms, events);
    });
  }
  // SQLite's write transaction is already exclusive (BEGIN IMMEDIATE); on
  // PostgreSQL the row lock on audit_head serialises concurrent appenders so
  // seq stays gapless and the chain linear.
  const char* head_sql = x.dialect() == store::Dialect::kPostgres
                             ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
                             : "SELECT seq, hash FROM audit_head WHERE id = 1";
  LOTSE_ASSIGN_OR_RETURN(store::Row head, x.query_one(head_sql));
  std::int64_t seq = head.integer(0);
  std::string hash = head.text(1);
  static const std::string insert_sql = fmt::format(
      "INSERT INTO audit_log ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", kColumns);
  // The index by object has a row per object, hour and actor (migration 14):
  // written the first time in an hour, found and left alone afterwards.
  static const std::string index_sql =
      "INSERT INTO audit_object_hours (object, hour, actor) VALUES (?, ?, ?) "
      "ON CONFLICT DO NOTHING";
  const std::int64_t hour = at_ms / kMsPerHour;
  std::set<std::pair<std::string_view, std::string_view>> indexed;
  for (const AuditEvent& event : events) {
    ++seq;
    std::string prev_hash = std::move(hash);
    hash = entry_hash(seq, at_ms, event, prev_hash);
    LOTSE_TRY(x.exec(insert_sql, {seq, at_ms, event.actor, event.action, event.object,
                                  event.legal_basis, event.request_id, event.details_json,
                                  prev_hash, hash}));
    if (indexed.emplace(event.object, event.actor).second)
      LOTSE_TRY(x.exec(index_sql, {event.object, hour, event.actor}));
  }
  LOTSE_TRY(x.exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", {seq, hash}));
  return ok();
}

Result<AuditVerifyReport> AuditLog::verify(store::Database& db) {
  return db.read([&](store::Executor& x) -> Result<AuditVerifyReport> {
    AuditVerifyReport report;
    auto fail = [&](std::int64_t seq, std::string problem) {
      report.ok = false;
      report.first_bad_seq = seq;
      report.problem = std::move(problem);
      return report;
    };
    std::int64_t expected_seq = 1;
    std::string prev_hash = kGenesis;
    constexpr int kPage = 5000;
    for (;;) {
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows rows,
          x.query(fmt::format("SELECT {} FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT {}",
                              kColumns, kPage),
                  {expected_seq}));
      for (const auto& row : rows) {
        AuditEntry e = entry_from_row(row);
        if (e.seq > expected_seq)
          return fail(expected_seq, fmt::format("entry {} is missing (deleted); the chain "
                                                "continues at entry {}",
                                                expected_seq, e.seq));
        if (entry_hash(e.seq, e.at_ms, e.event, e.prev_hash) != e.hash)
          return fail(e.seq, fmt::format("entry {} was changed (its content does not match its "
                                         "hash)",
                                         e.seq));
        if (e.prev_hash != prev_hash)
          return fail(e.seq,
                      fmt::format("entry {} does not link to entry {} (an entry was changed, "
                                  "inserted or deleted before it)",
                                  e.seq, e.seq - 1));
        prev_hash = e.hash;
        ++expected_seq;
        ++report.entries_checked;
      }
      if (static_cast<int>(rows.size()) < kPage) break;
    }
    LOTSE_ASSIGN_OR_RETURN(store::Row head,
                           x.query_one("SELECT seq, hash FROM audit_head WHERE id = 1"));
    const std::int64_t last = expected_seq - 1;
    if (head.integer(0) > last)
      return fail(last + 1, fmt::format("entries {} to {} are missing (deleted at the end of "
                                        "the log)",
                                        last + 1, head.integer(0)));
    if (head.integer(0) < last || head.text(1) != prev_hash)
      return fail(head.integer(0) + 1,
                  fmt::format("the chain head (entry {}) does not match the last entry {}",
                              head.integer(0), last));
    return report;
  });
}

Result<std::vector<AuditEntry>> AuditLog::recent(store::Executor& x, int limit) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query(fmt::format("SELECT {} FROM audit_log ORDER BY seq DESC LIMIT ?", kColumns),
              {std::int64_t{limit}}));
  std::vector<AuditEntry> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(entry_from_row(r));
  return out;
}

}  // namespace lotse::privacy
