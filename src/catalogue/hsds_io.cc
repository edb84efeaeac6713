#include "lotse/catalogue/hsds_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "lotse/catalogue/json_text.h"
#include "lotse/domain/catalogue_schedule.h"

namespace lotse::catalogue {
namespace fs = std::filesystem;
namespace json = boost::json;
using hsds::FieldSpec;
using hsds::FieldType;
using hsds::Record;
using hsds::TableSpec;

namespace {

// One CSV record and the line it starts on (quoted cells may span lines).
struct CsvRecord {
  std::vector<std::string> cells;
  std::size_t line = 0;
};

// RFC 4180: comma separated, "quoted" cells with "" for a quote, CRLF or LF;
// a UTF-8 BOM is skipped and blank lines are ignored. Returns an error
// message for an unterminated quote (with its line).
std::string parse_csv_records(std::string_view text, std::vector<CsvRecord>& out) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t i = 0, line = 1;
  while (i < text.size()) {
    CsvRecord rec;
    rec.line = line;
    std::string cell;
    bool end_of_record = false;
    while (!end_of_record) {
      if (i < text.size() && text[i] == '"') {
        const std::size_t quote_line = line;
        ++i;
        while (true) {
          if (i >= text.size())
            return fmt::format("Zeile {}: Anführungszeichen wird nicht geschlossen.", quote_line);
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              cell += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          cell += text[i++];
        }
      }
      while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
        cell += text[i++];
      rec.cells.push_back(std::move(cell));
      cell.clear();
      if (i >= text.size()) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        if (text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        end_of_record = true;
      }
    }
    const bool blank = rec.cells.size() == 1 && rec.cells[0].empty();
    if (!blank) out.push_back(std::move(rec));
  }
  return "";
}

std::string csv_cell(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Result<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error::invalid("path", "Datei nicht lesbar: " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<void> write_file_atomically(const fs::path& p, const std::string& content) {
  const fs::path tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error::invalid("path", "Datei nicht schreibbar: " + p.string());
    out << content;
    out.flush();
    if (!out) return Error::invalid("path", "Schreiben fehlgeschlagen: " + p.string());
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec)
    return Error::invalid("path", "Umbenennen fehlgeschlagen: " + p.string() + ": " + ec.message());
  return ok();
}

const std::optional<std::string>& value_of(const TableSpec& t, const Record& r,
                                           std::string_view field) {
  static const std::optional<std::string> kNone;
  const int i = t.index_of(field);
  return i < 0 ? kNone : r[static_cast<std::size_t>(i)];
}

}  // namespace

std::string Issue::str() const {
  std::string where = file;
  if (line > 0) {
    where += fmt::format(", Zeile {} (Datensatz {})", line, row);
  } else if (row > 0) {
    where += fmt::format(", {} Nr. {}", table, row);
  }
  if (!field.empty()) where += ", Feld \"" + field + "\"";
  return where + ": " + message;
}

Dataset::Dataset() {
  for (const TableSpec& t : hsds::tables()) tables.push_back(TableData{.spec = &t});
}

TableData& Dataset::table(std::string_view name) {
  for (auto& t : tables)
    if (t.spec->name == name) return t;
  throw std::out_of_range("no HSDS table " + std::string(name));
}

const TableData& Dataset::table(std::string_view name) const {
  return const_cast<Dataset*>(this)->table(name);
}

std::size_t Dataset::row_count() const {
  std::size_t n = 0;
  for (const auto& t : tables) n += t.rows.size();
  return n;
}

Result<void> Dataset::add(std::string_view table_name,
                          const std::vector<std::pair<std::string_view, std::string>>& values) {
  TableData& t = table(table_name);
  Record r(t.spec->fields.size());
  for (const auto& [name, value] : values) {
    const int i = t.spec->index_of(name);
    if (i < 0)
      return Error::internal("HSDS " + std::string(table_name) + " has no field " +
                             std::string(name));
    const FieldSpec& f = t.spec->fields[static_cast<std::size_t>(i)];
    if (value.empty() && !f.allow_empty) continue;
    auto v = hsds::check_value(f, value);
    if (!v)
      return Error::internal(std::string(table_name) + "." + std::string(name) + ": " +
                             v.error().message);
    r[static_cast<std::size_t>(i)] = std::move(*v);
  }
  t.rows.push_back(std::move(r));
  t.lines.push_back(0);
  return ok();
}

void Dataset::sort_by_id() {
  for (auto& t : tables) {
    std::vector<std::size_t> order(t.rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return t.rows[a][0].value_or("") < t.rows[b][0].value_or("");
    });
    std::vector<Record> rows;
    std::vector<std::size_t> lines;
    for (std::size_t i : order) {
      rows.push_back(std::move(t.rows[i]));
      lines.push_back(t.lines.size() > i ? t.lines[i] : 0);
    }
    t.rows = std::move(rows);
    t.lines = std::move(lines);
  }
}

