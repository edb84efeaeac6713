// Migration 3: typo-tolerant person search, and the indexes that keep case
// work fast at a million persons.
//
// Search scopes. Every agency is its own controller, so a name search may
// only ever look at persons that the searching agency could be allowed to see
// with master data: its own, and those where a consent or a legal-basis
// transfer with master data named it on one of the person's cases. Instead of
// filtering a global index afterwards (a common trigram like "sch" matches a
// sixth of all names), the index holds one row per (scope agency, person),
// so a search only touches its own agency's part. Rows are added, never
// removed, when a consent or transfer names an agency: the scope is a
// superset of what may be seen; the policy gate still decides on every
// result (active, expired, withdrawn, categories) before anything is read.
//
// SQLite: FTS5 with the trigram tokenizer over the folded name
// (persons.search_text), external content person_search whose rowid is
// scope * 2^32 + person id, so that `rowid BETWEEN` keeps a query inside one
// agency's scope. PostgreSQL: pg_trgm with a GIN index on the same table
// (keyed by agency and person). Both are kept in sync by triggers, so every
// writer (the service, `lotse demo --persons`, future imports) is covered,
// and the backfill at the end makes an existing database searchable.
//
// case_shares lists, per agency, the cases a consent or transfer ever named
// it on: the "shared with us" half of an agency's case list, in case order,
// without reading every consent of the agency.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_search() {
  return {3, "search",
          R"sql(
CREATE INDEX persons_by_birth_date ON persons(birth_date);
CREATE INDEX cases_by_owner_id ON cases(owner_agency, id);
CREATE INDEX consents_by_case ON consents(case_id, id);
CREATE INDEX audit_log_by_object ON audit_log(object, seq);
-- The inbox: each box's page newest first (walk ids, filter on the index),
-- and its counts (open, overdue) from the index alone.
CREATE INDEX handovers_in_list ON handovers(to_agency, id, state);
CREATE INDEX handovers_out_list ON handovers(from_agency, id, state, updated_at);
CREATE INDEX handovers_in_box ON handovers(to_agency, state, sent_at);
CREATE INDEX handovers_out_box ON handovers(from_agency, state, sent_at, updated_at);

CREATE TABLE case_shares (
  agency_key TEXT NOT NULL REFERENCES agencies(agency_key),
  case_id    BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  PRIMARY KEY (agency_key, case_id)
);
CREATE INDEX case_shares_by_case ON case_shares(case_id);
INSERT INTO case_shares (agency_key, case_id)
  SELECT DISTINCT cr.agency_key, c.case_id
  FROM consent_recipients cr JOIN consents c ON c.id = cr.consent_id
  UNION
  SELECT DISTINCT to_agency, case_id FROM legal_transfers;
)sql",
          // SQLite
          R"sql(
CREATE TABLE search_scopes (
  scope      INTEGER PRIMARY KEY,
  agency_key TEXT NOT NULL UNIQUE
);
CREATE TABLE person_search (
  id          INTEGER PRIMARY KEY,           -- scope * 4294967296 + person id
  person_id   INTEGER NOT NULL,
  -- the folded name padded like pg_trgm pads words ("  lena  schulz "), so
  -- that word starts and ends are trigrams too
  search_text TEXT NOT NULL
);
CREATE INDEX person_search_by_person ON person_search(person_id);
-- detail=none: the index says which rows hold a trigram, nothing more; the
-- service ranks the few candidates itself (bm25 would scan whole doclists).
CREATE VIRTUAL TABLE person_search_fts USING fts5(
  search_text, content='person_search', content_rowid='id', tokenize='trigram', detail='none');

