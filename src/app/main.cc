// The `lotse` command: serve, migrate, demo, user add|list|disable|passwd,
// audit verify. Every option can also come from a LOTSE_* environment
// variable (LOTSE_DATABASE, LOTSE_HOST, LOTSE_PORT, ...).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "lotse/app/catalogue_cli.h"
#include "lotse/app/demo.h"
#include "lotse/app/synthetic_people.h"
#include "lotse/common/clock.h"
#include "lotse/common/crypto.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/seed.h"
#include "lotse/privacy/audit_log.h"
#include "lotse/store/database.h"
#include "lotse/web/app.h"
#include "lotse/web/http_server.h"

namespace {

using namespace lotse;

int fail(const std::string& what) {
  std::cerr << "lotse: " << what << "\n";
  return 1;
}

std::unique_ptr<store::Database> open_or_exit(const std::string& url) {
  auto db = store::open_database(url);
  if (!db) {
    std::cerr << "lotse: cannot open database " << url << ": " << db.error().message << "\n";
    std::exit(2);
  }
  return std::move(*db);
}

// Passwords never come from the command line (visible in `ps`): read them
// from LOTSE_PASSWORD or the first line of standard input.
std::string read_password(const char* prompt) {
  if (const char* env = std::getenv("LOTSE_PASSWORD"); env && *env) return env;
  if (isatty(STDIN_FILENO)) std::cerr << prompt << std::flush;
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int run_migrate(store::Database& db) {
  auto v = store::migrate(db);
  if (!v) return fail("migration failed: " + v.error().message);
  std::cout << "Schema version " << *v << " (" << db.describe() << ")\n";
  return 0;
}

}  // namespace

namespace lotse::app {
void add_retention_commands(CLI::App& cli, std::string& database);  // retention_cli.cc
}  // namespace lotse::app

int main(int argc, char** argv) {
  lotse::crypto_init();
  CLI::App cli{"Lotse – Plattform für Jugendberufsagenturen"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", "lotse 0.1.0");

  std::string database = "sqlite:lotse.db";
  auto add_db = [&](CLI::App* c) {
    c->add_option("--database", database, "Database URL: sqlite:PATH or postgresql://...")
        ->envname("LOTSE_DATABASE")
        ->capture_default_str();
  };

  // serve
  auto* serve = cli.add_subcommand("serve", "Start the web server (migrates first)");
  add_db(serve);
  web::ServerOptions server_options;
  web::AppOptions app_options = web::default_app_options();
  std::string port_file;
  bool no_access_log = false, print_demo_logins = false;
  serve->add_option("--host", server_options.host, "Address to bind")
      ->envname("LOTSE_HOST")
      ->capture_default_str();
  serve->add_option("--port", server_options.port, "Port (0: any free port)")
      ->envname("LOTSE_PORT")
      ->capture_default_str();
  server_options.threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()) * 2);
  serve->add_option("--threads", server_options.threads, "Worker threads")
      ->envname("LOTSE_THREADS")
      ->capture_default_str();
  serve->add_option("--port-file", port_file, "Write the bound port to this file once listening");
  serve->add_option("--web-root", app_options.web_root, "Templates, static files, catalogues")
      ->envname("LOTSE_WEB_ROOT")
      ->capture_default_str();
  serve->add_flag("--secure-cookies", app_options.secure_cookies,
                  "Mark cookies Secure (behind a TLS reverse proxy)")
      ->envname("LOTSE_SECURE_COOKIES");
  // TLS ends at a reverse proxy, so the TCP peer is the proxy for everyone;
  // only its X-Forwarded-For names the client (web/http.h: client_address).
  serve
      ->add_option("--trusted-proxy", server_options.trusted_proxies,
                   "IP address of a reverse proxy whose X-Forwarded-For is believed "
                   "(repeatable or comma-separated)")
      ->envname("LOTSE_TRUSTED_PROXIES")
      ->delimiter(',')
      ->check([](const std::string& v) {
        return web::canonical_ip(v) ? std::string() : "keine IP-Adresse: \"" + v + "\"";
      });
  serve->add_flag("--no-access-log", no_access_log, "No JSON log line per request");
  serve->add_option("--handover-due-days", app_options.handover_due_working_days,
                    "Working days after which a handover sent from now on is due (1..60)")
      ->envname("LOTSE_HANDOVER_DUE_DAYS")
      ->check(CLI::Range(1, 60))
      ->capture_default_str();
  serve->add_option("--intake-overdue-hours", app_options.intake_overdue_hours,
                    "Hours after which an open contact request is flagged in the queue (1..720)")
      ->envname("LOTSE_INTAKE_OVERDUE_HOURS")
      ->check(CLI::Range(1, 720))
      ->capture_default_str();
  serve->add_flag("--print-demo-logins", print_demo_logins, "Print the demo sign-ins on start");

