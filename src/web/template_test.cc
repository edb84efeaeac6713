// Template: each construct on its own, then parity with kainjow/mustache (the
// engine it replaced) over every template in web/templates with generated
// data, both template by template and as whole pages through Views.
#include "lotse/web/template.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "lotse/web/views.h"
#include "web/kainjow_reference.h"

namespace lotse::web {
namespace {

namespace json = boost::json;

const std::string kWebRoot = std::string(LOTSE_SOURCE_DIR) + "/web";

std::string render(std::string_view source, const Template::Stack& stack) {
  auto tmpl = Template::compile(source);
  EXPECT_TRUE(tmpl.ok()) << (tmpl.ok() ? "" : tmpl.error().message);
  if (!tmpl.ok()) return "<compile error>";
  std::string out;
  tmpl->render(stack, out);
  return out;
}

// Renders with the new engine, checks kainjow agrees, returns the output.
std::string render_both(const std::string& source, const json::value& data) {
  std::string ours = render(source, {&data});
  EXPECT_EQ(ours, reference::kainjow_render(source, data)) << "template: " << source;
  return ours;
}

json::value parse(std::string_view text) {
  return json::parse(text);
}

// --- constructs -----------------------------------------------------------

TEST(TemplateUnitTest, EscapesLikeKainjow) {
  json::value data = parse(R"({"x": "<a href=\"x\">Tom & Jerry's</a>"})");
  EXPECT_EQ(render_both("{{x}}", data),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
  EXPECT_EQ(render_both("{{ x }}", data), render_both("{{x}}", data));
  EXPECT_EQ(render_both("{{{x}}}", data), "<a href=\"x\">Tom & Jerry's</a>");
  EXPECT_EQ(render_both("{{& x}}", data), "<a href=\"x\">Tom & Jerry's</a>");
  EXPECT_EQ(render_both("{{y}}", parse(R"({"y": "Grüße / ok"})")), "Grüße / ok");
}

TEST(TemplateUnitTest, ScalarsRenderAsKainjowSawThem) {
  json::value data = {{"i", -42},
                      {"u", std::numeric_limits<std::uint64_t>::max()},
                      {"d", 1.5},
                      {"big", 1e21},
                      {"yes", true},
                      {"no", false},
                      {"nil", nullptr},
                      {"obj", {{"a", 1}}},
                      {"arr", json::array{"a", "b"}},
                      {"empty", ""}};
  EXPECT_EQ(render_both("{{i}}|{{u}}|{{d}}|{{big}}", data), "-42|18446744073709551615|1.5|1e+21");
  // Booleans, null, objects and arrays print nothing.
  EXPECT_EQ(render_both("[{{yes}}{{no}}{{nil}}{{obj}}{{arr}}{{empty}}{{missing}}]", data), "[]");
}

TEST(TemplateUnitTest, FalsyAndTruthySections) {
  json::value data = parse(R"({"f": false, "n": null, "e": "", "a": [], "zero": 0, "o": {},
                               "s": "0", "t": true, "blank": " "})");
  EXPECT_EQ(
      render_both("{{#f}}1{{/f}}{{#n}}2{{/n}}{{#e}}3{{/e}}{{#a}}4{{/a}}{{#missing}}5{{/missing}}",
                  data),
      "");
  EXPECT_EQ(
      render_both("{{^f}}1{{/f}}{{^n}}2{{/n}}{{^e}}3{{/e}}{{^a}}4{{/a}}{{^missing}}5{{/missing}}",
                  data),
      "12345");
  EXPECT_EQ(
      render_both("{{#zero}}1{{/zero}}{{#o}}2{{/o}}{{#s}}3{{/s}}{{#t}}4{{/t}}{{#blank}}5{{/blank}}",
                  data),
      "12345");
  EXPECT_EQ(render_both("{{^zero}}1{{/zero}}{{^o}}2{{/o}}{{^s}}3{{/s}}{{^t}}4{{/t}}", data), "");
}

TEST(TemplateUnitTest, ListsIterateAndValuesArePushed) {
  json::value data = parse(R"({"items": [{"name": "a"}, {"name": "b&c"}, {}],
                               "name": "outer", "words": ["x", "", null, 3, true],
                               "person": {"name": "P", "age": 40}, "s": "str"})");
  EXPECT_EQ(render_both("{{#items}}<{{name}}>{{/items}}", data), "<a><b&amp;c><outer>");
  EXPECT_EQ(render_both("{{#words}}[{{.}}]{{/words}}", data), "[x][][][3][]");
  EXPECT_EQ(render_both("{{#person}}{{name}} {{age}}{{/person}}", data), "P 40");
  EXPECT_EQ(render_both("{{#s}}{{.}}{{/s}}", data), "str");
  EXPECT_EQ(render_both("{{#person}}{{#s}}{{name}}{{/s}}{{/person}}", data), "P");
}

