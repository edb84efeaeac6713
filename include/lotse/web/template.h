// A compiled mustache template that renders straight from boost::json.
//
//   auto tmpl = Template::compile("<p>{{#user}}{{name}}{{/user}}</p>");
//   if (!tmpl) return tmpl.error();             // "line 1: ..." on a parse error
//   boost::json::value data = {{"user", {{"name", "Jobcenter <Magdeburg>"}}}};
//   std::string html;
//   tmpl->render({&data}, html);                 // <p>Jobcenter &lt;Magdeburg&gt;</p>
//
// Supported: {{name}} (HTML-escaped), {{{name}}} and {{&name}} (raw),
// {{#name}}…{{/name}}, {{^name}}…{{/name}}, {{! comment}}, {{.}}, dotted names
// (a.b.c). A {{> partial}} left in the source renders nothing: Views inlines
// the partials it knows before compiling. Set-delimiter tags are refused.
//
// The output is byte-identical to kainjow/mustache (the engine this replaced)
// fed with the same data converted the way Views used to convert it:
//   - lookups search the stack from the top; the innermost layer that holds
//     the whole dotted path wins;
//   - false, null, "" and [] are falsy; everything else (0, {}, "0") truthy;
//   - a truthy array iterates its items, any other truthy value is pushed;
//   - strings render escaped (& < > " ' as kainjow escapes them), numbers as
//     decimal text; booleans, null, objects and arrays render nothing;
//   - "standalone" lines: a line on which a rendered section opened or closed
//     is dropped when its output is only spaces and tabs. Like kainjow, and
//     unlike the mustache spec, this is decided on the rendered output, and a
//     skipped (falsy) section or a comment does not mark its line.
//
// Thread safety: a compiled Template is immutable; render() may run on many
// threads at once.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/result.h"

namespace lotse::web {

// One layer of the lookup stack. A layer is either any JSON value or a bare
// object (page data arrives as a json::object; wrapping it in a json::value
// would copy it).
class TemplateLayer {
 public:
  TemplateLayer(const boost::json::value* value);    // NOLINT: implicit by design
  TemplateLayer(const boost::json::object* object);  // NOLINT

  const boost::json::value* value() const { return value_; }     // null for a bare object
  const boost::json::object* object() const { return object_; }  // null unless an object

 private:
  const boost::json::value* value_ = nullptr;
  const boost::json::object* object_ = nullptr;
};

class Template {
 public:
  // Bottom to top: lookups start at back().
  using Stack = std::vector<TemplateLayer>;

  // Parses `source`. Errors (unclosed tag or section, a closing tag that does
  // not match, set-delimiter tags) name the 1-based line.
  static Result<Template> compile(std::string_view source);

  // Appends the output to `out`.
  void render(const Stack& stack, std::string& out) const;

  struct Node;  // defined in template.cc

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

 private:
  Template();
  // Flat program: a section node's children follow it and `end` indexes the
  // node after its last child, so rendering is a loop over one vector.
  std::vector<Node> nodes_;
  std::string text_;  // literal text of all text nodes, back to back
};

}  // namespace lotse::web
