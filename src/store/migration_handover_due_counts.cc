// Migration 18: open handovers per agency, box and due date (triggers).
//
// The Posteingang shows how many open handovers of each box are overdue.
// Counted on the handovers themselves, that was an index range as long as
// the open box (thousands in a large agency) on every page view; open
// handovers fall due on a few dozen dates, so the count is now the sum of
// the rows before today in this table. A handover is counted while it is
// open (sent or received) and has its sending time and due date (stamped
// together when it is sent; older data may lack the time and is never
// overdue). Kept by triggers like handover_counts (migration 11), so every
// writer (the service, `lotse demo`, retention, a fix by hand) keeps it.
// Rows that fall to zero are deleted: the table holds only dates that
// still have open handovers.
#include <string>

#include "store/migrations_list.h"

namespace lotse::store {
namespace {

// Whether the row (NEW or OLD) is counted.
std::string counted(const std::string& row) {
  return row + ".state IN ('sent', 'received') AND " + row + ".sent_at IS NOT NULL AND " + row +
         ".due_on IS NOT NULL";
}

// Counting NEW in and OLD out: the same statements in the SQLite triggers
// and the PostgreSQL trigger function (both read the qualified column in
// the upsert as the existing row's).
constexpr const char* kCountNewIn = R"sql(
  INSERT INTO handover_due_counts (agency_key, box, due_on, n)
    VALUES (NEW.to_agency, 'in', NEW.due_on, 1)
    ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = handover_due_counts.n + 1;
  INSERT INTO handover_due_counts (agency_key, box, due_on, n)
    VALUES (NEW.from_agency, 'out', NEW.due_on, 1)
    ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = handover_due_counts.n + 1;
)sql";
constexpr const char* kCountOldOut = R"sql(
  UPDATE handover_due_counts SET n = n - 1
    WHERE agency_key = OLD.to_agency AND box = 'in' AND due_on = OLD.due_on;
  UPDATE handover_due_counts SET n = n - 1
    WHERE agency_key = OLD.from_agency AND box = 'out' AND due_on = OLD.due_on;
  DELETE FROM handover_due_counts WHERE n = 0 AND due_on = OLD.due_on AND
    ((agency_key = OLD.to_agency AND box = 'in') OR (agency_key = OLD.from_agency AND box = 'out'));
)sql";
constexpr const char* kChangedColumns = "state, sent_at, due_on, from_agency, to_agency";

std::string sqlite_trigger(const std::string& name, const std::string& event,
                           const std::string& row, const char* body) {
  return "CREATE TRIGGER " + name + " AFTER " + event + " ON handovers\nWHEN " + counted(row) +
         "\nBEGIN" + body + "END;\n";
}

}  // namespace

Migration migration_handover_due_counts() {
  const std::string backfill = " FROM handovers WHERE " + counted("handovers") + " GROUP BY ";
  return {
      18, "handover_due_counts",
      R"sql(
CREATE TABLE handover_due_counts (
  agency_key TEXT NOT NULL,
  box        TEXT NOT NULL,      -- 'in' (to_agency) or 'out' (from_agency)
  due_on     TEXT NOT NULL,      -- YYYY-MM-DD
  n          BIGINT NOT NULL,
  PRIMARY KEY (agency_key, box, due_on)
);
INSERT INTO handover_due_counts (agency_key, box, due_on, n)
  SELECT to_agency, 'in', due_on, COUNT(*))sql" +
          backfill + "to_agency, due_on;\n" +
          "INSERT INTO handover_due_counts (agency_key, box, due_on, n)\n"
          "  SELECT from_agency, 'out', due_on, COUNT(*)" +
          backfill + "from_agency, due_on;\n",
      // SQLite: one trigger per side of a change, each with its condition.
      // An update takes the old row out of the count (if it was counted)
      // and puts the new one in (if it is counted); in either order the
      // result is the same.
      sqlite_trigger("handover_due_counts_insert", "INSERT", "NEW", kCountNewIn) +
          sqlite_trigger("handover_due_counts_delete", "DELETE", "OLD", kCountOldOut) +
          sqlite_trigger("handover_due_counts_update_new",
                         std::string("UPDATE OF ") + kChangedColumns, "NEW", kCountNewIn) +
          sqlite_trigger("handover_due_counts_update_old",
                         std::string("UPDATE OF ") + kChangedColumns, "OLD", kCountOldOut),
      // PostgreSQL: one function for all three events.
      "CREATE FUNCTION handover_due_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$\n"
      "BEGIN\n"
      "  IF TG_OP IN ('DELETE', 'UPDATE') AND " +
          counted("OLD") + " THEN" + kCountOldOut +
          "  END IF;\n"
          "  IF TG_OP IN ('INSERT', 'UPDATE') AND " +
          counted("NEW") + " THEN" + kCountNewIn +
          "  END IF;\n"
          "  RETURN NULL;\n"
          "END $$;\n"
          "CREATE TRIGGER handover_due_counts_insert_delete AFTER INSERT OR DELETE ON handovers\n"
          "FOR EACH ROW EXECUTE FUNCTION handover_due_counts_sync();\n"
          "CREATE TRIGGER handover_due_counts_update AFTER UPDATE OF " +
          kChangedColumns +
          " ON handovers\n"
          "FOR EACH ROW EXECUTE FUNCTION handover_due_counts_sync();\n"};
}

}  // namespace lotse::store
