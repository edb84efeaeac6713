#include "lotse/web/app.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <stdexcept>

#include "lotse/common/crypto.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/directory.h"
#include "lotse/organisation/seed.h"
#include "lotse/privacy/audit_log.h"
#include "lotse/web/problem.h"
#include "lotse/web/router.h"
#include "lotse/web/static_files.h"
#include "lotse/web/views.h"
#include "lotse/web/web_context.h"
#include "lotse/casework/casework_service.h"

namespace lotse::web {
namespace json = boost::json;
using identity::Role;

namespace {

constexpr const char* kSessionCookie = "lotse_session";
constexpr const char* kCsrfCookie = "lotse_csrf";  // pre-session CSRF (double submit)
constexpr const char* kLangCookie = "lotse_lang";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "237565" -> "237.565" (de) / "237,565" (en).
std::string group_digits(std::int64_t n, std::string_view lang) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  const char sep = lang == "en" ? ',' : '.';
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += sep;
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// Only local paths are accepted as redirect targets (no open redirect).
std::string safe_next(const std::string& next) {
  if (next.empty() || next[0] != '/' || starts_with(next, "//") || next.find('\\') != std::string::npos)
    return "/start";
  return next;
}

std::string form_value(const std::multimap<std::string, std::string>& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

std::optional<std::string> bearer_token(const Request& r) {
  auto h = r.header("Authorization");
  if (!h) return std::nullopt;
  constexpr std::string_view kPrefix = "Bearer ";
  if (h->size() <= kPrefix.size() || !starts_with(*h, kPrefix)) return std::nullopt;
  return h->substr(kPrefix.size());
}

}  // namespace

AppOptions default_app_options() {
  AppOptions o;
  const char* web = std::getenv("LOTSE_WEB_ROOT");
  const char* nm = std::getenv("LOTSE_NODE_MODULES");
  o.web_root = web && *web ? web : LOTSE_WEB_ROOT;
  o.node_modules = nm && *nm ? nm : LOTSE_NODE_MODULES;
  return o;
}

// Checked here as well as by `lotse serve`: tests and other embedders build
// the App directly.
static portal::PortalOptions portal_options(const AppOptions& o) {
  if (o.intake_overdue_hours < 1 || o.intake_overdue_hours > 720)
    throw std::runtime_error("intake_overdue_hours must be 1 to 720, not " +
                             std::to_string(o.intake_overdue_hours));
  return {.overdue_hours = o.intake_overdue_hours};
}

static casework::CaseworkOptions casework_options(const AppOptions& o) {
  if (o.handover_due_working_days < 1 || o.handover_due_working_days > 60)
    throw std::runtime_error("handover_due_working_days must be 1 to 60, not " +
                             std::to_string(o.handover_due_working_days));
  return {.handover_due_working_days = o.handover_due_working_days};
}

struct App::Impl {
  Impl(store::Database& database, Clock c, AppOptions o)
      : db(database),
        clock(std::move(c)),
        options(std::move(o)),
        auth(db, clock),
        casework(db, clock, casework_options(options)),
        conferences(db, clock),
        catalogue(db, clock, organisation::default_data_dir()),
        portal(db, clock, portal_options(options)),
        statics({{"/static/kern/", options.node_modules + "/@kern-ux/native/dist"},
                 {"/static/htmx/", options.node_modules + "/htmx.org/dist"},
                 {"/static/", options.web_root + "/static"}}) {
    auto loaded = Views::load(options.web_root);
    if (!loaded) throw std::runtime_error("cannot load views: " + loaded.error().message);
    views = *loaded;
    web = std::make_unique<WebContext>(WebContext{
        .db = db,
        .clock = clock,
        .auth = auth,
        .casework = casework,
        .conferences = conferences,
        .catalogue = catalogue,
        .portal = portal,
        .views = *views,
        .session_of = [this](const Request& r) { return session_of(r); },
        .api_user = [this](const Request& r) { return api_user(r); },
        .unauthorized = [this](const Request& r) { return unauthorized(r); },
        .page = [this](const Request& r, int status, std::string_view name, const json::object& data,
                       const std::string& title_key, const std::optional<identity::Session>& s) {
          return page(r, status, name, data, context(r, title_key, s));
        },
        .error_page = [this](const Request& r, int status) { return error_page(r, status); },
        .failure = [this](const Request& r, const Error& e) { return failure(r, e); },
        .msg = [this](const Request& r, std::string_view key) { return msg(r, key); },
        .lang = [this](const Request& r) { return lang(r); },
    });
    routes();
    register_api(router, *web);
    register_hsds_api(router, *web);
    register_casework_pages(router, *web);
    register_person_report_pages(router, *web);
    register_conference_pages(router, *web);
    register_coordination_pages(router, *web);
    register_portal_pages(router, *web);
    register_intake_pages(router, *web);
  }

