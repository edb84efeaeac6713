// Handovers (Fallübergabe): the closed loop draft → sent → received →
// accepted | declined → completed, with optimistic state changes so that two
// concurrent actions cannot both win.
#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "casework/casework_internal.h"
#include "lotse/casework/casework_service.h"
#include "lotse/common/date.h"

namespace lotse::casework {
namespace {

using domain::HandoverAction;
using domain::HandoverState;
using internal::audit;
using internal::require_case_worker;

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
constexpr std::int64_t kDeclinedShownMs = 30 * kDayMs;
constexpr const char* kNoAccess =
    "Ohne gültige Einwilligung oder Rechtsgrundlage ist keine Übergabe möglich.";

constexpr const char* kHandoverColumns =
    "h.id, h.case_id, h.from_agency, h.to_agency, COALESCE(afr.name, ''), COALESCE(ato.name, ''), "
    "h.reason, h.state, h.move_lead, h.created_at, h.sent_at, h.due_on, h.decline_reason, "
    "h.decline_text, c.person_id";
constexpr const char* kHandoverJoins =
    " FROM handovers h JOIN cases c ON c.id = h.case_id"
    " LEFT JOIN agencies afr ON afr.agency_key = h.from_agency"
    " LEFT JOIN agencies ato ON ato.agency_key = h.to_agency";

// The receiving agency as the gate sees it: any of its case workers.
Reader receiver_reader(const std::string& agency) {
  return {.username = agency, .agency_key = agency, .case_worker = true, .request_id = ""};
}

Result<bool> receiver_has_access(store::Executor& x, const std::string& agency,
                                 std::int64_t case_id, std::int64_t now_ms) {
  LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access,
                         privacy::PolicyGate::decide(x, receiver_reader(agency), case_id, now_ms));
  return access.allowed;
}

bool awaiting_receiver(HandoverState s) {
  return s == HandoverState::kDraft || s == HandoverState::kSent || s == HandoverState::kReceived;
}

// Builds the view from a row of kHandoverColumns, cut for the viewing agency.
Result<HandoverView> view_from_row(store::Executor& x, const store::Row& row, const Reader& viewer,
                                   std::int64_t now_ms, int due_working_days) {
  HandoverView v;
  v.id = row.integer(0);
  v.case_id = row.integer(1);
  v.from_agency = row.text(2);
  v.to_agency = row.text(3);
  v.from_agency_name = row.text(4);
  v.to_agency_name = row.text(5);
  v.reason = row.text(6);
  v.state = row.text(7);
  v.move_lead = row.integer(8) != 0;
  v.created_at_ms = row.integer(9);
  v.sent_at_ms = row.integer(10);
  v.due_on = row.text(11);
  v.decline_reason = row.text(12);
  v.decline_text = row.text(13);
  const std::int64_t person_id = row.integer(14);

  LOTSE_ASSIGN_OR_RETURN(HandoverState state, domain::parse_handover_state(v.state));
  const Date today = Date::from_unix_ms(now_ms);
  if (!row.is_null(10))
    v.overdue =
        domain::handover_overdue(state, Date::from_unix_ms(v.sent_at_ms), today, due_working_days);
  if (awaiting_receiver(state)) {
    LOTSE_ASSIGN_OR_RETURN(bool access, receiver_has_access(x, v.to_agency, v.case_id, now_ms));
    v.suspended = !access;
  }
  // The name only for a viewer whose own access includes master data: a
  // receiver without it must not learn whom the handover concerns.
  LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access,
                         privacy::PolicyGate::decide(x, viewer, v.case_id, now_ms));
  if (access.allowed && access.categories.has(domain::DataCategory::kMasterData)) {
    LOTSE_ASSIGN_OR_RETURN(
        store::Row person,
        x.query_one("SELECT given_name, family_name FROM persons WHERE id = ?", {person_id}));
    v.person_name = person.text(0) + " " + person.text(1);
  }
  return v;
}

Result<HandoverView> load_view(store::Executor& x, std::int64_t id, const Reader& viewer,
                               std::int64_t now_ms, int due_working_days) {
  LOTSE_ASSIGN_OR_RETURN(store::Row row, x.query_one(fmt::format("SELECT {}{} WHERE h.id = ?",
                                                                 kHandoverColumns, kHandoverJoins),
                                                     {id}));
  return view_from_row(x, row, viewer, now_ms, due_working_days);
}

Result<void> record_event(store::Executor& x, std::int64_t handover_id, std::int64_t now_ms,
                          const Reader& r, std::string_view action, std::string_view from_state,
                          std::string_view to_state) {
  LOTSE_TRY(
      x.exec("INSERT INTO handover_events (handover_id, at, actor, agency_key, action, "
             "from_state, to_state) VALUES (?, ?, ?, ?, ?, ?, ?)",
             {handover_id, now_ms, r.username, r.agency_key, std::string(action),
              std::string(from_state), std::string(to_state)}));
  return ok();
}

}  // namespace

