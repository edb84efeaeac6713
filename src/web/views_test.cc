// Views: escaping, catalogues, language choice, and checks over the real
// templates in web/ (catalogue parity, every {{t.x}} defined, CSP-safe
// markup).
#include "lotse/web/views.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lotse::web {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const std::string kWebRoot = std::string(LOTSE_SOURCE_DIR) + "/web";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The keys of i18n/<lang>.json and of the feature files in i18n/<lang>/.
std::set<std::string> catalogue_keys(const std::string& lang) {
  std::vector<fs::path> files{fs::path(kWebRoot) / "i18n" / (lang + ".json")};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(kWebRoot) / "i18n" / lang, ec))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::set<std::string> keys;
  for (const auto& file : files) {
    json::value v = json::parse(read(file));
    for (const auto& [key, value] : v.as_object()) keys.emplace(key);
  }
  return keys;
}

std::map<std::string, std::string> templates() {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::directory_iterator(fs::path(kWebRoot) / "templates")) {
    if (entry.path().extension() == ".mustache") {
      out.emplace(entry.path().stem().string(), read(entry.path()));
    }
  }
  return out;
}

std::shared_ptr<const Views> load() {
  auto views = Views::load(kWebRoot);
  EXPECT_TRUE(views.ok()) << (views.ok() ? "" : views.error().message);
  return views.ok() ? *views : nullptr;
}

// A throwaway web root with a single page template, for exact-output tests.
class TinyWebRoot {
 public:
  explicit TinyWebRoot(const std::string& page_source) {
    root_ =
        fs::temp_directory_path() /
        ("lotse-views-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_ / "templates");
    fs::create_directories(root_ / "i18n");
    write("templates/layout.mustache",
          "<html lang=\"{{lang}}\"><title>{{ctx.title}}</title>{{{body}}}</html>");
    write("templates/error.mustache", "{{heading}}");
    write("templates/page.mustache", page_source);
    write("i18n/de.json",
          R"({"page.signin.title": "Anmelden", "layout.other_lang_label": "English"})");
    write("i18n/en.json",
          R"({"page.signin.title": "Sign in", "layout.other_lang_label": "Deutsch"})");
  }
  ~TinyWebRoot() { fs::remove_all(root_); }
  std::string path() const { return root_.string(); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary) << text;
  }

 private:
  fs::path root_;
};

TEST(ViewsTest, LoadsRealTemplates) {
  ASSERT_NE(load(), nullptr);
}

TEST(ViewsTest, EscapesDataEverywhere) {
  TinyWebRoot root(R"(<p>{{name}}</p><a href="{{url}}">x</a>{{#items}}<i>{{.}}</i>{{/items}})");
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok()) << views.error().message;
  json::object data{{"name", "<script>alert(1)</script>"},
                    {"url", "\"><script>x</script>"},
                    {"items", json::array{"<b>&"}}};
  std::string html = (*views)->render_page("page", data, PageContext{});
  EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"&quot;&gt;&lt;script&gt;"), std::string::npos) << html;
  EXPECT_NE(html.find("<i>&lt;b&gt;&amp;</i>"), std::string::npos) << html;
}

TEST(ViewsTest, EscapesContextFields) {
  auto views = load();
  ASSERT_NE(views, nullptr);
  PageContext ctx;
  ctx.title_key = "page.signin.title";
  ctx.user_display_name = "<img src=x onerror=alert(1)>";
  ctx.user_role_label = "Fachkraft";
  ctx.csrf_token = "\"><script>";
  ctx.current_path = "/start";
  std::string html = views->render_page("error", json::object{{"heading", "x"}}, ctx);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("\"><script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST(ViewsTest, DataCannotInvokePartialsOrShadowCatalogue) {
  // A data value named like a template must stay data, and page data named
  // `t` must not replace the catalogue.
  TinyWebRoot root("{{> error}}|{{t.page_signin_title}}");
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok());
  json::object data{{"error", "{{t.page_signin_title}}"},
                    {"heading", "H"},
                    {"t", json::object{{"page_signin_title", "overridden"}}}};
  std::string html = (*views)->render_page("page", data, PageContext{});
  EXPECT_NE(html.find("H|Anmelden"), std::string::npos) << html;
}