  store::Database& db;
  Clock clock;
  AppOptions options;
  identity::AuthService auth;
  casework::CaseworkService casework;
  casework::ConferenceService conferences;
  catalogue::CatalogueService catalogue;
  portal::PortalService portal;
  StaticFiles statics;
  std::shared_ptr<const Views> views;
  std::unique_ptr<WebContext> web;
  Router router;

  // ---- request helpers -------------------------------------------------

  std::string lang(const Request& r) const {
    return Views::pick_language(r.query_param("lang").value_or(""),
                                r.cookie(kLangCookie).value_or(""),
                                r.header("Accept-Language").value_or(""));
  }

  std::string msg(const Request& r, std::string_view key) const {
    return views->message(lang(r), key);
  }

  std::string cookie_attrs() const {
    return std::string("; Path=/; HttpOnly; SameSite=Strict") + (options.secure_cookies ? "; Secure" : "");
  }

  identity::Actor actor(const Request& r, std::string username = "-") const {
    return {.username = std::move(username), .request_id = r.request_id,
            .remote_address = r.remote_address};
  }

  std::optional<identity::Session> session_of(const Request& r) {
    auto cookie = r.cookie(kSessionCookie);
    if (!cookie) return std::nullopt;
    auto s = auth.session(*cookie, actor(r));
    if (!s) return std::nullopt;
    return *s;
  }

  Result<std::optional<identity::User>> api_user(const Request& r) {
    auto token = bearer_token(r);
    if (!token) return std::optional<identity::User>{};
    auto user = auth.authenticate_token(*token);
    if (!user) {
      if (user.error().code == ErrorCode::kUnauthenticated) return std::optional<identity::User>{};
      return user.error();  // the database failed: a 500, not a 401
    }
    return std::optional<identity::User>(*user);
  }

  Response unauthorized(const Request& r) const {
    Response res = problem(401, "Unauthorized",
                           "Anmeldung erforderlich (Authorization: Bearer mit gültigem Token).",
                           r.request_id);
    res.set_header("WWW-Authenticate", "Bearer");
    return res;
  }

  std::string role_label(const Request& r, Role role) const {
    return msg(r, "role." + std::string(identity::role_name(role)));
  }

  PageContext context(const Request& r, std::string title_key,
                      const std::optional<identity::Session>& s = std::nullopt) const {
    PageContext ctx;
    ctx.lang = lang(r);
    ctx.title_key = std::move(title_key);
    ctx.current_path = r.path;
    if (s) {
      ctx.csrf_token = s->csrf_token;
      ctx.user_display_name = s->user.display_name;
      ctx.user_role_label = role_label(r, s->user.role);
    }
    return ctx;
  }

  Response page(const Request& r, int status, std::string_view name, const json::object& data,
                const PageContext& ctx) const {
    Response res = Response::html(status, views->render_page(name, data, ctx));
    // Remember an explicit language choice for the next pages.
    if (auto q = r.query_param("lang"); q && (*q == "de" || *q == "en"))
      res.headers.emplace_back("Set-Cookie", std::string(kLangCookie) + "=" + *q +
                                       "; Path=/; Max-Age=31536000; SameSite=Lax" +
                                       (options.secure_cookies ? "; Secure" : ""));
    return res;
  }

