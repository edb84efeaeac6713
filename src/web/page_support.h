// Internal to the web layer: what the HTML page modules share (form
// parsing, the signed-in case worker, error feedback, rendering with the
// CSRF token).
//
//   Response show(WebContext& web, Request& r) {
//     Response denied;
//     auto c = pages::signed_in_case_worker(web, r, denied);
//     if (!c) return denied;                       // sign-in redirect or 403
//     return pages::render(web, r, 200, "thing", json::object{}, "thing.title", *c);
//   }
//
// POST handlers check pages::csrf_ok(caller, form) first and answer bad
// input with the same page (422), a Feedback summary and the values kept.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/result.h"
#include "lotse/domain/case_record.h"
#include "lotse/identity/auth_service.h"
#include "lotse/organisation/directory.h"
#include "lotse/privacy/policy_gate.h"
#include "lotse/web/http.h"
#include "lotse/web/web_context.h"

namespace lotse::web::pages {
namespace json = boost::json;
using Form = std::multimap<std::string, std::string>;

std::string trim(std::string_view s);
// The trimmed value of a form field ("" when absent); all values of a field.
std::string value(const Form& f, const std::string& key);
std::vector<std::string> values(const Form& f, const std::string& key);
bool contains(const std::vector<std::string>& v, std::string_view s);
// A positive decimal id, or nullopt.
std::optional<std::int64_t> parse_id(const std::string& s);
// For the ?next= of the sign-in redirect: everything but unreserved
// characters and '/' is escaped, so the query of the target survives.
std::string url_encode(std::string_view s);
// "2026-11-21" -> "21.11.2026" (unparseable input is returned as is).
std::string german_date(const std::string& iso);
// Splits a textarea into its non-empty trimmed lines.
std::vector<std::string> lines(const std::string& text);
// "Given Family" when the reader may see master data, else "".
std::string person_name(const domain::CaseRecord& c);

// Errors of a form shown again: the summary entries link to `anchor` (the
// id of the input, or of the first option of a group); `key` names the
// field in the template's `fe` object.
struct Feedback {
  json::array errors;
  json::object fe;
  void add(const std::string& anchor, const std::string& key, const std::string& message) {
    errors.push_back(json::object{{"field", anchor}, {"message", message}});
    if (!fe.contains(key)) fe[key] = message;
  }
  bool empty() const { return errors.empty(); }
};

struct Caller {
  identity::Session session;
  privacy::Reader reader;
  const identity::User& user() const { return session.user; }
};

struct Agencies {
  std::vector<organisation::Agency> list;  // of the caller's alliance
  std::string name(const std::string& key) const {
    for (const auto& a : list)
      if (a.key == key) return a.name;
    return key;
  }
  bool is_jugendamt(const std::string& key) const {
    for (const auto& a : list)
      if (a.key == key) return a.kind == "jugendamt";
    return key.size() > 3 && key.substr(key.size() - 3) == "-ja";
  }
  // The other agencies, as options with `selected`/`checked` marks.
  json::array options(const std::string& own, const std::vector<std::string>& chosen,
                      const std::string& id_prefix) const {
    json::array out;
    for (const auto& a : list) {
      if (a.key == own) continue;
      out.push_back(json::object{{"key", a.key},
                                 {"name", a.name},
                                 {"legal_sphere", a.legal_sphere},
                                 {"id", id_prefix + a.key},
                                 {"selected", contains(chosen, a.key)}});
    }
    return out;
  }
};

// The signed-in case worker, or the answer for everyone else in `denied`: a
// sign-in redirect back to this page, or 403 for other roles.
std::optional<Caller> signed_in_case_worker(WebContext& web, Request& r, Response& denied);
// The form carries the session's CSRF token.
bool csrf_ok(const Caller& c, const Form& form);
// The agencies of the user's alliance.
Result<Agencies> alliance_agencies(WebContext& web, const identity::User& u);
// Renders a page in the layout, with the caller's CSRF token in the data.
Response render(WebContext& web, const Request& r, int status, std::string_view name,
                json::object data, const std::string& title_key, const Caller& c);

}  // namespace lotse::web::pages
