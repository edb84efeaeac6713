// A throwaway PostgreSQL 15 server for one test process.
//
//   PgCluster& pg = PgCluster::instance();   // started on first use
//   pg.create_database("t_123_1");           // empty, or a copy of a template
//   std::string url = pg.url("t_123_1");     // postgresql://postgres@127.0.0.1:PORT/t_123_1
//   pg.drop_database("t_123_1");
//
// The server binaries run as the `postgres` user when the tests run as root
// (initdb refuses root), directly otherwise. The cluster lives in a fresh
// /tmp/lotse-pg-XXXXXX directory, listens on 127.0.0.1 at a free port and
// runs without fsync. It is stopped and its directory removed at process
// exit; a watchdog process does the same if the test process dies without
// running destructors (crash, abort, CTest timeout).
//
// Anything that keeps the cluster from starting aborts the process with a
// message: a PostgreSQL test run must never pass without PostgreSQL.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

typedef struct pg_conn PGconn;

namespace lotse::testing {

class PgCluster {
 public:
  // The process's cluster, started on the first call (thread-safe).
  static PgCluster& instance();
  // The running cluster, or nullptr once it has been stopped at exit.
  static PgCluster* running();

  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;
  ~PgCluster();

  int port() const { return port_; }
  const std::string& directory() const { return base_dir_; }
  std::string url(std::string_view dbname) const;

  // CREATE DATABASE name [TEMPLATE template_name]; aborts on failure.
  void create_database(const std::string& name, const std::string& template_name = "");
  // DROP DATABASE ... WITH (FORCE); failures are ignored (cleanup only).
  void drop_database(const std::string& name);

 private:
  PgCluster();
  void start();
  void stop();
  // Runs a command and waits; stdout and stderr are appended to `log`.
  int run(const std::vector<std::string>& argv, const std::string& log) const;
  std::vector<std::string> server_command(const std::string& program) const;
  void spawn_watchdog();
  void admin_exec(const std::string& sql, bool fatal);

  bool as_postgres_user_ = false;
  std::string base_dir_;
  std::string data_dir_;
  int port_ = 0;
  bool started_ = false;
  std::mutex admin_mu_;
  PGconn* admin_ = nullptr;  // to the `postgres` database, for CREATE/DROP DATABASE
};

}  // namespace lotse::testing
