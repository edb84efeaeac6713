// The web application: every route of Lotse, on top of the HttpServer.
// Handlers are thin: they parse input, call services, and render a view or
// JSON. Sessions are cookies (`lotse_session`, HttpOnly, SameSite=Strict,
// Secure when configured) backed by the database; every state-changing form
// carries a CSRF token; the JSON API authenticates with Bearer tokens.
//
//   App app(db, system_clock(), AppOptions{.web_root = "web"});
//   HttpServer server(opts, [&](Request& r) { return app.handle(r); });
//
// Thread safety: handle() is safe to call concurrently.
#pragma once

#include <memory>
#include <string>

#include "lotse/common/clock.h"
#include "lotse/store/database.h"
#include "lotse/web/http.h"

namespace lotse::web {

struct AppOptions {
  std::string web_root;      // templates/, static/, i18n/ (default: the source tree's web/)
  std::string node_modules;  // for KERN-UX and htmx assets (default: the source tree's)
  bool secure_cookies = false;  // set behind a TLS-terminating reverse proxy
  // A sent handover is overdue after this many working days (1..60; the App
  // refuses others). `lotse serve --handover-due-days`, LOTSE_HANDOVER_DUE_DAYS.
  int handover_due_working_days = 5;
  // Open contact requests of the youth portal older than this many hours
  // are flagged in the intake queue (1..720).
  int intake_overdue_hours = 48;
};

// Defaults compiled in from the build tree, overridable by LOTSE_WEB_ROOT /
// LOTSE_NODE_MODULES.
AppOptions default_app_options();

class App {
 public:
  // Loads templates and catalogues; throws std::runtime_error if they are unusable.
  App(store::Database& db, Clock clock, AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  Response handle(Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lotse::web
