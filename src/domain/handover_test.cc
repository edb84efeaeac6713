#include "lotse/domain/handover.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace lotse::domain {
namespace {

using S = HandoverState;
using A = HandoverAction;
using Side = HandoverSide;

// The legal transitions, written out independently of the implementation.
const std::map<std::tuple<S, A, Side>, S> kLegal = {
    {{S::kDraft, A::kSend, Side::kSender}, S::kSent},
    {{S::kSent, A::kReceive, Side::kReceiver}, S::kReceived},
    {{S::kReceived, A::kAccept, Side::kReceiver}, S::kAccepted},
    {{S::kReceived, A::kDecline, Side::kReceiver}, S::kDeclined},
    {{S::kAccepted, A::kComplete, Side::kReceiver}, S::kCompleted},
    {{S::kDraft, A::kWithdraw, Side::kSender}, S::kWithdrawn},
    {{S::kSent, A::kWithdraw, Side::kSender}, S::kWithdrawn},
    {{S::kReceived, A::kWithdraw, Side::kSender}, S::kWithdrawn},
};

TEST(HandoverStateMachine, AllowsExactlyTheLegalTransitionsAndRefusesEveryOther) {
  int legal = 0, refused = 0;
  for (int s = 0; s <= static_cast<int>(S::kWithdrawn); ++s)
    for (int a = 0; a <= static_cast<int>(A::kWithdraw); ++a)
      for (Side side : {Side::kSender, Side::kReceiver}) {
        const auto key = std::make_tuple(static_cast<S>(s), static_cast<A>(a), side);
        auto result = handover_transition(std::get<0>(key), std::get<1>(key), side);
        const std::string label = std::string(handover_state_name(std::get<0>(key))) + " --" +
                                  std::string(handover_action_name(std::get<1>(key))) + "--> (" +
                                  (side == Side::kSender ? "sender" : "receiver") + ")";
        if (auto it = kLegal.find(key); it != kLegal.end()) {
          ASSERT_TRUE(result) << label;
          EXPECT_EQ(*result, it->second) << label;
          ++legal;
        } else {
          ASSERT_FALSE(result) << label;
          EXPECT_TRUE(result.error().code == ErrorCode::kConflict ||
                      result.error().code == ErrorCode::kForbidden)
              << label;
          ++refused;
        }
      }
  EXPECT_EQ(legal, 8);
  EXPECT_EQ(refused, 7 * 6 * 2 - 8);
}

TEST(HandoverStateMachine, WrongSideIsForbiddenWrongStateIsConflict) {
  EXPECT_EQ(handover_transition(S::kReceived, A::kAccept, Side::kSender).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(handover_transition(S::kDeclined, A::kAccept, Side::kReceiver).error().code, ErrorCode::kConflict);
  EXPECT_EQ(handover_transition(S::kAccepted, A::kWithdraw, Side::kSender).error().code, ErrorCode::kConflict);
}

TEST(HandoverStateMachine, NamesRoundTrip) {
  for (int s = 0; s <= static_cast<int>(S::kWithdrawn); ++s)
    EXPECT_EQ(*parse_handover_state(handover_state_name(static_cast<S>(s))), static_cast<S>(s));
  for (int a = 0; a <= static_cast<int>(A::kWithdraw); ++a)
    EXPECT_EQ(*parse_handover_action(handover_action_name(static_cast<A>(a))), static_cast<A>(a));
  EXPECT_FALSE(parse_handover_action("approve"));
}

TEST(HandoverOverdue, CountsWorkingDaysFromSending) {
  const Date friday = *Date::parse("2026-11-20");
  const Date due = handover_due(friday, 5);
  EXPECT_EQ(due.str(), "2026-11-27");
  EXPECT_FALSE(handover_overdue(S::kSent, due, *Date::parse("2026-11-27")));
  EXPECT_TRUE(handover_overdue(S::kSent, due, *Date::parse("2026-11-28")));
  EXPECT_TRUE(handover_overdue(S::kReceived, due, *Date::parse("2026-12-01")));
  EXPECT_FALSE(handover_overdue(S::kAccepted, due, *Date::parse("2026-12-01")));
  EXPECT_FALSE(handover_overdue(S::kDraft, due, *Date::parse("2026-12-01")));
}

TEST(HandoverDecline, ReasonsFromTheList) {
  for (const char* r : {"no_capacity", "not_eligible", "declined_by_young_person", "not_reachable", "other"})
    EXPECT_TRUE(valid_decline_reason(r)) << r;
  EXPECT_FALSE(valid_decline_reason("busy"));
}

}  // namespace
}  // namespace lotse::domain