  // `detail`, when given, replaces the generic message: a bad link
  // parameter names what is wrong with it.
  Response error_page(const Request& r, int status, const std::string& detail = "") const {
    if (starts_with(r.path, "/api/")) {
      return problem(status, std::string(reason_phrase(status)),
                     status == 404 ? "Die Ressource gibt es nicht." : "", r.request_id);
    }
    std::string key = status == 400 || status == 403 || status == 404 || status == 405 ||
                              status == 413 || status == 429 || status == 503
                          ? std::to_string(status)
                          : "500";
    json::object data{{"status", status},
                      {"heading", msg(r, "error." + key + ".heading")},
                      {"message", detail.empty() ? msg(r, "error." + key + ".message") : detail},
                      {"request_id", r.request_id},
                      {"home_url", "/"}};
    return page(r, status, "error", data, context(r, "error." + key + ".heading"));
  }

  // Failures of services: validation and auth errors are answered by the
  // handlers; everything else ends here, logged with the request id.
  Response failure(const Request& r, const Error& e) const {
    if (e.code == ErrorCode::kInternal || e.code == ErrorCode::kUnavailable)
      spdlog::error("request {} failed: {}", r.request_id, e.message);
    if (starts_with(r.path, "/api/")) return problem_from_error(e, r.request_id);
    switch (e.code) {
      case ErrorCode::kNotFound: return error_page(r, 404);
      case ErrorCode::kForbidden: return error_page(r, 403);
      // Handlers answer form input themselves (the form again, 422); what
      // reaches here is a bad link parameter, e.g. a page number.
      case ErrorCode::kInvalidArgument: return error_page(r, 400, e.message);
      case ErrorCode::kUnavailable: return error_page(r, 503);
      default: return error_page(r, 500);
    }
  }

  // ---- routes ----------------------------------------------------------

  void routes() {
    router.set_not_found([this](Request& r) {
      if (auto s = statics.serve(r)) return *s;
      return error_page(r, 404);
    });
    router.set_method_not_allowed([this](Request& r, const std::string& allow) {
      Response res = error_page(r, 405);
      res.set_header("Allow", allow);
      return res;
    });
    router.add("GET", "/healthz", [this](Request& r) { return healthz(r); });
    router.add("POST", "/api/v1/tokens", [this](Request& r) { return create_token(r); });
    router.add("GET", "/api/v1/me", [this](Request& r) { return me(r); });
    router.add("GET", "/anmelden", [this](Request& r) { return sign_in_form(r); });
    router.add("POST", "/anmelden", [this](Request& r) { return sign_in(r); });
    router.add("POST", "/abmelden", [this](Request& r) { return sign_out(r); });
    router.add("GET", "/start", [this](Request& r) { return start(r); });
    router.add("GET", "/datenschutz", [this](Request& r) { return info_page(r, "privacy"); });
    router.add("GET", "/barrierefreiheit",
               [this](Request& r) { return info_page(r, "accessibility"); });
    router.add("GET", "/impressum", [this](Request& r) { return info_page(r, "imprint"); });
  }

  Response healthz(Request& r) {
    auto ping = db.read([](store::Executor& x) { return x.query_int("SELECT 1"); });
    if (!ping) {
      spdlog::error("healthz: database unavailable: {}", ping.error().message);
      return problem(503, "Service Unavailable", "Die Datenbank ist nicht erreichbar.", r.request_id);
    }
    return Response::json(200, R"({"status":"ok","database":"ok"})");
  }

