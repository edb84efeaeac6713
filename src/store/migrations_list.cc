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
  };
  return migrations;
}

}  // namespace lotse::store