CREATE TRIGGER person_search_ai AFTER INSERT ON person_search BEGIN
  INSERT INTO person_search_fts (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
CREATE TRIGGER person_search_ad AFTER DELETE ON person_search BEGIN
  INSERT INTO person_search_fts (person_search_fts, rowid, search_text)
  VALUES ('delete', OLD.id, OLD.search_text);
END;
CREATE TRIGGER person_search_au AFTER UPDATE ON person_search BEGIN
  INSERT INTO person_search_fts (person_search_fts, rowid, search_text)
  VALUES ('delete', OLD.id, OLD.search_text);
  INSERT INTO person_search_fts (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;

CREATE TRIGGER persons_search_ai AFTER INSERT ON persons BEGIN
  INSERT OR IGNORE INTO search_scopes (agency_key) VALUES (NEW.owner_agency);
  INSERT OR IGNORE INTO person_search (id, person_id, search_text)
    SELECT s.scope * 4294967296 + NEW.id, NEW.id, '  ' || replace(NEW.search_text, ' ', '  ') || ' '
    FROM search_scopes s WHERE s.agency_key = NEW.owner_agency;
END;
CREATE TRIGGER persons_search_au AFTER UPDATE OF search_text ON persons BEGIN
  UPDATE person_search SET search_text = '  ' || replace(NEW.search_text, ' ', '  ') || ' '
  WHERE person_id = NEW.id;
END;
CREATE TRIGGER persons_search_ad AFTER DELETE ON persons BEGIN
  DELETE FROM person_search WHERE person_id = OLD.id;
END;

CREATE TRIGGER consent_recipients_share_ai AFTER INSERT ON consent_recipients BEGIN
  INSERT OR IGNORE INTO case_shares (agency_key, case_id)
    SELECT NEW.agency_key, case_id FROM consents WHERE id = NEW.consent_id;
END;
CREATE TRIGGER consent_recipients_search_ai AFTER INSERT ON consent_recipients
WHEN (SELECT categories & 1 FROM consents WHERE id = NEW.consent_id) = 1 BEGIN
  INSERT OR IGNORE INTO search_scopes (agency_key) VALUES (NEW.agency_key);
  INSERT OR IGNORE INTO person_search (id, person_id, search_text)
    SELECT s.scope * 4294967296 + p.id, p.id, '  ' || replace(p.search_text, ' ', '  ') || ' '
    FROM consents c JOIN cases k ON k.id = c.case_id JOIN persons p ON p.id = k.person_id
    JOIN search_scopes s ON s.agency_key = NEW.agency_key
    WHERE c.id = NEW.consent_id;
END;
CREATE TRIGGER legal_transfers_share_ai AFTER INSERT ON legal_transfers BEGIN
  INSERT OR IGNORE INTO case_shares (agency_key, case_id) VALUES (NEW.to_agency, NEW.case_id);
END;
CREATE TRIGGER legal_transfers_search_ai AFTER INSERT ON legal_transfers
WHEN (NEW.categories & 1) = 1 BEGIN
  INSERT OR IGNORE INTO search_scopes (agency_key) VALUES (NEW.to_agency);
  INSERT OR IGNORE INTO person_search (id, person_id, search_text)
    SELECT s.scope * 4294967296 + p.id, p.id, '  ' || replace(p.search_text, ' ', '  ') || ' '
    FROM cases k JOIN persons p ON p.id = k.person_id
    JOIN search_scopes s ON s.agency_key = NEW.to_agency
    WHERE k.id = NEW.case_id;
END;

-- Backfill: an existing database becomes searchable.
INSERT OR IGNORE INTO search_scopes (agency_key) SELECT agency_key FROM agencies ORDER BY agency_key;
INSERT OR IGNORE INTO search_scopes (agency_key) SELECT DISTINCT owner_agency FROM persons;
INSERT OR IGNORE INTO person_search (id, person_id, search_text)
  SELECT s.scope * 4294967296 + p.id, p.id, '  ' || replace(p.search_text, ' ', '  ') || ' '
  FROM persons p JOIN search_scopes s ON s.agency_key = p.owner_agency;
INSERT OR IGNORE INTO person_search (id, person_id, search_text)
  SELECT s.scope * 4294967296 + p.id, p.id, '  ' || replace(p.search_text, ' ', '  ') || ' '
  FROM consent_recipients cr JOIN consents c ON c.id = cr.consent_id
  JOIN cases k ON k.id = c.case_id JOIN persons p ON p.id = k.person_id
  JOIN search_scopes s ON s.agency_key = cr.agency_key
  WHERE (c.categories & 1) = 1;
INSERT OR IGNORE INTO person_search (id, person_id, search_text)
  SELECT s.scope * 4294967296 + p.id, p.id, '  ' || replace(p.search_text, ' ', '  ') || ' '
  FROM legal_transfers t JOIN cases k ON k.id = t.case_id JOIN persons p ON p.id = k.person_id
  JOIN search_scopes s ON s.agency_key = t.to_agency
  WHERE (t.categories & 1) = 1;
INSERT INTO person_search_fts (person_search_fts) VALUES ('optimize');
)sql",
          // PostgreSQL: pg_trgm ships with Debian's postgresql-15 (contrib)
          // and is a trusted extension (no superuser needed, CREATE on the
          // database suffices).
          R"sql(
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE person_search (
  agency_key  TEXT NOT NULL,
  person_id   BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  search_text TEXT NOT NULL,
  PRIMARY KEY (agency_key, person_id)
);
CREATE INDEX person_search_by_person ON person_search(person_id);
CREATE INDEX person_search_trgm ON person_search USING gin (search_text gin_trgm_ops);

CREATE FUNCTION persons_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO person_search (agency_key, person_id, search_text)
    VALUES (NEW.owner_agency, NEW.id, NEW.search_text) ON CONFLICT DO NOTHING;
  ELSIF NEW.search_text IS DISTINCT FROM OLD.search_text THEN
    UPDATE person_search SET search_text = NEW.search_text WHERE person_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_search_sync AFTER INSERT OR UPDATE ON persons
FOR EACH ROW EXECUTE FUNCTION persons_search_sync();

CREATE FUNCTION consent_recipients_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO case_shares (agency_key, case_id)
    SELECT NEW.agency_key, case_id FROM consents WHERE id = NEW.consent_id
    ON CONFLICT DO NOTHING;
  INSERT INTO person_search (agency_key, person_id, search_text)
    SELECT NEW.agency_key, p.id, p.search_text
    FROM consents c JOIN cases k ON k.id = c.case_id JOIN persons p ON p.id = k.person_id
    WHERE c.id = NEW.consent_id AND (c.categories & 1) = 1
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER consent_recipients_search_sync AFTER INSERT ON consent_recipients
FOR EACH ROW EXECUTE FUNCTION consent_recipients_search_sync();

CREATE FUNCTION legal_transfers_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO case_shares (agency_key, case_id) VALUES (NEW.to_agency, NEW.case_id)
    ON CONFLICT DO NOTHING;
  IF (NEW.categories & 1) = 1 THEN
    INSERT INTO person_search (agency_key, person_id, search_text)
      SELECT NEW.to_agency, p.id, p.search_text
      FROM cases k JOIN persons p ON p.id = k.person_id WHERE k.id = NEW.case_id
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER legal_transfers_search_sync AFTER INSERT ON legal_transfers
FOR EACH ROW EXECUTE FUNCTION legal_transfers_search_sync();

-- Backfill: an existing database becomes searchable.
INSERT INTO person_search (agency_key, person_id, search_text)
  SELECT owner_agency, id, search_text FROM persons ON CONFLICT DO NOTHING;
INSERT INTO person_search (agency_key, person_id, search_text)
  SELECT cr.agency_key, p.id, p.search_text
  FROM consent_recipients cr JOIN consents c ON c.id = cr.consent_id
  JOIN cases k ON k.id = c.case_id JOIN persons p ON p.id = k.person_id
  WHERE (c.categories & 1) = 1 ON CONFLICT DO NOTHING;
INSERT INTO person_search (agency_key, person_id, search_text)
  SELECT t.to_agency, p.id, p.search_text
  FROM legal_transfers t JOIN cases k ON k.id = t.case_id JOIN persons p ON p.id = k.person_id
  WHERE (t.categories & 1) = 1 ON CONFLICT DO NOTHING;
)sql"};
}

}  // namespace lotse::store
