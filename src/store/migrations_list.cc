// The numbered schema migrations. Append only: never edit a released one.
// `common` runs on both dialects after `{{id}}` is replaced by the dialect's
// auto-increment primary key; `sqlite` / `postgres` run afterwards on their
// dialect only (triggers and other non-portable parts).
#include "store/migrations_list.h"

namespace lotse::store {

const std::vector<Migration>& all_migrations() {
  static const std::vector<Migration> migrations = {
      {1, "foundation",
       R"sql(
CREATE TABLE alliances (
  ags           TEXT PRIMARY KEY,            -- 5-digit district key (Kreisschlüssel)
  slug          TEXT NOT NULL UNIQUE,        -- URL name, e.g. 'magdeburg'
  name          TEXT NOT NULL,               -- e.g. 'Magdeburg'
  official_name TEXT NOT NULL,               -- e.g. 'Magdeburg, Landeshauptstadt'
  district_type TEXT NOT NULL,               -- 'kreisfreie Stadt' | 'Landkreis'
  population    BIGINT NOT NULL,
  area_km2      DOUBLE PRECISION NOT NULL,
  lat           DOUBLE PRECISION NOT NULL,
  lon           DOUBLE PRECISION NOT NULL
);

CREATE TABLE agencies (
  agency_key   TEXT PRIMARY KEY,             -- '15003-jc', 'land'
  alliance_ags TEXT REFERENCES alliances(ags), -- NULL for the state network office
  kind         TEXT NOT NULL CHECK (kind IN
                 ('jobcenter','arbeitsagentur','jugendamt','schule','landesnetzwerkstelle')),
  legal_sphere TEXT NOT NULL CHECK (legal_sphere IN ('SGB II','SGB III','SGB VIII','Schule','Land')),
  name         TEXT NOT NULL
);
CREATE INDEX agencies_by_alliance ON agencies(alliance_ags);

CREATE TABLE users (
  id            {{id}},
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('case_worker','coordinator','state_office','admin')),
  agency_key    TEXT REFERENCES agencies(agency_key),
  alliance_ags  TEXT REFERENCES alliances(ags),
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
  id_hash        TEXT PRIMARY KEY,           -- BLAKE2b of the cookie value
  user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token     TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  last_seen_at   BIGINT NOT NULL,
  remote_address TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,               -- BLAKE2b of the bearer token
  user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);

-- Failed sign-ins, for throttling per account and per client address.
CREATE TABLE sign_in_failures (
  scope TEXT NOT NULL,                       -- 'user:<name>' | 'addr:<ip>'
  at    BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_scope ON sign_in_failures(scope, at);

-- Append-only, hash-chained audit log. seq is assigned by the writer under the
-- audit_head row lock, so it has no gaps; hash = SHA-256 over the entry's
-- canonical text including prev_hash.
CREATE TABLE audit_log (
  seq         BIGINT PRIMARY KEY,
  at          BIGINT NOT NULL,               -- unix milliseconds
  actor       TEXT NOT NULL,                 -- username, or '-' for anonymous
  action      TEXT NOT NULL,                 -- e.g. 'auth.sign_in'
  object      TEXT NOT NULL,                 -- e.g. 'user:15003-jc'
  legal_basis TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  details     TEXT NOT NULL,                 -- JSON object
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);

CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis');
)sql",
       R"sql(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql",
       R"sql(
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
)sql"},
      {2, "casework",
       R"sql(
-- A person as recorded by one agency: every agency is its own controller,
-- there is no shared pool. Another agency learns of the person only through
-- a consent or a recorded legal basis on one of the person's cases.
CREATE TABLE persons (
  id                   {{id}},
  owner_agency         TEXT NOT NULL REFERENCES agencies(agency_key),
  given_name           TEXT NOT NULL,
  family_name          TEXT NOT NULL,
  birth_date           TEXT NOT NULL,           -- YYYY-MM-DD
  street               TEXT NOT NULL DEFAULT '',
  postcode             TEXT NOT NULL DEFAULT '',
  city                 TEXT NOT NULL DEFAULT '',
  phone                TEXT NOT NULL DEFAULT '',
  email                TEXT NOT NULL DEFAULT '',
  school               TEXT NOT NULL DEFAULT '',
  school_qualification TEXT NOT NULL DEFAULT '',
  nationality          TEXT NOT NULL DEFAULT '',
  residence_status     TEXT NOT NULL DEFAULT '',
  search_text          TEXT NOT NULL DEFAULT '', -- folded "given family" for search
  created_by           TEXT NOT NULL,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL
);
CREATE INDEX persons_by_owner ON persons(owner_agency, family_name);

CREATE TABLE cases (
  id           {{id}},
  person_id    BIGINT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  owner_agency TEXT NOT NULL REFERENCES agencies(agency_key),  -- the controller
  lead_agency  TEXT NOT NULL REFERENCES agencies(agency_key),  -- Fallverantwortung
  phase        INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 5),
  status       TEXT NOT NULL CHECK (status IN ('open','paused','closed')),
  destination  TEXT,                                           -- set when closed
  goals        TEXT NOT NULL DEFAULT '',
  opened_at    BIGINT NOT NULL,
  closed_at    BIGINT,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX cases_by_person ON cases(person_id);
CREATE INDEX cases_by_owner ON cases(owner_agency, status);

CREATE TABLE case_needs (
  case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  need    TEXT NOT NULL,
  PRIMARY KEY (case_id, need)
);

-- Consents are versioned: a new version sets superseded_at on the old one.
CREATE TABLE consents (
  id              {{id}},
  case_id         BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  version         INTEGER NOT NULL,
  purposes        TEXT NOT NULL,                 -- JSON array of strings
  categories      BIGINT NOT NULL,               -- CategorySet bits
  valid_from      TEXT NOT NULL,
  valid_until     TEXT NOT NULL,
  form            TEXT NOT NULL CHECK (form IN ('written','electronic')),
  evidence_ref    TEXT NOT NULL,
  given_by        TEXT NOT NULL CHECK (given_by IN ('young_person','guardian')),
  guardian_name   TEXT NOT NULL DEFAULT '',
  informed        INTEGER NOT NULL CHECK (informed = 1),
  recorded_by     TEXT NOT NULL,
  recorded_at     BIGINT NOT NULL,
  withdrawn_at    BIGINT,
  withdrawn_by    TEXT,
  superseded_at   BIGINT,
  UNIQUE (case_id, version)
);
CREATE TABLE consent_recipients (
  consent_id BIGINT NOT NULL REFERENCES consents(id) ON DELETE CASCADE,
  agency_key TEXT NOT NULL REFERENCES agencies(agency_key),
  PRIMARY KEY (consent_id, agency_key)
);
CREATE INDEX consent_recipients_by_agency ON consent_recipients(agency_key, consent_id);

-- A transfer without consent, on a recorded legal basis (§ 69 SGB X,
-- § 50 SGB II, § 31a SGB III) with its reason; never covers § 65 data.
CREATE TABLE legal_transfers (
  id           {{id}},
  case_id      BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  to_agency    TEXT NOT NULL REFERENCES agencies(agency_key),
  legal_basis  TEXT NOT NULL,
  reason       TEXT NOT NULL,
  categories   BIGINT NOT NULL,
  valid_until  TEXT NOT NULL,
  recorded_by  TEXT NOT NULL,
  recorded_at  BIGINT NOT NULL,
  revoked_at   BIGINT
);
CREATE INDEX legal_transfers_by_agency ON legal_transfers(to_agency, case_id);
CREATE INDEX legal_transfers_by_case ON legal_transfers(case_id);

CREATE TABLE notes (
  id           {{id}},
  case_id      BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  agency_key   TEXT NOT NULL REFERENCES agencies(agency_key),
  author       TEXT NOT NULL,
  body         TEXT NOT NULL,
  visibility   TEXT NOT NULL CHECK (visibility IN ('own','partners')),
  entrusted    INTEGER NOT NULL DEFAULT 0,     -- § 65 SGB VIII
  entruster    TEXT NOT NULL DEFAULT '',       -- who entrusted it (young person, parent, ...)
  created_at   BIGINT NOT NULL
);
CREATE INDEX notes_by_case ON notes(case_id, created_at);

-- Förderkette: ordered steps across legal spheres.
CREATE TABLE support_steps (
  id                 {{id}},
  case_id            BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  position           INTEGER NOT NULL,
  measure            TEXT NOT NULL,
  responsible_agency TEXT NOT NULL REFERENCES agencies(agency_key),
  provider           TEXT NOT NULL DEFAULT '',
  planned_start      TEXT,
  planned_end        TEXT,
  actual_start       TEXT,
  actual_end         TEXT,
  status             TEXT NOT NULL CHECK (status IN ('planned','running','done','cancelled')),
  offer_id           TEXT,                     -- catalogue offer, once the catalogue exists
  updated_at         BIGINT NOT NULL
);
CREATE INDEX support_steps_by_case ON support_steps(case_id, position);

CREATE TABLE handovers (
  id              {{id}},
  case_id         BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  from_agency     TEXT NOT NULL REFERENCES agencies(agency_key),
  to_agency       TEXT NOT NULL REFERENCES agencies(agency_key),
  reason          TEXT NOT NULL,
  move_lead       INTEGER NOT NULL DEFAULT 1,  -- on acceptance the lead moves to to_agency
  state           TEXT NOT NULL CHECK (state IN
                    ('draft','sent','received','accepted','declined','completed','withdrawn')),
  created_by      TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  sent_at         BIGINT,
  due_on          TEXT,                        -- sent date + configured working days
  decline_reason  TEXT,
  decline_text    TEXT NOT NULL DEFAULT '',
  updated_at      BIGINT NOT NULL,
  CHECK (from_agency <> to_agency)
);
CREATE INDEX handovers_in ON handovers(to_agency, state);
CREATE INDEX handovers_out ON handovers(from_agency, state);
CREATE INDEX handovers_by_case ON handovers(case_id);

CREATE TABLE handover_events (
  handover_id BIGINT NOT NULL REFERENCES handovers(id) ON DELETE CASCADE,
  at          BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  agency_key  TEXT NOT NULL,
  action      TEXT NOT NULL,
  from_state  TEXT NOT NULL,
  to_state    TEXT NOT NULL
);
CREATE INDEX handover_events_by_handover ON handover_events(handover_id, at);

-- Fallberatung. case_id is NULL in anonymous mode (no identity, summary only).
CREATE TABLE conferences (
  id            {{id}},
  case_id       BIGINT REFERENCES cases(id) ON DELETE CASCADE,
  alliance_ags  TEXT NOT NULL REFERENCES alliances(ags),
  host_agency   TEXT NOT NULL REFERENCES agencies(agency_key),
  scheduled_at  TEXT NOT NULL,               -- YYYY-MM-DD HH:MM
  agenda        TEXT NOT NULL DEFAULT '',
  anonymous     INTEGER NOT NULL DEFAULT 0,
  case_summary  TEXT NOT NULL DEFAULT '',    -- anonymous mode only
  minutes       TEXT NOT NULL DEFAULT '',
  created_by    TEXT NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE INDEX conferences_by_case ON conferences(case_id);
CREATE TABLE conference_participants (
  conference_id BIGINT NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  agency_key    TEXT NOT NULL REFERENCES agencies(agency_key),
  staff_name    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (conference_id, agency_key, staff_name)
);
CREATE TABLE conference_items (
  id            {{id}},
  conference_id BIGINT NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('decision','task')),
  text          TEXT NOT NULL,
  owner_agency  TEXT REFERENCES agencies(agency_key),  -- tasks
  due_on        TEXT,                                  -- tasks
  done          INTEGER NOT NULL DEFAULT 0
);
)sql",
       "", ""},
      migration_search(),
      migration_conferences(),
      migration_retention(),
      migration_catalogue(),
      migration_portal(),
      migration_consent_insight(),
      migration_case_counts(),
      migration_contact_forwards(),
      migration_handover_counts(),
      migration_search_words(),
      migration_drop_name_fts(),
      migration_audit_object_hours(),
      migration_read_log(),
      migration_audit_batches(),
      migration_agency_order(),
      migration_handover_due_counts(),
      migration_search_agency_trgm(),
      migration_drop_overdue_indexes(),
      migration_case_shares_not_owner(),
      migration_handover_due_lists(),
  };
  return migrations;
}

}  // namespace lotse::store
