// Time source. Services take a Clock so tests can move time (session
// timeouts, throttling windows, token expiry) without sleeping.
//
//   Clock clock = system_clock();          // production
//   FakeClock fake{1'700'000'000};         // tests: fake.advance(3600)
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace lotse {

// Returns unix time in milliseconds.
using Clock = std::function<std::int64_t()>;

Clock system_clock();

// Formats unix milliseconds as RFC 3339 UTC ("2026-11-21T16:54:00Z").
std::string format_utc(std::int64_t unix_ms);

}  // namespace lotse
