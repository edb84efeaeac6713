#include "lotse/privacy/audit_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <optional>
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

// `read_log`: the row has the read log's columns (kReadColumns).
AuditEntry entry_from_row(const store::Row& r, bool read_log) {
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
  if (read_log) {
    e.read_log = true;
    e.as_of = r.integer(10);
  }
  return e;
}

// A JSON string literal of `text`.
std::string json_string(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

// The stored entry for several events of one actor and request: a batch,
// its items the events without actor and request id (the batch's own),
// their details as they are (already JSON).
Result<AuditEvent> batch_of(const std::vector<AuditEvent>& events) {
  AuditEvent batch{.actor = events.front().actor,
                   .action = std::string(AuditLog::kBatchAction),
                   .object = std::string(AuditLog::kBatchAction),
                   .legal_basis = "",
                   .request_id = events.front().request_id,
                   .details_json = "{\"items\":["};
  for (const AuditEvent& e : events) {
    if (e.actor != batch.actor || e.request_id != batch.request_id)
      return Error::internal("AuditLog::append_all: one actor and request per batch");
    if (&e != &events.front()) batch.details_json += ',';
    batch.details_json += fmt::format(
        R"({{"action":{},"object":{},"legal_basis":{},"details":{}}})", json_string(e.action),
        json_string(e.object), json_string(e.legal_basis), e.details_json);
  }
  batch.details_json += "]}";
  return batch;
}

// The entries a stored row stands for, appended to `out`: the row itself,
// or a batch's items (with `objects`: only the items about one of them).
// A batch whose details cannot be read (verify names it) is kept as stored
// where every entry is asked for, and left out where entries about given
// objects are.
void add_entries(std::vector<AuditEntry>& out, AuditEntry row,
                 const std::set<std::string_view>* objects) {
  if (row.event.action != AuditLog::kBatchAction) {
    out.push_back(std::move(row));
    return;
  }
  boost::system::error_code ec;
  const boost::json::value details = boost::json::parse(row.event.details_json, ec);
  const boost::json::array* items = nullptr;
  if (!ec && details.is_object())
    if (const auto* v = details.as_object().if_contains("items")) items = v->if_array();
  if (!items) {
    if (!objects) out.push_back(std::move(row));
    return;
  }
  row.event.details_json.clear();
  auto text = [](const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  int position = 0;
  for (const auto& value : *items) {
    ++position;
    if (!value.is_object()) continue;
    const boost::json::object& item = value.get_object();
    std::string object = text(item, "object");
    if (objects && !objects->contains(object)) continue;
    AuditEntry e = row;
    e.item = position;
    e.event.action = text(item, "action");
    e.event.object = std::move(object);
    e.event.legal_basis = text(item, "legal_basis");
    const auto* d = item.if_contains("details");
    e.event.details_json = d ? boost::json::serialize(*d) : "{}";
    out.push_back(std::move(e));
  }
}

constexpr const char* kColumns =
    "seq, at, actor, action, object, legal_basis, request_id, details, prev_hash, hash";
// The read log's entries also name the last change-log entry their read saw.
constexpr const char* kReadColumns =
    "seq, at, actor, action, object, legal_basis, request_id, details, prev_hash, hash, as_of";

}  // namespace

std::string AuditLog::entry_hash(std::int64_t seq, std::int64_t at_ms, const AuditEvent& event,
                                 const std::string& prev_hash, std::optional<std::int64_t> as_of) {
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
  if (as_of) add_field(canonical, std::to_string(*as_of));
  return sha256_hex(canonical);
}

Result<void> AuditLog::append(store::Executor& x, std::int64_t at_ms, const AuditEvent& event) {
  return append_all(x, at_ms, {event});
}

namespace {

// The tables of one of the two logs and the statements on them.
struct LogTables {
  bool read_log;
  std::string columns;
  std::string head_sql, head_sql_pg, insert_sql, index_sql, update_head_sql, page_sql, recent_sql,
      about_sql;

  LogTables(bool reads, std::string_view log, std::string_view head, std::string_view hours)
      : read_log(reads),
        columns(reads ? kReadColumns : kColumns),
        head_sql(fmt::format("SELECT seq, hash FROM {} WHERE id = 1", head)),
        head_sql_pg(head_sql + " FOR UPDATE"),
        insert_sql(fmt::format("INSERT INTO {} ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?{})", log,
                               columns, reads ? ", ?" : "")),
        index_sql(fmt::format("INSERT INTO {} (object, hour, actor) VALUES (?, ?, ?) ON CONFLICT "
                              "DO NOTHING",
                              hours)),
        update_head_sql(fmt::format("UPDATE {} SET seq = ?, hash = ? WHERE id = 1", head)),
        page_sql(
            fmt::format("SELECT {} FROM {} WHERE seq >= ? ORDER BY seq LIMIT ?", columns, log)),
        recent_sql(fmt::format("SELECT {} FROM {} ORDER BY seq DESC LIMIT ?", columns, log)),
        // One index row per object, hour and actor (h); the entries of that
        // actor in that hour about that object, and its batches (a), which
        // the caller opens.
        about_sql(fmt::format(
            "SELECT a.seq, a.at, a.actor, a.action, a.object, a.legal_basis, a.request_id, "
            "a.details, a.prev_hash, a.hash{} FROM {} h JOIN {} a ON a.actor = h.actor AND "
            "a.at >= h.hour * {} AND a.at < h.hour * {} + {} AND (a.object = h.object OR "
            "a.action = '{}') WHERE h.object IN ({{}}) ORDER BY a.seq",
            reads ? ", a.as_of" : "", hours, log, AuditLog::kMsPerHour, AuditLog::kMsPerHour,
            AuditLog::kMsPerHour, AuditLog::kBatchAction)) {}
};

const LogTables& change_log() {
  static const LogTables t(false, "audit_log", "audit_head", "audit_object_hours");
  return t;
}
const LogTables& read_log() {
  static const LogTables t(true, "reads.read_log", "reads.read_head", "reads.read_object_hours");
  return t;
}

// What append_all writes: the entry as stored (an event, or the batch of
// several) and the objects it is about, for the index.
struct StoredEntry {
  AuditEvent event;
  std::vector<std::string> objects;
};

// Built before the write transaction, so that the writer's lock is not held
// while a list read's batch is put together.
Result<StoredEntry> stored_entry(const std::vector<AuditEvent>& events) {
  StoredEntry out;
  if (events.size() == 1) {
    out.event = events.front();
  } else {
    LOTSE_ASSIGN_OR_RETURN(out.event, batch_of(events));
  }
  for (const AuditEvent& e : events)
    if (std::find(out.objects.begin(), out.objects.end(), e.object) == out.objects.end())
      out.objects.push_back(e.object);
  return out;
}

// `as_of`: for the read log, the last change-log entry the read saw.
Result<void> append_to(store::Executor& x, const LogTables& log, std::int64_t at_ms,
                       const StoredEntry& entry, std::optional<std::int64_t> as_of) {
  // SQLite's write transaction is already exclusive (BEGIN IMMEDIATE); on
  // PostgreSQL the row lock on the head serialises concurrent appenders so
  // seq stays gapless and the chain linear.
  LOTSE_ASSIGN_OR_RETURN(
      store::Row head,
      x.query_one(x.dialect() == store::Dialect::kPostgres ? log.head_sql_pg : log.head_sql));
  const std::int64_t seq = head.integer(0) + 1;
  const std::string prev_hash = head.text(1);
  const AuditEvent& stored = entry.event;
  const std::string hash = AuditLog::entry_hash(seq, at_ms, stored, prev_hash, as_of);
  store::Params row{seq,
                    at_ms,
                    stored.actor,
                    stored.action,
                    stored.object,
                    stored.legal_basis,
                    stored.request_id,
                    stored.details_json,
                    prev_hash,
                    hash};
  if (as_of) row.push_back(*as_of);
  LOTSE_TRY(x.exec(log.insert_sql, row));
  // The index by object has a row per object, hour and actor (migration 14),
  // for a batch one per object it holds: written the first time in an
  // hour, found and left alone afterwards.
  const std::int64_t hour = at_ms / AuditLog::kMsPerHour;
  for (const std::string& object : entry.objects)
    LOTSE_TRY(x.exec(log.index_sql, {object, hour, stored.actor}));
  LOTSE_TRY(x.exec(log.update_head_sql, {seq, hash}));
  return ok();
}

// Walks one log's chain from the start.
Result<void> verify_log(store::Executor& x, const LogTables& log, AuditVerifyReport& report) {
  auto fail = [&](std::int64_t seq, std::string problem) {
    report.ok = false;
    report.read_log = log.read_log;
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
    return ok();
  };
  std::int64_t expected_seq = 1;
  std::string prev_hash = kGenesis;
  constexpr std::int64_t kPage = 5000;
  for (;;) {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(log.page_sql, {expected_seq, kPage}));
    for (const auto& row : rows) {
      AuditEntry e = entry_from_row(row, log.read_log);
      if (e.seq > expected_seq)
        return fail(expected_seq, fmt::format("entry {} is missing (deleted); the chain "
                                              "continues at entry {}",
                                              expected_seq, e.seq));
      if (AuditLog::entry_hash(e.seq, e.at_ms, e.event, e.prev_hash,
                               e.read_log ? std::optional<std::int64_t>(e.as_of) : std::nullopt) !=
          e.hash)
        return fail(e.seq, fmt::format("entry {} was changed (its content does not match its "
                                       "hash)",
                                       e.seq));
      if (e.prev_hash != prev_hash)
        return fail(e.seq, fmt::format("entry {} does not link to entry {} (an entry was changed, "
                                       "inserted or deleted before it)",
                                       e.seq, e.seq - 1));
      prev_hash = e.hash;
      ++expected_seq;
      ++report.entries_checked;
    }
    if (static_cast<std::int64_t>(rows.size()) < kPage) break;
  }
  LOTSE_ASSIGN_OR_RETURN(store::Row head, x.query_one(log.head_sql));
  const std::int64_t last = expected_seq - 1;
  if (head.integer(0) > last)
    return fail(last + 1, fmt::format("entries {} to {} are missing (deleted at the end of "
                                      "the log)",
                                      last + 1, head.integer(0)));
  if (head.integer(0) < last || head.text(1) != prev_hash)
    return fail(head.integer(0) + 1,
                fmt::format("the chain head (entry {}) does not match the last entry {}",
                            head.integer(0), last));
  return ok();
}

// The entries of both logs in one list: each log's own order (by seq) is
// kept, and a read comes right after the last change its snapshot saw
// (as_of). `newest_first` says which way both inputs and the result run.
std::vector<AuditEntry> merge_logs(std::vector<AuditEntry> changes, std::vector<AuditEntry> reads,
                                   bool newest_first) {
  std::vector<AuditEntry> out;
  out.reserve(changes.size() + reads.size());
  std::size_t c = 0, r = 0;
  while (c < changes.size() || r < reads.size()) {
    bool take_change;
    if (r == reads.size()) {
      take_change = true;
    } else if (c == changes.size()) {
      take_change = false;
    } else {
      take_change =
          newest_first ? changes[c].seq > reads[r].as_of : changes[c].seq <= reads[r].as_of;
    }
    out.push_back(std::move(take_change ? changes[c++] : reads[r++]));
  }
  return out;
}

// The read-log entry one read() keeps: every event the read's gated calls
// audit (a case page: the case and its consents), one actor and request.
struct KeptReads {
  std::int64_t at_ms = 0;
  std::int64_t as_of = 0;
  std::vector<AuditEvent> events;
  StoredEntry entry;  // of `events`, rebuilt as they grow: outside the writer's lock
};
constexpr char kKeptReadsKey = 0;

// A gated read inside read(): its events go to the read log in one entry,
// written right after the snapshot ends, before the read returns
// (store::Executor::write_after_read). One entry per read, not per call:
// each entry costs the read-log head, a hash and its index rows.
Result<void> keep_read_entries(store::Executor& x, std::int64_t at_ms,
                               const std::vector<AuditEvent>& events) {
  std::shared_ptr<void>& slot = x.attachment(&kKeptReadsKey);
  auto kept = std::static_pointer_cast<KeptReads>(slot);
  // Another actor or request in the same read (none does so today) gets an
  // entry of its own, as a batch holds one actor's request.
  if (!kept || kept->events.front().actor != events.front().actor ||
      kept->events.front().request_id != events.front().request_id) {
    kept = std::make_shared<KeptReads>();
    kept->at_ms = at_ms;
    // Where the read stands in the change log: the report and the access
    // log tell reads of a record from reads of an earlier one with the same
    // id by it.
    LOTSE_ASSIGN_OR_RETURN(store::Row head, x.query_one(change_log().head_sql));
    kept->as_of = head.integer(0);
    LOTSE_TRY(x.write_after_read([kept](store::Executor& w) {
      return append_to(w, read_log(), kept->at_ms, kept->entry, kept->as_of);
    }));
    slot = kept;
  }
  kept->events.insert(kept->events.end(), events.begin(), events.end());
  LOTSE_ASSIGN_OR_RETURN(kept->entry, stored_entry(kept->events));
  return ok();
}

}  // namespace

