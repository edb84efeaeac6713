// Migration 12: the words of the person search (SQLite).
//
// Migration 3 indexes whole names per (scope, person) with FTS5 trigrams. At
// a million persons that index is large: a common trigram's doclist spans
// every agency, and a search reads and intersects several of them (40 % of
// a search's time). Names, however, are made of few distinct words: an
// agency with 50,000 persons has about 9,000, all agencies together 12,500.
// So the typo-tolerant match now runs over the distinct words of all names
// (search_vocab; the service keeps a copy in memory, re-read when
// search_vocab_version changes, and FTS5 trigrams over it serve the rare
// word too long for that copy's bit masks), the service scores those words,
// and search_postings says which persons of a scope carry each word, newest
// person first, on its key.
//
// search_vocab holds words only (no person, no agency): it is never shown,
// and a word from another agency's names finds nothing in a scope without
// postings for it. A word goes with its last posting, so a deleted person's
// name leaves no trace here (retention). search_postings follows
// person_search (the scope rows of migration 3) by triggers, so every
// writer is covered; a name is split at spaces as the scorer splits it
// (json_quote escapes everything but spaces, so splitting its output at
// spaces is safe for any name).
//
// PostgreSQL keeps pg_trgm on person_search (migration 3): nothing to do.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_search_words() {
  return {12, "search_words", "",
          // SQLite
          R"sql(
CREATE TABLE search_vocab (
  id     INTEGER PRIMARY KEY,
  word   TEXT NOT NULL UNIQUE,
  padded TEXT NOT NULL          -- '  word ', padded as pg_trgm pads words
);
CREATE VIRTUAL TABLE search_vocab_fts USING fts5(
  padded, content='search_vocab', content_rowid='id', tokenize='trigram', detail='none');
-- Marks every change of the vocabulary with a new random number (never a
-- count, which a rebuilt or restored database could repeat): a server may
-- keep a copy of the words in memory and knows from this one row when to
-- read them again.
CREATE TABLE search_vocab_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT INTO search_vocab_version (id, n) VALUES (1, random());
CREATE TRIGGER search_vocab_ai AFTER INSERT ON search_vocab BEGIN
  INSERT INTO search_vocab_fts (rowid, padded) VALUES (NEW.id, NEW.padded);
  UPDATE search_vocab_version SET n = random();
END;
CREATE TRIGGER search_vocab_ad AFTER DELETE ON search_vocab BEGIN
  INSERT INTO search_vocab_fts (search_vocab_fts, rowid, padded)
  VALUES ('delete', OLD.id, OLD.padded);
  UPDATE search_vocab_version SET n = random();
END;

-- Keyed by word first: a search reads one word's persons of one scope,
-- newest first, and a word's last posting is found on the same key.
CREATE TABLE search_postings (
  word_id   INTEGER NOT NULL,   -- search_vocab.id
  scope     INTEGER NOT NULL,   -- search_scopes.scope
  person_id INTEGER NOT NULL,
  PRIMARY KEY (word_id, scope, person_id)
) WITHOUT ROWID;

CREATE TRIGGER person_search_words_ai AFTER INSERT ON person_search BEGIN
  INSERT OR IGNORE INTO search_vocab (word, padded)
    SELECT DISTINCT value, '  ' || value || ' '
    FROM json_each('[' || replace(json_quote(NEW.search_text), ' ', '","') || ']')
    WHERE value <> '';
  INSERT OR IGNORE INTO search_postings (scope, word_id, person_id)
    SELECT NEW.id >> 32, v.id, NEW.person_id
    FROM json_each('[' || replace(json_quote(NEW.search_text), ' ', '","') || ']') j
    JOIN search_vocab v ON v.word = j.value;
END;
CREATE TRIGGER person_search_words_ad AFTER DELETE ON person_search BEGIN
  DELETE FROM search_postings
  WHERE scope = OLD.id >> 32 AND person_id = OLD.person_id AND word_id IN (
    SELECT v.id FROM json_each('[' || replace(json_quote(OLD.search_text), ' ', '","') || ']') j
    JOIN search_vocab v ON v.word = j.value);
  DELETE FROM search_vocab
  WHERE word IN (
    SELECT value FROM json_each('[' || replace(json_quote(OLD.search_text), ' ', '","') || ']'))
    AND NOT EXISTS (SELECT 1 FROM search_postings p WHERE p.word_id = search_vocab.id);
END;
CREATE TRIGGER person_search_words_au AFTER UPDATE ON person_search BEGIN
  DELETE FROM search_postings
  WHERE scope = OLD.id >> 32 AND person_id = OLD.person_id AND word_id IN (
    SELECT v.id FROM json_each('[' || replace(json_quote(OLD.search_text), ' ', '","') || ']') j
    JOIN search_vocab v ON v.word = j.value);
  DELETE FROM search_vocab
  WHERE word IN (
    SELECT value FROM json_each('[' || replace(json_quote(OLD.search_text), ' ', '","') || ']'))
    AND NOT EXISTS (SELECT 1 FROM search_postings p WHERE p.word_id = search_vocab.id);
  INSERT OR IGNORE INTO search_vocab (word, padded)
    SELECT DISTINCT value, '  ' || value || ' '
    FROM json_each('[' || replace(json_quote(NEW.search_text), ' ', '","') || ']')
    WHERE value <> '';
  INSERT OR IGNORE INTO search_postings (scope, word_id, person_id)
    SELECT NEW.id >> 32, v.id, NEW.person_id
    FROM json_each('[' || replace(json_quote(NEW.search_text), ' ', '","') || ']') j
    JOIN search_vocab v ON v.word = j.value;
END;

-- Backfill: the words of every name already indexed.
INSERT OR IGNORE INTO search_vocab (word, padded)
  SELECT DISTINCT j.value, '  ' || j.value || ' '
  FROM person_search ps,
       json_each('[' || replace(json_quote(ps.search_text), ' ', '","') || ']') j
  WHERE j.value <> '' ORDER BY j.value;
INSERT OR IGNORE INTO search_postings (scope, word_id, person_id)
  SELECT ps.id >> 32, v.id, ps.person_id
  FROM person_search ps,
       json_each('[' || replace(json_quote(ps.search_text), ' ', '","') || ']') j
  JOIN search_vocab v ON v.word = j.value
  ORDER BY 2, 1, 3;  -- word, scope, person: the key order
INSERT INTO search_vocab_fts (search_vocab_fts) VALUES ('optimize');
)sql",
          ""};
}

}  // namespace lotse::store
