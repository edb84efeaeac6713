// Row accessors and the URL handling that needs no database server.
#include <gtest/gtest.h>

#include <limits>

#include "lotse/store/database.h"
#include "store/postgres_database.h"

namespace lotse::store {
namespace {

Row row(std::vector<std::optional<std::string>> cols) {
  return Row(std::move(cols));
}

TEST(RowTest, TextAndNull) {
  Row r = row({"abc", std::nullopt, ""});
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.text(0), "abc");
  EXPECT_FALSE(r.is_null(0));
  EXPECT_EQ(r.text(1), "");
  EXPECT_TRUE(r.is_null(1));
  EXPECT_EQ(r.optional_text(1), std::nullopt);
  EXPECT_FALSE(r.is_null(2));
  EXPECT_THROW((void)r.text(3), std::out_of_range);
}

TEST(RowTest, Integers) {
  Row r = row({"42", "-9223372036854775808", "9223372036854775807", std::nullopt, "t", "f", "2.9",
               "-2.9", "1e300", "junk", ""});
  EXPECT_EQ(r.integer(0), 42);
  EXPECT_EQ(r.integer(1), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(r.integer(2), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(r.integer(3), 0);
  EXPECT_EQ(r.integer(4), 1);  // PostgreSQL boolean
  EXPECT_EQ(r.integer(5), 0);
  EXPECT_EQ(r.integer(6), 2);  // truncated like a C cast
  EXPECT_EQ(r.integer(7), -2);
  EXPECT_EQ(r.integer(8), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(r.integer(9), 0);
  EXPECT_EQ(r.integer(10), 0);
}

TEST(RowTest, Reals) {
  Row r = row({"0.1", "-2.5e-300", "12", std::nullopt, "Infinity", "junk"});
  EXPECT_EQ(r.real(0), 0.1);
  EXPECT_EQ(r.real(1), -2.5e-300);
  EXPECT_EQ(r.real(2), 12.0);
  EXPECT_EQ(r.real(3), 0.0);
  EXPECT_EQ(r.real(4), std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.real(5), 0.0);
}

TEST(OpenDatabase, RejectsUnknownSchemesWithoutEchoingTheUrl) {
  for (const char* url : {"mysql://root:topsecret@h/db", "topsecret", "", "sqlite"}) {
    auto db = open_database(url);
    ASSERT_FALSE(db.ok()) << url;
    EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(db.error().field, "database");
    EXPECT_EQ(db.error().message.find("topsecret"), std::string::npos) << db.error().message;
  }
}

TEST(OpenDatabase, DescribesPostgresUrlsWithoutPassword) {
  EXPECT_EQ(describe_postgres_url("postgresql://u:pw@h:5432/db"), "postgresql://u@h:5432/db");
  EXPECT_EQ(describe_postgres_url("postgres://h/db"), "postgresql://h/db");
  EXPECT_EQ(describe_postgres_url("postgresql://u:p%40ss@h/db?password=x&sslmode=disable"),
            "postgresql://u@h/db");
}

TEST(OpenDatabase, InvalidPostgresUrlIsInvalidArgument) {
  auto db = open_database("postgresql://u:s3cr3t@h/db?nonsense_option=1");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(db.error().field, "database");
  EXPECT_EQ(db.error().message.find("s3cr3t"), std::string::npos) << db.error().message;
}

TEST(OpenDatabase, UnwritableSqlitePathIsUnavailable) {
  auto db = open_database("sqlite:/nonexistent-dir/x/lotse.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace lotse::store
