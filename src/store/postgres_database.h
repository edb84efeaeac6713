// Internal to the store layer: the PostgreSQL adapter (libpq) behind
// open_database(), and its `?` to `$n` placeholder rewriting.
//
//   auto db = open_postgres("postgresql://lotse@127.0.0.1:5432/lotse");
//   if (!db) return db.error();   // kUnavailable if the server cannot be reached
//
//   RewrittenSql r = rewrite_placeholders("SELECT '?' WHERE a = ?");
//   // r.text == "SELECT '?' WHERE a = $1", r.placeholders == 1
//
// The URL goes to libpq unchanged (any conninfo parameter works); describe()
// and error messages never contain its password.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::store {

// `on_close` runs after the last connection has been closed when the
// Database is destroyed (the test support drops its throwaway database).
Result<std::unique_ptr<Database>> open_postgres(const std::string& url,
                                                std::function<void()> on_close = {});

struct RewrittenSql {
  std::string text;
  int placeholders = 0;
};

// Replaces each `?` placeholder by $1, $2, ... Leaves alone `?` inside
// '...' and E'...' literals, "..." identifiers, $$...$$ / $tag$...$tag$
// bodies and comments. PostgreSQL's jsonb `?` operators are therefore not
// usable in portable SQL.
RewrittenSql rewrite_placeholders(std::string_view sql);

// "postgresql://user@host:port/db" without password or other parameters.
std::string describe_postgres_url(const std::string& url);

}  // namespace lotse::store