  // migrate
  auto* migrate_cmd = cli.add_subcommand("migrate", "Apply pending database migrations");
  add_db(migrate_cmd);

  // demo
  auto* demo = cli.add_subcommand("demo", "Load the 14 alliances of Sachsen-Anhalt and demo accounts");
  add_db(demo);
  std::string data_dir = organisation::default_data_dir();
  demo->add_option("--data-dir", data_dir, "Folder with the folded-in open data")
      ->envname("LOTSE_DATA_DIR")
      ->capture_default_str();
  app::SyntheticOptions synthetic;
  demo->add_option("--persons", synthetic.persons,
                   "Also generate N synthetic young people with cases, consents, handovers")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  demo->add_option("--seed", synthetic.seed, "Seed of the generator (same seed, same day: same data)")
      ->capture_default_str();

  // user
  auto* user = cli.add_subcommand("user", "Manage accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add an account (password from LOTSE_PASSWORD or stdin)");
  auto* user_list = user->add_subcommand("list", "List accounts");
  auto* user_disable = user->add_subcommand("disable", "Disable an account (ends its sessions)");
  auto* user_passwd = user->add_subcommand("passwd", "Set a new password (from LOTSE_PASSWORD or stdin)");
  for (auto* c : {user_add, user_list, user_disable, user_passwd}) add_db(c);
  identity::NewUser new_user;
  std::string role_text;
  user_add->add_option("username", new_user.username, "Username")->required();
  user_add->add_option("--role", role_text, "case_worker | coordinator | state_office | admin")
      ->required();
  user_add->add_option("--name", new_user.display_name, "Display name")->required();
  user_add->add_option("--agency", new_user.agency_key, "Agency key (case workers), e.g. 15003-jc");
  user_add->add_option("--alliance", new_user.alliance_ags, "Alliance key (coordinators), e.g. 15003");
  std::string target_user;
  user_disable->add_option("username", target_user, "Username")->required();
  user_passwd->add_option("username", target_user, "Username")->required();
  std::string acting_as = "-";
  for (auto* c : {user_add, user_disable, user_passwd})
    c->add_option("--as", acting_as, "Who acts (recorded in the audit log)")
        ->envname("LOTSE_ACTOR")
        ->capture_default_str();

