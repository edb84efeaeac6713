// Template: parser and renderer. The rules mirror kainjow/mustache 4.1 (the
// engine this replaced) tag by tag; template_test.cc renders every template
// in web/templates through both and compares the bytes.
#include "lotse/web/template.h"

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <string>
#include <system_error>
#include <utility>

namespace lotse::web {

namespace json = boost::json;

TemplateLayer::TemplateLayer(const json::value* value)
    : value_(value), object_(value != nullptr ? value->if_object() : nullptr) {}
TemplateLayer::TemplateLayer(const json::object* object) : object_(object) {}

struct Template::Node {
  enum class Kind : std::uint8_t {
    kText,      // literal text, possibly spanning lines
    kVariable,  // {{name}}
    kRaw,       // {{{name}}} / {{&name}}
    kSection,   // {{#name}}
    kInverted,  // {{^name}}
  };
  Kind kind = Kind::kText;
  // kText: the text is text_[begin, begin + size). `first_newline` is the
  // offset of the first line break in it (kNone if none), `newline_size` its
  // length (1 or 2 for "\r\n"), and `tail` the offset just after the last
  // line break: only the first break can close a line that holds a section
  // tag, after it the text is plain output.
  std::uint32_t begin = 0;
  std::uint32_t size = 0;
  std::uint32_t first_newline = kNone;
  std::uint32_t newline_size = 0;
  std::uint32_t tail = 0;
  // Sections: index of the node after the section's last child.
  std::uint32_t end = 0;
  // Variables and sections: the dotted name, split at compile time. Empty
  // for "." (the top of the stack).
  std::vector<std::string> path;

  static constexpr std::uint32_t kNone = 0xFFFFFFFF;
};

namespace {

using Node = Template::Node;

// A found value: a JSON value, or a bare object layer (value == nullptr).
struct Ref {
  const json::value* value = nullptr;
  const json::object* object = nullptr;
  bool found() const { return value != nullptr || object != nullptr; }
};

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// kainjow trims tag contents with std::isspace.
std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_name(std::string_view name) {
  std::vector<std::string> path;
  if (name == ".") return path;
  for (;;) {
    size_t dot = name.find('.');
    path.emplace_back(name.substr(0, dot));
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return path;
}

Error parse_error(std::string_view source, size_t pos, const std::string& what) {
  size_t line = 1;
  for (size_t i = 0; i < pos && i < source.size(); ++i) line += source[i] == '\n' ? 1 : 0;
  return Error::internal("line " + std::to_string(line) + ": " + what);
}

// The character set and replacements of kainjow's html_escape. A table
// rather than a switch per character: escaping is the hottest loop of a
// render, and most bytes need nothing.
constexpr std::array<std::string_view, 6> kEscapes = {"",     "&amp;",  "&lt;",
                                                      "&gt;", "&quot;", "&apos;"};
constexpr std::array<std::uint8_t, 256> kEscapeIndex = [] {
  std::array<std::uint8_t, 256> table{};
  table[static_cast<unsigned char>('&')] = 1;
  table[static_cast<unsigned char>('<')] = 2;
  table[static_cast<unsigned char>('>')] = 3;
  table[static_cast<unsigned char>('"')] = 4;
  table[static_cast<unsigned char>('\'')] = 5;
  return table;
}();

void append_escaped(std::string& out, std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p != end) {
    const char* run = p;
    while (p != end && kEscapeIndex[static_cast<unsigned char>(*p)] == 0) ++p;
    out.append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    out.append(kEscapes[kEscapeIndex[static_cast<unsigned char>(*p)]]);
    ++p;
  }
}

// State of the current output line, as kainjow's line buffer: where the line
// starts in `out`, and whether a rendered section opened or closed on it.
struct Line {
  size_t start = 0;
  bool had_section = false;
};

bool only_blanks(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

// A line break: a line that had a section tag and rendered nothing but
// blanks disappears with its break.
void end_line(std::string& out, Line& line, std::string_view newline) {
  if (line.had_section && only_blanks(std::string_view(out).substr(line.start))) {
    out.resize(line.start);
  } else {
    out.append(newline);
  }
  line.start = out.size();
  line.had_section = false;
}

bool truthy(const Ref& ref) {
  if (ref.value == nullptr) return ref.object != nullptr;
  switch (ref.value->kind()) {
    case json::kind::null:
      return false;
    case json::kind::bool_:
      return ref.value->get_bool();
    case json::kind::string:
      return !ref.value->get_string().empty();
    case json::kind::array:
      return !ref.value->get_array().empty();
    default:
      return true;
  }
}

// json::object::find, with small objects (most of a page's data: list items,
// the request layer) scanned inline. The library call compares every key with
// memcmp; checking length and first byte first skips nearly all of those.
const json::value* find_key(const json::object& obj, std::string_view key) {
  if (obj.size() > 16) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &it->value();
  }
  for (const json::key_value_pair& entry : obj) {
    std::string_view k = entry.key();
    if (k.size() == key.size() && (k.empty() || k[0] == key[0]) && k == key) return &entry.value();
  }
  return nullptr;
}

class Renderer {
 public:
  Renderer(const std::vector<Node>& nodes, const std::string& text, std::string& out)
      : nodes_(nodes), text_(text), out_(out) {
    line_.start = out.size();
  }

