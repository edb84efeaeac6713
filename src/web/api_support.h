// Internal to the web layer: what the JSON API modules share. Each module
// (casework_api.cc, …) is a table of ApiRoute that both registers its
// handlers and describes them in the OpenAPI document (api.cc), so the
// document cannot drift from what is served.
//
//   Response get_thing(WebContext& web, Request& r, const privacy::Reader& me) {
//     auto id = api::path_id(r);
//     if (!id) return api::not_found(web, r);
//     ...
//     return api::json_response(200, json::object{{"id", *id}});
//   }
//   constexpr api::ApiRoute kRoutes[] = {
//       {"GET", "/api/v1/things/{id}", get_thing, "A thing", nullptr, 200, nullptr}};
//   api::ApiModule thing_api() { return {kRoutes, kSchemas}; }
//
// Every route is guarded before its handler runs: a valid Bearer token and a
// case worker of an agency (PolicyGate::may_work_on_cases), else 401 / 403.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/casework/casework_service.h"
#include "lotse/common/result.h"
#include "lotse/domain/case_record.h"
#include "lotse/web/http.h"
#include "lotse/web/web_context.h"

namespace lotse::web::api {
namespace json = boost::json;

// ---- request parsing ---------------------------------------------------

// The JSON object of a request body, or the problem answering a body that is
// not one (415 without the JSON media type, 400 otherwise; both name "body").
std::optional<Response> read_object(const Request& r, json::object& out);


// Typed access to the members of a body. Keeps the first error (naming its
// field) so that a handler reads all fields and checks once; a missing or
// null member of an optional field is simply absent.
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}

  std::optional<std::string> opt_string(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (!v->is_string()) return fail(name, "muss ein String sein");
    return std::string(v->get_string());
  }
  std::string string(std::string_view name) {
    auto s = opt_string(name);
    if (!s && !err_ && !member(name)) fail(name, "fehlt");
    return s.value_or("");
  }
  std::optional<std::int64_t> opt_int(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    return fail(name, "muss eine ganze Zahl sein");
  }
  std::int64_t integer(std::string_view name) {
    auto i = opt_int(name);
    if (!i && !err_ && !member(name)) fail(name, "fehlt");
    return i.value_or(0);
  }
  std::optional<bool> opt_bool(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (!v->is_bool()) return fail(name, "muss true oder false sein");
    return v->get_bool();
  }
  std::optional<std::vector<std::string>> opt_strings(std::string_view name) {
    const json::value* v = member(name);
    if (!v) return std::nullopt;
    if (!v->is_array()) return fail(name, "muss eine Liste von Strings sein");
    std::vector<std::string> out;
    for (const auto& e : v->get_array()) {
      if (!e.is_string()) return fail(name, "muss eine Liste von Strings sein");
      out.emplace_back(e.get_string());
    }
    return out;
  }
  std::vector<std::string> strings(std::string_view name) {
    auto s = opt_strings(name);
    if (!s && !err_ && !member(name)) fail(name, "fehlt");
    return s.value_or(std::vector<std::string>{});
  }
  // Records an error found while converting a value (dates, categories).
  void take(const Error& e) {
    if (!err_) err_ = e;
  }
  const std::optional<Error>& error() const { return err_; }

 private:
  const json::value* member(std::string_view name) const {
    const json::value* v = o_.if_contains(name);
    return v && !v->is_null() ? v : nullptr;
  }
  std::nullopt_t fail(std::string_view name, std::string_view what) {
    if (!err_) err_ = Error::invalid(std::string(name), "Das Feld " + std::string(name) + " " +
                                                            std::string(what) + ".");
    return std::nullopt;
  }
  const json::object& o_;
  std::optional<Error> err_;
};

// Path ids: anything but a positive decimal integer is a resource that does
// not exist.
std::optional<std::int64_t> path_id(const Request& r, const std::string& name = "id");
// An integer query parameter; `fallback` when absent or empty.
Result<int> query_int(const Request& r, const std::string& name, int fallback);

// ---- rendering ---------------------------------------------------------

json::array string_array(const std::vector<std::string>& v);
// ISO 8601 UTC, or null for 0.
json::value timestamp(std::int64_t ms);
// The case as the caller may see it: sections of categories the policy gate
// did not grant are left out entirely.
json::object case_json(const domain::CaseRecord& c);
json::object consent_json(const casework::ConsentView& v);
json::object handover_json(const casework::HandoverView& h);

Response json_response(int status, const json::value& v);
// 201 with a Location header.
Response created(const std::string& location, const json::value& v);
// 404 problem+json (also for cases the caller may not see).
Response not_found(WebContext& web, const Request& r);

// ---- route tables ------------------------------------------------------

using ApiHandler = Response (*)(WebContext&, Request&, const privacy::Reader&);

struct ApiRoute {
  const char* method;
  const char* pattern;         // "{id}" path parameters are documented as positive integers
  ApiHandler handler;
  const char* summary;
  const char* request_schema;  // components/schemas name, or nullptr without a body
  int success;                 // 200 or 201
  const char* query;           // comma-separated query parameters, or nullptr
};

struct ApiModule {
  std::span<const ApiRoute> routes;
  // A JSON object of components/schemas the routes refer to ("{}" if none).
  std::string_view schemas_json;
};

// The modules (each defined in its own file).
ApiModule casework_api();
ApiModule person_report_api();
ApiModule conference_api();

}  // namespace lotse::web::api