  // audit
  auto* audit = cli.add_subcommand("audit", "Audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "Verify the hash chain of the audit log");
  add_db(audit_verify);

  app::add_retention_commands(cli, database);  // retention rules | set | run (retention_cli.cc)

  app::add_catalogue_commands(cli);  // import hsds | export hsds (catalogue_cli.cc)
  CLI11_PARSE(cli, argc, argv);

  const identity::Actor cli_actor{.username = acting_as, .request_id = "cli"};

  if (*migrate_cmd) {
    auto db = open_or_exit(database);
    return run_migrate(*db);
  }

  if (*demo) {
    auto db = open_or_exit(database);
    if (int rc = run_migrate(*db)) return rc;
    const bool tty = isatty(STDERR_FILENO);
    auto summary = app::load_demo(*db, system_clock(), data_dir, [&](int done, int total) {
      if (tty) {
        std::cerr << "\rDemo-Konten: " << done << "/" << total << std::flush;
      } else if (done == total || done % 20 == 0) {
        std::cerr << "Demo-Konten: " << done << "/" << total << "\n";
      }
    });
    if (tty) std::cerr << "\n";
    if (!summary) return fail("demo failed: " + summary.error().message);
    std::cout << "Demo: " << summary->alliances << " Bündnisse, " << summary->agencies
              << " Stellen, " << summary->users_created << " Konten angelegt, "
              << summary->users_existing << " schon vorhanden. Passwort aller Demo-Konten: "
              << app::kDemoPassword << "\n";
    if (synthetic.persons > 0) {
      synthetic.data_dir = data_dir;
      // One transaction per 5 %, so each progress line ends one.
      synthetic.batch = static_cast<int>(std::clamp<std::int64_t>(synthetic.persons / 20, 1000, 50000));
      // A line every 5 % with the rate and the time still to go.
      const auto started = std::chrono::steady_clock::now();
      std::int64_t next_report = 0;
      auto people = app::generate_people(
          *db, system_clock(), synthetic, [&](std::int64_t done, std::int64_t total) {
            if (done < next_report && done < total) return;
            next_report = done + std::max<std::int64_t>(1, total / 20);
            const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
            const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
            std::cerr << fmt::format("Personen: {}/{} ({:.0f} %), {:.0f}/s, noch {:.0f} s\n",
                                     done, total, 100.0 * static_cast<double>(done) /
                                                      static_cast<double>(total),
                                     rate, eta);
          });
      if (!people) return fail("generating persons failed: " + people.error().message);
      std::cout << fmt::format(
          "Synthetische Personen: {} Personen, {} Fälle, {} Einwilligungen, {} Übermittlungen, "
          "{} Notizen, {} Förderschritte, {} Übergaben in {:.1f} s (Startwert {}).\n",
          people->persons, people->cases, people->consents, people->transfers, people->notes,
          people->steps, people->handovers, people->seconds, synthetic.seed);
    }
    return 0;
  }

  if (*user_add || *user_list || *user_disable || *user_passwd) {
    auto db = open_or_exit(database);
    identity::AuthService auth(*db, system_clock());
    if (*user_list) {
      auto users = auth.list_users();
      if (!users) return fail(users.error().message);
      for (const auto& u : *users)
        std::cout << u.username << "\t" << identity::role_name(u.role) << "\t"
                  << (u.agency_name.empty() ? u.alliance_name : u.agency_name) << "\t"
                  << (u.disabled ? "disabled" : "active") << "\n";
      return 0;
    }
    if (*user_add) {
      auto role = identity::parse_role(role_text);
      if (!role) return fail(role.error().message);
      new_user.role = *role;
      new_user.password = read_password("Passwort: ");
      auto added = auth.add_user(new_user, cli_actor);
      if (!added) return fail(added.error().field + ": " + added.error().message);
      std::cout << "Konto angelegt: " << added->username << "\n";
      return 0;
    }
    if (*user_disable) {
      auto r = auth.disable_user(target_user, cli_actor);
      if (!r) return fail(r.error().message);
      std::cout << "Konto gesperrt: " << target_user << "\n";
      return 0;
    }
    auto r = auth.set_password(target_user, read_password("Neues Passwort: "), cli_actor);
    if (!r) return fail(r.error().field + ": " + r.error().message);
    std::cout << "Passwort geändert: " << target_user << "\n";
    return 0;
  }

  if (*audit_verify) {
    auto db = open_or_exit(database);
    auto report = privacy::AuditLog::verify(*db);
    if (!report) return fail("audit verify failed: " + report.error().message);
    if (!report->ok) {
      std::cout << "audit verify: FAILED at entry " << *report->first_bad_seq << " of the "
                << (report->read_log ? "read log" : "change log") << ": " << report->problem
                << "\n";
      return 1;
    }
    std::cout << "audit verify: OK, " << report->entries_checked
              << " entries in the change log and the read log, chain intact\n";
    return 0;
  }

  // serve
  auto db = open_or_exit(database);
  if (int rc = run_migrate(*db)) return rc;
  server_options.access_log = !no_access_log;
  server_options.secure_cookies = app_options.secure_cookies;
  try {
    web::App app(*db, system_clock(), app_options);
    web::HttpServer server(server_options, [&app](web::Request& r) { return app.handle(r); });
    server.start();
    if (!port_file.empty()) {
      std::ofstream(port_file + ".tmp") << server.port() << "\n";
      std::rename((port_file + ".tmp").c_str(), port_file.c_str());
    }
    std::cout << "Lotse läuft auf http://" << server_options.host << ":" << server.port() << "/"
              << "  (" << db->describe() << ", Strg+C beendet)\n";
    if (print_demo_logins) {
      auto lines = app::demo_login_lines(*db);
      if (lines && !lines->empty()) {
        std::cout << "Anmeldung: http://" << server_options.host << ":" << server.port()
                  << "/anmelden  – Demo-Konten, Passwort \"" << app::kDemoPassword << "\":\n";
        for (const auto& l : *lines) std::cout << l << "\n";
      }
    }
    std::cout << std::flush;
    server.wait_for_signal();
    std::cout << "Lotse beendet.\n";
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}