Result<HandoverView> CaseworkService::create_handover(const Reader& r, std::int64_t case_id,
                                                      const NewHandover& h) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = Date::from_unix_ms(now);
  const std::size_t reason_len = internal::text_length(h.reason);
  if (reason_len < 5 || reason_len > 2000)
    return Error::invalid("reason", "Bitte den Grund der Übergabe angeben (5 bis 2000 Zeichen).");
  return db_.write([&](store::Executor& x) -> Result<HandoverView> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows cases,
        x.query("SELECT owner_agency, lead_agency FROM cases WHERE id = ?", {case_id}));
    if (cases.empty()) return Error::not_found(internal::kCaseNotFound);
    // The controller or the agency that currently leads the case hands it on.
    if (cases[0].text(0) != r.agency_key && cases[0].text(1) != r.agency_key)
      return internal::refusal(x, r, case_id, now);
    LOTSE_ASSIGN_OR_RETURN(bool known, internal::agency_known(x, h.to_agency));
    if (!known) return Error::invalid("to_agency", "Unbekannte Stelle: " + h.to_agency);
    if (h.to_agency == r.agency_key)
      return Error::invalid("to_agency", "Keine Übergabe an die eigene Stelle.");
    LOTSE_ASSIGN_OR_RETURN(
        privacy::CaseAccess receiver,
        privacy::PolicyGate::decide(x, receiver_reader(h.to_agency), case_id, now));
    if (!receiver.allowed) return Error::conflict(kNoAccess);
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t open,
        x.query_int("SELECT COUNT(*) FROM handovers WHERE case_id = ? AND to_agency = ? AND "
                    "state IN ('draft', 'sent', 'received')",
                    {case_id, h.to_agency}));
    if (open > 0)
      return Error::conflict("An diese Stelle ist bereits eine offene Übergabe unterwegs.");

    const HandoverState state = h.send_now ? HandoverState::kSent : HandoverState::kDraft;
    store::Value sent_at = nullptr, due_on = nullptr;
    if (h.send_now) {
      sent_at = now;
      due_on = domain::handover_due(today, options_.handover_due_working_days).str();
    }
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int(
            "INSERT INTO handovers (case_id, from_agency, to_agency, reason, move_lead, "
            "state, created_by, created_at, sent_at, due_on, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {case_id, r.agency_key, h.to_agency, h.reason, std::int64_t{h.move_lead ? 1 : 0},
             std::string(domain::handover_state_name(state)), r.username, now, sent_at, due_on,
             now}));
    LOTSE_TRY(record_event(x, id, now, r, "create", "", domain::handover_state_name(state)));
    // The data that moves with the handover moves on the receiver's basis.
    const std::string basis = receiver.owner ? internal::kOwnCaseBasis : receiver.legal_basis;
    LOTSE_TRY(audit(x, now, r, "handover.create", fmt::format("handover:{}", id), basis,
                    boost::json::serialize(
                        boost::json::object{{"case", case_id},
                                            {"agency", r.agency_key},
                                            {"to", h.to_agency},
                                            {"state", domain::handover_state_name(state)}})));
    return load_view(x, id, r, now, options_.handover_due_working_days);
  });
}

