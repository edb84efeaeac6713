// Server-side HTML: mustache templates (escaping by default) and the German /
// English message catalogues.
//
//   auto views = Views::load("/path/to/web");            // templates + i18n
//   boost::json::object data{{"user", {{"display_name", "Jobcenter Magdeburg"}}}};
//   std::string html = (*views)->render_page("start", data, PageContext{...});
//
// Files: <web_root>/templates/<name>.mustache (partials by the same names, e.g.
// {{> field_error}}), <web_root>/i18n/de.json and en.json (flat objects, keys
// like "signin.title"). Every page is rendered inside templates/layout.mustache.
// Templates reach messages under `t`, with the key's dots replaced by '_':
// "signin.title" is {{t.signin_title}}.
//
// Thread safety: a loaded Views is immutable and safe to share.
#pragma once

#include <boost/json/fwd.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "lotse/common/result.h"

namespace lotse::web {

// What the layout needs besides the page's own data.
struct PageContext {
  std::string lang = "de";        // "de" or "en"
  std::string title_key;          // message key of the <title> and <h1>
  std::string csrf_token;         // for the sign-out form; empty when signed out
  std::string user_display_name;  // empty when signed out
  std::string user_role_label;    // e.g. "Fachkraft"
  std::string current_path;       // for the language switch link
};

class Views {
 public:
  static Result<std::shared_ptr<const Views>> load(const std::string& web_root);

  // Renders templates/<page>.mustache with `data` (+ `t`, `lang`, `ctx`) and
  // wraps the result in templates/layout.mustache.
  std::string render_page(std::string_view page, const boost::json::object& data,
                          const PageContext& ctx) const;
  // A catalogue message; the key itself if missing (never throws).
  std::string message(std::string_view lang, std::string_view key) const;
  // "de" or "en" from ?lang=, the lotse_lang cookie or Accept-Language.
  static std::string pick_language(std::string_view query_lang, std::string_view cookie_lang,
                                   std::string_view accept_language);

  ~Views();
  Views(const Views&) = delete;
  Views& operator=(const Views&) = delete;

 private:
  Views();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lotse::web
