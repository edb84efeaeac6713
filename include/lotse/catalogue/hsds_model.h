// The HSDS 3.0 tables as data: for each of the 21 tables of the
// specification (third_party/hsds-3.0/schema/*.json) its name, its CSV file
// in the tabular package, its SQL table, and its flat fields with type,
// "required" (required plus tabular_required), referenced table and enum
// values. Import, export, the database and the HSDS API are all driven by
// these descriptors, so a field is named the same everywhere.
//
//   const TableSpec* service = find_table("service");
//   int i = service->index_of("status");                      // position in a Record
//   auto v = check_value(service->fields[i], "active");       // canonical text or error
//   boost::json::object o = record_json(*service, record);     // flat HSDS object
//
// A Record holds one row: a value per field, in field order, as canonical
// text (numbers in their shortest round-trip form, "12" not "12.0"), or
// nullopt when absent. Empty strings are absent.
//
// Pure data and functions; safe to use from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/result.h"

namespace lotse::catalogue::hsds {

enum class FieldType {
  kString,
  kUuid,      // format "uuid": 8-4-4-4-12 hex digits
  kUri,       // format "uri": absolute, ASCII (percent-encode the rest)
  kEmail,     // format "email"
  kNumber,    // JSON number
  kDate,      // YYYY-MM-DD
  kTime,      // HH:MM[:SS][Z|±HH:MM]
  kDateTime,  // RFC 3339
  kEnum,      // one of `values`
};

struct FieldSpec {
  std::string_view name;
  FieldType type = FieldType::kString;
  bool required = false;
  std::string_view ref;  // referenced table, "" if none
  std::span<const std::string_view> values = {};
  // Required but may be "" (metadata.previous_value of a newly created row).
  bool allow_empty = false;
};

struct TableSpec {
  std::string_view name;       // "service" (as in the schemas and in attribute.link_entity)
  std::string_view file;       // "services.csv" (the schema's "path")
  std::string_view sql_table;  // "hsds_service"
  std::span<const FieldSpec> fields;

  int index_of(std::string_view field) const;  // -1 if the table has no such field
};

// All tables, parents before children (the order of inserting).
std::span<const TableSpec> tables();
const TableSpec* find_table(std::string_view name);
const TableSpec* find_table_by_file(std::string_view file);

using Record = std::vector<std::optional<std::string>>;

// Shortest text that reads back as the same double ("52.1243", "12", "-0.5").
std::string canonical_number(double v);

// Checks a value given as text (CSV cell, or a JSON string) against the
// field and returns its canonical form; the error names the field.
Result<std::string> check_value(const FieldSpec& field, std::string_view text);

// "SQL-quoted" column list of a table: "id", "name", …
std::string sql_columns(const TableSpec& table);

// The record as a flat HSDS JSON object: absent fields left out, numbers as
// JSON numbers, in the schema's field order.
boost::json::object record_json(const TableSpec& table, const Record& record);

bool is_uuid(std::string_view s);

}  // namespace lotse::catalogue::hsds
