// Small wrappers around libsodium. Call crypto_init() once before use
// (idempotent, thread-safe).
//
//   std::string token = random_token(32);        // URL-safe, 43 chars
//   std::string key   = blake2b_hex(token);      // store this, never the token
#pragma once

#include <string>
#include <string_view>

namespace lotse {

void crypto_init();
// `bytes` random bytes, base64url without padding.
std::string random_token(std::size_t bytes);
// BLAKE2b-256 of data, lowercase hex: for storing lookup keys of secrets.
std::string blake2b_hex(std::string_view data);
// SHA-256 of data, lowercase hex: for the audit chain (a widely known hash,
// so anyone can re-verify the chain with standard tools).
std::string sha256_hex(std::string_view data);
// Constant-time comparison.
bool secure_equals(std::string_view a, std::string_view b);

}  // namespace lotse
