// The `?` to `$n` rewriting of the PostgreSQL adapter (no server needed).
#include <gtest/gtest.h>

#include "store/postgres_database.h"

namespace lotse::store {
namespace {

void expect_rewrite(std::string_view in, std::string_view out, int count) {
  RewrittenSql r = rewrite_placeholders(in);
  EXPECT_EQ(r.text, out) << "input: " << in;
  EXPECT_EQ(r.placeholders, count) << "input: " << in;
}

TEST(PlaceholderRewrite, NumbersPlaceholdersInOrder) {
  expect_rewrite("SELECT 1", "SELECT 1", 0);
  expect_rewrite("", "", 0);
  expect_rewrite("SELECT ?", "SELECT $1", 1);
  expect_rewrite("INSERT INTO t (a, b, c) VALUES (?, ?,?)",
                 "INSERT INTO t (a, b, c) VALUES ($1, $2,$3)", 3);
  expect_rewrite("WHERE a=? AND b<>?", "WHERE a=$1 AND b<>$2", 2);
  std::string many = "VALUES (";
  std::string expected = "VALUES (";
  for (int i = 1; i <= 12; ++i) {
    many += i > 1 ? ", ?" : "?";
    expected += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  expect_rewrite(many + ")", expected + ")", 12);
}

TEST(PlaceholderRewrite, LeavesStringLiteralsAlone) {
  expect_rewrite("SELECT '?', ?", "SELECT '?', $1", 1);
  expect_rewrite("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1);
  expect_rewrite("SELECT '''?''' || ?", "SELECT '''?''' || $1", 1);
  expect_rewrite("SELECT '', ?", "SELECT '', $1", 1);
  // E'...': a backslash escapes the quote.
  expect_rewrite("SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1);
  expect_rewrite("SELECT e'a\\\\', ?", "SELECT e'a\\\\', $1", 1);
  // In a standard literal a backslash is an ordinary character.
  expect_rewrite("SELECT 'C:\\', ?", "SELECT 'C:\\', $1", 1);
  // An identifier ending in E before a literal is not an E'' prefix.
  expect_rewrite("SELECT name'\\', ?", "SELECT name'\\', $1", 1);
  // Unterminated literal: copied as is, nothing inside replaced.
  expect_rewrite("SELECT ? , 'open ?", "SELECT $1 , 'open ?", 1);
}

TEST(PlaceholderRewrite, LeavesQuotedIdentifiersAlone) {
  expect_rewrite("SELECT a AS \"why?\" FROM t WHERE b = ?",
                 "SELECT a AS \"why?\" FROM t WHERE b = $1", 1);
  expect_rewrite("SELECT \"a\"\"?\" , ?", "SELECT \"a\"\"?\" , $1", 1);
}

TEST(PlaceholderRewrite, LeavesDollarQuotedBodiesAlone) {
  expect_rewrite("DO $$ BEGIN PERFORM '?'; END $$; SELECT ?",
                 "DO $$ BEGIN PERFORM '?'; END $$; SELECT $1", 1);
  expect_rewrite("SELECT $fn$ a ? $$ b ? $fn$, ?", "SELECT $fn$ a ? $$ b ? $fn$, $1", 1);
  expect_rewrite("SELECT $$?", "SELECT $$?", 0);
  // $1 is a positional parameter, not the start of a $tag$ body that would
  // hide the following `?`; a$b$ is an identifier.
  expect_rewrite("SELECT $1 + 1 AS x$, ? AS y", "SELECT $1 + 1 AS x$, $1 AS y", 1);
  expect_rewrite("SELECT a$b$, ?", "SELECT a$b$, $1", 1);
}

TEST(PlaceholderRewrite, LeavesCommentsAlone) {
  expect_rewrite("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2);
  expect_rewrite("SELECT ? -- why?", "SELECT $1 -- why?", 1);
  expect_rewrite("SELECT /* ? /* nested ? */ still ? */ ?",
                 "SELECT /* ? /* nested ? */ still ? */ $1", 1);
  // A single dash or slash is an operator.
  expect_rewrite("SELECT ? - ? / ?", "SELECT $1 - $2 / $3", 3);
}

TEST(PlaceholderRewrite, KeepsUtf8Intact) {
  expect_rewrite("SELECT 'Dessau-Roßlau 🦊', ? AS größe",
                 "SELECT 'Dessau-Roßlau 🦊', $1 AS größe", 1);
}

}  // namespace
}  // namespace lotse::store
