// Migration 11: the handovers per agency, box and state, kept by triggers,
// so that the Posteingang's box counts are one small read instead of
// counting thousands of index entries on every view (0.55 ms of 3 ms at a
// million persons). A handover is counted in the receiver's incoming box
// ('in') and the sender's outgoing box ('out') under its current state.
//
// What depends on the clock is still counted in SQL, on narrow index
// ranges: overdue handovers (sent before a cut-off, handovers_in_box /
// handovers_out_box) and the declined ones still shown (declined within the
// last days, handovers_declined_recent). Counts never go below zero; a row
// is created by the first handover of an agency, box and state and kept.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_handover_counts() {
  return {11, "handover_counts",
          R"sql(
CREATE TABLE handover_counts (
  agency_key TEXT NOT NULL,
  box        TEXT NOT NULL,      -- 'in' (to_agency) or 'out' (from_agency)
  state      TEXT NOT NULL,
  n          BIGINT NOT NULL,
  PRIMARY KEY (agency_key, box, state)
);
INSERT INTO handover_counts (agency_key, box, state, n)
  SELECT to_agency, 'in', state, COUNT(*) FROM handovers GROUP BY to_agency, state;
INSERT INTO handover_counts (agency_key, box, state, n)
  SELECT from_agency, 'out', state, COUNT(*) FROM handovers GROUP BY from_agency, state;
CREATE INDEX handovers_declined_recent ON handovers(from_agency, updated_at)
  WHERE state = 'declined';
)sql",
          // SQLite
          R"sql(
CREATE TRIGGER handover_counts_insert AFTER INSERT ON handovers BEGIN
  INSERT INTO handover_counts (agency_key, box, state, n) VALUES (NEW.to_agency, 'in', NEW.state, 1)
    ON CONFLICT (agency_key, box, state) DO UPDATE SET n = n + 1;
  INSERT INTO handover_counts (agency_key, box, state, n) VALUES (NEW.from_agency, 'out', NEW.state, 1)
    ON CONFLICT (agency_key, box, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER handover_counts_delete AFTER DELETE ON handovers BEGIN
  UPDATE handover_counts SET n = n - 1
    WHERE agency_key = OLD.to_agency AND box = 'in' AND state = OLD.state;
  UPDATE handover_counts SET n = n - 1
    WHERE agency_key = OLD.from_agency AND box = 'out' AND state = OLD.state;
END;
CREATE TRIGGER handover_counts_update AFTER UPDATE OF state, from_agency, to_agency ON handovers
WHEN NEW.state <> OLD.state OR NEW.from_agency <> OLD.from_agency OR NEW.to_agency <> OLD.to_agency
BEGIN
  UPDATE handover_counts SET n = n - 1
    WHERE agency_key = OLD.to_agency AND box = 'in' AND state = OLD.state;
  UPDATE handover_counts SET n = n - 1
    WHERE agency_key = OLD.from_agency AND box = 'out' AND state = OLD.state;
  INSERT INTO handover_counts (agency_key, box, state, n) VALUES (NEW.to_agency, 'in', NEW.state, 1)
    ON CONFLICT (agency_key, box, state) DO UPDATE SET n = n + 1;
  INSERT INTO handover_counts (agency_key, box, state, n) VALUES (NEW.from_agency, 'out', NEW.state, 1)
    ON CONFLICT (agency_key, box, state) DO UPDATE SET n = n + 1;
END;
)sql",
          // PostgreSQL
          R"sql(
CREATE FUNCTION handover_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE handover_counts SET n = n - 1
      WHERE agency_key = OLD.to_agency AND box = 'in' AND state = OLD.state;
    UPDATE handover_counts SET n = n - 1
      WHERE agency_key = OLD.from_agency AND box = 'out' AND state = OLD.state;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO handover_counts (agency_key, box, state, n) VALUES (NEW.to_agency, 'in', NEW.state, 1)
      ON CONFLICT (agency_key, box, state) DO UPDATE SET n = handover_counts.n + 1;
    INSERT INTO handover_counts (agency_key, box, state, n) VALUES (NEW.from_agency, 'out', NEW.state, 1)
      ON CONFLICT (agency_key, box, state) DO UPDATE SET n = handover_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER handover_counts_insert_delete AFTER INSERT OR DELETE ON handovers
FOR EACH ROW EXECUTE FUNCTION handover_counts_sync();
CREATE TRIGGER handover_counts_update AFTER UPDATE OF state, from_agency, to_agency ON handovers
FOR EACH ROW WHEN (NEW.state <> OLD.state OR NEW.from_agency <> OLD.from_agency OR
                   NEW.to_agency <> OLD.to_agency)
EXECUTE FUNCTION handover_counts_sync();
)sql"};
}

}  // namespace lotse::store
