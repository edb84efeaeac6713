// Test and benchmark only: the page rendering Views did with kainjow/mustache
// before Template replaced it, kept verbatim as the reference that the new
// engine must match byte for byte (template_test.cc) and beat
// (bench/template_bench.cc).
//
//   auto old_views = reference::KainjowViews::load(web_root);
//   std::string html = old_views->render_page("inbox", data, PageContext{...});
//   std::string part = reference::kainjow_render(source, data);  // one layer, no layout
//
// Not thread-safe (parsed templates are cached per object). Never link this
// into production code: kainjow is included only here.
#pragma once

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "lotse/web/views.h"

namespace lotse::web::reference {

namespace mu = kainjow::mustache;

inline std::string number_text(double d) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  if (ec != std::errc{}) return "0";
  return std::string(buf.data(), end);
}

// JSON -> mustache data. Empty strings and null count as false in sections,
// numbers become their decimal text.
inline mu::data to_mustache(const boost::json::value& v);

inline mu::data to_mustache(const boost::json::object& o) {
  mu::data obj{mu::data::type::object};
  for (const auto& [key, value] : o) obj[std::string(key)] = to_mustache(value);
  return obj;
}

inline mu::data to_mustache(const boost::json::value& v) {
  namespace json = boost::json;
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

inline mu::data text_or_false(const std::string& s) {
  return s.empty() ? mu::data{false} : mu::data{s};
}

using PartialMap = std::map<std::string, mu::data, std::less<>>;

// The old lookup stack: the innermost value that has the whole dotted path
// wins; partials come only from the loaded templates.
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
  std::vector<const mu::data*> stack_;
  mutable std::string key_;
};

// Renders `source` with kainjow, `data` as the only layer, no partials.
// Returns "<p>error</p>" as the old Views did for a template kainjow rejects.
inline std::string kainjow_render(const std::string& source, const boost::json::value& data) {
  PartialMap none;
  mu::data converted = to_mustache(data);
  mu::mustache tmpl{source};
  PageRenderContext context{none};
  context.push(&converted);
  std::ostringstream out;
  tmpl.render(context, out);
  if (!tmpl.is_valid()) return "<p>" + mu::html_escape(tmpl.error_message()) + "</p>";
  return out.str();
}

// The old Views::load + Views::render_page.
class KainjowViews {
 public:
  using Sources = std::map<std::string, std::string, std::less<>>;

  static std::unique_ptr<KainjowViews> load(const std::string& web_root) {
    namespace fs = std::filesystem;
    auto views = std::make_unique<KainjowViews>();
    Sources sources;
    for (const auto& entry : fs::directory_iterator(fs::path(web_root) / "templates")) {
      if (entry.path().extension() == ".mustache") {
        sources.emplace(entry.path().stem().string(), read(entry.path()));
      }
    }
    for (const auto& [name, source] : sources) {
      views->partials_.emplace(name, mu::data{source});
      views->templates_.emplace(name, inline_partials(source, sources));
    }
    for (std::string lang : {"de", "en"}) {
      std::vector<fs::path> files;
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(fs::path(web_root) / "i18n" / lang, ec))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      files.insert(files.begin(), fs::path(web_root) / "i18n" / (lang + ".json"));
      auto& catalogue = views->catalogues_[lang];
      for (const auto& file : files) {
        const boost::json::value parsed = boost::json::parse(read(file));
        for (const auto& [key, value] : parsed.as_object())
          catalogue.emplace(std::string(key), std::string(value.as_string()));
      }
      mu::data t{mu::data::type::object};
      for (const auto& [key, text] : catalogue) {
        std::string k = key;
        std::replace(k.begin(), k.end(), '.', '_');
        t.set(k, mu::data{text});
      }
      mu::data layer{mu::data::type::object};
      layer.set("t", t);
      views->t_layers_.emplace(lang, std::move(layer));
    }
    return views;
  }

  const Sources& templates() const { return templates_; }  // partials inlined

  std::string message(const std::string& lang, const std::string& key) const {
    const auto& catalogue = catalogues_.at(lang);
    auto it = catalogue.find(key);
    return it == catalogue.end() ? key : it->second;
  }

  // As the old render_page; `ctx.lang` must be "de" or "en" and
  // `ctx.current_path` a plain same-origin path (the tests and the benchmark
  // pass such values; the old path sanitising is not part of the engine).
  std::string render_page(std::string_view page, const boost::json::object& data,
                          const PageContext& ctx) const {
    const std::string lang = ctx.lang;
    const std::string other_lang = lang == "de" ? "en" : "de";

    mu::data page_is{mu::data::type::object};
    page_is.set(std::string(page), mu::data{true});

    mu::data c{mu::data::type::object};
    c.set("lang", lang);
    c.set("title", message(lang, ctx.title_key.empty() ? "app.name" : ctx.title_key));
    c.set("csrf_token", text_or_false(ctx.csrf_token));
    c.set("user_display_name", text_or_false(ctx.user_display_name));
    c.set("user_role_label", text_or_false(ctx.user_role_label));
    c.set("current_path", ctx.current_path);
    c.set("signed_in", mu::data{!ctx.user_display_name.empty()});
    c.set("other_lang", other_lang);
    c.set("other_lang_label", message(lang, "layout.other_lang_label"));
    c.set("other_lang_url", ctx.current_path + "?lang=" + other_lang);
    c.set("page", std::string(page));
    c["page_is"] = std::move(page_is);

    mu::data request{mu::data::type::object};
    request.set("lang", lang);
    request["ctx"] = std::move(c);

    const mu::data& t = t_layers_.at(lang);
    mu::data page_data = to_mustache(data);
    std::string body = render(std::string(page), {&page_data, &t, &request});
    request["body"] = mu::data{std::move(body)};
    return render("layout", {&t, &request});
  }

 private:
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }

  static std::string inline_partials(const std::string& source, const Sources& sources,
                                     int depth = 0) {
    static const std::regex kPartial(R"(\{\{>\s*([A-Za-z0-9_]+)\s*\}\})");
    if (depth >= 8) return source;
    std::string out;
    auto last = source.cbegin();
    for (std::sregex_iterator it(source.begin(), source.end(), kPartial), end; it != end; ++it) {
      auto partial = sources.find((*it)[1].str());
      if (partial == sources.end()) continue;
      out.append(last, (*it)[0].first);
      out += inline_partials(partial->second, sources, depth + 1);
      last = (*it)[0].second;
    }
    out.append(last, source.cend());
    return out;
  }

  std::string render(const std::string& name,
                     std::initializer_list<const mu::data*> bottom_to_top) const {
    auto it = parsed_.find(name);
    if (it == parsed_.end()) {
      it = parsed_.emplace(name, std::make_unique<mu::mustache>(templates_.at(name))).first;
    }
    PageRenderContext context{partials_};
    for (const mu::data* layer : bottom_to_top) context.push(layer);
    std::ostringstream out;
    it->second->render(context, out);
    return out.str();
  }

  Sources templates_;
  PartialMap partials_;
  std::map<std::string, std::map<std::string, std::string>> catalogues_;
  std::map<std::string, mu::data> t_layers_;
  mutable std::map<std::string, std::unique_ptr<mu::mustache>> parsed_;
};

}  // namespace lotse::web::reference
