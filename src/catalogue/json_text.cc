#include "lotse/catalogue/json_text.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "lotse/catalogue/hsds_model.h"

namespace lotse::catalogue {
namespace {

void write_string(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += ch;
    }
  }
  out += '"';
}

void newline(std::string& out, bool pretty, int depth) {
  if (!pretty) return;
  out += '\n';
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

void write(std::string& out, const boost::json::value& v, bool pretty, int depth) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      break;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case boost::json::kind::double_: {
      const double d = v.get_double();
      // JSON has no NaN or infinity; they never come from valid data.
      out += std::isfinite(d) ? hsds::canonical_number(d) : "null";
      break;
    }
    case boost::json::kind::string:
      write_string(out, v.get_string());
      break;
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        break;
      }
      out += '[';
      bool first = true;
      for (const auto& e : a) {
        if (!first) out += ',';
        first = false;
        newline(out, pretty, depth + 1);
        write(out, e, pretty, depth + 1);
      }
      newline(out, pretty, depth);
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        break;
      }
      out += '{';
      bool first = true;
      for (const auto& m : o) {
        if (!first) out += ',';
        first = false;
        newline(out, pretty, depth + 1);
        write_string(out, m.key());
        out += pretty ? ": " : ":";
        write(out, m.value(), pretty, depth + 1);
      }
      newline(out, pretty, depth);
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string json_text(const boost::json::value& v, bool pretty) {
  std::string out;
  write(out, v, pretty, 0);
  return out;
}

}  // namespace lotse::catalogue
