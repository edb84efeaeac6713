#include "lotse/common/csv.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lotse {

std::size_t CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw std::out_of_range("CSV column missing: " + std::string(name));
}

Result<CsvTable> parse_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        if (field_started && !field.empty())
          return Error::invalid("csv", "unexpected quote in line " + std::to_string(line));
        quoted = true;
        field_started = true;
        break;
      case ',':
        record.push_back(std::move(field));
        field.clear();
        field_started = false;
        break;
      case '\r':
        break;
      case '\n':
        record.push_back(std::move(field));
        field.clear();
        field_started = false;
        records.push_back(std::move(record));
        record.clear();
        ++line;
        break;
      default:
        field += c;
        field_started = true;
    }
  }
  if (quoted) return Error::invalid("csv", "unterminated quote");
  if (field_started || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  if (records.empty()) return Error::invalid("csv", "no header");
  CsvTable table;
  table.header = std::move(records.front());
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() == 1 && records[r][0].empty()) continue;  // blank line
    if (records[r].size() != table.header.size())
      return Error::invalid("csv", "row " + std::to_string(r + 1) + " has " +
                                       std::to_string(records[r].size()) + " fields, expected " +
                                       std::to_string(table.header.size()));
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

Result<CsvTable> read_csv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::invalid("path", "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_csv(ss.str());
}

}  // namespace lotse
