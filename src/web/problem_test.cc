#include "lotse/web/problem.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace lotse::web {
namespace {

boost::json::object parse(const Response& r) {
  return boost::json::parse(r.body).as_object();
}

TEST(ProblemTest, Fields) {
  Response r = problem(409, "Conflict", "Der Fall ist bereits abgeschlossen.", "abc123");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  auto j = parse(r);
  EXPECT_EQ(j.at("type").as_string(), "about:blank");
  EXPECT_EQ(j.at("title").as_string(), "Conflict");
  EXPECT_EQ(j.at("status").as_int64(), 409);
  EXPECT_EQ(j.at("detail").as_string(), "Der Fall ist bereits abgeschlossen.");
  EXPECT_EQ(j.at("instance").as_string(), "urn:request:abc123");
  EXPECT_EQ(j.at("request_id").as_string(), "abc123");
  EXPECT_FALSE(j.contains("errors"));
  EXPECT_FALSE(j.contains("field"));
}

TEST(ProblemTest, FieldError) {
  auto j = parse(problem(400, "Bad Request", "Bitte eine PLZ angeben.", "r1", "postcode"));
  EXPECT_EQ(j.at("field").as_string(), "postcode");
  const auto& errors = j.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].at("field").as_string(), "postcode");
  EXPECT_EQ(errors[0].at("detail").as_string(), "Bitte eine PLZ angeben.");
}

TEST(ProblemTest, EscapesText) {
  Response r = problem(400, "Bad Request", "\"quoted\" <tag> \\ \n", "r1");
  auto j = parse(r);
  EXPECT_EQ(j.at("detail").as_string(), "\"quoted\" <tag> \\ \n");
}

TEST(ProblemTest, FromErrorMapsCodes) {
  struct Case {
    ErrorCode code;
    int status;
  };
  for (auto [code, status] :
       {Case{ErrorCode::kInvalidArgument, 400}, Case{ErrorCode::kNotFound, 404},
        Case{ErrorCode::kForbidden, 403}, Case{ErrorCode::kUnauthenticated, 401},
        Case{ErrorCode::kConflict, 409}, Case{ErrorCode::kTooManyRequests, 429},
        Case{ErrorCode::kTooLarge, 413}, Case{ErrorCode::kUnavailable, 503},
        Case{ErrorCode::kInternal, 500}}) {
    Response r = problem_from_error(Error{code, "msg", ""}, "rid");
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(parse(r).at("status").as_int64(), status);
  }
}

TEST(ProblemTest, FromErrorCarriesMessageAndField) {
  auto j = parse(problem_from_error(Error::invalid("email", "Ungültige E-Mail-Adresse"), "rid"));
  EXPECT_EQ(j.at("title").as_string(), "Bad Request");
  EXPECT_EQ(j.at("detail").as_string(), "Ungültige E-Mail-Adresse");
  EXPECT_EQ(j.at("field").as_string(), "email");
  EXPECT_EQ(j.at("errors").as_array()[0].at("field").as_string(), "email");
}

TEST(ProblemTest, InternalErrorsHideTheMessage) {
  Response r =
      problem_from_error(Error::internal("sqlite3_step: disk I/O error at /var/lib"), "rid");
  EXPECT_EQ(r.status, 500);
  auto j = parse(r);
  EXPECT_EQ(j.at("detail").as_string(), "Interner Fehler");
  EXPECT_EQ(r.body.find("sqlite"), std::string::npos);
  EXPECT_EQ(j.at("request_id").as_string(), "rid");
}

}  // namespace
}  // namespace lotse::web
