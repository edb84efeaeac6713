// The JSON API as a whole: registers the route tables of every API module
// behind one guard (Bearer token, case worker of an agency) and builds the
// OpenAPI 3.1 document from the same tables.
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/web/problem.h"
#include "lotse/web/web_context.h"
#include "web/api_support.h"

namespace lotse::web {
namespace json = boost::json;

namespace {

// The API modules, in the order their paths appear in the document.
std::vector<api::ApiModule> modules() {
  return {api::casework_api(), api::conference_api(), api::person_report_api()};
}

// Shared components and the routes the App itself serves; module paths and
// schemas are added from their tables.
constexpr const char* kOpenApiBase = R"json({
 "openapi": "3.1.0",
 "info": {
  "title": "Lotse API",
  "version": "1",
  "description": "Joint case work of a Jugendberufsagentur. Case data is cut down to what consents and recorded legal bases allow; a case the caller may not see answers 404."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "security": [
  {
   "bearer": []
  }
 ],
 "paths": {
  "/api/v1/tokens": {
   "post": {
    "summary": "Issue a bearer token",
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Credentials"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Token",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "token": {
           "type": "string"
          },
          "expires_at": {
           "type": "string",
           "format": "date-time"
          }
         }
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/Problem"
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     },
     "415": {
      "$ref": "#/components/responses/Problem"
     },
     "429": {
      "$ref": "#/components/responses/Problem"
     }
    }
   }
  },
  "/api/v1/me": {
   "get": {
    "summary": "The caller",
    "responses": {
     "200": {
      "description": "User",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Problem"
     }
    }
   }
  },
  "/api/v1/openapi.json": {
   "get": {
    "summary": "This document",
    "security": [],
    "responses": {
     "200": {
      "description": "OpenAPI 3.1",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   }
  },
  "responses": {
   "Problem": {
    "description": "RFC 9457 problem details; field names the offending input",
    "content": {
     "application/problem+json": {
      "schema": {
       "$ref": "#/components/schemas/Problem"
      }
     }
    }
   }
  },
  "schemas": {
   "Problem": {
    "type": "object",
    "properties": {
     "type": {
      "type": "string"
     },
     "title": {
      "type": "string"
     },
     "status": {
      "type": "integer"
     },
     "detail": {
      "type": "string"
     },
     "instance": {
      "type": "string"
     },
     "request_id": {
      "type": "string"
     },
     "field": {
      "type": "string"
     },
     "errors": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "field": {
         "type": "string"
        },
        "detail": {
         "type": "string"
        }
       }
      }
     }
    }
   },
   "Credentials": {
    "type": "object",
    "required": [
     "username",
     "password"
    ],
    "properties": {
     "username": {
      "type": "string"
     },
     "password": {
      "type": "string"
     }
    }
   },
   "Date": {
    "type": "string",
    "format": "date"
   },
   "AgencyKey": {
    "type": "string",
    "pattern": "^[0-9]+-(jc|aa|ja|schule)$"
   },
   "Category": {
    "type": "string",
    "enum": [
     "master_data",
     "school_data",
     "needs_goals",
     "support_chain",
     "conference_results",
     "notes",
     "entrusted"
    ]
   }
  }
 }
})json";

json::object operation(const api::ApiRoute& route) {
  json::object op{{"summary", route.summary}};
  json::array params;
  const std::string_view pattern = route.pattern;
  if (pattern.find("{id}") != std::string_view::npos)
    params.push_back(json::object{{"name", "id"},
                                  {"in", "path"},
                                  {"required", true},
                                  {"schema", json::object{{"type", "integer"}, {"minimum", 1}}}});
  if (route.query) {
    std::string_view q = route.query;
    while (!q.empty()) {
      const auto comma = q.find(',');
      const std::string name(q.substr(0, comma));
      json::object schema{{"type", name == "limit" || name == "offset" ? "integer" : "string"}};
      if (name == "box") schema["enum"] = json::array{"in", "out"};
      params.push_back(json::object{{"name", name},
                                    {"in", "query"},
                                    {"required", name == "box"},
                                    {"schema", std::move(schema)}});
      q = comma == std::string_view::npos ? std::string_view() : q.substr(comma + 1);
    }
  }
  if (!params.empty()) op["parameters"] = std::move(params);
  if (route.request_schema)
    op["requestBody"] = json::object{
        {"required", true},
        {"content",
         json::object{{"application/json",
                       json::object{{"schema", json::object{{"$ref", std::string("#/components/schemas/") +
                                                                         route.request_schema}}}}}}}};
  const json::object problem_ref{{"$ref", "#/components/responses/Problem"}};
  json::object responses{
      {std::to_string(route.success),
       json::object{{"description", route.success == 201 ? "Created" : "OK"},
                    {"content", json::object{{"application/json",
                                              json::object{{"schema", json::object{{"type", "object"}}}}}}}}},
      {"400", problem_ref},
      {"401", problem_ref},
      {"403", problem_ref},
      {"404", problem_ref}};
  if (route.success == 201) responses[std::to_string(201)].as_object()["headers"] =
      json::object{{"Location", json::object{{"schema", json::object{{"type", "string"}}}}}};
  if (route.request_schema) responses["415"] = problem_ref;
  if (std::string_view(route.method) != "GET") responses["409"] = problem_ref;
  op["responses"] = std::move(responses);
  return op;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return s;
}

std::string openapi_document() {
  json::value doc = json::parse(kOpenApiBase);
  json::object& paths = doc.as_object()["paths"].as_object();
  json::object& schemas = doc.as_object()["components"].as_object()["schemas"].as_object();
  for (const auto& module : modules()) {
    for (const auto& route : module.routes) {
      json::value& item = paths[route.pattern];
      if (!item.is_object()) item.emplace_object();
      item.as_object()[lower(route.method)] = operation(route);
    }
    const json::value module_schemas = json::parse(module.schemas_json);
    for (const auto& [name, schema] : module_schemas.as_object()) schemas[name] = schema;
  }
  return json::serialize(doc);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> api_routes() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& module : modules())
    for (const auto& route : module.routes) out.emplace_back(route.method, route.pattern);
  out.emplace_back("GET", "/api/v1/openapi.json");
  return out;
}

void register_api(Router& router, WebContext& web) {
  for (const auto& module : modules()) {
    for (const auto& route : module.routes) {
      router.add(route.method, route.pattern, [&web, h = route.handler](Request& r) {
        auto user = web.api_user(r);
        if (!user) return web.failure(r, user.error());
        if (!*user) return web.unauthorized(r);
        const privacy::Reader me = reader_for(**user, r);
        // Coordinators, the state office and administrators never touch case
        // data: answer 403 before the service, for reads and writes alike.
        if (!privacy::PolicyGate::may_work_on_cases(me))
          return problem(403, "Forbidden", "Fallarbeit ist Fachkräften vorbehalten.", r.request_id);
        return h(web, r, me);
      });
    }
  }
  // Built once: the document only depends on the tables.
  auto doc = std::make_shared<const std::string>(openapi_document());
  router.add("GET", "/api/v1/openapi.json", [doc](Request&) {
    Response res = Response::json(200, *doc);
    res.set_header("Cache-Control", "public, max-age=300");
    return res;
  });
}

}  // namespace lotse::web