Result<void> AuditLog::append_all(store::Executor& x, std::int64_t at_ms,
                                  const std::vector<AuditEvent>& events) {
  if (events.empty()) return ok();
  if (x.read_only()) return keep_read_entries(x, at_ms, events);
  LOTSE_ASSIGN_OR_RETURN(StoredEntry entry, stored_entry(events));
  return append_to(x, change_log(), at_ms, entry, std::nullopt);
}

Result<AuditVerifyReport> AuditLog::verify(store::Database& db) {
  return db.read([&](store::Executor& x) -> Result<AuditVerifyReport> {
    AuditVerifyReport report;
    for (const LogTables* log : {&change_log(), &read_log()}) {
      LOTSE_TRY(verify_log(x, *log, report));
      if (!report.ok) break;
    }
    return report;
  });
}

Result<std::vector<AuditEntry>> AuditLog::recent(store::Executor& x, int limit) {
  std::vector<AuditEntry> logs[2];
  for (const LogTables* log : {&change_log(), &read_log()}) {
    // Newest first: a batch's items last to first.
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(log->recent_sql, {std::int64_t{limit}}));
    auto& entries = logs[log->read_log];
    for (const auto& r : rows) {
      const std::size_t from = entries.size();
      add_entries(entries, entry_from_row(r, log->read_log), nullptr);
      std::reverse(entries.begin() + static_cast<std::ptrdiff_t>(from), entries.end());
    }
  }
  std::vector<AuditEntry> out = merge_logs(std::move(logs[0]), std::move(logs[1]), true);
  if (out.size() > static_cast<std::size_t>(std::max(limit, 0))) out.resize(std::max(limit, 0));
  return out;
}