  void run(const Template::Stack& stack) {
    stack_.reserve(stack.size() + 8);
    for (const TemplateLayer& layer : stack) stack_.push_back({layer.value(), layer.object()});
    render(0, static_cast<std::uint32_t>(nodes_.size()));
    // The last line has no break; it is dropped under the same rule.
    if (line_.had_section && only_blanks(std::string_view(out_).substr(line_.start))) {
      out_.resize(line_.start);
    }
  }

 private:
  // The innermost layer holding the whole path wins; a layer holding only a
  // prefix of it does not stop the search.
  Ref lookup(const std::vector<std::string>& path) const {
    if (path.empty()) return stack_.empty() ? Ref{} : stack_.back();
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      const json::object* obj = it->object;
      const json::value* found = nullptr;
      for (const std::string& key : path) {
        if (obj == nullptr) {
          found = nullptr;
          break;
        }
        found = find_key(*obj, key);
        if (found == nullptr) break;
        obj = found->if_object();
      }
      if (found != nullptr) return {found, found->if_object()};
    }
    return {};
  }

  void variable(const Ref& ref, bool escape) {
    if (ref.value == nullptr) return;  // missing, or a bare object: nothing
    const json::value& v = *ref.value;
    switch (v.kind()) {
      case json::kind::string: {
        std::string_view s = v.get_string();
        if (escape) {
          append_escaped(out_, s);
        } else {
          out_.append(s);
        }
        break;
      }
      case json::kind::int64:
        append_number(v.get_int64());
        break;
      case json::kind::uint64:
        append_number(v.get_uint64());
        break;
      case json::kind::double_:
        // As Views' number_text did: shortest round-trip form, "0" if it
        // does not fit (it always does in 32 bytes).
        append_number(v.get_double());
        break;
      default:  // bool, null, object, array: kainjow renders nothing
        break;
    }
  }

  // Same digits as std::to_string for integers, without its allocation.
  template <typename Number>
  void append_number(Number n) {
    std::array<char, 32> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), n);
    if (ec != std::errc{}) {
      out_.push_back('0');
    } else {
      out_.append(buf.data(), end);
    }
  }

  void text(const Node& node) {
    std::string_view s(text_.data() + node.begin, node.size);
    if (node.first_newline == Node::kNone) {
      out_.append(s);
      return;
    }
    out_.append(s.substr(0, node.first_newline));
    end_line(out_, line_, s.substr(node.first_newline, node.newline_size));
    out_.append(s.substr(node.first_newline + node.newline_size));
    line_.start = out_.size() - (node.size - node.tail);
  }

  // Children of a rendered section, with `top` pushed (if found). kainjow
  // marks the current line as holding a section tag before and after.
  void section_body(std::uint32_t from, std::uint32_t to, const Ref& top) {
    line_.had_section = true;
    if (top.found()) stack_.push_back(top);
    render(from, to);
    if (top.found()) stack_.pop_back();
    line_.had_section = true;
  }

  void render(std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t i = from; i < to;) {
      const Node& node = nodes_[i];
      switch (node.kind) {
        case Node::Kind::kText:
          text(node);
          ++i;
          break;
        case Node::Kind::kVariable:
        case Node::Kind::kRaw:
          variable(lookup(node.path), node.kind == Node::Kind::kVariable);
          ++i;
          break;
        case Node::Kind::kSection: {
          Ref ref = lookup(node.path);
          if (truthy(ref)) {
            if (ref.value != nullptr && ref.value->is_array()) {
              for (const json::value& item : ref.value->get_array()) {
                section_body(i + 1, node.end, Ref{&item, item.if_object()});
              }
            } else {
              section_body(i + 1, node.end, ref);
            }
          }
          i = node.end;
          break;
        }
        case Node::Kind::kInverted: {
          // kainjow pushes the falsy value itself when there is one.
          Ref ref = lookup(node.path);
          if (!truthy(ref)) section_body(i + 1, node.end, ref);
          i = node.end;
          break;
        }
      }
    }
  }

  const std::vector<Node>& nodes_;
  const std::string& text_;
  std::string& out_;
  std::vector<Ref> stack_;
  Line line_;
};

}  // namespace

