// Views: mustache templates and message catalogues.
//
// kainjow/mustache.hpp is a heavy header-only library; it is included here
// and nowhere else so that handlers compile fast.
//
// How a page is rendered: the context stack holds, from the top,
//   1. {lang, ctx}          built per request from PageContext,
//   2. {t}                  the catalogue of the language, built once at load,
//   3. the page's own data  converted from boost::json.
// Lookups search from the top, so page data can never shadow `t` or `ctx`.
// Partials resolve only against the loaded templates, never against data: a
// data value that happens to share a partial's name is not executed as a
// template. Empty strings and null in page data count as false in sections.
//
// Cost: partials are inlined at load and each thread parses a template once,
// so a render is a tree walk (about 50 us for the public home page).
#include "lotse/web/views.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace lotse::web {
namespace {

namespace mu = kainjow::mustache;
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

std::string number_text(double d) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  if (ec != std::errc{}) return "0";
  return std::string(buf.data(), end);
}

// JSON -> mustache data. Empty strings and null count as false in sections,
// as in mustache.js, so `{{#notice}}` hides an alert whose text is "".
// Numbers become their decimal text.
mu::data to_mustache(const json::value& v);

mu::data to_mustache(const json::object& o) {
  mu::data obj{mu::data::type::object};
  // Moved in, not set(): set() deep-copies the whole subtree.
  for (const auto& [key, value] : o) obj[std::string(key)] = to_mustache(value);
  return obj;
}

mu::data to_mustache(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      return to_mustache(v.get_object());
    case json::kind::array: {
      mu::list items;
      items.reserve(v.get_array().size());
      for (const auto& item : v.get_array()) items.push_back(to_mustache(item));
      return mu::data{items};
    }
    case json::kind::string: {
      const json::string& s = v.get_string();
      if (s.empty()) return mu::data{false};
      return mu::data{std::string(s)};
    }
    case json::kind::bool_:
      return mu::data{v.get_bool()};
    case json::kind::int64:
      return mu::data{std::to_string(v.get_int64())};
    case json::kind::uint64:
      return mu::data{std::to_string(v.get_uint64())};
    case json::kind::double_:
      return mu::data{number_text(v.get_double())};
    case json::kind::null:
      break;
  }
  return mu::data{false};
}

// Strings the layout tests with sections ({{#ctx.csrf_token}}) follow the
// same rule as page data: empty is false.
mu::data text_or_false(const std::string& s) {
  return s.empty() ? mu::data{false} : mu::data{s};
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

using PartialMap = std::map<std::string, mu::data, std::less<>>;

// The lookup stack of one render. Same rules as kainjow's own context (the
// innermost value that has the whole dotted path wins), with two changes:
// partials come only from the loaded templates, never from data, and dotted
// names are split without a stringstream per lookup, which dominated render
// time with the many {{t.x}} references.
class PageRenderContext final : public mu::basic_context<std::string> {
 public:
  explicit PageRenderContext(const PartialMap& partials) : partials_(partials) {
    stack_.reserve(8);
  }

  void push(const mu::data* data) override { stack_.push_back(data); }
  void pop() override { stack_.pop_back(); }

  const mu::data* get(const std::string& name) const override {
    if (name == ".") return stack_.back();
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      const mu::data* var = *it;
      std::string_view rest = name;
      while (var != nullptr) {
        size_t dot = rest.find('.');
        key_.assign(rest.substr(0, dot));
        var = var->get(key_);
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
      }
      if (var != nullptr) return var;
    }
    return nullptr;
  }

  const mu::data* get_partial(const std::string& name) const override {
    auto it = partials_.find(name);
    return it == partials_.end() ? nullptr : &it->second;
  }

 private:
  const PartialMap& partials_;
  std::vector<const mu::data*> stack_;  // innermost last
  mutable std::string key_;             // reused buffer for one path segment
};

using Catalogue = std::map<std::string, std::string, std::less<>>;
using Sources = std::map<std::string, std::string, std::less<>>;