  // POST /api/v1/tokens {"username","password"} -> 201 {"token","expires_at"}
  Response create_token(Request& r) {
    auto ct = r.header("Content-Type").value_or("");
    if (!starts_with(ct, "application/json"))
      return problem(415, "Unsupported Media Type", "Der Body muss application/json sein.",
                     r.request_id, "body");
    json::error_code ec;
    json::value body = json::parse(r.body, ec);
    if (ec) return problem(400, "Bad Request", "Der Body ist kein gültiges JSON (UTF-8).", r.request_id, "body");
    if (!body.is_object())
      return problem(400, "Bad Request", "Der Body muss ein JSON-Objekt sein.", r.request_id, "body");
    const auto& o = body.get_object();
    std::string fields[2];
    const char* names[2] = {"username", "password"};
    for (int i = 0; i < 2; ++i) {
      auto it = o.find(names[i]);
      if (it == o.end())
        return problem(400, "Bad Request", std::string("Das Feld fehlt: ") + names[i], r.request_id,
                       names[i]);
      if (!it->value().is_string())
        return problem(400, "Bad Request", std::string("Das Feld muss ein String sein: ") + names[i],
                       r.request_id, names[i]);
      fields[i] = std::string(it->value().get_string());
      if (fields[i].empty())
        return problem(400, "Bad Request", std::string("Das Feld ist leer: ") + names[i],
                       r.request_id, names[i]);
    }
    auto token = auth.issue_token(fields[0], fields[1], actor(r));
    if (!token) {
      if (token.error().code == ErrorCode::kUnauthenticated)
        return problem(401, "Unauthorized", token.error().message, r.request_id);
      if (token.error().code == ErrorCode::kTooManyRequests) {
        Response res = problem(429, "Too Many Requests", token.error().message, r.request_id);
        res.set_header("Retry-After", "900");
        return res;
      }
      return failure(r, token.error());
    }
    json::object out{{"token", token->token}, {"expires_at", format_utc(token->expires_at_ms)}};
    return Response::json(201, json::serialize(out));
  }

  Response me(Request& r) {
    auto token = bearer_token(r);
    if (!token) {
      Response res = problem(401, "Unauthorized", "Anmeldung erforderlich (Authorization: Bearer).",
                             r.request_id);
      res.set_header("WWW-Authenticate", "Bearer");
      return res;
    }
    auto user = auth.authenticate_token(*token);
    if (!user) {
      if (user.error().code != ErrorCode::kUnauthenticated) return failure(r, user.error());
      Response res = problem(401, "Unauthorized", user.error().message, r.request_id);
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return res;
    }
    auto nullable = [](const std::string& s) -> json::value {
      if (s.empty()) return nullptr;
      return json::value(s);
    };
    json::object out{{"username", user->username},
                     {"display_name", user->display_name},
                     {"role", std::string(identity::role_name(user->role))},
                     {"agency_key", nullable(user->agency_key)},
                     {"agency_name", nullable(user->agency_name)},
                     {"alliance_key", nullable(user->alliance_ags)},
                     {"alliance_name", nullable(user->alliance_name)}};
    return Response::json(200, json::serialize(out));
  }

  // GET / (the portal's entry: alliances, find yours) lives in portal_pages.cc.

  Response render_sign_in(Request& r, int status, const std::string& username,
                          const std::string& next, json::array errors, json::object field_errors,
                          const std::string& notice, std::string csrf = "") {
    Response res;
    if (csrf.empty()) csrf = r.cookie(kCsrfCookie).value_or("");
    const bool fresh = csrf.empty() || csrf.size() > 128;
    if (fresh) csrf = random_token(32);
    json::object data{{"username", username},
                      {"next", next},
                      {"has_errors", !errors.empty()},
                      {"errors", std::move(errors)},
                      {"field_errors", std::move(field_errors)},
                      {"notice", notice},
                      {"csrf_token", csrf}};
    res = page(r, status, "sign_in", data, context(r, "page.signin.title"));
    if (fresh)
      res.headers.emplace_back("Set-Cookie", std::string(kCsrfCookie) + "=" + csrf + cookie_attrs());
    return res;
  }

  Response sign_in_form(Request& r) {
    if (session_of(r)) return Response::redirect("/start");
    std::string notice;
    if (r.query_param("abgemeldet")) notice = msg(r, "signin.notice.signed_out");
    if (r.query_param("abgelaufen")) notice = msg(r, "signin.notice.expired");
    return render_sign_in(r, 200, "", safe_next(r.query_param("next").value_or("/start")), {}, {},
                          notice);
  }