TEST(ViewsTest, ConvertsJsonTypes) {
  TinyWebRoot root(
      "{{n}} {{u}} {{d}} "
      "{{#yes}}Y{{/yes}}{{^no}}N{{/no}}{{^empty}}E{{/empty}}{{^nothing}}Z{{/nothing}}"
      "{{#list}}[{{k}}]{{/list}}{{^none}}-{{/none}}{{obj.inner}}");
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok());
  json::object data{{"n", -42},
                    {"u", std::uint64_t{18446744073709551615ULL}},
                    {"d", 1.5},
                    {"yes", true},
                    {"no", false},
                    {"empty", ""},
                    {"nothing", nullptr},
                    {"list", json::array{json::object{{"k", 1}}, json::object{{"k", "b"}}}},
                    {"none", json::array{}},
                    {"obj", json::object{{"inner", "x"}}}};
  std::string html = (*views)->render_page("page", data, PageContext{});
  EXPECT_NE(html.find("-42 18446744073709551615 1.5 YNEZ[1][b]-x"), std::string::npos) << html;
}

TEST(ViewsTest, LayoutGetsTitleLangAndBody) {
  TinyWebRoot root("<p>body</p>");
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok());
  PageContext ctx;
  ctx.lang = "en";
  ctx.title_key = "page.signin.title";
  EXPECT_EQ((*views)->render_page("page", {}, ctx),
            "<html lang=\"en\"><title>Sign in</title><p>body</p></html>");
}

TEST(ViewsTest, UnknownPageRendersErrorTemplate) {
  TinyWebRoot root("x");
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok());
  std::string html = (*views)->render_page("does_not_exist", {}, PageContext{});
  EXPECT_NE(html.find("error.500.heading"), std::string::npos) << html;
}

TEST(ViewsTest, LanguageSwitchLinkStaysOnSite) {
  auto views = load();
  ASSERT_NE(views, nullptr);
  PageContext ctx;
  ctx.title_key = "page.signin.title";
  ctx.current_path = "/anmelden";
  std::string html = views->render_page("error", json::object{{"heading", "x"}}, ctx);
  EXPECT_NE(html.find("href=\"/anmelden?lang=en\""), std::string::npos);
  ctx.lang = "en";
  html = views->render_page("error", json::object{{"heading", "x"}}, ctx);
  EXPECT_NE(html.find("href=\"/anmelden?lang=de\""), std::string::npos);
  // Protocol-relative and odd paths must not become off-site links.
  ctx.current_path = "//evil.example/x";
  html = views->render_page("error", json::object{{"heading", "x"}}, ctx);
  EXPECT_NE(html.find("href=\"/?lang=de\""), std::string::npos);
  ctx.current_path = "/a b?c#d";
  html = views->render_page("error", json::object{{"heading", "x"}}, ctx);
  EXPECT_NE(html.find("href=\"/a%20b%3Fc%23d?lang=de\""), std::string::npos);
}

TEST(ViewsTest, SignedOutLayoutHasNoSignOutForm) {
  auto views = load();
  ASSERT_NE(views, nullptr);
  PageContext ctx;
  ctx.title_key = "page.signin.title";
  std::string html = views->render_page("error", json::object{{"heading", "x"}}, ctx);
  EXPECT_EQ(html.find("/abmelden"), std::string::npos);
  ctx.user_display_name = "Kim";
  ctx.csrf_token = "tok123";
  html = views->render_page("error", json::object{{"heading", "x"}}, ctx);
  EXPECT_NE(html.find("action=\"/abmelden\""), std::string::npos);
  EXPECT_NE(html.find("name=\"csrf_token\" value=\"tok123\""), std::string::npos);
}

