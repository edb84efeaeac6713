// Views: mustache templates and message catalogues.
//
// Templates are compiled once at load into lotse::web::Template (template.h),
// which renders straight from boost::json: page data is read in place, never
// converted or copied. A loaded Views is immutable, so all threads share the
// compiled templates without caches or locks.
//
// How a page is rendered: the context stack holds, from the top,
//   1. {lang, ctx}          built per request from PageContext,
//   2. {t}                  the catalogue of the language, built once at load,
//   3. the page's own data  as the handler passed it.
// Lookups search from the top, so page data can never shadow `t` or `ctx`.
// Partials resolve only against the loaded templates, never against data:
// they are inlined into each page's source before it is compiled, so a data
// value that happens to share a partial's name is never executed as a
// template. Empty strings and null count as false in sections.
#include "lotse/web/views.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "lotse/web/template.h"

namespace lotse::web {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::array<std::string_view, 2> kLanguages = {"de", "en"};
constexpr std::string_view kDefaultLanguage = "de";

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::internal("cannot read " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "de", "DE", "de-AT" -> "de"; anything else -> "".
std::string supported_language(std::string_view tag) {
  std::string primary = ascii_lower(trim(tag.substr(0, tag.find('-'))));
  for (std::string_view lang : kLanguages) {
    if (primary == lang) return primary;
  }
  return {};
}

// Catalogue keys use dots ("signin.title"); mustache treats dots as a path
// separator, so templates see "signin_title".
std::string template_key(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

// Bytes that may stay literal in the path of the language switch link. The
// path arrives percent-decoded, so '?', '#', '%' and the like are re-encoded.
bool path_char_ok(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("/-._~!$()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos;
}

// A same-origin path for links built from the request. "//host" and
// "/\host" would leave the site, so they fall back to "/".
std::string local_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return "/";
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return "/";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    if (path_char_ok(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

using Catalogue = std::map<std::string, std::string, std::less<>>;
using Sources = std::map<std::string, std::string, std::less<>>;

// Replaces {{> name}} with the partial's source (recursively), so that a page
// is one compiled template and partials can only come from template files.
// Unknown partials stay and render as nothing. Nesting deeper than a fixed
// depth (a partial including itself) is refused at load.
Result<std::string> inline_partials(const std::string& source, const Sources& sources,
                                    int depth = 0) {
  static const std::regex kPartial(R"(\{\{>\s*([A-Za-z0-9_]+)\s*\}\})");
  std::string out;
  auto last = source.cbegin();
  for (std::sregex_iterator it(source.begin(), source.end(), kPartial), end; it != end; ++it) {
    auto partial = sources.find((*it)[1].str());
    if (partial == sources.end()) continue;  // unknown partials render as nothing
    if (depth >= 8) return Error::internal("partial " + partial->first + " nested too deeply");
    out.append(last, (*it)[0].first);
    LOTSE_ASSIGN_OR_RETURN(std::string inner, inline_partials(partial->second, sources, depth + 1));
    out += inner;
    last = (*it)[0].second;
  }
  out.append(last, source.cend());
  return out;
}

Result<Catalogue> load_catalogue(const fs::path& path) {
  LOTSE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  std::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return Error::internal(path.string() + ": " + ec.message());
  if (!parsed.is_object()) return Error::internal(path.string() + ": not a JSON object");
  Catalogue out;
  for (const auto& [key, value] : parsed.get_object()) {
    if (!value.is_string()) {
      return Error::internal(path.string() + ": value of \"" + std::string(key) +
                             "\" is not a string");
    }
    out.emplace(std::string(key), std::string(value.get_string()));
  }
  return out;
}

}  // namespace

struct Views::Impl {
  std::map<std::string, Template, std::less<>> templates;    // name -> compiled, partials inlined
  std::map<std::string, Catalogue, std::less<>> catalogues;  // lang -> messages
  std::map<std::string, json::value, std::less<>> t_layers;  // lang -> {t: {...}}

  const Catalogue& catalogue(std::string_view lang) const {
    auto it = catalogues.find(lang);
    if (it == catalogues.end()) it = catalogues.find(kDefaultLanguage);
    return it->second;
  }
  const json::value& t_layer(std::string_view lang) const {
    auto it = t_layers.find(lang);
    if (it == t_layers.end()) it = t_layers.find(kDefaultLanguage);
    return it->second;
  }
};

Views::Views() : impl_(std::make_unique<Impl>()) {}
Views::~Views() = default;

Result<std::shared_ptr<const Views>> Views::load(const std::string& web_root) {
  std::shared_ptr<Views> views(new Views());
  Impl& impl = *views->impl_;

  const fs::path template_dir = fs::path(web_root) / "templates";
  std::error_code ec;
  fs::directory_iterator it(template_dir, ec);
  if (ec) return Error::internal("cannot list " + template_dir.string() + ": " + ec.message());
  Sources sources;
  for (const fs::directory_entry& entry : it) {
    const fs::path& path = entry.path();
    if (!entry.is_regular_file() || path.extension() != ".mustache") continue;
    LOTSE_ASSIGN_OR_RETURN(std::string source, read_file(path));
    sources.emplace(path.stem().string(), std::move(source));
  }
  for (const auto& [name, source] : sources) {
    // A broken template stops the server at start-up rather than failing on
    // the first request that needs it. Line numbers count in the page with
    // its partials inlined.
    const std::string file = (template_dir / (name + ".mustache")).string();
    auto expanded = inline_partials(source, sources);
    if (!expanded) return Error::internal(file + ": " + expanded.error().message);
    auto compiled = Template::compile(*expanded);
    if (!compiled) return Error::internal(file + ": " + compiled.error().message);
    impl.templates.emplace(name, std::move(*compiled));
  }
  for (std::string_view required : {"layout", "error"}) {
    if (!impl.templates.contains(required)) {
      return Error::internal("missing template " + std::string(required) + ".mustache in " +
                             template_dir.string());
    }
  }

  for (std::string_view lang : kLanguages) {
    // i18n/<lang>.json plus one file per feature in i18n/<lang>/ (sorted);
    // a key defined twice is an error, so features cannot override each other.
    const fs::path i18n = fs::path(web_root) / "i18n";
    LOTSE_ASSIGN_OR_RETURN(Catalogue catalogue, load_catalogue(i18n / (std::string(lang) + ".json")));
    std::vector<fs::path> parts;
    std::error_code dir_ec;
    for (const auto& entry : fs::directory_iterator(i18n / std::string(lang), dir_ec))
      if (entry.path().extension() == ".json") parts.push_back(entry.path());
    std::sort(parts.begin(), parts.end());
    for (const auto& part : parts) {
      LOTSE_ASSIGN_OR_RETURN(Catalogue more, load_catalogue(part));
      for (auto& [key, text] : more) {
        if (!catalogue.emplace(key, std::move(text)).second)
          return Error::internal(part.string() + ": key \"" + key + "\" is defined twice");
      }
    }
    json::object t;
    t.reserve(catalogue.size());
    for (const auto& [key, text] : catalogue) t[template_key(key)] = text;
    json::object layer;
    layer["t"] = std::move(t);
    impl.t_layers.emplace(std::string(lang), json::value(std::move(layer)));
    impl.catalogues.emplace(std::string(lang), std::move(catalogue));
  }
  return std::shared_ptr<const Views>(std::move(views));
}

std::string Views::render_page(std::string_view page, const boost::json::object& data,
                               const PageContext& ctx) const {
  std::string lang = supported_language(ctx.lang);
  if (lang.empty()) lang = kDefaultLanguage;
  const std::string other_lang = lang == "de" ? "en" : "de";
  const std::string path = local_path(ctx.current_path);

  // The per-request layer lives in one arena: a few small strings, freed at
  // once when the page is done. Empty strings stay empty (falsy), so the
  // layout's {{#ctx.csrf_token}} and the like work as for page data.
  std::array<unsigned char, 4096> arena;
  json::monotonic_resource resource(arena.data(), arena.size());
  json::object request(&resource);
  request["lang"] = lang;
  json::object& c = request["ctx"].emplace_object();
  c["lang"] = lang;
  c["title"] = message(lang, ctx.title_key.empty() ? "app.name" : ctx.title_key);
  c["csrf_token"] = ctx.csrf_token;
  c["user_display_name"] = ctx.user_display_name;
  c["user_role_label"] = ctx.user_role_label;
  c["current_path"] = path;
  c["signed_in"] = !ctx.user_display_name.empty();
  c["other_lang"] = other_lang;
  c["other_lang_label"] = message(lang, "layout.other_lang_label");
  c["other_lang_url"] = path + "?lang=" + other_lang;
  c["page"] = page;
  c["page_is"].emplace_object()[page] = true;

  const json::value& t = impl_->t_layer(lang);

  // Pages are tens of kB; growing the string by doubling from empty would
  // copy the body several times.
  std::string body;
  body.reserve(32 * 1024);
  auto tmpl = impl_->templates.find(page);
  if (tmpl != impl_->templates.end()) {
    tmpl->second.render({&data, &t, &request}, body);
  } else {
    // A handler asked for a page that does not exist: a bug, shown as a 500
    // rather than an empty page.
    json::object err{{"status", 500},
                     {"heading", message(lang, "error.500.heading")},
                     {"message", message(lang, "error.500.message")},
                     {"home_url", "/"}};
    impl_->templates.at("error").render({&err, &t, &request}, body);
  }
  // The layout only prints the body ({{{body}}}); as a section it would be
  // false when empty, which the previous engine did not do.
  request["body"] = body;

  std::string html;
  html.reserve(body.size() + 8192);
  impl_->templates.at("layout").render({&t, &request}, html);
  return html;
}

std::string Views::message(std::string_view lang, std::string_view key) const {
  const Catalogue& catalogue = impl_->catalogue(lang);
  auto it = catalogue.find(key);
  return it == catalogue.end() ? std::string(key) : it->second;
}

std::string Views::pick_language(std::string_view query_lang, std::string_view cookie_lang,
                                 std::string_view accept_language) {
  if (std::string lang = supported_language(query_lang); !lang.empty()) return lang;
  if (std::string lang = supported_language(cookie_lang); !lang.empty()) return lang;

  // Accept-Language: "en-US,en;q=0.9,de;q=0.8". The supported language with
  // the highest weight wins; on a tie the one listed first.
  std::string best;
  double best_q = 0.0;
  std::string_view rest = accept_language;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);

    size_t semi = item.find(';');
    std::string lang = supported_language(item.substr(0, semi));
    if (lang.empty()) continue;
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string_view params = trim(item.substr(semi + 1));
      if (params.starts_with("q=") || params.starts_with("Q=")) {
        std::string_view num = trim(params.substr(2));
        double parsed = 0.0;
        auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), parsed);
        q = ec == std::errc{} ? parsed : 0.0;
      }
    }
    if (q > best_q) {
      best_q = q;
      best = std::move(lang);
    }
  }
  return best.empty() ? std::string(kDefaultLanguage) : best;
}

}  // namespace lotse::web