Issue issue_at(const TableData& table, std::size_t row_index, std::string field,
               std::string message) {
  return Issue{.file = table.file,
               .table = std::string(table.spec->name),
               .row = row_index + 1,
               .line = row_index < table.lines.size() ? table.lines[row_index] : 0,
               .field = std::move(field),
               .message = std::move(message)};
}

Result<Format> detect_format(const fs::path& path, std::string_view explicit_format) {
  if (explicit_format == "json") return Format::kJson;
  if (explicit_format == "csv") return Format::kCsv;
  if (!explicit_format.empty())
    return Error::invalid(
        "format", "Format json oder csv erwartet, nicht \"" + std::string(explicit_format) + "\".");
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Format::kCsv;
  return path.extension() == ".json" ? Format::kJson : Format::kCsv;
}

ReadResult parse_json_document(std::string_view text, const std::string& file) {
  ReadResult out;
  for (auto& t : out.data.tables) t.file = file;
  auto file_issue = [&](std::string field, std::string message) {
    out.issues.push_back(
        Issue{.file = file, .field = std::move(field), .message = std::move(message)});
  };
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) {
    file_issue("", "Kein gültiges JSON: " + ec.message());
    return out;
  }
  if (!doc.is_object()) {
    file_issue("",
               "Ein JSON-Objekt mit einem Array je HSDS-Tabelle erwartet "
               "(\"organization\": […], \"service\": […], …).");
    return out;
  }
  for (const auto& member : doc.get_object()) {
    const TableSpec* spec = hsds::find_table(member.key());
    if (!spec) {
      file_issue(std::string(member.key()), "Unbekannte HSDS-Tabelle.");
      continue;
    }
    if (!member.value().is_array()) {
      file_issue(std::string(member.key()), "Ein Array von Datensätzen erwartet.");
      continue;
    }
    TableData& t = out.data.table(spec->name);
    for (const auto& element : member.value().get_array()) {
      const std::size_t index = t.rows.size();
      t.rows.emplace_back(spec->fields.size());
      t.lines.push_back(0);
      Record& r = t.rows.back();
      std::vector<bool> reported(spec->fields.size(), false);
      auto issue = [&](std::string field, std::string message) {
        const int i = spec->index_of(field);
        if (i >= 0) reported[static_cast<std::size_t>(i)] = true;
        out.issues.push_back(issue_at(t, index, std::move(field), std::move(message)));
      };
      if (!element.is_object()) {
        issue("", "Ein JSON-Objekt erwartet.");
        continue;
      }
      for (const auto& m : element.get_object()) {
        const int i = spec->index_of(m.key());
        if (i < 0) {
          issue(std::string(m.key()),
                m.value().is_array() || m.value().is_object()
                    ? "Verschachtelte Daten gehören in die eigene Tabelle des Dokuments "
                      "(mit Fremdschlüssel), nicht in den Datensatz."
                    : "Unbekanntes Feld.");
          continue;
        }
        const FieldSpec& f = spec->fields[static_cast<std::size_t>(i)];
        const json::value& v = m.value();
        if (v.is_null()) continue;
        if (f.type == FieldType::kNumber) {
          if (!v.is_number()) {
            issue(std::string(f.name), "Eine JSON-Zahl erwartet.");
            continue;
          }
          r[static_cast<std::size_t>(i)] = hsds::canonical_number(v.to_number<double>());
          continue;
        }
        if (!v.is_string()) {
          issue(std::string(f.name), "Einen JSON-String erwartet.");
          continue;
        }
        const std::string_view s = v.get_string();
        if (s.empty()) {
          if (f.allow_empty) r[static_cast<std::size_t>(i)] = "";
          continue;
        }
        auto checked = hsds::check_value(f, s);
        if (!checked) {
          issue(std::string(f.name), checked.error().message);
          continue;
        }
        r[static_cast<std::size_t>(i)] = std::move(*checked);
      }
      for (std::size_t i = 0; i < spec->fields.size(); ++i) {
        const FieldSpec& f = spec->fields[i];
        if (!f.required || r[i] || reported[i]) continue;
        issue(std::string(f.name), element.get_object().contains(f.name) ? "Pflichtfeld ist leer."
                                                                         : "Pflichtfeld fehlt.");
      }
    }
  }
  return out;
}