Template::Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

Result<Template> Template::compile(std::string_view source) {
  Template t;
  struct Open {
    std::uint32_t index;  // of the section node
    std::string name;     // as written, for matching the closing tag
    size_t pos;           // of the opening tag, for errors
  };
  std::vector<Open> open;  // sections not yet closed, innermost last
  bool in_text = false;    // the last node is a text node still growing

  // Appends source[at, at + len) to the current text node.
  auto add_text = [&](size_t at, size_t len, bool newline) {
    if (!in_text) {
      Node node;
      node.kind = Node::Kind::kText;
      node.begin = static_cast<std::uint32_t>(t.text_.size());
      t.nodes_.push_back(std::move(node));
      in_text = true;
    }
    Node& node = t.nodes_.back();
    if (newline) {
      if (node.first_newline == Node::kNone) {
        node.first_newline = node.size;
        node.newline_size = static_cast<std::uint32_t>(len);
      }
      node.tail = node.size + static_cast<std::uint32_t>(len);
    }
    t.text_.append(source.substr(at, len));
    node.size += static_cast<std::uint32_t>(len);
  };

  const size_t n = source.size();
  size_t pos = 0;
  while (pos < n) {
    if (source.compare(pos, 2, "{{") != 0) {
      // Line breaks as kainjow sees them: "\r\n", "\n" or a lone "\r".
      if (source[pos] == '\r' && pos + 1 < n && source[pos + 1] == '\n') {
        add_text(pos, 2, true);
        pos += 2;
      } else {
        bool newline = source[pos] == '\n' || source[pos] == '\r';
        add_text(pos, 1, newline);
        pos += 1;
      }
      continue;
    }

    const size_t tag_start = pos;
    size_t contents = pos + 2;
    const bool triple = contents < n && source[contents] == '{';
    if (triple) ++contents;
    const std::string_view closer = triple ? "}}}" : "}}";
    const size_t close = source.find(closer, contents);
    if (close == std::string_view::npos) return parse_error(source, tag_start, "unclosed tag");
    const std::string_view inner = trim(source.substr(contents, close - contents));
    pos = close + closer.size();

    Node node;
    if (triple) {
      node.kind = Node::Kind::kRaw;
      node.path = split_name(inner);
    } else if (inner.empty()) {
      node.kind = Node::Kind::kVariable;
      node.path = split_name(inner);
    } else {
      const char sigil = inner.front();
      const std::string_view name = trim(inner.substr(1));
      switch (sigil) {
        case '=':
          return parse_error(source, tag_start, "set-delimiter tags are not supported");
        case '!':  // comment
        case '>':  // a partial Views did not inline: unknown, renders nothing
          continue;
        case '/': {
          if (open.empty()) {
            return parse_error(source, tag_start,
                               "closing tag {{/" + std::string(name) + "}} without a section");
          }
          if (open.back().name != name) {
            return parse_error(
                source, tag_start,
                "section \"" + open.back().name + "\" closed by {{/" + std::string(name) + "}}");
          }
          Node& section = t.nodes_[open.back().index];
          section.end = static_cast<std::uint32_t>(t.nodes_.size());
          open.pop_back();
          in_text = false;
          continue;
        }
        case '#':
        case '^':
          node.kind = sigil == '#' ? Node::Kind::kSection : Node::Kind::kInverted;
          node.path = split_name(name);
          open.push_back(
              {static_cast<std::uint32_t>(t.nodes_.size()), std::string(name), tag_start});
          break;
        case '&':
          node.kind = Node::Kind::kRaw;
          node.path = split_name(name);
          break;
        default:
          node.kind = Node::Kind::kVariable;
          node.path = split_name(inner);
          break;
      }
    }
    t.nodes_.push_back(std::move(node));
    in_text = false;
  }
  if (!open.empty()) {
    return parse_error(source, open.back().pos, "unclosed section \"" + open.back().name + "\"");
  }
  return t;
}

void Template::render(const Stack& stack, std::string& out) const {
  Renderer(nodes_, text_, out).run(stack);
}

}  // namespace lotse::web