  Response sign_in(Request& r) {
    const auto form = r.form();
    const std::string username = form_value(form, "username");
    const std::string password = form_value(form, "password");
    const std::string next = safe_next(form_value(form, "next"));
    const std::string csrf_cookie = r.cookie(kCsrfCookie).value_or("");
    const std::string csrf_form = form_value(form, "csrf_token");
    if (csrf_cookie.empty() || !secure_equals(csrf_cookie, csrf_form)) {
      json::array errors{json::object{{"field", "username"}, {"message", msg(r, "signin.error.csrf")}}};
      return render_sign_in(r, 403, username, next, std::move(errors), {}, "");
    }
    json::array errors;
    json::object field_errors;
    auto add_error = [&](const char* field, std::string text) {
      errors.push_back(json::object{{"field", field}, {"message", text}});
      field_errors[field] = text;
    };
    if (username.empty()) add_error("username", msg(r, "signin.error.username_required"));
    if (password.empty()) add_error("password", msg(r, "signin.error.password_required"));
    if (!errors.empty())
      return render_sign_in(r, 422, username, next, std::move(errors), std::move(field_errors), "",
                            csrf_cookie);
    auto signed_in = auth.sign_in(username, password, actor(r));
    if (!signed_in) {
      const Error& e = signed_in.error();
      if (e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kInvalidArgument) {
        add_error("password", msg(r, "signin.error.bad_credentials"));
        return render_sign_in(r, 401, username, next, std::move(errors), std::move(field_errors), "",
                              csrf_cookie);
      }
      if (e.code == ErrorCode::kTooManyRequests) {
        add_error("username", msg(r, "signin.error.throttled"));
        Response res = render_sign_in(r, 429, username, next, std::move(errors),
                                      std::move(field_errors), "", csrf_cookie);
        res.set_header("Retry-After", "900");
        return res;
      }
      return failure(r, e);
    }
    Response res = Response::redirect(next);
    // A new session id at every sign-in (no fixation); the pre-session CSRF
    // cookie has done its job.
    res.headers.emplace_back("Set-Cookie",
                             std::string(kSessionCookie) + "=" + signed_in->session_id + cookie_attrs());
    res.headers.emplace_back("Set-Cookie", std::string(kCsrfCookie) + "=" + cookie_attrs() + "; Max-Age=0");
    return res;
  }

  Response sign_out(Request& r) {
    auto cookie = r.cookie(kSessionCookie);
    auto s = session_of(r);
    if (!cookie || !s) return Response::redirect("/anmelden");
    if (!secure_equals(s->csrf_token, form_value(r.form(), "csrf_token"))) return error_page(r, 403);
    auto out = auth.sign_out(*cookie, actor(r, s->user.username));
    if (!out) return failure(r, out.error());
    Response res = Response::redirect("/anmelden?abgemeldet=1");
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + cookie_attrs() + "; Max-Age=0");
    return res;
  }

