// Internal to the store layer: the SQLite adapter behind open_database().
//
//   auto db = open_sqlite("lotse.db");   // or ":memory:" (one shared connection)
//   if (!db) return db.error();          // kUnavailable if the file cannot be opened
//
// Every connection runs in WAL mode with foreign keys on, a 5 s busy timeout
// and synchronous=NORMAL. Writers inside one process queue on a mutex instead
// of polling SQLite's busy handler; other processes are still serialised by
// BEGIN IMMEDIATE and the busy timeout.
#pragma once

#include <memory>
#include <string>

#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::store {

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path);

}  // namespace lotse::store