TEST(TemplateUnitTest, InnermostLayerWithTheWholePathWins) {
  json::value outer = parse(R"({"a": {"b": "outer-b", "c": "outer-c"}})");
  json::value inner = parse(R"({"a": {"c": "inner-c"}})");
  // `inner` holds a.c but only a prefix of a.b: the search goes on to `outer`.
  EXPECT_EQ(render("{{a.b}}|{{a.c}}", {&outer, &inner}), "outer-b|inner-c");
  // A null value holds its name: it shadows outer layers.
  json::value shadow = parse(R"({"a": {"c": null}})");
  EXPECT_EQ(render("[{{a.c}}]", {&outer, &shadow}), "[]");
  json::value deep = parse(R"({"x": {"y": {"z": "deep"}}, "list": [{"x": {"y": {}}}]})");
  EXPECT_EQ(render_both("{{x.y.z}}|{{#list}}{{x.y.z}}{{/list}}|{{x.q}}", deep), "deep|deep|");
  // Inside a section the pushed value is searched first.
  EXPECT_EQ(render_both("{{#a}}{{c}}{{/a}}", outer), "outer-c");
}

TEST(TemplateUnitTest, BareObjectLayers) {
  json::object page{{"x", "page"}, {"only", "page-only"}};
  json::value top = parse(R"({"x": "top"})");
  EXPECT_EQ(render("{{x}} {{only}} [{{.}}]", {&page, &top}), "top page-only []");
  EXPECT_EQ(render("{{#.}}yes{{/.}}", {&page}), "yes");
}

TEST(TemplateUnitTest, CommentsAndUnknownPartialsRenderNothing) {
  json::value data = parse(R"({"x": "1"})");
  EXPECT_EQ(render_both("a{{! a comment with {braces} }}b{{> nowhere}}c{{x}}", data), "abc1");
}

TEST(TemplateUnitTest, StandaloneSectionLinesDisappear) {
  json::value data = parse(R"({"on": true, "off": false, "list": [1, 2], "blank": "  ",
                               "empty": ""})");
  EXPECT_EQ(render_both("<ul>\n  {{#on}}\n  <li>x</li>\n  {{/on}}\n</ul>\n", data),
            "<ul>\n  <li>x</li>\n</ul>\n");
  EXPECT_EQ(render_both("{{#list}}\n- {{.}}\n{{/list}}\n", data), "- 1\n- 2\n");
  // kainjow, unlike the spec: a skipped section does not mark its line, so
  // the opening line's indent and the closing line's break remain.
  EXPECT_EQ(render_both("a\n  {{#off}}\nx\n{{/off}}\nb\n", data), "a\n  \nb\n");
  EXPECT_EQ(render_both("a\n  {{^on}}\nx\n  {{/on}}\nb\n", data), "a\n  \nb\n");
  // A comment line stays (as a blank line).
  EXPECT_EQ(render_both("a\n  {{! note }}\nb", data), "a\n  \nb");
  // Decided on the output: a line whose variables render blanks goes too.
  EXPECT_EQ(render_both("{{#on}}{{blank}}{{empty}}\t{{/on}}\nnext", data), "next");
  // ... but not when anything else is on it.
  EXPECT_EQ(render_both("x {{#on}}y{{/on}}\nnext", data), "x y\nnext");
  // The last line (without a break) follows the same rule.
  EXPECT_EQ(render_both("a\n  {{#on}}{{/on}}  ", data), "a\n");
  // Windows and old Mac line breaks count as breaks.
  EXPECT_EQ(render_both("a\r\n{{#on}}\r\nb\r{{/on}}\rc", data), "a\r\nb\rc");
  // Only the first break of a literal run can end a section's line.
  EXPECT_EQ(render_both("{{#on}}  \n\n  \n{{/on}}", data), "\n  \n");
}

