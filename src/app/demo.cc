#include "lotse/app/demo.h"

#include <fmt/format.h>

#include <atomic>
#include <future>
#include <mutex>

#include "lotse/catalogue/demo_catalogue.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/directory.h"
#include "lotse/organisation/seed.h"

namespace lotse::app {

using identity::NewUser;
using identity::Role;

namespace {

Result<std::vector<NewUser>> demo_accounts(store::Database& db) {
  return db.read([](store::Executor& x) -> Result<std::vector<NewUser>> {
    std::vector<NewUser> out;
    LOTSE_ASSIGN_OR_RETURN(auto alliances, organisation::Directory::alliances(x));
    for (const auto& a : alliances) {
      LOTSE_ASSIGN_OR_RETURN(auto agencies, organisation::Directory::agencies(x, a.ags));
      for (const auto& ag : agencies)
        out.push_back({.username = ag.key, .display_name = "Fachkraft " + ag.name,
                       .role = Role::kCaseWorker, .agency_key = ag.key,
                       .password = kDemoPassword});
      out.push_back({.username = a.ags + "-koord", .display_name = "Koordination " + a.name,
                     .role = Role::kCoordinator, .alliance_ags = a.ags,
                     .password = kDemoPassword});
    }
    out.push_back({.username = "land", .display_name = "Landesnetzwerkstelle",
                   .role = Role::kStateOffice, .password = kDemoPassword});
    out.push_back({.username = "admin", .display_name = "Administration", .role = Role::kAdmin,
                   .password = kDemoPassword});
    return out;
  });
}

}  // namespace

Result<DemoSummary> load_demo(store::Database& db, Clock clock, const std::string& data_dir,
                              const Progress& progress) {
  DemoSummary summary;
  LOTSE_ASSIGN_OR_RETURN(auto seeded, db.write([&](store::Executor& x) {
    return organisation::seed_organisations(x, data_dir);
  }));
  summary.alliances = seeded.alliances;
  summary.agencies = seeded.agencies;
  LOTSE_TRY(catalogue::load_demo_catalogue(db, clock, data_dir));  // offers, contact points

  LOTSE_ASSIGN_OR_RETURN(std::vector<NewUser> accounts, demo_accounts(db));
  identity::AuthService auth(db, clock);
  const identity::Actor actor{.username = "-", .request_id = "cli:demo"};

  // Argon2id costs ~0.1 s per account: hash on two threads.
  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0}, created{0}, existing{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (std::size_t i = next++; i < accounts.size(); i = next++) {
      auto found = auth.find_user(accounts[i].username);
      if (found) {
        ++existing;
      } else {
        auto added = auth.add_user(accounts[i], actor, identity::AuthService::PasswordRule::kDemo);
        if (!added) {
          std::lock_guard lock(error_mutex);
          if (!first_error) first_error = added.error();
          return;
        }
        ++created;
      }
      int d = ++done;
      if (progress) progress(d, static_cast<int>(accounts.size()));
    }
  };
  auto other = std::async(std::launch::async, worker);
  worker();
  other.get();
  if (first_error) return *first_error;
  summary.users_created = created;
  summary.users_existing = existing;
  return summary;
}

Result<std::vector<std::string>> demo_login_lines(store::Database& db) {
  identity::AuthService auth(db, [] { return std::int64_t{0}; });
  LOTSE_ASSIGN_OR_RETURN(auto users, auth.list_users());
  std::vector<std::string> out;
  auto has = [&](const std::string& name) {
    for (const auto& u : users)
      if (u.username == name && !u.disabled) return &u;
    return static_cast<const identity::User*>(nullptr);
  };
  if (!has("admin") || !has("15003-jc")) return out;
  for (const char* name : {"15003-jc", "15003-aa", "15003-ja", "15003-schule", "15003-koord",
                           "land", "admin"}) {
    if (const auto* u = has(name))
      out.push_back(fmt::format("  {:<14} {:<14} {}", u->username,
                                std::string(identity::role_name(u->role)),
                                !u->agency_name.empty()     ? u->agency_name
                                : !u->alliance_name.empty() ? "Bündnis " + u->alliance_name
                                                            : std::string("Benutzerkonten, keine Falldaten")));
  }
  out.push_back("  (and <ags>-jc|-aa|-ja|-schule|-koord for all 14 districts, e.g. 15002-jc)");
  return out;
}

}  // namespace lotse::app
