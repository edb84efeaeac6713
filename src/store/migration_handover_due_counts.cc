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
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_handover_due_counts() {
  return {18, "handover_due_counts",
          R"sql(
CREATE TABLE handover_due_counts (
  agency_key TEXT NOT NULL,
  box        TEXT NOT NULL,      -- 'in' (to_agency) or 'out' (from_agency)
  due_on     TEXT NOT NULL,      -- YYYY-MM-DD
  n          BIGINT NOT NULL,
  PRIMARY KEY (agency_key, box, due_on)
);
INSERT INTO handover_due_counts (agency_key, box, due_on, n)
  SELECT to_agency, 'in', due_on, COUNT(*) FROM handovers
  WHERE state IN ('sent', 'received') AND sent_at IS NOT NULL AND due_on IS NOT NULL
  GROUP BY to_agency, due_on;
INSERT INTO handover_due_counts (agency_key, box, due_on, n)
  SELECT from_agency, 'out', due_on, COUNT(*) FROM handovers
  WHERE state IN ('sent', 'received') AND sent_at IS NOT NULL AND due_on IS NOT NULL
  GROUP BY from_agency, due_on;
)sql",
          // SQLite: one trigger per side of a change, each with its condition.
          R"sql(
CREATE TRIGGER handover_due_counts_insert AFTER INSERT ON handovers
WHEN NEW.state IN ('sent', 'received') AND NEW.sent_at IS NOT NULL AND NEW.due_on IS NOT NULL
BEGIN
  INSERT INTO handover_due_counts (agency_key, box, due_on, n)
    VALUES (NEW.to_agency, 'in', NEW.due_on, 1)
    ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = n + 1;
  INSERT INTO handover_due_counts (agency_key, box, due_on, n)
    VALUES (NEW.from_agency, 'out', NEW.due_on, 1)
    ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER handover_due_counts_delete AFTER DELETE ON handovers
WHEN OLD.state IN ('sent', 'received') AND OLD.sent_at IS NOT NULL AND OLD.due_on IS NOT NULL
BEGIN
  UPDATE handover_due_counts SET n = n - 1
    WHERE agency_key = OLD.to_agency AND box = 'in' AND due_on = OLD.due_on;
  UPDATE handover_due_counts SET n = n - 1
    WHERE agency_key = OLD.from_agency AND box = 'out' AND due_on = OLD.due_on;
  DELETE FROM handover_due_counts WHERE n = 0 AND due_on = OLD.due_on AND
    ((agency_key = OLD.to_agency AND box = 'in') OR (agency_key = OLD.from_agency AND box = 'out'));
END;
-- An update takes the old row out of the count (if it was counted) and
-- puts the new one in (if it is counted); in either order the result is
-- the same.
CREATE TRIGGER handover_due_counts_update_new AFTER UPDATE OF state, sent_at, due_on, from_agency, to_agency
ON handovers
WHEN NEW.state IN ('sent', 'received') AND NEW.sent_at IS NOT NULL AND NEW.due_on IS NOT NULL
BEGIN
  INSERT INTO handover_due_counts (agency_key, box, due_on, n)
    VALUES (NEW.to_agency, 'in', NEW.due_on, 1)
    ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = n + 1;
  INSERT INTO handover_due_counts (agency_key, box, due_on, n)
    VALUES (NEW.from_agency, 'out', NEW.due_on, 1)
    ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER handover_due_counts_update_old AFTER UPDATE OF state, sent_at, due_on, from_agency, to_agency
ON handovers
WHEN OLD.state IN ('sent', 'received') AND OLD.sent_at IS NOT NULL AND OLD.due_on IS NOT NULL
BEGIN
  UPDATE handover_due_counts SET n = n - 1
    WHERE agency_key = OLD.to_agency AND box = 'in' AND due_on = OLD.due_on;
  UPDATE handover_due_counts SET n = n - 1
    WHERE agency_key = OLD.from_agency AND box = 'out' AND due_on = OLD.due_on;
  DELETE FROM handover_due_counts WHERE n = 0 AND due_on = OLD.due_on AND
    ((agency_key = OLD.to_agency AND box = 'in') OR (agency_key = OLD.from_agency AND box = 'out'));
END;
)sql",
          // PostgreSQL
          R"sql(
CREATE FUNCTION handover_due_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.state IN ('sent', 'received') AND
     OLD.sent_at IS NOT NULL AND OLD.due_on IS NOT NULL THEN
    UPDATE handover_due_counts SET n = n - 1
      WHERE agency_key = OLD.to_agency AND box = 'in' AND due_on = OLD.due_on;
    UPDATE handover_due_counts SET n = n - 1
      WHERE agency_key = OLD.from_agency AND box = 'out' AND due_on = OLD.due_on;
    DELETE FROM handover_due_counts WHERE n = 0 AND due_on = OLD.due_on AND
      ((agency_key = OLD.to_agency AND box = 'in') OR (agency_key = OLD.from_agency AND box = 'out'));
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state IN ('sent', 'received') AND
     NEW.sent_at IS NOT NULL AND NEW.due_on IS NOT NULL THEN
    INSERT INTO handover_due_counts (agency_key, box, due_on, n)
      VALUES (NEW.to_agency, 'in', NEW.due_on, 1)
      ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = handover_due_counts.n + 1;
    INSERT INTO handover_due_counts (agency_key, box, due_on, n)
      VALUES (NEW.from_agency, 'out', NEW.due_on, 1)
      ON CONFLICT (agency_key, box, due_on) DO UPDATE SET n = handover_due_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER handover_due_counts_insert_delete AFTER INSERT OR DELETE ON handovers
FOR EACH ROW EXECUTE FUNCTION handover_due_counts_sync();
CREATE TRIGGER handover_due_counts_update
AFTER UPDATE OF state, sent_at, due_on, from_agency, to_agency ON handovers
FOR EACH ROW EXECUTE FUNCTION handover_due_counts_sync();
)sql"};
}

}  // namespace lotse::store