TEST(TemplateUnitTest, RendersAppendingAndIsReusable) {
  auto tmpl = Template::compile("{{#on}}\n{{x}}\n{{/on}}");
  ASSERT_TRUE(tmpl.ok());
  json::value a = parse(R"({"on": true, "x": "a"})");
  json::value b = parse(R"({"on": true, "x": "b"})");
  std::string out = "  ";
  tmpl->render({&a}, out);
  tmpl->render({&b}, out);
  EXPECT_EQ(out, "  a\nb\n");
}

TEST(TemplateUnitTest, ParseErrorsNameTheLine) {
  auto error_of = [](std::string_view source) {
    auto tmpl = Template::compile(source);
    return tmpl.ok() ? std::string("compiled") : tmpl.error().message;
  };
  EXPECT_EQ(error_of("a\nb\n{{#list}}\nx\n"), "line 3: unclosed section \"list\"");
  EXPECT_EQ(error_of("a\n{{#a}}{{#b}}\n{{/a}}{{/b}}"), "line 3: section \"b\" closed by {{/a}}");
  EXPECT_EQ(error_of("a\n\n{{/a}}"), "line 3: closing tag {{/a}} without a section");
  EXPECT_EQ(error_of("a\n{{name"), "line 2: unclosed tag");
  EXPECT_EQ(error_of("{{{name}}\n"), "line 1: unclosed tag");
  EXPECT_EQ(error_of("\n{{=<% %>=}}"), "line 2: set-delimiter tags are not supported");
  EXPECT_EQ(error_of("{{# a }}{{/a}}{{^b.c}}{{/ b.c }}"), "compiled");
}

TEST(TemplateUnitTest, MovedTemplateStillRenders) {
  auto tmpl = Template::compile("hi {{x}}\n");
  ASSERT_TRUE(tmpl.ok());
  Template moved = std::move(*tmpl);
  json::value data = parse(R"({"x": "y"})");
  std::string out;
  moved.render({&data}, out);
  EXPECT_EQ(out, "hi y\n");
}

// A throwaway web root with the given templates and empty catalogues,
// removed when it goes out of scope.
class TempWebRoot {
 public:
  explicit TempWebRoot(const std::map<std::string, std::string>& templates)
      : root_(std::filesystem::temp_directory_path() /
              ("lotse-template-test-" +
               std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()))) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "templates");
    std::filesystem::create_directories(root_ / "i18n");
    for (const auto& [name, source] : templates) {
      std::ofstream(root_ / "templates" / (name + ".mustache")) << source;
    }
    for (const char* lang : {"de", "en"})
      std::ofstream(root_ / "i18n" / (std::string(lang) + ".json")) << "{}";
  }
  ~TempWebRoot() { std::filesystem::remove_all(root_); }
  std::string path() const { return root_.string(); }

 private:
  std::filesystem::path root_;
};