void parse_csv_table(const TableSpec& spec, std::string_view text, const std::string& file,
                     ReadResult& into) {
  TableData& t = into.data.table(spec.name);
  t.file = file;
  auto header_issue = [&](std::string field, std::string message) {
    into.issues.push_back(Issue{.file = file,
                                .table = std::string(spec.name),
                                .row = 0,
                                .line = 1,
                                .field = std::move(field),
                                .message = std::move(message)});
  };
  std::vector<CsvRecord> records;
  if (std::string bad = parse_csv_records(text, records); !bad.empty()) {
    into.issues.push_back(Issue{.file = file, .table = std::string(spec.name), .message = bad});
    return;
  }
  if (records.empty()) {
    header_issue("", "Die Datei ist leer; die erste Zeile muss die Feldnamen nennen.");
    return;
  }
  // Column → field index (-1 for unknown columns, reported once).
  std::vector<int> columns;
  std::vector<bool> present(spec.fields.size(), false);
  for (const std::string& name : records[0].cells) {
    const int i = spec.index_of(name);
    if (i < 0) {
      header_issue(name, "Unbekanntes Feld (Spalte) für " + std::string(spec.name) + ".");
    } else if (present[static_cast<std::size_t>(i)]) {
      header_issue(name, "Spalte steht doppelt.");
    } else {
      present[static_cast<std::size_t>(i)] = true;
    }
    columns.push_back(i);
  }
  for (std::size_t i = 0; i < spec.fields.size(); ++i)
    if (spec.fields[i].required && !present[i])
      header_issue(std::string(spec.fields[i].name), "Pflichtspalte fehlt.");

  for (std::size_t k = 1; k < records.size(); ++k) {
    const CsvRecord& rec = records[k];
    const std::size_t index = t.rows.size();
    t.rows.emplace_back(spec.fields.size());
    t.lines.push_back(rec.line);
    Record& r = t.rows.back();
    auto issue = [&](std::string field, std::string message) {
      into.issues.push_back(issue_at(t, index, std::move(field), std::move(message)));
    };
    if (rec.cells.size() != columns.size()) {
      issue("", fmt::format("{} Spalten statt {} wie in der Kopfzeile.", rec.cells.size(),
                            columns.size()));
      continue;
    }
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c] < 0) continue;
      const FieldSpec& f = spec.fields[static_cast<std::size_t>(columns[c])];
      const std::string& cell = rec.cells[c];
      if (cell.empty()) {
        if (f.allow_empty)
          r[static_cast<std::size_t>(columns[c])] = "";
        else if (f.required)
          issue(std::string(f.name), "Pflichtfeld ist leer.");
        continue;
      }
      auto checked = hsds::check_value(f, cell);
      if (!checked) {
        issue(std::string(f.name), checked.error().message);
        continue;
      }
      r[static_cast<std::size_t>(columns[c])] = std::move(*checked);
    }
  }
}

