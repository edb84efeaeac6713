#include <gtest/gtest.h>

#include "casework/casework_internal.h"

namespace lotse::casework::internal {
namespace {

TEST(CaseworkFold, FoldsCaseAndUmlauts) {
  EXPECT_EQ(fold_for_search("Jürgen Müller-Weiß"), "juergen mueller-weiss");
  EXPECT_EQ(fold_for_search("ÄRGER Öl Über"), "aerger oel ueber");
  EXPECT_EQ(fold_for_search("Lena SCHULZ"), "lena schulz");
}

TEST(CaseworkFold, CountsCodePoints) {
  EXPECT_EQ(text_length("Jürgen"), 6u);
  EXPECT_EQ(text_length(""), 0u);
}

TEST(CaseworkRules, CoordinatorsAreRefused) {
  auto r =
      require_case_worker({.username = "koord", .agency_key = "15003-jc", .case_worker = false});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(
      require_case_worker({.username = "a", .agency_key = "15003-jc", .case_worker = true}));
}

}  // namespace
}  // namespace lotse::casework::internal