TEST(TemplateUnitTest, ViewsRefusesABrokenTemplateAtLoad) {
  TempWebRoot broken_root(
      {{"layout", "{{{body}}}"}, {"error", "{{heading}}"}, {"page", "a\n{{#open}}\nb\n"}});
  auto broken = Views::load(broken_root.path());
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("page.mustache: line 2: unclosed section \"open\""),
            std::string::npos)
      << broken.error().message;

  TempWebRoot recursive_root(
      {{"layout", "{{{body}}}"}, {"error", "{{heading}}"}, {"page", "x{{> page}}"}});
  auto recursive = Views::load(recursive_root.path());
  ASSERT_FALSE(recursive.ok());
  EXPECT_NE(recursive.error().message.find("nested too deeply"), std::string::npos)
      << recursive.error().message;
}

TEST(TemplateUnitTest, ViewsInlinesKnownPartialsOnly) {
  TempWebRoot root({{"layout", "[{{{body}}}]"},
                    {"error", "{{heading}}"},
                    {"part", "<{{x}}>"},
                    {"page", "{{> part}}{{> nowhere}}{{#list}}{{> part}}{{/list}}"}});
  auto views = Views::load(root.path());
  ASSERT_TRUE(views.ok()) << views.error().message;
  // "nowhere" is data, not a template: it is never executed as a partial.
  json::object data{{"x", "a&b"},
                    {"list", json::array{json::object{{"x", "1"}}, json::object{}}},
                    {"nowhere", "{{x}}"}};
  EXPECT_EQ((*views)->render_page("page", data, PageContext{}), "[<a&amp;b><1><a&amp;b>]");
}

// --- parity with kainjow over the real templates --------------------------

// Dotted names a template refers to, from all tag kinds that look data up.
std::set<std::string> names_in(const std::string& source) {
  static const std::regex kTag(R"(\{\{\{?([^}]*)\}?\}\})");
  std::set<std::string> names;
  for (std::sregex_iterator it(source.begin(), source.end(), kTag), end; it != end; ++it) {
    std::string inner = (*it)[1].str();
    inner.erase(0, inner.find_first_not_of(" \t"));
    if (inner.empty() || inner[0] == '!' || inner[0] == '>' || inner[0] == '/') continue;
    if (inner[0] == '#' || inner[0] == '^' || inner[0] == '&') inner.erase(0, 1);
    inner.erase(0, inner.find_first_not_of(" \t"));
    inner.erase(inner.find_last_not_of(" \t") + 1);
    if (!inner.empty() && inner != ".") names.insert(inner);
  }
  return names;
}

enum class Fill { kRandom, kStrings, kEmpty, kNull, kLists };

