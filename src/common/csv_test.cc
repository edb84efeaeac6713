#include "lotse/common/csv.h"

#include <gtest/gtest.h>

namespace lotse {
namespace {

TEST(Csv, ParsesQuotedFieldsWithCommasAndQuotes) {
  auto t = parse_csv("\xEF\xBB\xBF" "ags,name\r\n15001,\"Dessau-Roßlau, Stadt\"\r\n15002,\"a \"\"b\"\"\"\n");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->header, (std::vector<std::string>{"ags", "name"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0][1], "Dessau-Roßlau, Stadt");
  EXPECT_EQ(t->rows[1][1], "a \"b\"");
  EXPECT_EQ(t->column("name"), 1u);
  EXPECT_THROW(t->column("missing"), std::out_of_range);
}

TEST(Csv, RejectsRowsWithWrongFieldCount) {
  auto t = parse_csv("a,b\n1,2,3\n");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("row 2"), std::string::npos);
}

TEST(Csv, RejectsUnterminatedQuote) { EXPECT_FALSE(parse_csv("a\n\"x\n")); }

TEST(Csv, ReadsTheFoldedDistrictTable) {
  auto t = read_csv_file(std::string(LOTSE_SOURCE_DIR) + "/data/municipalities/kreise_sachsen-anhalt.csv");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->rows.size(), 14u);
}

}  // namespace
}  // namespace lotse
