// JSON text with numbers in their shortest round-trip form ("52.1243", "12")
// and object members in insertion order. Boost.JSON's serializer writes
// doubles as "5.21243E1"; valid, but the HSDS export must be readable and
// byte-for-byte stable, and API clients expect the usual notation.
//
//   std::string compact = json_text(value);          // API responses
//   std::string pretty = json_text(value, true);     // export files, 2-space indent
//
// Pure function; safe to use from any thread.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace lotse::catalogue {

std::string json_text(const boost::json::value& v, bool pretty = false);

}  // namespace lotse::catalogue
