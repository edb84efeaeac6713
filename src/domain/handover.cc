#include "lotse/domain/handover.h"

#include <array>

namespace lotse::domain {
namespace {

constexpr std::array<std::string_view, 7> kStates = {"draft",    "sent",      "received", "accepted",
                                                     "declined", "completed", "withdrawn"};
constexpr std::array<std::string_view, 6> kActions = {"send",    "receive",  "accept",
                                                      "decline", "complete", "withdraw"};

struct Rule {
  HandoverState from;
  HandoverAction action;
  HandoverSide side;
  HandoverState to;
};

// The complete list of legal transitions; anything else is refused.
constexpr Rule kRules[] = {
    {HandoverState::kDraft, HandoverAction::kSend, HandoverSide::kSender, HandoverState::kSent},
    {HandoverState::kSent, HandoverAction::kReceive, HandoverSide::kReceiver, HandoverState::kReceived},
    {HandoverState::kReceived, HandoverAction::kAccept, HandoverSide::kReceiver, HandoverState::kAccepted},
    {HandoverState::kReceived, HandoverAction::kDecline, HandoverSide::kReceiver, HandoverState::kDeclined},
    {HandoverState::kAccepted, HandoverAction::kComplete, HandoverSide::kReceiver, HandoverState::kCompleted},
    {HandoverState::kDraft, HandoverAction::kWithdraw, HandoverSide::kSender, HandoverState::kWithdrawn},
    {HandoverState::kSent, HandoverAction::kWithdraw, HandoverSide::kSender, HandoverState::kWithdrawn},
    {HandoverState::kReceived, HandoverAction::kWithdraw, HandoverSide::kSender, HandoverState::kWithdrawn},
};

struct DeclineReason {
  std::string_view key, label;
};
constexpr DeclineReason kDeclineReasons[] = {
    {"no_capacity", "Keine Kapazität"},
    {"not_eligible", "Nicht zuständig / keine Anspruchsvoraussetzungen"},
    {"declined_by_young_person", "Junger Mensch hat abgelehnt"},
    {"not_reachable", "Nicht erreichbar"},
    {"other", "Anderer Grund"},
};

}  // namespace

std::string_view handover_state_name(HandoverState s) { return kStates[static_cast<int>(s)]; }

Result<HandoverState> parse_handover_state(std::string_view s) {
  for (std::size_t i = 0; i < kStates.size(); ++i)
    if (kStates[i] == s) return static_cast<HandoverState>(i);
  return Error::invalid("state", "Unbekannter Übergabestatus: " + std::string(s));
}

std::string_view handover_action_name(HandoverAction a) { return kActions[static_cast<int>(a)]; }

Result<HandoverAction> parse_handover_action(std::string_view s) {
  for (std::size_t i = 0; i < kActions.size(); ++i)
    if (kActions[i] == s) return static_cast<HandoverAction>(i);
  return Error::invalid("action", "Unbekannte Aktion: " + std::string(s));
}

Result<HandoverState> handover_transition(HandoverState from, HandoverAction action,
                                          HandoverSide side) {
  bool wrong_side = false;
  for (const Rule& r : kRules) {
    if (r.from != from || r.action != action) continue;
    if (r.side == side) return r.to;
    wrong_side = true;
  }
  if (wrong_side)
    return Error::forbidden(side == HandoverSide::kSender
                                ? "Nur die empfangende Stelle darf das."
                                : "Nur die abgebende Stelle darf das.");
  return Error::conflict("Eine Übergabe im Status " + std::string(handover_state_name(from)) +
                         " erlaubt " + std::string(handover_action_name(action)) + " nicht.");
}

bool valid_decline_reason(std::string_view reason) {
  for (const auto& r : kDeclineReasons)
    if (r.key == reason) return true;
  return false;
}

std::string_view decline_reason_label_de(std::string_view reason) {
  for (const auto& r : kDeclineReasons)
    if (r.key == reason) return r.label;
  return reason;
}

bool handover_open(HandoverState s) {
  return s == HandoverState::kSent || s == HandoverState::kReceived;
}

Date handover_due(Date sent_on, int due_working_days) {
  return add_working_days(sent_on, due_working_days);
}

bool handover_overdue(HandoverState s, Date due_on, Date today) {
  return handover_open(s) && today > due_on;
}

}  // namespace lotse::domain