TEST(ViewsTest, SignInShowsErrorsAndTiesThemToFields) {
  auto views = load();
  ASSERT_NE(views, nullptr);
  json::object data{{"username", ""},
                    {"next", "/start"},
                    {"csrf_token", "pre"},
                    {"has_errors", true},
                    {"errors", json::array{json::object{{"field", "username"},
                                                        {"message", "Benutzername fehlt"}}}},
                    {"field_errors", json::object{{"username", "Benutzername fehlt"}}}};
  PageContext ctx;
  ctx.title_key = "page.signin.title";
  std::string html = views->render_page("sign_in", data, ctx);
  EXPECT_NE(html.find("href=\"#username\""), std::string::npos);
  EXPECT_NE(html.find("aria-describedby=\"username-error\""), std::string::npos);
  EXPECT_NE(html.find("id=\"username-error\""), std::string::npos);
  EXPECT_EQ(html.find("password-error"), std::string::npos);
  EXPECT_NE(html.find("autocomplete=\"current-password\""), std::string::npos);
  EXPECT_NE(html.find("name=\"csrf_token\" value=\"pre\""), std::string::npos);
}

TEST(ViewsTest, TwoLoadedViewsKeepTheirOwnTemplates) {
  // Parsed templates are cached per thread; a second Views with the same
  // template names must not see the first one's.
  TinyWebRoot a("A");
  auto first = Views::load(a.path());
  ASSERT_TRUE(first.ok());
  std::string from_a = (*first)->render_page("page", {}, PageContext{});
  TinyWebRoot b("B");
  auto second = Views::load(b.path());
  ASSERT_TRUE(second.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE((*first)->render_page("page", {}, PageContext{}).find(">A<"), std::string::npos);
    EXPECT_NE((*second)->render_page("page", {}, PageContext{}).find(">B<"), std::string::npos);
  }
  EXPECT_NE(from_a.find(">A<"), std::string::npos);
}

TEST(ViewsTest, RendersTheSamePageFromManyThreads) {
  auto views = load();
  ASSERT_NE(views, nullptr);
  json::array alliances;
  for (int i = 0; i < 14; ++i) {
    alliances.push_back(json::object{{"name", "Bündnis " + std::to_string(i)},
                                     {"district_type", "Landkreis"},
                                     {"population_formatted", "1.000"},
                                     {"slug", "b" + std::to_string(i)}});
  }
  json::object data{{"alliances", alliances}, {"signin_url", "/anmelden"}};
  PageContext ctx;
  ctx.title_key = "page.home.title";
  ctx.current_path = "/";
  const std::string expected = views->render_page("public_home", data, ctx);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (views->render_page("public_home", data, ctx) != expected) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(MessageTest, ResolvesAndFallsBackToKey) {
  auto views = load();
  ASSERT_NE(views, nullptr);
  EXPECT_EQ(views->message("de", "page.signin.title"), "Anmelden");
  EXPECT_EQ(views->message("en", "page.signin.title"), "Sign in");
  EXPECT_EQ(views->message("de", "no.such.key"), "no.such.key");
  EXPECT_EQ(views->message("fr", "page.signin.title"), "Anmelden");  // unknown language: German
}

TEST(MessageTest, FeatureCataloguesAddKeysButNeverRedefineOne) {
  TinyWebRoot root("[{{t.conference_title}}]");
  root.write("i18n/de/conference.json", R"({"conference.title": "Fallberatung"})");
  root.write("i18n/en/conference.json", R"({"conference.title": "Case conference"})");
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok()) << views.error().message;
  EXPECT_EQ((*views)->message("en", "conference.title"), "Case conference");
  EXPECT_NE((*views)->render_page("page", {}, PageContext{}).find("[Fallberatung]"),
            std::string::npos);

  root.write("i18n/de/other.json", R"({"page.signin.title": "Einloggen"})");
  auto clash = Views::load(root.path());
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.error().message.find("page.signin.title"), std::string::npos);
}

TEST(MessageTest, MissingTemplateKeyRendersEmpty) {
  TinyWebRoot root("[{{t.not_there}}]");
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok());
  EXPECT_NE((*views)->render_page("page", {}, PageContext{}).find("[]"), std::string::npos);
}

