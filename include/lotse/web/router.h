// Maps method + path pattern to a handler. Patterns are literal segments and
// `{name}` parameters: "/api/v1/users/{id}". A path that matches a pattern but
// not its method answers 405 with an Allow header; no match answers via the
// not-found handler.
//
// Matching is per segment on the raw path, so "%2F" stays inside a parameter;
// parameter values are percent-decoded and never empty. The segment count must
// match exactly ("/a" and "/a/" differ). A literal segment beats a parameter
// ("/users/me" before "/users/{id}"). HEAD falls back to the GET route (the
// server drops the body) and appears in Allow next to GET.
//
//   Router router;
//   router.add("GET", "/api/v1/users/{id}", [](Request& r) {
//     return Response::text(200, r.path_params.at("id"));
//   });
//   Response res = router.dispatch(request);
//
// Thread safety: add() before serving; dispatch() is then safe concurrently.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lotse/web/http.h"

namespace lotse::web {

class Router {
 public:
  using Handler = std::function<Response(Request&)>;

  void add(std::string method, std::string pattern, Handler handler);
  // Handler for paths no route matches (default: plain 404).
  void set_not_found(Handler handler) { not_found_ = std::move(handler); }
  // Handler for a path that matches with a different method (default: 405).
  void set_method_not_allowed(std::function<Response(Request&, const std::string& allow)> h) {
    method_not_allowed_ = std::move(h);
  }
  Response dispatch(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{x}" marks a parameter
    Handler handler;
  };
  std::vector<Route> routes_;
  Handler not_found_;
  std::function<Response(Request&, const std::string&)> method_not_allowed_;
};

}  // namespace lotse::web