// Data for a template: every name it uses, set (or not) to values that
// exercise the truthy/falsy rules, escaping, lists of objects and nesting.
class DataGenerator {
 public:
  DataGenerator(const std::set<std::string>& names, Fill fill, unsigned seed)
      : fill_(fill), rng_(seed) {
    for (const std::string& name : names) {
      std::vector<std::string> path;
      size_t start = 0;
      for (;;) {
        size_t dot = name.find('.', start);
        path.push_back(name.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      paths_.push_back(std::move(path));
    }
  }

  json::object object(int depth) {
    json::object out;
    for (const auto& path : paths_) {
      // The catalogue and the request layer always win over page data; keep
      // them out of nested objects so the data stays small.
      if (depth > 0 && (path[0] == "t" || path[0] == "ctx")) continue;
      if (fill_ == Fill::kRandom && !chance(depth == 0 ? 0.8 : 0.25)) continue;
      json::object* at = &out;
      for (size_t i = 0; i + 1 < path.size(); ++i) {
        json::value& next = (*at)[path[i]];
        if (!next.is_object()) next.emplace_object();
        at = &next.get_object();
      }
      (*at)[path.back()] = value(depth);
    }
    return out;
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  json::value value(int depth) {
    switch (fill_) {
      case Fill::kStrings:
        return "<b title=\"x\">Tom & Jerry's</b>";
      case Fill::kEmpty:
        return "";
      case Fill::kNull:
        return nullptr;
      case Fill::kLists:
        if (depth < 1) return json::array{object(depth + 1), object(depth + 1)};
        return "leaf <&>";
      case Fill::kRandom:
        break;
    }
    const int pick = std::uniform_int_distribution<int>(0, depth < 2 ? 15 : 11)(rng_);
    switch (pick) {
      case 0:
        return "<script>alert('x') & \"y\"</script>";
      case 1:
        return "";
      case 2:
        return "  ";
      case 3:
        return nullptr;
      case 4:
        return true;
      case 5:
        return false;
      case 6:
        return std::uniform_int_distribution<int>(-5, 500)(rng_);
      case 7:
        return 2.25;
      case 8:
        return json::array{};
      case 9:
        return json::array{"a<", "", nullptr, 7};
      case 10:
        return "Grüße aus Köln\nzweite Zeile";
      case 11:
        return "0";
      case 12:
      case 13: {
        json::array items;
        int n = std::uniform_int_distribution<int>(1, 3)(rng_);
        for (int i = 0; i < n; ++i) items.push_back(object(depth + 1));
        return items;
      }
      default:
        return object(depth + 1);
    }
  }

  Fill fill_;
  std::mt19937 rng_;
  std::vector<std::vector<std::string>> paths_;
};

struct DataSet {
  Fill fill;
  unsigned seed;
};

std::vector<DataSet> data_sets() {
  std::vector<DataSet> sets = {
      {Fill::kStrings, 0}, {Fill::kEmpty, 0}, {Fill::kNull, 0}, {Fill::kLists, 0}};
  for (unsigned seed = 1; seed <= 24; ++seed) sets.push_back({Fill::kRandom, seed});
  return sets;
}

const reference::KainjowViews& old_views() {
  static const auto views = reference::KainjowViews::load(kWebRoot);
  return *views;
}

TEST(TemplateParityTest, EveryTemplateRendersLikeKainjow) {
  const auto& templates = old_views().templates();
  ASSERT_GT(templates.size(), 10u);
  int renders = 0;
  for (const auto& [name, source] : templates) {
    SCOPED_TRACE("template " + name);
    auto tmpl = Template::compile(source);
    ASSERT_TRUE(tmpl.ok()) << tmpl.error().message;
    const std::set<std::string> names = names_in(source);
    for (const DataSet& set : data_sets()) {
      json::value data = DataGenerator(names, set.fill, set.seed).object(0);
      std::string ours;
      tmpl->render({&data}, ours);
      std::string theirs = reference::kainjow_render(source, data);
      ASSERT_EQ(ours, theirs) << "fill " << static_cast<int>(set.fill) << " seed " << set.seed
                              << "\ndata: " << json::serialize(data);
      ++renders;
    }
  }
  EXPECT_GT(renders, 300);
}

TEST(TemplateParityTest, EveryPageThroughViewsMatchesTheOldViews) {
  auto loaded = Views::load(kWebRoot);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const Views& views = **loaded;
  std::vector<PageContext> contexts(3);
  contexts[0] = {.lang = "de", .title_key = "app.name", .current_path = "/"};
  contexts[1] = {.lang = "en",
                 .title_key = "inbox.title",
                 .csrf_token = "tok<en>",
                 .user_display_name = "Jobcenter \"Magdeburg\"",
                 .user_role_label = "Fachkraft",
                 .current_path = "/posteingang"};
  contexts[2] = {.lang = "de",
                 .csrf_token = "t",
                 .user_display_name = "Koordination",
                 .current_path = "/faelle/3"};
  for (const auto& [name, source] : old_views().templates()) {
    if (name == "layout") continue;
    SCOPED_TRACE("page " + name);
    const std::set<std::string> names = names_in(source);
    unsigned n = 0;
    for (const DataSet& set : data_sets()) {
      json::object data = DataGenerator(names, set.fill, set.seed).object(0);
      const PageContext& ctx = contexts[n++ % contexts.size()];
      ASSERT_EQ(views.render_page(name, data, ctx), old_views().render_page(name, data, ctx))
          << "fill " << static_cast<int>(set.fill) << " seed " << set.seed;
    }
  }
}

}  // namespace
}  // namespace lotse::web
