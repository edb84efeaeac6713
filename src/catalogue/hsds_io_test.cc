#include "lotse/catalogue/hsds_io.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "lotse/catalogue/hsds_model.h"
#include "lotse/catalogue/json_text.h"

namespace lotse::catalogue {
namespace {

const char* kOrg = "11111111-1111-4111-8111-111111111111";
const char* kService = "22222222-2222-4222-8222-222222222222";
const char* kLocation = "33333333-3333-4333-8333-333333333333";

std::vector<std::string> where(const std::vector<Issue>& issues) {
  std::vector<std::string> out;
  for (const auto& i : issues)
    out.push_back(i.file + ":" + std::to_string(i.line) + ":" + std::to_string(i.row) + ":" +
                  i.field);
  return out;
}

TEST(HsdsModel, TablesFollowTheSchemas) {
  EXPECT_EQ(hsds::tables().size(), 21u);
  const auto* service = hsds::find_table("service");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->file, "services.csv");
  EXPECT_EQ(hsds::find_table_by_file("service_at_location.csv")->name, "service_at_location");
  const auto& status = service->fields[static_cast<std::size_t>(service->index_of("status"))];
  EXPECT_TRUE(status.required);
  EXPECT_EQ(status.values.size(), 4u);
  // tabular_required counts as required.
  EXPECT_TRUE(
      service->fields[static_cast<std::size_t>(service->index_of("organization_id"))].required);
  // Parents come before children: every reference points to an earlier table.
  std::vector<std::string_view> seen;
  for (const auto& t : hsds::tables()) {
    for (const auto& f : t.fields) {
      if (f.ref.empty() || f.ref == t.name) continue;
      EXPECT_NE(std::find(seen.begin(), seen.end(), f.ref), seen.end()) << t.name << "." << f.name;
    }
    seen.push_back(t.name);
  }
}

TEST(HsdsModel, ValuesAreCheckedAndCanonical) {
  const auto* loc = hsds::find_table("location");
  auto field = [&](const char* name) {
    return loc->fields[static_cast<std::size_t>(loc->index_of(name))];
  };
  EXPECT_EQ(*hsds::check_value(field("latitude"), "52.12430"), "52.1243");
  EXPECT_EQ(*hsds::check_value(field("latitude"), "12.0"), "12");
  EXPECT_EQ(*hsds::check_value(field("latitude"), "-0.0"), "0");
  EXPECT_FALSE(hsds::check_value(field("latitude"), "52,1"));
  EXPECT_FALSE(hsds::check_value(field("latitude"), "nan"));
  EXPECT_EQ(hsds::check_value(field("latitude"), "x").error().field, "latitude");
  EXPECT_TRUE(hsds::check_value(field("url"), "https://jba.example/chat?x=1"));
  EXPECT_FALSE(hsds::check_value(field("url"), "jba.example/chat"));
  EXPECT_FALSE(hsds::check_value(field("url"), "https://jba.example/München"));
  EXPECT_FALSE(hsds::check_value(field("url"), "https://jba.example/a b"));
  EXPECT_FALSE(hsds::check_value(field("location_type"), "mobile"));
  EXPECT_FALSE(hsds::check_value(field("id"), "not-a-uuid"));
  EXPECT_TRUE(hsds::check_value(field("id"), "3A19FF88-4620-4D17-9830-AC1D859EB5D5"));
  const auto* service = hsds::find_table("service");
  auto sfield = [&](const char* name) {
    return service->fields[static_cast<std::size_t>(service->index_of(name))];
  };
  EXPECT_TRUE(hsds::check_value(sfield("last_modified"), "2023-03-15T10:30:45.123Z"));
  EXPECT_TRUE(hsds::check_value(sfield("last_modified"), "2023-03-15T10:30:45+01:00"));
  EXPECT_FALSE(hsds::check_value(sfield("last_modified"), "2023-03-15 10:30"));
  EXPECT_TRUE(hsds::check_value(sfield("email"), "kontakt@jba.example"));
  EXPECT_FALSE(hsds::check_value(sfield("email"), "kontakt at jba"));
  EXPECT_FALSE(hsds::check_value(sfield("assured_date"), "2023-02-30"));
}

TEST(HsdsJson, NumbersInShortestForm) {
  boost::json::object o{
      {"lat", 52.1243}, {"n", 12.0}, {"s", "a\"b\n"}, {"list", boost::json::array{}}};
  EXPECT_EQ(json_text(o), R"({"lat":52.1243,"n":12,"s":"a\"b\n","list":[]})");
  EXPECT_EQ(json_text(boost::json::object{{"a", 1}}, true), "{\n  \"a\": 1\n}");
}

