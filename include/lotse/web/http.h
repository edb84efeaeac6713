// Plain HTTP request/response values shared by the server, router and
// handlers. No Boost.Beast here on purpose: only http_server.cc includes Beast,
// so handlers compile fast.
//
//   Response r = Response::html(200, "<p>Hallo</p>");
//   r.set_header("Cache-Control", "no-store");
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lotse::web {

// Case-insensitive header names.
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/api/v1/me?x=1"
  std::string path;    // percent-decoded path without query, e.g. "/api/v1/me"
  std::multimap<std::string, std::string> query;  // decoded query parameters
  Headers headers;
  std::string body;
  std::string remote_address;  // client IP as text
  std::string request_id;      // assigned by the server, echoed as X-Request-Id
  std::map<std::string, std::string> path_params;  // filled by the router

  std::optional<std::string> header(const std::string& name) const;
  std::optional<std::string> query_param(const std::string& name) const;
  // Value of a cookie from the Cookie header.
  std::optional<std::string> cookie(std::string_view name) const;
  // Parses an application/x-www-form-urlencoded body.
  std::multimap<std::string, std::string> form() const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value);
  std::optional<std::string> header(std::string_view name) const;

  static Response text(int status, std::string body);
  static Response html(int status, std::string body);
  static Response json(int status, std::string body);
  static Response redirect(std::string location, int status = 303);
};

// Decodes %XX and (when plus_as_space) '+' in URL components.
std::string url_decode(std::string_view in, bool plus_as_space);
// Parses "a=1&b=2" into a multimap (values decoded).
std::multimap<std::string, std::string> parse_query(std::string_view in);
// Standard reason phrase for a status code ("Not Found").
std::string_view reason_phrase(int status);

}  // namespace lotse::web
