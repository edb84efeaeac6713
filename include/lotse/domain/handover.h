// The handover (Fallübergabe) as a closed loop, no I/O:
//   draft → sent → received → accepted | declined;  accepted → completed;
//   the sender may withdraw a draft, sent or received handover.
// Every other (state, action, side) is refused.
//
//   auto next = handover_transition(HandoverState::kSent, HandoverAction::kReceive,
//                                   HandoverSide::kReceiver);   // kReceived
//   bool late = handover_overdue(state, due_on, today);
#pragma once

#include <string>
#include <string_view>

#include "lotse/common/date.h"
#include "lotse/common/result.h"

namespace lotse::domain {

enum class HandoverState { kDraft, kSent, kReceived, kAccepted, kDeclined, kCompleted, kWithdrawn };
enum class HandoverAction { kSend, kReceive, kAccept, kDecline, kComplete, kWithdraw };
enum class HandoverSide { kSender, kReceiver };

std::string_view handover_state_name(HandoverState s);  // "draft", "sent", ...
Result<HandoverState> parse_handover_state(std::string_view s);
std::string_view handover_action_name(HandoverAction a);  // "send", "receive", ...
Result<HandoverAction> parse_handover_action(std::string_view s);

// The next state, or kConflict naming why the action is not allowed (wrong
// state), or kForbidden (wrong side).
Result<HandoverState> handover_transition(HandoverState from, HandoverAction action,
                                          HandoverSide side);

// Reasons a receiver may give when declining.
bool valid_decline_reason(std::string_view reason);  // no_capacity, not_eligible,
                                                     // declined_by_young_person,
                                                     // not_reachable, other
std::string_view decline_reason_label_de(std::string_view reason);

// A handover is due `due_working_days` German working days after the day it
// was sent; the date is fixed when it is sent (a later change of the
// configured days moves no deadline both sides have been shown). Overdue:
// open (sent or received) and today is after its due date.
bool handover_open(HandoverState s);
Date handover_due(Date sent_on, int due_working_days);
bool handover_overdue(HandoverState s, Date due_on, Date today);

}  // namespace lotse::domain
