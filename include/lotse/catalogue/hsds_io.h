// Reading and writing HSDS 3.0 data sets in the two exchange formats:
//
//  - JSON: one document shaped like schema/compiled/tabular.json — an object
//    with one array per table ("organization", "service", "location", …),
//    each element a flat record with the table's fields and foreign keys
//    (service.organization_id, service_at_location.service_id, …). This is the
//    specification's own "all tables in one document" schema, and it maps
//    1:1 onto the CSV package, so both formats carry exactly the same data.
//  - CSV: the tabular package — a directory with one CSV per table, named
//    as the schema's "path" (organizations.csv, services.csv,
//    service_at_location.csv, …), the header row naming the schema fields.
//
//   auto read = read_hsds("catalogue.json", Format::kJson);   // or a directory, kCsv
//   for (const Issue& i : read.issues) std::cerr << i.str() << "\n";   // file, row, field
//   auto fmt = detect_format("export/", "");                  // kCsv: a directory
//   LOTSE_TRY(write_hsds(dataset, "export.json", Format::kJson));
//
// Reading checks each value against its field (type, format, enum, required
// fields, unknown fields and tables) and collects every problem; references
// between records are checked by check_dataset(). Writing is deterministic:
// tables in hsds::tables() order, rows in the given order, all fields of a
// table as CSV columns, JSON members in schema order, pretty-printed.
//
// Pure functions over files; safe to use from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/catalogue/hsds_model.h"
#include "lotse/common/result.h"

namespace lotse::catalogue {

enum class Format { kJson, kCsv };

// One problem found in a data set.
struct Issue {
  std::string file;      // "services.csv", "katalog.json"
  std::string table;     // "service"; empty for a problem of the whole file
  std::size_t row = 0;   // 1-based record number in its table; 0: the file or header
  std::size_t line = 0;  // CSV: the line the record starts on; 0 if not known (JSON)
  std::string field;     // "status"; empty for the whole record
  std::string message;   // German, for people
  // "services.csv, Zeile 4 (Datensatz 3), Feld status: …"
  std::string str() const;
};

struct TableData {
  const hsds::TableSpec* spec = nullptr;
  std::vector<hsds::Record> rows;
  std::vector<std::size_t> lines;  // per row: CSV line, 0 for JSON
  std::string file;                // where the rows came from ("" if built in code)
};

struct Dataset {
  std::vector<TableData> tables;  // one per hsds::tables(), same order

  Dataset();
  TableData& table(std::string_view name);
  const TableData& table(std::string_view name) const;
  std::size_t row_count() const;
  // Appends a record given as field → value (values are checked and
  // canonicalised; an unknown field or bad value is an internal error: for
  // records built in code, e.g. the demo catalogue).
  Result<void> add(std::string_view table,
                   const std::vector<std::pair<std::string_view, std::string>>& values);
  // Sorts every table's rows by id (the order of an export).
  void sort_by_id();
};

struct ReadResult {
  Dataset data;
  std::vector<Issue> issues;
};

// Explicit "json" / "csv", else by the path: a directory or a path without
// ".json" is a CSV package, "*.json" a JSON document. Errors name "format".
Result<Format> detect_format(const std::filesystem::path& path, std::string_view explicit_format);

ReadResult parse_json_document(std::string_view text, const std::string& file);
// Adds the rows of one CSV file to `into`.
void parse_csv_table(const hsds::TableSpec& table, std::string_view text, const std::string& file,
                     ReadResult& into);
// Reads a JSON file or a CSV package directory. Missing files and unknown
// CSV files become issues; a package may leave out tables (they are empty).
ReadResult read_hsds(const std::filesystem::path& path, Format format);

std::string json_document(const Dataset& data);
std::string csv_text(const TableData& table);
// Writes atomically per file (temporary file, then rename). A CSV package
// gets every table's file, empty tables with their header only.
Result<void> write_hsds(const Dataset& data, const std::filesystem::path& path, Format format);

// Ids already stored, per table name, for checking references of an import
// that adds to what is there.
using KnownIds = std::map<std::string, std::set<std::string>, std::less<>>;

// Cross-record checks: duplicate ids in a table, references to records that
// exist neither in the data set nor in `known` (also attribute.link_id by
// link_entity and metadata.resource_id by resource_type), schedules (the
// RRULE fields, validity, opening times), coordinates within ±90/±180 and
// given in pairs, age ranges.
std::vector<Issue> check_dataset(const Dataset& data, const KnownIds& known);

// The issue of a record: file/line/row filled from the table data.
Issue issue_at(const TableData& table, std::size_t row_index, std::string field,
               std::string message);

}  // namespace lotse::catalogue
