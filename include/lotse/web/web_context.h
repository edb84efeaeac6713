// What route modules (casework API, casework pages, …) get from the App: the
// services, and the App's request helpers, so that each module only adds its
// routes in its own file.
//
//   void register_things(Router& router, WebContext& web) {
//     router.add("GET", "/api/v1/cases/{id}", [&web](Request& r) {
//       auto user = web.api_user(r);
//       if (!user) return web.failure(r, user.error());
//       if (!*user) return web.unauthorized(r);    // 401 problem+json with WWW-Authenticate
//       ...
//     });
//   }
//
// Thread safety: everything here is safe to use from concurrent handlers.
#pragma once

#include <boost/json/fwd.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lotse/casework/casework_service.h"
#include "lotse/catalogue/catalogue_service.h"
#include "lotse/casework/conference_service.h"
#include "lotse/common/clock.h"
#include "lotse/identity/auth_service.h"
#include "lotse/portal/portal_service.h"
#include "lotse/store/database.h"
#include "lotse/web/http.h"
#include "lotse/web/router.h"
#include "lotse/web/views.h"

namespace lotse::web {

struct WebContext {
  store::Database& db;
  Clock clock;
  identity::AuthService& auth;
  casework::CaseworkService& casework;
  casework::ConferenceService& conferences;
  catalogue::CatalogueService& catalogue;  // offers, contact points, HSDS
  portal::PortalService& portal;           // portal texts, contact requests (intake)
  const Views& views;

  // The signed-in staff member of an HTML request (session cookie), if any.
  std::function<std::optional<identity::Session>(const Request&)> session_of;
  // The user of an API request (Bearer token): nullopt without a valid
  // token; an error only when the database failed (answer with failure()).
  std::function<Result<std::optional<identity::User>>(const Request&)> api_user;
  // 401 problem+json with WWW-Authenticate: Bearer.
  std::function<Response(const Request&)> unauthorized;
  // Renders a page inside the layout; title_key is a catalogue key.
  std::function<Response(const Request&, int status, std::string_view page,
                         const boost::json::object& data, const std::string& title_key,
                         const std::optional<identity::Session>& session)>
      page;
  // HTML error page (or problem+json under /api/) for a status.
  std::function<Response(const Request&, int status)> error_page;
  // Maps a service error to the right answer (problem+json under /api/,
  // error page otherwise), logging internal ones with the request id.
  std::function<Response(const Request&, const Error&)> failure;
  // A catalogue message in the request's language.
  std::function<std::string(const Request&, std::string_view key)> msg;
  // The request's language, "de" or "en".
  std::function<std::string(const Request&)> lang;
};

// The policy-gate reader for a signed-in user and request.
privacy::Reader reader_for(const identity::User& user, const Request& request);

// The JSON API: every API module behind one guard, and GET /api/v1/openapi.json.
void register_api(Router& router, WebContext& web);
// (method, pattern) of every API route, as documented in the OpenAPI document.
std::vector<std::pair<std::string, std::string>> api_routes();

// The read-only HSDS 3.0 API under /api/hsds/ (public, no token): hsds_api.cc.
void register_hsds_api(Router& router, WebContext& web);

// Page modules.
void register_casework_pages(Router& router, WebContext& web);
void register_person_report_pages(Router& router, WebContext& web);
void register_conference_pages(Router& router, WebContext& web);
// The youth portal (/, /{slug}/…) and the intake queue (/anfragen, /koordination/portal).
void register_portal_pages(Router& router, WebContext& web);
void register_intake_pages(Router& router, WebContext& web);
// The coordinators' catalogue pages under /koordination: coordination_pages.cc.
void register_coordination_pages(Router& router, WebContext& web);

}  // namespace lotse::web
