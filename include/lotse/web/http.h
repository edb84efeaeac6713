// Plain HTTP request/response values shared by the server, router and
// handlers. No Boost.Beast here on purpose: only http_server.cc includes Beast,
// so handlers compile fast.
//
//   Response r = Response::html(200, "<p>Hallo</p>");
//   r.set_header("Cache-Control", "no-store");
//   r.add_header("Set-Cookie", "lotse_lang=de; Path=/; SameSite=Lax");
//   auto page = request.query_param("page").value_or("1");
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lotse::web {

// Case-insensitive header names (ASCII only, as header names are tokens).
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

// Inline on purpose: it runs on every header lookup, and tests/support can use
// Headers without linking the web layer.
inline bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char ca = static_cast<unsigned char>(a[i]);
    unsigned char cb = static_cast<unsigned char>(b[i]);
    if (ca >= 'A' && ca <= 'Z') ca = static_cast<unsigned char>(ca + ('a' - 'A'));
    if (cb >= 'A' && cb <= 'Z') cb = static_cast<unsigned char>(cb + ('a' - 'A'));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/api/v1/me?x=1"
  std::string path;    // percent-decoded path without query, e.g. "/api/v1/me"
  std::multimap<std::string, std::string> query;  // decoded query parameters
  Headers headers;
  std::string body;
  std::string remote_address;                      // client IP as text
  std::string request_id;                          // assigned by the server, echoed as X-Request-Id
  std::map<std::string, std::string> path_params;  // filled by the router

  std::optional<std::string> header(const std::string& name) const;
  std::optional<std::string> query_param(const std::string& name) const;
  // Value of a cookie from the Cookie header.
  std::optional<std::string> cookie(std::string_view name) const;
  // Parses an application/x-www-form-urlencoded body. Empty when the request
  // declares another Content-Type, so a JSON or multipart body is never
  // misread as form fields.
  std::multimap<std::string, std::string> form() const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Replaces every header of that name (case-insensitive).
  void set_header(std::string name, std::string value);
  // Appends without replacing: for headers that may repeat, like Set-Cookie.
  void add_header(std::string name, std::string value);
  // First value of that header (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;

  static Response text(int status, std::string body);
  static Response html(int status, std::string body);
  static Response json(int status, std::string body);
  static Response redirect(std::string location, int status = 303);
};

// Decodes %XX and (when plus_as_space) '+' in URL components. Invalid escapes
// ("%zz", a trailing "%4") are kept literally, as browsers do.
std::string url_decode(std::string_view in, bool plus_as_space);
// Parses "a=1&b=2" into a multimap (names and values decoded, '+' as space).
// A piece without '=' is a name with an empty value; empty pieces are skipped.
std::multimap<std::string, std::string> parse_query(std::string_view in);
// Standard reason phrase for a status code ("Not Found"); "Unknown" otherwise.
std::string_view reason_phrase(int status);

// Canonical text of an IP address: IPv6 compressed in lower case, an
// IPv4-mapped IPv6 address as IPv4 ("::ffff:192.0.2.1" -> "192.0.2.1"),
// brackets removed ("[::1]" -> "::1"); nullopt when it is no address.
std::optional<std::string> canonical_ip(std::string_view text);

// The client's address when TLS ends at reverse proxies. `peer` is the TCP
// peer; `forwarded_for` the X-Forwarded-For list (repeated headers joined by
// commas). Only a peer in `trusted_proxies` (canonical addresses) is
// believed: then the client is the right-most entry that is not itself a
// trusted proxy, because each proxy appends the address it saw and anything
// further left was written by the client and may be forged. From any other
// peer the header is ignored, so nobody can choose the address that rate
// limits and throttling count. An unusable entry where the client should be
// makes the answer the peer (all such clients then share one limit, which
// errs on the safe side); when every entry is a trusted proxy, the left-most.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

}  // namespace lotse::web
