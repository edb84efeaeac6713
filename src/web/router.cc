#include "lotse/web/router.h"

#include <string_view>

namespace lotse::web {
namespace {

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}. A trailing slash
// therefore makes a different path, which keeps URLs canonical.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route route;
  route.method = std::move(method);
  for (std::string_view s : split_path(pattern)) route.segments.emplace_back(s);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Response Router::dispatch(Request& request) const {
  // Split the raw path before decoding, so that an encoded "%2F" stays inside
  // its segment (a parameter value) instead of creating a new one.
  std::vector<std::string> segments;
  std::string_view raw = request.target;
  if (!raw.empty() && raw.front() == '/') {
    raw = raw.substr(0, raw.find('?'));
    for (std::string_view s : split_path(raw)) segments.push_back(url_decode(s, false));
  } else {
    for (std::string_view s : split_path(request.path)) segments.emplace_back(s);
  }

  auto matches = [&](const Route& route) {
    if (route.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (is_param(route.segments[i])) {
        if (segments[i].empty()) return false;
      } else if (route.segments[i] != segments[i]) {
        return false;
      }
    }
    return true;
  };
  // True if a is more specific than b: the first segment where they differ
  // is literal in a and a parameter in b ("/users/me" beats "/users/{id}").
  auto more_specific = [](const Route& a, const Route& b) {
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      bool pa = is_param(a.segments[i]);
      bool pb = is_param(b.segments[i]);
      if (pa != pb) return !pa;
    }
    return false;
  };
  auto best_for = [&](std::string_view method) -> const Route* {
    const Route* best = nullptr;
    for (const Route& route : routes_) {
      if (route.method != method || !matches(route)) continue;
      if (best == nullptr || more_specific(route, *best)) best = &route;
    }
    return best;
  };

  const Route* route = best_for(request.method);
  // HEAD is GET without a body; the server drops the body.
  if (route == nullptr && request.method == "HEAD") route = best_for("GET");
  if (route != nullptr) {
    request.path_params.clear();
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string& s = route->segments[i];
      if (is_param(s)) request.path_params[s.substr(1, s.size() - 2)] = segments[i];
    }
    return route->handler(request);
  }

  std::vector<std::string_view> allowed;
  auto allow_method = [&](std::string_view m) {
    for (std::string_view a : allowed) {
      if (a == m) return;
    }
    allowed.push_back(m);
  };
  for (const Route& r : routes_) {
    if (!matches(r)) continue;
    allow_method(r.method);
    if (r.method == "GET") allow_method("HEAD");
  }
  if (allowed.empty()) {
    if (not_found_) return not_found_(request);
    return Response::text(404, "Not Found\n");
  }
  std::string allow;
  for (std::string_view m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  Response res;
  if (method_not_allowed_) {
    res = method_not_allowed_(request, allow);
  } else {
    res = Response::text(405, "Method Not Allowed\n");
  }
  // RFC 9110 requires Allow on a 405, whatever the custom handler produced.
  if (!res.header("Allow")) res.set_header("Allow", allow);
  return res;
}

}  // namespace lotse::web
