#include "lotse/common/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "lotse/common/clock.h"

namespace lotse {
namespace {

TEST(Crypto, RandomTokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = random_token(32);
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_TRUE(seen.insert(t).second);
  }
}

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Blake2bIsStableAndDiffersFromSha256) {
  EXPECT_EQ(blake2b_hex("x"), blake2b_hex("x"));
  EXPECT_NE(blake2b_hex("x"), blake2b_hex("y"));
  EXPECT_EQ(blake2b_hex("x").size(), 64u);
}

TEST(Crypto, SecureEquals) {
  EXPECT_TRUE(secure_equals("abc", "abc"));
  EXPECT_FALSE(secure_equals("abc", "abd"));
  EXPECT_FALSE(secure_equals("abc", "abcd"));
}

TEST(Clock, FormatsUtc) { EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z"); }

}  // namespace
}  // namespace lotse
