// Internal to the store layer: the list of numbered migrations.
#pragma once

#include <string>
#include <vector>

namespace lotse::store {

struct Migration {
  int version;
  std::string name;
  std::string common;    // both dialects; "{{id}}" = auto-increment primary key
  std::string sqlite;    // SQLite only, after common
  std::string postgres;  // PostgreSQL only, after common
};

const std::vector<Migration>& all_migrations();

}  // namespace lotse::store
