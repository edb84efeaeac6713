// Shared helpers of the HTML page modules (see page_support.h).
#include "web/page_support.h"

#include <cctype>
#include <charconv>

#include "lotse/common/crypto.h"
#include "lotse/common/date.h"

namespace lotse::web::pages {
using domain::DataCategory;

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string value(const Form& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? std::string() : trim(it->second);
}

std::vector<std::string> values(const Form& f, const std::string& key) {
  std::vector<std::string> out;
  for (auto [it, end] = f.equal_range(key); it != end; ++it) out.push_back(it->second);
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

std::optional<std::int64_t> parse_id(const std::string& s) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end != s.data() + s.size() || n <= 0) return std::nullopt;
  return n;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string german_date(const std::string& iso) {
  auto d = Date::parse(iso);
  return d ? d->german() : iso;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = trim(std::string_view(text).substr(start, end - start));
    if (!line.empty()) out.push_back(std::move(line));
    start = end + 1;
  }
  return out;
}

std::string person_name(const domain::CaseRecord& c) {
  if (!c.visible.has(DataCategory::kMasterData)) return "";
  return trim(c.person.given_name + " " + c.person.family_name);
}

std::optional<Caller> signed_in_case_worker(WebContext& web, Request& r, Response& denied) {
  auto s = web.session_of(r);
  if (!s) {
    // After sign-in a POST target cannot be repeated; the case list is the
    // nearest safe place to continue.
    const std::string next = r.method == "GET" ? r.target : "/faelle";
    denied = Response::redirect("/anmelden?next=" + url_encode(next));
    return std::nullopt;
  }
  Caller c{*s, reader_for(s->user, r)};
  if (!privacy::PolicyGate::may_work_on_cases(c.reader)) {
    denied = web.error_page(r, 403);
    return std::nullopt;
  }
  return c;
}

bool csrf_ok(const Caller& c, const Form& form) {
  return secure_equals(c.session.csrf_token, value(form, "csrf_token"));
}

Result<Agencies> alliance_agencies(WebContext& web, const identity::User& u) {
  return web.db.read([&](store::Executor& x) -> Result<Agencies> {
    Agencies out;
    if (!u.alliance_ags.empty()) {
      LOTSE_ASSIGN_OR_RETURN(out.list, organisation::Directory::agencies(x, u.alliance_ags));
    }
    return out;
  });
}

Response render(WebContext& web, const Request& r, int status, std::string_view name,
                json::object data, const std::string& title_key, const Caller& c) {
  data["csrf_token"] = c.session.csrf_token;
  return web.page(r, status, name, data, title_key, c.session);
}

}  // namespace lotse::web::pages
