// Migration 7: the youth portal. The alliance's public texts and contact
// details (one row per alliance; defaults when absent), contact requests
// (routed by topic to one agency of the alliance: Kundensteuerung) and the
// per-client submission log for the rate limit (BLAKE2b of the client
// address, rows older than an hour are removed on every submission).
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_portal() {
  return {7, "portal",
          R"sql(
CREATE TABLE portal_texts (
  alliance_ags TEXT PRIMARY KEY REFERENCES alliances(ags),
  headline     TEXT NOT NULL,
  intro        TEXT NOT NULL,
  address      TEXT NOT NULL,
  phone        TEXT NOT NULL,
  email        TEXT NOT NULL,
  hours_note   TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  updated_at   BIGINT NOT NULL
);

CREATE TABLE contact_requests (
  id            {{id}},
  reference     TEXT NOT NULL UNIQUE,          -- 'JBA-7K3Q-9'
  alliance_ags  TEXT NOT NULL REFERENCES alliances(ags),
  need          TEXT NOT NULL,
  routed_agency TEXT NOT NULL REFERENCES agencies(agency_key),
  name          TEXT NOT NULL,                 -- first name or nickname
  contact_kind  TEXT NOT NULL CHECK (contact_kind IN ('phone','email')),
  contact       TEXT NOT NULL,
  message       TEXT NOT NULL DEFAULT '',
  consent_text  TEXT NOT NULL,                 -- version of the consent text agreed to
  created_at    BIGINT NOT NULL,               -- unix ms
  status        TEXT NOT NULL CHECK (status IN ('open','assigned','closed')),
  assigned_to   TEXT,
  assigned_at   BIGINT,
  outcome       TEXT,
  closed_by     TEXT,
  closed_at     BIGINT
);
CREATE INDEX contact_requests_queue ON contact_requests(routed_agency, status, created_at);
CREATE INDEX contact_requests_closed ON contact_requests(status, closed_at);

CREATE TABLE portal_submissions (
  client_hash TEXT NOT NULL,
  at          BIGINT NOT NULL
);
CREATE INDEX portal_submissions_by_client ON portal_submissions(client_hash, at);
)sql",
          "", ""};
}

}  // namespace lotse::store
