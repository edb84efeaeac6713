#include "lotse/web/http.h"

#include <arpa/inet.h>

#include <algorithm>

namespace lotse::web {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned char ca = static_cast<unsigned char>(a[i]);
    unsigned char cb = static_cast<unsigned char>(b[i]);
    if (ca >= 'A' && ca <= 'Z') ca = static_cast<unsigned char>(ca + ('a' - 'A'));
    if (cb >= 'A' && cb <= 'Z') cb = static_cast<unsigned char>(cb + ('a' - 'A'));
    if (ca != cb) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> Request::header(const std::string& name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::query_param(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  auto it = headers.find("Cookie");
  if (it == headers.end() || name.empty()) return std::nullopt;
  std::string_view rest = it->second;
  // RFC 6265 separates pairs with "; "; be lenient about the spaces.
  while (!rest.empty()) {
    std::size_t semi = rest.find(';');
    std::string_view pair = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::multimap<std::string, std::string> Request::form() const {
  auto it = headers.find("Content-Type");
  if (it != headers.end()) {
    std::string_view type = it->second;
    type = trim(type.substr(0, type.find(';')));
    if (!iequals(type, "application/x-www-form-urlencoded")) return {};
  }
  return parse_query(body);
}

void Response::set_header(std::string name, std::string value) {
  auto first = std::find_if(headers.begin(), headers.end(),
                            [&](const auto& h) { return iequals(h.first, name); });
  if (first == headers.end()) {
    headers.emplace_back(std::move(name), std::move(value));
    return;
  }
  first->second = std::move(value);
  headers.erase(std::remove_if(std::next(first), headers.end(),
                               [&](const auto& h) { return iequals(h.first, first->first); }),
                headers.end());
}

void Response::add_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

namespace {

Response typed(int status, const char* content_type, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace

Response Response::text(int status, std::string body) {
  return typed(status, "text/plain; charset=utf-8", std::move(body));
}

Response Response::html(int status, std::string body) {
  return typed(status, "text/html; charset=utf-8", std::move(body));
}

Response Response::json(int status, std::string body) {
  return typed(status, "application/json; charset=utf-8", std::move(body));
}

Response Response::redirect(std::string location, int status) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

std::string url_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::multimap<std::string, std::string> parse_query(std::string_view in) {
  std::multimap<std::string, std::string> out;
  while (!in.empty()) {
    std::size_t amp = in.find('&');
    std::string_view piece = in.substr(0, amp);
    in = amp == std::string_view::npos ? std::string_view{} : in.substr(amp + 1);
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      out.emplace(url_decode(piece, true), std::string());
    } else {
      out.emplace(url_decode(piece.substr(0, eq), true), url_decode(piece.substr(eq + 1), true));
    }
  }
  return out;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::optional<std::string> canonical_ip(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return std::nullopt;  // INET6_ADDRSTRLEN - 1
  const std::string in(text);
  char out[INET6_ADDRSTRLEN] = {};
  unsigned char v4[4];
  if (inet_pton(AF_INET, in.c_str(), v4) == 1)
    return inet_ntop(AF_INET, v4, out, sizeof out) ? std::optional<std::string>(out) : std::nullopt;
  unsigned char v6[16];
  if (inet_pton(AF_INET6, in.c_str(), v6) != 1) return std::nullopt;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(std::begin(kMapped), std::end(kMapped), v6))
    return inet_ntop(AF_INET, v6 + 12, out, sizeof out) ? std::optional<std::string>(out)
                                                        : std::nullopt;
  return inet_ntop(AF_INET6, v6, out, sizeof out) ? std::optional<std::string>(out) : std::nullopt;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
  const std::string direct = canonical_ip(peer).value_or(std::string(peer));
  auto trusted = [&](const std::string& a) {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), a) != trusted_proxies.end();
  };
  if (trusted_proxies.empty() || !trusted(direct)) return direct;
  std::vector<std::string_view> entries;
  for (std::size_t from = 0; from <= forwarded_for.size();) {
    std::size_t comma = forwarded_for.find(',', from);
    if (comma == std::string_view::npos) comma = forwarded_for.size();
    if (auto e = trim(forwarded_for.substr(from, comma - from)); !e.empty()) entries.push_back(e);
    from = comma + 1;
  }
  if (entries.empty()) return direct;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto ip = canonical_ip(*it);
    if (!ip) return direct;
    if (!trusted(*ip)) return *ip;
  }
  return canonical_ip(entries.front()).value_or(direct);
}

}  // namespace lotse::web