Result<std::vector<AuditEntry>> AuditLog::entries_about(store::Executor& x,
                                                        const std::vector<AuditRecord>& records) {
  if (records.empty()) return std::vector<AuditEntry>{};
  std::string marks;
  store::Params params;
  for (const auto& rec : records) {
    marks += marks.empty() ? "?" : ", ?";
    params.push_back(rec.object);
  }
  const std::set<std::string_view> objects = [&] {
    std::set<std::string_view> out;
    for (const auto& rec : records) out.insert(rec.object);
    return out;
  }();
  std::vector<AuditEntry> logs[2];
  for (const LogTables* log : {&change_log(), &read_log()}) {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                           x.query(fmt::format(fmt::runtime(log->about_sql), marks), params));
    // A batch about several of the records comes once per record (ordered
    // by seq, so next to each other).
    std::int64_t last_seq = 0;
    for (const auto& r : rows) {
      if (r.integer(0) == last_seq) continue;
      last_seq = r.integer(0);
      add_entries(logs[log->read_log], entry_from_row(r, log->read_log), &objects);
    }
  }
  // Each record's creating entry (0: none), then what came after it.
  std::map<std::string_view, std::pair<const AuditRecord*, std::int64_t>> floors;
  for (const auto& rec : records) floors.try_emplace(rec.object, &rec, 0);
  for (const AuditEntry& e : logs[0]) {
    auto& [rec, floor] = floors.at(e.event.object);
    if (!rec->creation.empty() && e.event.action == rec->creation && e.at_ms >= rec->created_at_ms)
      floor = std::max(floor, e.seq);
  }
  auto earlier_record = [&](const AuditEntry& e) {
    const auto& [rec, floor] = floors.at(e.event.object);
    if (!floor) return e.at_ms < rec->created_at_ms;
    return (e.read_log ? e.as_of : e.seq) < floor;
  };
  for (auto& log : logs) std::erase_if(log, earlier_record);
  return merge_logs(std::move(logs[0]), std::move(logs[1]), false);
}

}  // namespace lotse::privacy
