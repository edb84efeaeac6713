// The files of one SQLite database in the test's temporary directory: the
// database, its read log (PATH-reads) and both write-ahead logs with their
// shared-memory files. Removed when made and when destroyed.
//
//   SqliteFiles files("nested_write");
//   auto db = open_database("sqlite:" + files.path);
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace lotse::testing {

struct SqliteFiles {
  explicit SqliteFiles(const std::string& name)
      : path(::testing::TempDir() + "/" + name + "_" + std::to_string(::getpid()) + ".db") {
    remove_all();
  }
  ~SqliteFiles() { remove_all(); }
  SqliteFiles(const SqliteFiles&) = delete;
  SqliteFiles& operator=(const SqliteFiles&) = delete;

  void remove_all() const {
    for (const char* suffix : {"", "-wal", "-shm", "-reads", "-reads-wal", "-reads-shm"})
      std::remove((path + suffix).c_str());
  }
  // Removes the read log only (a copy of the main file without it).
  void remove_read_log() const {
    for (const char* suffix : {"-reads", "-reads-wal", "-reads-shm"})
      std::remove((path + suffix).c_str());
  }

  const std::string path;
};

}  // namespace lotse::testing