TEST(HsdsCsv, QuotedCellsAndLineNumbers) {
  ReadResult read;
  const std::string text = "\xEF\xBB\xBFid,name,description\r\n" + std::string(kOrg) +
                           ",\"Träger, \"\"gut\"\"\",\"zwei\nZeilen\"\r\n"
                           "\r\n" +
                           "44444444-4444-4444-8444-444444444444,,ohne Namen\r\n";
  parse_csv_table(*hsds::find_table("organization"), text, "organizations.csv", read);
  const auto& t = read.data.table("organization");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(*t.rows[0][1], "Träger, \"gut\"");
  EXPECT_EQ(*t.rows[0][3], "zwei\nZeilen");
  EXPECT_EQ(t.lines[1], 5u);  // the record after a two-line cell and a blank line
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_EQ(where(read.issues), std::vector<std::string>{"organizations.csv:5:2:name"});
  EXPECT_NE(read.issues[0].str().find("Zeile 5"), std::string::npos) << read.issues[0].str();
}

TEST(HsdsCsv, HeaderAndShapeProblems) {
  ReadResult read;
  parse_csv_table(*hsds::find_table("service"),
                  "id,name,colour,name\n" + std::string(kService) + ",x,y\n", "services.csv", read);
  // Unknown column, duplicate column, missing required columns, short row.
  EXPECT_EQ(where(read.issues),
            (std::vector<std::string>{"services.csv:1:0:colour", "services.csv:1:0:name",
                                      "services.csv:1:0:organization_id", "services.csv:1:0:status",
                                      "services.csv:2:1:"}));
  ReadResult unterminated;
  parse_csv_table(*hsds::find_table("service"), "id,name\n\"x,y\n", "services.csv", unterminated);
  ASSERT_EQ(unterminated.issues.size(), 1u);
  EXPECT_NE(unterminated.issues[0].message.find("Zeile 2"), std::string::npos);
}

TEST(HsdsJson, EveryProblemIsListed) {
  const std::string doc = R"({
    "organization": [{"id": ")" +
                          std::string(kOrg) + R"(", "name": "Träger", "description": "d"}],
    "service": [
      {"id": ")" + std::string(kService) +
                          R"(", "organization_id": ")" + kOrg + R"(",
       "name": "Angebot", "status": "open", "minimum_age": "12", "phones": []},
      {"id": 7, "name": "", "status": "active"}
    ],
    "location": [{"id": ")" +
                          kLocation + R"(", "location_type": "physical", "latitude": 52.1}],
    "widgets": []
  })";
  auto read = parse_json_document(doc, "katalog.json");
  EXPECT_EQ(where(read.issues),
            (std::vector<std::string>{"katalog.json:0:1:status", "katalog.json:0:1:minimum_age",
                                      "katalog.json:0:1:phones", "katalog.json:0:2:id",
                                      "katalog.json:0:2:organization_id", "katalog.json:0:2:name",
                                      "katalog.json:0:0:widgets"}));
  EXPECT_NE(read.issues[0].str().find("service Nr. 1"), std::string::npos) << read.issues[0].str();
  // The location's latitude without longitude is a cross-record check.
  auto checks = check_dataset(read.data, {});
  bool pair_issue = false;
  for (const auto& i : checks) pair_issue = pair_issue || i.field == "longitude";
  EXPECT_TRUE(pair_issue);
  auto broken = parse_json_document("{\"service\": [", "x.json");
  ASSERT_EQ(broken.issues.size(), 1u);
  EXPECT_EQ(broken.issues[0].file, "x.json");
}