ReadResult read_hsds(const fs::path& path, Format format) {
  ReadResult out;
  std::error_code ec;
  if (format == Format::kJson) {
    auto text = read_file(path);
    if (!text) {
      out.issues.push_back(
          Issue{.file = path.filename().string(), .message = text.error().message});
      return out;
    }
    return parse_json_document(*text, path.filename().string());
  }
  if (!fs::is_directory(path, ec)) {
    out.issues.push_back(
        Issue{.file = path.string(),
              .message = "Verzeichnis mit den CSV-Dateien des HSDS-Pakets erwartet."});
    return out;
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(path, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".csv")
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names)
    if (!hsds::find_table_by_file(name))
      out.issues.push_back(Issue{.file = name, .message = "Keine Datei des HSDS-Tabellenpakets."});
  if (names.empty())
    out.issues.push_back(Issue{.file = path.string(), .message = "Keine CSV-Dateien gefunden."});
  for (const TableSpec& spec : hsds::tables()) {
    if (std::find(names.begin(), names.end(), spec.file) == names.end()) continue;
    auto text = read_file(path / spec.file);
    if (!text) {
      out.issues.push_back(Issue{.file = std::string(spec.file), .message = text.error().message});
      continue;
    }
    parse_csv_table(spec, *text, std::string(spec.file), out);
  }
  return out;
}

std::string json_document(const Dataset& data) {
  json::object root;
  for (const TableData& t : data.tables) {
    json::array rows;
    rows.reserve(t.rows.size());
    for (const Record& r : t.rows) rows.push_back(hsds::record_json(*t.spec, r));
    root[t.spec->name] = std::move(rows);
  }
  return json_text(root, true) + "\n";
}

std::string csv_text(const TableData& t) {
  std::string out;
  for (std::size_t i = 0; i < t.spec->fields.size(); ++i) {
    if (i) out += ',';
    out += t.spec->fields[i].name;
  }
  out += "\r\n";
  for (const Record& r : t.rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i) out += ',';
      if (r[i]) out += csv_cell(*r[i]);
    }
    out += "\r\n";
  }
  return out;
}

Result<void> write_hsds(const Dataset& data, const fs::path& path, Format format) {
  std::error_code ec;
  if (format == Format::kJson) return write_file_atomically(path, json_document(data));
  fs::create_directories(path, ec);
  if (ec) return Error::invalid("path", "Verzeichnis nicht anlegbar: " + path.string());
  for (const TableData& t : data.tables)
    LOTSE_TRY(write_file_atomically(path / t.spec->file, csv_text(t)));
  return ok();
}

