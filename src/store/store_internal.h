// Internal to the store layer: helpers shared by the SQLite and PostgreSQL
// adapters, so that both format values and handle callbacks the same way.
//
//   std::string s = format_double(0.1);              // "0.1" (shortest round trip)
//   Result<void> r = call_guarded(fn, executor);     // exceptions become kInternal
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lotse/common/result.h"
#include "lotse/store/database.h"

namespace lotse::store {

// Decimal text of an integer, as both databases print it.
std::string format_int(std::int64_t v);

// Shortest text that reads back as the same double; matches PostgreSQL's
// float8 output (extra_float_digits = 1), so both adapters print alike.
std::string format_double(double v);

// Runs a transaction callback. An exception must not unwind through the
// adapter (the transaction would stay open on a pooled connection), so it
// becomes a kInternal error and the caller rolls back.
Result<void> call_guarded(const std::function<Result<void>(Executor&)>& fn, Executor& x);

// The start of a statement, on one line, for kInternal messages that help a
// developer find the failing query.
std::string sql_snippet(std::string_view sql);

// Remembers the first statement error inside a transaction. Both adapters
// fail the whole transaction on it even if the callback ignored it: on
// PostgreSQL the transaction is aborted anyway, and SQLite behaves the same
// so code tested on one backend works on the other.
class FirstError {
 public:
  Error note(Error e) {
    if (!error_) error_ = e;
    return e;
  }
  const std::optional<Error>& get() const { return error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace lotse::store