TEST(LanguageTest, QueryWinsThenCookieThenAcceptLanguage) {
  EXPECT_EQ(Views::pick_language("en", "de", "de"), "en");
  EXPECT_EQ(Views::pick_language("", "en", "de"), "en");
  EXPECT_EQ(Views::pick_language("xx", "en", "de"), "en");
  EXPECT_EQ(Views::pick_language("", "", "en-US,en;q=0.9,de;q=0.8"), "en");
  EXPECT_EQ(Views::pick_language("", "", "de-DE,de;q=0.9,en;q=0.8"), "de");
  EXPECT_EQ(Views::pick_language("", "", "fr-FR, en;q=0.5"), "en");
  EXPECT_EQ(Views::pick_language("", "", "en;q=0.3, de;q=0.7"), "de");
  EXPECT_EQ(Views::pick_language("", "", "en;q=0"), "de");
  EXPECT_EQ(Views::pick_language("", "", "fr, *"), "de");
  EXPECT_EQ(Views::pick_language("", "", ""), "de");
  EXPECT_EQ(Views::pick_language("EN", "", ""), "en");
}

TEST(CatalogueTest, GermanAndEnglishHaveTheSameKeys) {
  std::set<std::string> de = catalogue_keys("de");
  std::set<std::string> en = catalogue_keys("en");
  ASSERT_FALSE(de.empty());
  for (const auto& key : de) EXPECT_TRUE(en.contains(key)) << "missing in en.json: " << key;
  for (const auto& key : en) EXPECT_TRUE(de.contains(key)) << "missing in de.json: " << key;
}

TEST(CatalogueTest, EveryTemplateMessageExists) {
  std::set<std::string> known;
  for (std::string key : catalogue_keys("de")) {
    std::replace(key.begin(), key.end(), '.', '_');
    known.insert(key);
  }
  const std::regex t_ref(R"(\{\{\s*[#^/]?\s*t\.([A-Za-z0-9_]+)\s*\}\})");
  int refs = 0;
  for (const auto& [name, source] : templates()) {
    for (std::sregex_iterator it(source.begin(), source.end(), t_ref), end; it != end; ++it) {
      ++refs;
      EXPECT_TRUE(known.contains((*it)[1].str()))
          << name << ".mustache uses t." << (*it)[1].str() << ", not in de.json";
    }
  }
  EXPECT_GT(refs, 50);
}

TEST(TemplateTest, OnlyTheLayoutEmitsUnescapedHtml) {
  const std::regex raw(R"(\{\{\{|\{\{\s*&)");
  for (const auto& [name, source] : templates()) {
    std::string rest = source;
    if (name == "layout") {
      size_t at = rest.find("{{{body}}}");
      ASSERT_NE(at, std::string::npos);
      rest.erase(at, std::string("{{{body}}}").size());
    }
    EXPECT_FALSE(std::regex_search(rest, raw)) << name << ".mustache has unescaped output";
  }
}

TEST(TemplateTest, MarkupFitsTheContentSecurityPolicy) {
  // CSP: script-src 'self'; style-src 'self'. No inline code or styles.
  const std::regex inline_script(R"(<script(?![^>]*\ssrc=)[^>]*>)", std::regex::icase);
  const std::regex handler(R"(\son[a-z]+\s*=)", std::regex::icase);
  const std::regex style(R"(<style|\sstyle\s*=)", std::regex::icase);
  const std::regex js_url(R"(javascript:)", std::regex::icase);
  for (const auto& [name, source] : templates()) {
    EXPECT_FALSE(std::regex_search(source, inline_script)) << name;
    EXPECT_FALSE(std::regex_search(source, handler)) << name;
    EXPECT_FALSE(std::regex_search(source, style)) << name;
    EXPECT_FALSE(std::regex_search(source, js_url)) << name;
  }
}

TEST(TemplateTest, EveryPageHasExactlyOneH1) {
  auto views = load();
  ASSERT_NE(views, nullptr);
  for (const auto& [name, source] : templates()) {
    // Partials, never pages of their own.
    if (name == "layout" || name == "error_summary" || name == "start_partners" ||
        name == "inbox_pager" || name == "inbox_filters" || name == "case_search_form")
      continue;
    json::object data{{"is_admin", true}, {"heading", "x"}};
    std::string html = views->render_page(name, data, PageContext{});
    size_t count = 0;
    for (size_t at = html.find("<h1"); at != std::string::npos; at = html.find("<h1", at + 1))
      ++count;
    EXPECT_EQ(count, 1u) << name;
  }
}

}  // namespace
}  // namespace lotse::web