Result<HandoverView> CaseworkService::act_on_handover(const Reader& r, std::int64_t handover_id,
                                                      HandoverAction action,
                                                      const std::string& decline_reason,
                                                      const std::string& decline_text) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = Date::from_unix_ms(now);
  return db_.write([&](store::Executor& x) -> Result<HandoverView> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT case_id, from_agency, to_agency, state, move_lead FROM handovers "
                "WHERE id = ?",
                {handover_id}));
    if (rows.empty()) return Error::not_found("Übergabe nicht gefunden.");
    const std::int64_t case_id = rows[0].integer(0);
    const std::string from_agency = rows[0].text(1), to_agency = rows[0].text(2);
    const bool move_lead = rows[0].integer(4) != 0;
    domain::HandoverSide side;
    if (r.agency_key == from_agency) {
      side = domain::HandoverSide::kSender;
    } else if (r.agency_key == to_agency) {
      side = domain::HandoverSide::kReceiver;
    } else {
      return Error::not_found("Übergabe nicht gefunden.");
    }
    LOTSE_ASSIGN_OR_RETURN(HandoverState from, domain::parse_handover_state(rows[0].text(3)));
    LOTSE_ASSIGN_OR_RETURN(HandoverState next, domain::handover_transition(from, action, side));

    if (action == HandoverAction::kReceive || action == HandoverAction::kAccept) {
      // Withdrawal or expiry of the consent suspends the handover at once.
      LOTSE_ASSIGN_OR_RETURN(bool access, receiver_has_access(x, to_agency, case_id, now));
      if (!access) return Error::conflict(kNoAccess);
    }

    std::string sql = "UPDATE handovers SET state = ?, updated_at = ?";
    store::Params params{std::string(domain::handover_state_name(next)), now};
    if (action == HandoverAction::kDecline) {
      if (!domain::valid_decline_reason(decline_reason))
        return Error::invalid("reason",
                              "Bitte einen Ablehnungsgrund wählen (no_capacity, not_eligible, "
                              "declined_by_young_person, not_reachable, other).");
      const std::size_t text_len = internal::text_length(decline_text);
      if (decline_reason == "other" && text_len == 0)
        return Error::invalid("text", "Bitte den anderen Grund beschreiben.");
      if (text_len > 2000) return Error::invalid("text", "Höchstens 2000 Zeichen.");
      sql += ", decline_reason = ?, decline_text = ?";
      params.push_back(decline_reason);
      params.push_back(decline_text);
    }
    if (action == HandoverAction::kSend) {
      sql += ", sent_at = ?, due_on = ?";
      params.push_back(now);
      params.push_back(domain::handover_due(today, options_.handover_due_working_days).str());
    }
    sql += " WHERE id = ? AND state = ?";
    params.push_back(handover_id);
    params.push_back(std::string(domain::handover_state_name(from)));
    LOTSE_ASSIGN_OR_RETURN(std::int64_t changed, x.exec(sql, params));
    if (changed == 0)
      return Error::conflict("Die Übergabe wurde inzwischen geändert. Bitte neu laden.");

    if (action == HandoverAction::kAccept && move_lead)
      LOTSE_TRY(x.exec("UPDATE cases SET lead_agency = ?, updated_at = ? WHERE id = ?",
                       {to_agency, now, case_id}));
    const std::string_view action_name = domain::handover_action_name(action);
    LOTSE_TRY(record_event(x, handover_id, now, r, action_name, domain::handover_state_name(from),
                           domain::handover_state_name(next)));
    boost::json::object details{{"case", case_id},
                                {"agency", r.agency_key},
                                {"from_state", domain::handover_state_name(from)},
                                {"to_state", domain::handover_state_name(next)}};
    if (action == HandoverAction::kDecline) details["reason"] = decline_reason;
    if (action == HandoverAction::kAccept && move_lead) details["lead"] = to_agency;
    LOTSE_TRY(audit(x, now, r, fmt::format("handover.{}", action_name),
                    fmt::format("handover:{}", handover_id), internal::kOwnCaseBasis,
                    boost::json::serialize(details)));
    return load_view(x, handover_id, r, now, options_.handover_due_working_days);
  });
}

Result<Inbox> CaseworkService::inbox(const Reader& r) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const int due_days = options_.handover_due_working_days;
  return db_.read([&](store::Executor& x) -> Result<Inbox> {
    Inbox box;
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows in,
        x.query(fmt::format("SELECT {}{} WHERE h.to_agency = ? AND h.state IN "
                            "('sent', 'received', 'accepted') ORDER BY h.id DESC LIMIT 500",
                            kHandoverColumns, kHandoverJoins),
                {r.agency_key}));
    for (const auto& row : in) {
      LOTSE_ASSIGN_OR_RETURN(HandoverView v, view_from_row(x, row, r, now, due_days));
      box.incoming.push_back(std::move(v));
    }
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows out,
        x.query(fmt::format("SELECT {}{} WHERE h.from_agency = ? AND (h.state IN "
                            "('draft', 'sent', 'received', 'accepted') OR (h.state = 'declined' "
                            "AND h.updated_at >= ?)) ORDER BY h.id DESC LIMIT 500",
                            kHandoverColumns, kHandoverJoins),
                {r.agency_key, now - kDeclinedShownMs}));
    for (const auto& row : out) {
      LOTSE_ASSIGN_OR_RETURN(HandoverView v, view_from_row(x, row, r, now, due_days));
      box.outgoing.push_back(std::move(v));
    }
    auto open = [](const HandoverView& v) { return v.state == "sent" || v.state == "received"; };
    for (const auto& v : box.incoming) {
      box.incoming_open += open(v);
      box.incoming_overdue += v.overdue;
    }
    for (const auto& v : box.outgoing) {
      box.outgoing_open += open(v);
      box.outgoing_overdue += v.overdue;
    }
    return box;
  });
}

Result<std::vector<HandoverView>> CaseworkService::handovers(const Reader& r, bool incoming) {
  LOTSE_ASSIGN_OR_RETURN(Inbox box, inbox(r));
  return incoming ? std::move(box.incoming) : std::move(box.outgoing);
}

}  // namespace lotse::casework
