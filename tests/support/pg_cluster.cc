#include "support/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace lotse::testing {

namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";
constexpr int kStartAttempts = 3;

std::atomic<PgCluster*> g_running{nullptr};

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "[pg] FATAL: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string tail_of_file(const std::string& path, std::size_t max = 2000) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max ? s.substr(s.size() - max) : s;
}

// A port that was free a moment ago. Another process may take it before the
// server binds it; start() retries with a new one then.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket() failed while looking for a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    fail("could not bind a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string find_runuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

PgCluster& PgCluster::instance() {
  static PgCluster cluster;
  return cluster;
}

PgCluster* PgCluster::running() {
  return g_running.load();
}

PgCluster::PgCluster() {
  start();
  g_running.store(this);
}

PgCluster::~PgCluster() {
  g_running.store(nullptr);
  stop();
}

std::string PgCluster::url(std::string_view dbname) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(dbname);
}

std::vector<std::string> PgCluster::server_command(const std::string& program) const {
  std::vector<std::string> argv;
  if (as_postgres_user_) argv = {find_runuser(), "-u", "postgres", "--"};
  argv.push_back(std::string(kBinDir) + "/" + program);
  return argv;
}

int PgCluster::run(const std::vector<std::string>& argv, const std::string& log) const {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The postgres user may not be allowed into the current directory (/root).
  posix_spawn_file_actions_addchdir_np(&actions, base_dir_.c_str());
  auto args = c_argv(argv);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  pid_t waited = 0;
  do {
    waited = ::waitpid(pid, &status, 0);
  } while (waited < 0 && errno == EINTR);
  if (waited != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void PgCluster::spawn_watchdog() {
  // The watchdog blocks reading a pipe whose write end only this process
  // holds (close-on-exec, so no child inherits it). Whenever this process
  // ends, even by SIGKILL, the read returns and the watchdog stops the
  // server and removes the directory, unless the destructor already did.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2() failed");
  std::string stop_cmd;
  for (const auto& a : server_command("pg_ctl")) stop_cmd += a + " ";
  const std::string script = "cat >/dev/null 2>&1; if [ -d '" + data_dir_ + "' ]; then " +
                             stop_cmd + "stop -D '" + data_dir_ +
                             "' -m immediate -s >/dev/null 2>&1; fi; rm -rf '" + base_dir_ + "'";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, "/");
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: Ctrl-C or CTest killing the test's group must
  // not take the watchdog with it.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> argv = {"/bin/sh", "-c", script};
  auto args = c_argv(argv);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[0]);
  if (rc != 0) fail("could not start the cleanup watchdog (/bin/sh)");
  // fds[1] stays open for the life of the process on purpose.
}

void PgCluster::start() {
  const std::string initdb = std::string(kBinDir) + "/initdb";
  const std::string pg_ctl = std::string(kBinDir) + "/pg_ctl";
  if (::access(initdb.c_str(), X_OK) != 0 || ::access(pg_ctl.c_str(), X_OK) != 0) {
    fail(std::string("PostgreSQL 15 server binaries not found in ") + kBinDir +
         " (Debian package postgresql-15); LOTSE_TEST_BACKEND=postgres needs them");
  }
  const passwd* pw = nullptr;
  as_postgres_user_ = ::geteuid() == 0;
  if (as_postgres_user_) {
    pw = ::getpwnam("postgres");
    if (!pw) fail("running as root, but there is no `postgres` user to run the server as");
    if (find_runuser().empty()) fail("running as root, but runuser(1) is missing");
  }

  char tmpl[] = "/tmp/lotse-pg-XXXXXX";
  if (!::mkdtemp(tmpl)) fail("mkdtemp(/tmp/lotse-pg-XXXXXX) failed");
  base_dir_ = tmpl;
  data_dir_ = base_dir_ + "/data";
  if (pw && ::chown(base_dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    fail("could not chown " + base_dir_ + " to postgres");
  }
  spawn_watchdog();

  const std::string log = base_dir_ + "/commands.log";
  auto initdb_cmd = server_command("initdb");
  for (const char* a : {"-D", data_dir_.c_str(), "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
                        "--no-sync", "-U", "postgres"}) {
    initdb_cmd.push_back(a);
  }
  if (run(initdb_cmd, log) != 0) fail("initdb failed:\n" + tail_of_file(log));

  for (int attempt = 1;; ++attempt) {
    port_ = free_port();
    const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                                " -k " + base_dir_ +
                                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    auto cmd = server_command("pg_ctl");
    for (const std::string& a :
         {std::string("-D"), data_dir_, std::string("-w"), std::string("-s"), std::string("-o"),
          options, std::string("-l"), base_dir_ + "/server.log", std::string("start")}) {
      cmd.push_back(a);
    }
    if (run(cmd, log) == 0) break;
    if (attempt >= kStartAttempts) {
      fail("pg_ctl start failed:\n" + tail_of_file(log) + "\nserver log:\n" +
           tail_of_file(base_dir_ + "/server.log"));
    }
  }
  started_ = true;

  admin_ = PQconnectdb(url("postgres").c_str());
  if (PQstatus(admin_) != CONNECTION_OK) {
    fail("cannot connect to the test cluster: " + std::string(PQerrorMessage(admin_)));
  }
  PQsetNoticeProcessor(
      admin_, [](void*, const char*) {}, nullptr);
  std::fprintf(stderr, "[pg] PostgreSQL 15 test cluster on 127.0.0.1:%d (%s)\n", port_,
               base_dir_.c_str());
  std::fflush(stderr);
}

void PgCluster::stop() {
  {
    std::lock_guard lock(admin_mu_);
    if (admin_) PQfinish(admin_);
    admin_ = nullptr;
  }
  if (started_) {
    auto cmd = server_command("pg_ctl");
    for (const char* a : {"stop", "-D", data_dir_.c_str(), "-m", "immediate", "-s"}) {
      cmd.push_back(a);
    }
    run(cmd, "/dev/null");
    started_ = false;
  }
  if (!base_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(base_dir_, ec);
  }
}

void PgCluster::admin_exec(const std::string& sql, bool fatal) {
  std::lock_guard lock(admin_mu_);
  if (!admin_) {
    if (fatal) fail("the test cluster is already stopped");
    return;
  }
  PGresult* res = PQexec(admin_, sql.c_str());
  const bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string error = ok ? "" : PQerrorMessage(admin_);
  PQclear(res);
  if (!ok && fatal) fail("`" + sql + "` failed: " + error);
}

void PgCluster::create_database(const std::string& name, const std::string& template_name) {
  // FILE_COPY copies the template's files (~8 MB) directly; PostgreSQL 15's
  // default WAL_LOG strategy writes them through the WAL and takes about
  // 50 times longer, which would dominate every database test.
  std::string sql = "CREATE DATABASE \"" + name + "\" STRATEGY = FILE_COPY";
  if (!template_name.empty()) sql += " TEMPLATE \"" + template_name + "\"";
  admin_exec(sql, true);
}

void PgCluster::drop_database(const std::string& name) {
  admin_exec("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)", false);
}

}  // namespace lotse::testing
