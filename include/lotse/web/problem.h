// RFC 9457 problem details ("application/problem+json") for API errors.
//
//   return problem(422, "Unprocessable Content", "Bitte eine PLZ angeben.",
//                  request.request_id, "postcode");
//   if (!result) return problem_from_error(result.error(), request.request_id);
//
// Body: {"type":"about:blank","title":...,"status":...,"detail":...,
//        "instance":"urn:request:<id>","request_id":"<id>"} plus, when a field
// is named, "field" and "errors":[{"field":...,"detail":...}].
#pragma once

#include <string>

#include "lotse/common/result.h"
#include "lotse/web/http.h"

namespace lotse::web {

// instance/request_id are left out when request_id is empty.
Response problem(int status, std::string title, std::string detail, std::string request_id,
                 std::string field = "");

// Maps the error code to a status (kInvalidArgument 400, kNotFound 404,
// kForbidden 403, kUnauthenticated 401, kConflict 409, kTooManyRequests 429,
// kTooLarge 413, kUnavailable 503, kInternal 500). The message becomes the
// detail, except for kInternal: internal messages may reveal implementation
// details, so clients only see "Interner Fehler" (log the error yourself).
Response problem_from_error(const lotse::Error& error, const std::string& request_id);

// Status code for an ErrorCode, as used by problem_from_error().
int status_for(lotse::ErrorCode code);

}  // namespace lotse::web