std::vector<Issue> check_dataset(const Dataset& data, const KnownIds& known) {
  std::vector<Issue> issues;
  // Ids per table in the data set.
  std::unordered_map<std::string_view, std::unordered_map<std::string, std::size_t>> ids;
  for (const TableData& t : data.tables) {
    auto& mine = ids[t.spec->name];
    for (std::size_t k = 0; k < t.rows.size(); ++k) {
      const auto& id = t.rows[k][0];
      if (!id) continue;  // reported as a missing required field
      auto [it, inserted] = mine.emplace(*id, k);
      if (!inserted) {
        const std::size_t first = it->second;
        const std::string where = first < t.lines.size() && t.lines[first] > 0
                                      ? fmt::format("Zeile {}", t.lines[first])
                                      : fmt::format("Nr. {}", first + 1);
        issues.push_back(issue_at(
            t, k, "id", "Die id " + *id + " kommt doppelt vor (zuerst in " + where + ")."));
      }
    }
  }
  auto exists = [&](std::string_view table, const std::string& id) {
    if (auto it = ids.find(table); it != ids.end() && it->second.contains(id)) return true;
    auto k = known.find(table);
    return k != known.end() && k->second.contains(id);
  };

  for (const TableData& t : data.tables) {
    const TableSpec& spec = *t.spec;
    for (std::size_t k = 0; k < t.rows.size(); ++k) {
      const Record& r = t.rows[k];
      for (std::size_t i = 0; i < spec.fields.size(); ++i) {
        const FieldSpec& f = spec.fields[i];
        if (f.ref.empty() || !r[i]) continue;
        if (!exists(f.ref, *r[i]))
          issues.push_back(issue_at(t, k, std::string(f.name),
                                    "Verweist auf " + std::string(f.ref) + " " + *r[i] +
                                        ", den es weder in den Daten noch in der Datenbank gibt."));
      }
      // Polymorphic references: attribute.link_entity/link_id, metadata.resource_type/resource_id.
      auto polymorphic = [&](std::string_view entity_field, std::string_view id_field) {
        const auto& entity = value_of(spec, r, entity_field);
        const auto& id = value_of(spec, r, id_field);
        if (!entity || !id) return;
        if (!hsds::find_table(*entity)) {
          issues.push_back(issue_at(t, k, std::string(entity_field),
                                    "Unbekannte HSDS-Tabelle \"" + *entity + "\"."));
        } else if (!exists(*entity, *id)) {
          issues.push_back(issue_at(t, k, std::string(id_field),
                                    "Verweist auf " + *entity + " " + *id +
                                        ", den es weder in den Daten noch in der Datenbank gibt."));
        }
      };
      if (spec.name == "attribute") polymorphic("link_entity", "link_id");
      if (spec.name == "metadata") polymorphic("resource_type", "resource_id");

      if (spec.name == "schedule") {
        auto text = [&](std::string_view field) { return value_of(spec, r, field).value_or(""); };
        domain::ScheduleFields sf{.freq = text("freq"),
                                  .wkst = text("wkst"),
                                  .byday = text("byday"),
                                  .bymonthday = text("bymonthday"),
                                  .byweekno = text("byweekno"),
                                  .byyearday = text("byyearday"),
                                  .interval = text("interval"),
                                  .count = text("count"),
                                  .dtstart = text("dtstart"),
                                  .until = text("until"),
                                  .valid_from = text("valid_from"),
                                  .valid_to = text("valid_to"),
                                  .opens_at = text("opens_at"),
                                  .closes_at = text("closes_at"),
                                  .timezone = text("timezone")};
        std::vector<Error> errors;
        (void)domain::Recurrence::from_fields(sf, &errors);
        for (const Error& e : errors) issues.push_back(issue_at(t, k, e.field, e.message));
      }
      if (spec.name == "location") {
        const auto& lat = value_of(spec, r, "latitude");
        const auto& lon = value_of(spec, r, "longitude");
        if (lat && std::abs(std::stod(*lat)) > 90)
          issues.push_back(
              issue_at(t, k, "latitude", "Breitengrad muss zwischen -90 und 90 liegen."));
        if (lon && std::abs(std::stod(*lon)) > 180)
          issues.push_back(
              issue_at(t, k, "longitude", "Längengrad muss zwischen -180 und 180 liegen."));
        if (lat.has_value() != lon.has_value())
          issues.push_back(issue_at(t, k, lat ? "longitude" : "latitude",
                                    "Koordinaten nur als Paar aus latitude und longitude."));
      }
      if (spec.name == "service") {
        const auto& min = value_of(spec, r, "minimum_age");
        const auto& max = value_of(spec, r, "maximum_age");
        for (const auto* v : {&min, &max})
          if (*v && (std::stod(**v) < 0 || std::stod(**v) > 120))
            issues.push_back(issue_at(t, k, v == &min ? "minimum_age" : "maximum_age",
                                      "Alter zwischen 0 und 120 erwartet."));
        if (min && max && std::stod(*min) > std::stod(*max))
          issues.push_back(issue_at(t, k, "maximum_age", "maximum_age liegt unter minimum_age."));
      }
    }
  }
  return issues;
}

}  // namespace lotse::catalogue
