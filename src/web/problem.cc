#include "lotse/web/problem.h"

#include <boost/json.hpp>

namespace lotse::web {

Response problem(int status, std::string title, std::string detail, std::string request_id,
                 std::string field) {
  boost::json::object body;
  body["type"] = "about:blank";
  body["title"] = title;
  body["status"] = status;
  body["detail"] = detail;
  if (!request_id.empty()) {
    body["instance"] = "urn:request:" + request_id;
    body["request_id"] = request_id;
  }
  if (!field.empty()) {
    boost::json::array errors;
    errors.push_back(boost::json::object{{"field", field}, {"detail", detail}});
    body["errors"] = std::move(errors);
    body["field"] = field;
  }
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/problem+json");
  r.body = boost::json::serialize(body);
  return r;
}

int status_for(lotse::ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooManyRequests:
      return 429;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response problem_from_error(const lotse::Error& error, const std::string& request_id) {
  const int status = status_for(error.code);
  std::string title(reason_phrase(status));
  if (error.code == ErrorCode::kInternal) {
    return problem(status, std::move(title), "Interner Fehler", request_id);
  }
  return problem(status, std::move(title), error.message, request_id, error.field);
}

}  // namespace lotse::web
