// Migration 5: retention. How long each category of data is kept (months),
// with the basis the period rests on; `lotse retention run` deletes what is
// due (casework/retention.cc). Plus an index that lets the Art. 15 report and
// the case access log find the audit entries about one person's records
// without scanning the whole log.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_retention() {
  return {5, "retention", R"sql(
-- One row per data category known to casework/retention.cc. The categories
-- are fixed by the code (each needs its own deletion logic); the periods are
-- configuration (`lotse retention set <category> <months>`, audited).
CREATE TABLE retention_rules (
  category    TEXT PRIMARY KEY,           -- 'section_31a' | 'closed_cases' | 'persons_without_case'
  months      INTEGER NOT NULL CHECK (months >= 1),
  basis       TEXT NOT NULL,              -- what the period rests on (shown by `retention rules`)
  updated_by  TEXT NOT NULL,              -- '-' for the defaults of this migration
  updated_at  BIGINT NOT NULL             -- unix ms; 0 for the defaults
);
INSERT INTO retention_rules (category, months, basis, updated_by, updated_at) VALUES
  ('section_31a', 6,
   '§ 31a Abs. 1 SGB III: löschen, sobald nicht mehr erforderlich, spätestens sechs Monate nach der Erhebung',
   '-', 0),
  ('closed_cases', 36,
   'Art. 17 DSGVO, § 84 SGB X: Lotse ist nicht das führende System; gemeinsame Fallakten nach Abschluss und Frist löschen',
   '-', 0),
  ('persons_without_case', 12,
   'Art. 5 Abs. 1 lit. e DSGVO: ohne Fall entfällt der Zweck der Speicherung',
   '-', 0);

-- Audit entries name records as 'case:12', 'person:7', 'consent:3', ...
CREATE INDEX IF NOT EXISTS audit_log_by_object ON audit_log(object, seq);
)sql",
          "", ""};
}

}  // namespace lotse::store