  Response start(Request& r) {
    auto s = session_of(r);
    if (!s) {
      const bool had_cookie = r.cookie(kSessionCookie).has_value();
      return Response::redirect(had_cookie ? "/anmelden?abgelaufen=1&next=/start"
                                           : "/anmelden?next=/start");
    }
    const identity::User& u = s->user;
    const std::string l = lang(r);
    json::object data{{"user", json::object{{"display_name", u.display_name},
                                            {"username", u.username},
                                            {"role_label", role_label(r, u.role)}}},
                      {"is_case_worker", u.role == Role::kCaseWorker},
                      {"is_coordinator", u.role == Role::kCoordinator},
                      {"is_state_office", u.role == Role::kStateOffice},
                      {"is_admin", u.role == Role::kAdmin}};
    auto loaded = db.read([&](store::Executor& x) -> Result<void> {
      if (!u.agency_key.empty()) {
        LOTSE_ASSIGN_OR_RETURN(auto agency, organisation::Directory::find_agency(x, u.agency_key));
        data["agency"] = json::object{
            {"name", agency.name}, {"key", agency.key}, {"legal_sphere", agency.legal_sphere}};
      }
      if (!u.alliance_ags.empty()) {
        LOTSE_ASSIGN_OR_RETURN(auto a, organisation::Directory::find_alliance(x, u.alliance_ags));
        data["alliance"] = json::object{{"name", a.name},
                                        {"ags", a.ags},
                                        {"official_name", a.official_name},
                                        {"district_type", a.district_type},
                                        {"population_formatted", group_digits(a.population, l)}};
        LOTSE_ASSIGN_OR_RETURN(auto agencies, organisation::Directory::agencies(x, u.alliance_ags));
        json::array partners;
        for (const auto& ag : agencies)
          if (ag.key != u.agency_key)
            partners.push_back(json::object{
                {"name", ag.name}, {"key", ag.key}, {"legal_sphere", ag.legal_sphere}});
        data["partners"] = std::move(partners);
      }
      if (u.role == Role::kStateOffice) {
        LOTSE_ASSIGN_OR_RETURN(auto alliances, organisation::Directory::alliances(x));
        LOTSE_ASSIGN_OR_RETURN(
            store::Rows counts,
            x.query("SELECT alliance_ags, COUNT(*) FROM agencies WHERE alliance_ags IS NOT NULL "
                    "GROUP BY alliance_ags"));
        std::map<std::string, std::int64_t> per;
        for (const auto& c : counts) per[c.text(0)] = c.integer(1);
        json::array list;
        for (const auto& a : alliances)
          list.push_back(json::object{{"name", a.name},
                                      {"ags", a.ags},
                                      {"district_type", a.district_type},
                                      {"population_formatted", group_digits(a.population, l)},
                                      {"agency_count", per[a.ags]}});
        data["alliances"] = std::move(list);
      }
      if (u.role == Role::kAdmin) {
        LOTSE_ASSIGN_OR_RETURN(auto entries, privacy::AuditLog::recent(x, 20));
        json::array audit;
        for (const auto& e : entries)
          audit.push_back(json::object{{"at", format_utc(e.at_ms)},
                                       {"actor", e.event.actor},
                                       {"action", e.event.action},
                                       {"object", e.event.object}});
        data["audit"] = std::move(audit);
      }
      return ok();
    });
    if (!loaded) return failure(r, loaded.error());
    if (u.role == Role::kAdmin) {
      auto users = auth.list_users();
      if (!users) return failure(r, users.error());
      json::array list;
      for (const auto& x : *users)
        list.push_back(json::object{{"username", x.username},
                                    {"display_name", x.display_name},
                                    {"role_label", role_label(r, x.role)},
                                    {"agency_name", x.agency_name},
                                    {"alliance_name", x.alliance_name},
                                    {"disabled", x.disabled}});
      data["users"] = std::move(list);
    }
    return page(r, 200, "start", data,
                context(r, "page.start.title." + std::string(identity::role_name(u.role)), s));
  }

  Response info_page(Request& r, const char* name) {
    return page(r, 200, name, json::object{}, context(r, std::string("page.") + name + ".title", session_of(r)));
  }
};

App::App(store::Database& db, Clock clock, AppOptions options)
    : impl_(std::make_unique<Impl>(db, std::move(clock), std::move(options))) {}

App::~App() = default;

Response App::handle(Request& request) {
  try {
    Response res = impl_->router.dispatch(request);
    return res;
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request.request_id, e.what());
    return impl_->error_page(request, 500);
  }
}

}  // namespace lotse::web

namespace lotse::web {

privacy::Reader reader_for(const identity::User& user, const Request& request) {
  return {.username = user.username,
          .agency_key = user.agency_key,
          .case_worker = user.role == identity::Role::kCaseWorker,
          .request_id = request.request_id};
}

}  // namespace lotse::web