Dataset small_dataset() {
  Dataset d;
  EXPECT_TRUE(d.add("organization", {{"id", kOrg}, {"name", "Träger"}, {"description", "d"}}));
  EXPECT_TRUE(d.add("service", {{"id", kService},
                                {"organization_id", kOrg},
                                {"name", "Bewerbungstraining"},
                                {"status", "active"},
                                {"minimum_age", "15"}}));
  EXPECT_TRUE(d.add("location", {{"id", kLocation},
                                 {"location_type", "physical"},
                                 {"name", "Büro, \"Mitte\""},
                                 {"latitude", "52.1243"},
                                 {"longitude", "11.6322"}}));
  EXPECT_TRUE(d.add("service_at_location", {{"id", "55555555-5555-4555-8555-555555555555"},
                                            {"service_id", kService},
                                            {"location_id", kLocation}}));
  EXPECT_TRUE(d.add("schedule", {{"id", "66666666-6666-4666-8666-666666666666"},
                                 {"location_id", kLocation},
                                 {"freq", "WEEKLY"},
                                 {"byday", "MO,TU"},
                                 {"opens_at", "09:00"},
                                 {"closes_at", "12:00"},
                                 {"description", "zwei\nZeilen"}}));
  return d;
}

TEST(HsdsIo, WrittenFilesReadBackUnchanged) {
  const Dataset d = small_dataset();
  const auto dir =
      std::filesystem::temp_directory_path() / ("lotse-hsds-io-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(write_hsds(d, dir / "csv", Format::kCsv));
  ASSERT_TRUE(write_hsds(d, dir / "k.json", Format::kJson));
  for (auto [path, format] :
       {std::pair{dir / "csv", Format::kCsv}, {dir / "k.json", Format::kJson}}) {
    auto read = read_hsds(path, format);
    EXPECT_TRUE(read.issues.empty()) << (read.issues.empty() ? "" : read.issues[0].str());
    for (std::size_t i = 0; i < d.tables.size(); ++i)
      EXPECT_EQ(read.data.tables[i].rows, d.tables[i].rows) << d.tables[i].spec->name;
    EXPECT_TRUE(check_dataset(read.data, {}).empty());
  }
  // Every table has its file, empty ones with the header only.
  EXPECT_TRUE(std::filesystem::exists(dir / "csv" / "taxonomies.csv"));
  EXPECT_EQ(*detect_format(dir / "csv", ""), Format::kCsv);
  EXPECT_EQ(*detect_format(dir / "k.json", ""), Format::kJson);
  EXPECT_EQ(detect_format(dir / "k.json", "xml").error().field, "format");
  // A file that is not part of the package is reported, with the file name.
  std::ofstream(dir / "csv" / "widgets.csv") << "id\n";
  auto read = read_hsds(dir / "csv", Format::kCsv);
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_EQ(read.issues[0].file, "widgets.csv");
  std::filesystem::remove_all(dir);
}

TEST(HsdsIo, CrossRecordChecks) {
  Dataset d = small_dataset();
  // Duplicate id, dangling references (plain and polymorphic), a bad rule,
  // coordinates out of range.
  ASSERT_TRUE(d.add("organization", {{"id", kOrg}, {"name", "Doppelt"}, {"description", "d"}}));
  ASSERT_TRUE(d.add("service_at_location", {{"id", "77777777-7777-4777-8777-777777777777"},
                                            {"service_id", "99999999-9999-4999-8999-999999999999"},
                                            {"location_id", kLocation}}));
  ASSERT_TRUE(d.add("attribute", {{"id", "88888888-8888-4888-8888-888888888888"},
                                  {"link_id", kService},
                                  {"taxonomy_term_id", "99999999-9999-4999-8999-999999999999"},
                                  {"link_entity", "widget"}}));
  ASSERT_TRUE(d.add("schedule", {{"id", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"},
                                 {"location_id", kLocation},
                                 {"freq", "MONTHLY"},
                                 {"byday", "9MO"},
                                 {"opens_at", "18:00"},
                                 {"closes_at", "09:00"}}));
  ASSERT_TRUE(d.add("location", {{"id", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"},
                                 {"location_type", "physical"},
                                 {"latitude", "95"},
                                 {"longitude", "11"}}));
  auto issues = check_dataset(d, {});
  std::vector<std::string> got;
  for (const auto& i : issues) got.push_back(i.table + "." + i.field);
  EXPECT_EQ(got, (std::vector<std::string>{"organization.id", "location.latitude",
                                           "service_at_location.service_id", "schedule.byday",
                                           "schedule.closes_at", "attribute.taxonomy_term_id",
                                           "attribute.link_entity"}));
  // What the database already holds counts as existing.
  KnownIds known{{"service", {"99999999-9999-4999-8999-999999999999"}}};
  auto fewer = check_dataset(d, known);
  EXPECT_EQ(fewer.size(), issues.size() - 1);
}

}  // namespace
}  // namespace lotse::catalogue
