// A small RFC 4180 CSV reader for the open data sets we fold into the repo
// (quoted fields, doubled quotes, CRLF or LF, UTF-8 BOM skipped).
//
//   auto table = read_csv_file("data/municipalities/kreise_sachsen-anhalt.csv");
//   for (const auto& row : table->rows) use(row.at(table->column("kreis_ags")));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lotse/common/result.h"

namespace lotse {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Index of a header column; throws std::out_of_range if absent.
  std::size_t column(std::string_view name) const;
};

Result<CsvTable> parse_csv(std::string_view text);
Result<CsvTable> read_csv_file(const std::string& path);

}  // namespace lotse