// Replaces {{> name}} with the partial's source, so that a page is parsed
// once instead of re-parsing each partial wherever it is used (kainjow
// parses partials on every render). Nesting stops at a fixed depth; deeper
// tags stay and are resolved at render time.
std::string inline_partials(const std::string& source, const Sources& sources, int depth = 0) {
  static const std::regex kPartial(R"(\{\{>\s*([A-Za-z0-9_]+)\s*\}\})");
  if (depth >= 8) return source;
  std::string out;
  auto last = source.cbegin();
  for (std::sregex_iterator it(source.begin(), source.end(), kPartial), end; it != end; ++it) {
    auto partial = sources.find((*it)[1].str());
    if (partial == sources.end()) continue;  // unknown partials render as nothing
    out.append(last, (*it)[0].first);
    out += inline_partials(partial->second, sources, depth + 1);
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

// Tells the per-thread template caches of different Views apart.
std::atomic<std::uint64_t> next_generation{1};

}  // namespace

struct Views::Impl {
  std::uint64_t generation = next_generation++;
  Sources templates;                                         // name -> source with partials inlined
  PartialMap partials;                                       // name -> source as data
  std::map<std::string, Catalogue, std::less<>> catalogues;  // lang -> messages
  std::map<std::string, mu::data, std::less<>> t_layers;     // lang -> {t: {...}}

  const Catalogue& catalogue(std::string_view lang) const {
    auto it = catalogues.find(lang);
    if (it == catalogues.end()) it = catalogues.find(kDefaultLanguage);
    return it->second;
  }
  const mu::data& t_layer(std::string_view lang) const {
    auto it = t_layers.find(lang);
    if (it == t_layers.end()) it = t_layers.find(kDefaultLanguage);
    return it->second;
  }

  // Renders one template. kainjow's renderer is not const, so parsed
  // templates are never shared between threads: each thread parses each
  // template once and keeps it for the Views it last used.
  std::string render(const std::string& name,
                     std::initializer_list<const mu::data*> bottom_to_top) const {
    thread_local std::uint64_t cached_generation = 0;
    thread_local std::map<std::string, std::unique_ptr<mu::mustache>, std::less<>> cache;
    if (cached_generation != generation) {
      cache.clear();
      cached_generation = generation;
    }
    auto it = cache.find(name);
    if (it == cache.end()) {
      it = cache.emplace(name, std::make_unique<mu::mustache>(templates.at(name))).first;
    }
    mu::mustache& tmpl = *it->second;

    PageRenderContext context{partials};
    for (const mu::data* layer : bottom_to_top) context.push(layer);
    std::ostringstream out;
    tmpl.render(context, out);
    if (!tmpl.is_valid()) {
      std::string error = tmpl.error_message();
      cache.erase(it);  // the error sticks to the parsed object
      return "<p>" + mu::html_escape(error) + "</p>";
    }
    return out.str();
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
    std::string expanded = inline_partials(source, sources);
    // Parse once here so a broken template stops the server at start-up
    // rather than on the first request that needs it.
    mu::mustache parsed{expanded};
    if (!parsed.is_valid()) {
      return Error::internal((template_dir / (name + ".mustache")).string() + ": " +
                             parsed.error_message());
    }
    impl.partials.emplace(name, mu::data{source});
    impl.templates.emplace(name, std::move(expanded));
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
    mu::data t{mu::data::type::object};
    for (const auto& [key, text] : catalogue) t.set(template_key(key), mu::data{text});
    mu::data layer{mu::data::type::object};
    layer.set("t", t);
    impl.t_layers.emplace(std::string(lang), std::move(layer));
    impl.catalogues.emplace(std::string(lang), std::move(catalogue));
  }
  return std::shared_ptr<const Views>(std::move(views));
}

std::string Views::render_page(std::string_view page, const boost::json::object& data,
                               const PageContext& ctx) const {
  std::string lang = supported_language(ctx.lang);
  if (lang.empty()) lang = kDefaultLanguage;
  const std::string other_lang = lang == "de" ? "en" : "de";

  mu::data page_is{mu::data::type::object};
  page_is.set(std::string(page), mu::data{true});

  mu::data c{mu::data::type::object};
  c.set("lang", lang);
  c.set("title", message(lang, ctx.title_key.empty() ? "app.name" : ctx.title_key));
  c.set("csrf_token", text_or_false(ctx.csrf_token));
  c.set("user_display_name", text_or_false(ctx.user_display_name));
  c.set("user_role_label", text_or_false(ctx.user_role_label));
  c.set("current_path", local_path(ctx.current_path));
  c.set("signed_in", mu::data{!ctx.user_display_name.empty()});
  c.set("other_lang", other_lang);
  c.set("other_lang_label", message(lang, "layout.other_lang_label"));
  c.set("other_lang_url", local_path(ctx.current_path) + "?lang=" + other_lang);
  c.set("page", std::string(page));
  c["page_is"] = std::move(page_is);

  mu::data request{mu::data::type::object};
  request.set("lang", lang);
  request["ctx"] = std::move(c);

  const mu::data& t = impl_->t_layer(lang);

  std::string body;
  auto tmpl = impl_->templates.find(page);
  if (tmpl != impl_->templates.end()) {
    mu::data page_data = to_mustache(data);
    body = impl_->render(tmpl->first, {&page_data, &t, &request});
  } else {
    // A handler asked for a page that does not exist: a bug, shown as a 500
    // rather than an empty page.
    json::object err{{"status", 500},
                     {"heading", message(lang, "error.500.heading")},
                     {"message", message(lang, "error.500.message")},
                     {"home_url", "/"}};
    mu::data page_data = to_mustache(err);
    body = impl_->render("error", {&page_data, &t, &request});
  }

  request["body"] = mu::data{std::move(body)};
  return impl_->render("layout", {&t, &request});
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
