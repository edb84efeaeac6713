// Result<T>: the value-or-error type used at every layer boundary.
//
//   Result<int> parse_port(std::string_view s);
//   auto port = parse_port("8080");
//   if (!port) return port.error();          // propagate
//   use(*port);
//
//   Result<void> save() { ...; return ok(); }
//
// An Error carries a machine-readable code (mapped to HTTP status by the web
// layer), a human-readable message, and optionally the name of the input field
// it concerns, so that forms and problem+json answers can point at it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace lotse {

enum class ErrorCode {
  kInvalidArgument,  // bad input: 400/422
  kNotFound,         // 404
  kForbidden,        // 403: authenticated but not allowed
  kUnauthenticated,  // 401
  kConflict,         // 409: state does not allow the action
  kTooManyRequests,  // 429: throttled
  kTooLarge,         // 413
  kUnavailable,      // 503: database down, shutting down
  kInternal,         // 500: a bug or an unexpected failure
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // the offending input field, empty if none

  static Error invalid(std::string field, std::string message) {
    return {ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Error not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error forbidden(std::string message) { return {ErrorCode::kForbidden, std::move(message), {}}; }
  static Error conflict(std::string message) { return {ErrorCode::kConflict, std::move(message), {}}; }
  static Error internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }
  static Error unavailable(std::string message) {
    return {ErrorCode::kUnavailable, std::move(message), {}};
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

inline Result<void> ok() { return {}; }

}  // namespace lotse

// Propagates an error from an expression returning Result<...>.
#define LOTSE_TRY(expr)                               \
  do {                                                \
    auto lotse_try_result_ = (expr);                  \
    if (!lotse_try_result_) return lotse_try_result_.error(); \
  } while (0)

#define LOTSE_CONCAT_INNER_(a, b) a##b
#define LOTSE_CONCAT_(a, b) LOTSE_CONCAT_INNER_(a, b)
// Assigns the value of a Result expression to `lhs` or returns its error.
#define LOTSE_ASSIGN_OR_RETURN(lhs, expr)                                 \
  auto LOTSE_CONCAT_(lotse_aor_, __LINE__) = (expr);                      \
  if (!LOTSE_CONCAT_(lotse_aor_, __LINE__))                               \
    return LOTSE_CONCAT_(lotse_aor_, __LINE__).error();                   \
  lhs = std::move(*LOTSE_CONCAT_(lotse_aor_, __LINE__))
