// Migration 9: the number of cases per owner agency and status, kept by
// triggers, so that the Posteingang's "Eigene Fälle (39 452)" is one row
// read instead of counting tens of thousands of index entries on every view
// (1.5 ms at a million persons, a fifth of the page's server time).
//
// Triggers cover every writer (the service, `lotse demo --persons`,
// retention). The counts never go below zero: a row is created by the first
// case of an agency and status and kept at 0 afterwards.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_case_counts() {
  return {9, "case_counts",
          R"sql(
CREATE TABLE case_counts (
  owner_agency TEXT NOT NULL,
  status       TEXT NOT NULL,
  n            BIGINT NOT NULL,
  PRIMARY KEY (owner_agency, status)
);
INSERT INTO case_counts (owner_agency, status, n)
  SELECT owner_agency, status, COUNT(*) FROM cases GROUP BY owner_agency, status;
)sql",
          // SQLite
          R"sql(
CREATE TRIGGER case_counts_insert AFTER INSERT ON cases BEGIN
  INSERT INTO case_counts (owner_agency, status, n) VALUES (NEW.owner_agency, NEW.status, 1)
    ON CONFLICT (owner_agency, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER case_counts_delete AFTER DELETE ON cases BEGIN
  UPDATE case_counts SET n = n - 1
    WHERE owner_agency = OLD.owner_agency AND status = OLD.status;
END;
CREATE TRIGGER case_counts_update AFTER UPDATE OF owner_agency, status ON cases
WHEN NEW.owner_agency <> OLD.owner_agency OR NEW.status <> OLD.status BEGIN
  UPDATE case_counts SET n = n - 1
    WHERE owner_agency = OLD.owner_agency AND status = OLD.status;
  INSERT INTO case_counts (owner_agency, status, n) VALUES (NEW.owner_agency, NEW.status, 1)
    ON CONFLICT (owner_agency, status) DO UPDATE SET n = n + 1;
END;
)sql",
          // PostgreSQL
          R"sql(
CREATE FUNCTION case_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE case_counts SET n = n - 1
      WHERE owner_agency = OLD.owner_agency AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO case_counts (owner_agency, status, n) VALUES (NEW.owner_agency, NEW.status, 1)
      ON CONFLICT (owner_agency, status) DO UPDATE SET n = case_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER case_counts_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION case_counts_sync();
CREATE TRIGGER case_counts_update AFTER UPDATE OF owner_agency, status ON cases
FOR EACH ROW WHEN (NEW.owner_agency <> OLD.owner_agency OR NEW.status <> OLD.status)
EXECUTE FUNCTION case_counts_sync();
)sql"};
}

}  // namespace lotse::store
