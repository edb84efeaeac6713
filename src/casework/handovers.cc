// Handovers (Fallübergabe): the closed loop draft → sent → received →
// accepted | declined → completed, with optimistic state changes so that two
// concurrent actions cannot both win.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <utility>

#include "casework/casework_internal.h"
#include "lotse/casework/casework_service.h"
#include "lotse/common/date.h"
#include "lotse/organisation/directory.h"

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
    "h.id, h.case_id, h.from_agency, h.to_agency, h.reason, h.state, h.move_lead, h.created_at, "
    "h.sent_at, h.due_on, h.decline_reason, h.decline_text, c.person_id, p.given_name, "
    "p.family_name, p.birth_date";
// Positions in kHandoverColumns.
enum HandoverColumn : int {
  kColId,
  kColCaseId,
  kColFrom,
  kColTo,
  kColReason,
  kColState,
  kColMoveLead,
  kColCreatedAt,
  kColSentAt,
  kColDueOn,
  kColDeclineReason,
  kColDeclineText,
  kColPersonId,
  kColGivenName,
  kColFamilyName,
  kColBirthDate,
};
// The person's name and birth date come along and are cut by the gate for
// the viewer (view_from_row). The agencies' names come
// from AgencyNames: a page of handovers names the same few agencies, so
// looking each up once is cheaper than joining it to every row.
constexpr const char* kHandoverJoins =
    " FROM handovers h JOIN cases c ON c.id = h.case_id JOIN persons p ON p.id = c.person_id";

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

// Decisions of the gate, remembered for the duration of one call: an inbox
// page asks about the same (agency, case) pairs more than once (for an
// incoming handover the viewer is the receiver). Only case workers of an
// agency get here, so the agency and the case decide.
class Decisions {
 public:
  Result<privacy::CaseAccess> get(store::Executor& x, const Reader& reader, std::int64_t case_id,
                                  std::int64_t now_ms) {
    auto key = std::make_pair(reader.agency_key, case_id);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access,
                           privacy::PolicyGate::decide(x, reader, case_id, now_ms));
    cache_.emplace(std::move(key), access);
    return access;
  }

  // Decides the given (agency, case) pairs in a few queries (PolicyGate::
  // decide_for_agencies) and remembers the answers for get().
  Result<void> prefetch(store::Executor& x,
                        const std::vector<privacy::PolicyGate::AgencyCase>& asks,
                        std::int64_t now_ms) {
    std::vector<privacy::PolicyGate::AgencyCase> missing;
    for (const auto& a : asks)
      if (!cache_.contains({a.agency_key, a.case_id})) missing.push_back(a);
    if (missing.empty()) return ok();
    LOTSE_ASSIGN_OR_RETURN(std::vector<privacy::CaseAccess> decided,
                           privacy::PolicyGate::decide_for_agencies(x, missing, now_ms));
    for (std::size_t i = 0; i < missing.size(); ++i)
      cache_.emplace(std::make_pair(missing[i].agency_key, missing[i].case_id),
                     std::move(decided[i]));
    return ok();
  }

 private:
  std::map<std::pair<std::string, std::int64_t>, privacy::CaseAccess> cache_;
};

// Agency names by key from the directory, each looked up once per call
// ("" for a key no longer in the directory, as the join it replaces gave).
class AgencyNames {
 public:
  Result<std::string> get(store::Executor& x, const std::string& key) {
    if (auto it = names_.find(key); it != names_.end()) return it->second;
    std::string name;
    auto agency = organisation::Directory::find_agency(x, key);
    if (agency) {
      name = agency->name;
    } else if (agency.error().code != ErrorCode::kNotFound) {
      return agency.error();
    }
    names_.emplace(key, name);
    return name;
  }

 private:
  std::map<std::string, std::string> names_;
};

// What one call that builds views remembers: the gate's decisions and the
// agencies' names.
struct ViewMemo {
  Decisions decisions;
  AgencyNames agencies;
};

// Builds the view from a row of kHandoverColumns, cut for the viewing agency.
Result<HandoverView> view_from_row(store::Executor& x, const store::Row& row, const Reader& viewer,
                                   std::int64_t now_ms, ViewMemo& memo) {
  Decisions& decisions = memo.decisions;
  HandoverView v;
  v.id = row.integer(kColId);
  v.case_id = row.integer(kColCaseId);
  v.from_agency = row.text(kColFrom);
  v.to_agency = row.text(kColTo);
  LOTSE_ASSIGN_OR_RETURN(v.from_agency_name, memo.agencies.get(x, v.from_agency));
  LOTSE_ASSIGN_OR_RETURN(v.to_agency_name, memo.agencies.get(x, v.to_agency));
  v.reason = row.text(kColReason);
  v.state = row.text(kColState);
  v.move_lead = row.integer(kColMoveLead) != 0;
  v.created_at_ms = row.integer(kColCreatedAt);
  v.sent_at_ms = row.integer(kColSentAt);
  v.due_on = row.text(kColDueOn);
  v.decline_reason = row.text(kColDeclineReason);
  v.decline_text = row.text(kColDeclineText);

  LOTSE_ASSIGN_OR_RETURN(HandoverState state, domain::parse_handover_state(v.state));
  // Due dates are German calendar days, fixed when the handover was sent
  // (with its sending time: older data may lack the time, and is never
  // overdue). The same condition as handover_due_counts (migration 18).
  if (!row.is_null(kColSentAt) && !row.is_null(kColDueOn)) {
    // Written by act_on_handover as YYYY-MM-DD; anything else is damaged
    // data, not the caller's input.
    auto due = Date::parse(v.due_on);
    if (!due) return Error::internal(fmt::format("handover {} has an unreadable due date", v.id));
    v.overdue = domain::handover_overdue(state, *due, berlin_time(now_ms).date);
  }
  if (awaiting_receiver(state)) {
    LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess receiver,
                           decisions.get(x, receiver_reader(v.to_agency), v.case_id, now_ms));
    v.suspended = !receiver.allowed;
  }
  // The person as the gate cuts it for the viewer, as it cuts any record: a
  // receiver without master data must not learn whom the handover concerns.
  LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access, decisions.get(x, viewer, v.case_id, now_ms));
  domain::CaseRecord named;
  named.person.given_name = row.text(kColGivenName);
  named.person.family_name = row.text(kColFamilyName);
  named.person.birth_date = row.text(kColBirthDate);
  named = privacy::PolicyGate::cut(std::move(named), access, viewer);
  if (!named.person.given_name.empty()) {
    v.person_name = named.person.given_name + " " + named.person.family_name;
    v.person_birth_date = std::move(named.person.birth_date);
  }
  return v;
}

Result<HandoverView> view_from_row(store::Executor& x, const store::Row& row, const Reader& viewer,
                                   std::int64_t now_ms) {
  ViewMemo memo;
  return view_from_row(x, row, viewer, now_ms, memo);
}

// The two boxes of an agency's inbox (parameters: the agency, and for the
// outgoing box the time from which declined handovers are still shown).
constexpr const char* kIncomingBox =
    "h.to_agency = ? AND h.state IN ('sent', 'received', 'accepted')";
constexpr const char* kOutgoingBox =
    "h.from_agency = ? AND (h.state IN ('draft', 'sent', 'received', 'accepted') OR "
    "(h.state = 'declined' AND h.updated_at >= ?))";

// What a filter adds to a box's list: its condition, appended to the box's
// (with one parameter, today's date, where `binds_today`), and the list's
// order. Overdue as
// HandoverView::overdue and handover_due_counts count it: open, with a
// sending time and a due date before today (the terms of migration 22's
// partial indexes, which SQLite matches as written), longest overdue first
// (by due date, then in the order they were sent); the others newest first.
struct FilterSql {
  const char* condition;
  const char* order;
  bool binds_today = false;
};
FilterSql filter_sql(BoxFilter f) {
  switch (f) {
    case BoxFilter::kOpen:
      return {" AND h.state IN ('sent', 'received')", "h.id DESC"};
    case BoxFilter::kOverdue:
      return {
          " AND h.state IN ('sent', 'received') AND h.sent_at IS NOT NULL AND "
          "h.due_on IS NOT NULL AND h.due_on < ?",
          "h.due_on, h.id", true};
    case BoxFilter::kAll:
      break;
  }
  return {"", "h.id DESC"};
}

Result<HandoverView> load_view(store::Executor& x, std::int64_t id, const Reader& viewer,
                               std::int64_t now_ms) {
  LOTSE_ASSIGN_OR_RETURN(store::Row row, x.query_one(fmt::format("SELECT {}{} WHERE h.id = ?",
                                                                 kHandoverColumns, kHandoverJoins),
                                                     {id}));
  return view_from_row(x, row, viewer, now_ms);
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
  const Date today = berlin_time(now).date;
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
    return load_view(x, id, r, now);
  });
}

Result<HandoverView> CaseworkService::act_on_handover(const Reader& r, std::int64_t handover_id,
                                                      HandoverAction action,
                                                      const std::string& decline_reason,
                                                      const std::string& decline_text) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;
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
    return load_view(x, handover_id, r, now);
  });
}

Result<Inbox> CaseworkService::inbox(const Reader& r) {
  return inbox(r, {.limit = 500});
}

Result<Inbox> CaseworkService::inbox(const Reader& r, const InboxPage& page) {
  LOTSE_TRY(require_case_worker(r));
  if (page.limit < 1 || page.limit > 500)
    return Error::invalid("limit", "Bitte 1 bis 500 Einträge je Seite.");
  if (page.incoming_offset < 0 || page.outgoing_offset < 0)
    return Error::invalid("offset", "Der Versatz darf nicht negativ sein.");
  const std::int64_t now = clock_();
  const std::string today = berlin_time(now).date.str();
  const std::int64_t declined_since = now - kDeclinedShownMs;
  // Showing a person's name in a box is a read of their master data,
  // audited like any list read (written right after this read transaction).
  return db_.read([&](store::Executor& x) -> Result<Inbox> {
    Inbox box;
    // The counts of the whole boxes, with the same conditions as the lists
    // and as HandoverView::overdue (open, due before today): states from
    // handover_counts, overdue ones from handover_due_counts (both kept by
    // triggers), declined ones on an index range.
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows counted,
        x.query("SELECT box, state, n FROM handover_counts WHERE agency_key = ?", {r.agency_key}));
    auto in_state = [&](const char* b, std::initializer_list<std::string_view> states) {
      int n = 0;
      for (const auto& row : counted)
        if (row.text(0) == b &&
            std::find(states.begin(), states.end(), row.text(1)) != states.end())
          n += static_cast<int>(row.integer(2));
      return n;
    };
    // Open handovers of the box ("in" or "out") due before today: the rows
    // of a few dozen due dates.
    auto overdue = [&](const char* b) -> Result<int> {
      LOTSE_ASSIGN_OR_RETURN(std::int64_t n,
                             x.query_int("SELECT COALESCE(SUM(n), 0) FROM handover_due_counts "
                                         "WHERE agency_key = ? AND box = ? AND due_on < ?",
                                         {r.agency_key, std::string(b), today}));
      return static_cast<int>(n);
    };
    if (page.incoming) {
      box.incoming_open = in_state("in", {"sent", "received"});
      box.incoming_total = box.incoming_open + in_state("in", {"accepted"});
      LOTSE_ASSIGN_OR_RETURN(box.incoming_overdue, overdue("in"));
    }
    if (page.outgoing) {
      box.outgoing_open = in_state("out", {"sent", "received"});
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t declined_shown,
          x.query_int("SELECT COUNT(*) FROM handovers WHERE from_agency = ? AND state = 'declined' "
                      "AND updated_at >= ?",
                      {r.agency_key, declined_since}));
      box.outgoing_total = box.outgoing_open + in_state("out", {"draft", "accepted"}) +
                           static_cast<int>(declined_shown);
      LOTSE_ASSIGN_OR_RETURN(box.outgoing_overdue, overdue("out"));
    }

    // The listed pages of both boxes, then every decision they need at once:
    // the viewer's for each case, each receiver's for the handovers still
    // waiting for it.
    struct Box {
      bool wanted;
      const char* where;
      store::Params params;
      BoxFilter filter;
      int offset;
      std::vector<HandoverView>* list;
      store::Rows rows;
    };
    Box boxes[] = {{page.incoming,
                    kIncomingBox,
                    {r.agency_key},
                    page.incoming_filter,
                    page.incoming_offset,
                    &box.incoming,
                    {}},
                   {page.outgoing,
                    kOutgoingBox,
                    {r.agency_key, declined_since},
                    page.outgoing_filter,
                    page.outgoing_offset,
                    &box.outgoing,
                    {}}};
    std::vector<privacy::PolicyGate::AgencyCase> asks;
    for (Box& b : boxes) {
      if (!b.wanted) continue;
      const FilterSql filter = filter_sql(b.filter);
      store::Params list_params = b.params;
      if (filter.binds_today) list_params.push_back(today);
      list_params.push_back(std::int64_t{page.limit});
      list_params.push_back(std::int64_t{b.offset});
      // The page's handovers are chosen on the handovers alone (on the
      // box's covering index, filters apart), then joined: with OFFSET in the
      // joined query, the database would join every skipped row too
      // (measured at 1M persons, last Posteingang page: 14 ms of CPU).
      LOTSE_ASSIGN_OR_RETURN(
          b.rows, x.query(fmt::format("SELECT {0}{1} WHERE h.id IN (SELECT h.id FROM handovers h "
                                      "WHERE {2}{3} ORDER BY {4} LIMIT ? OFFSET ?) ORDER BY {4}",
                                      kHandoverColumns, kHandoverJoins, b.where, filter.condition,
                                      filter.order),
                          list_params));
      for (const auto& row : b.rows) {
        asks.push_back({r.agency_key, row.integer(kColCaseId)});
        auto state = domain::parse_handover_state(row.text(kColState));
        if (state && awaiting_receiver(*state))
          asks.push_back({row.text(kColTo), row.integer(kColCaseId)});
      }
    }
    // Only case workers get here (require_case_worker above), so the agency
    // and the case decide.
    ViewMemo memo;
    LOTSE_TRY(memo.decisions.prefetch(x, asks, now));

    std::vector<privacy::NameRead> names;
    for (Box& b : boxes) {
      for (const auto& row : b.rows) {
        LOTSE_ASSIGN_OR_RETURN(HandoverView v, view_from_row(x, row, r, now, memo));
        if (!v.person_name.empty()) {
          LOTSE_ASSIGN_OR_RETURN(privacy::CaseAccess access,
                                 memo.decisions.get(x, r, v.case_id, now));
          names.push_back(
              {.case_id = v.case_id, .person_id = row.integer(kColPersonId), .access = access});
        }
        b.list->push_back(std::move(v));
      }
    }
    LOTSE_TRY(privacy::PolicyGate::audit_names(x, r, names, ReadPath::kList, now));
    return box;
  });
}

Result<std::vector<HandoverView>> CaseworkService::handovers(const Reader& r, bool incoming) {
  LOTSE_ASSIGN_OR_RETURN(Inbox box, inbox(r));
  return incoming ? std::move(box.incoming) : std::move(box.outgoing);
}

Result<std::vector<HandoverView>> CaseworkService::case_handovers(const Reader& r,
                                                                  std::int64_t case_id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  return db_.read(
      [&](store::Executor& x) { return internal::load_case_handovers(x, r, case_id, now); });
}

Result<std::vector<HandoverView>> internal::load_case_handovers(store::Executor& x, const Reader& r,
                                                                std::int64_t case_id,
                                                                std::int64_t now_ms) {
  std::vector<HandoverView> out;
  ViewMemo memo;
  const std::pair<const char*, store::Params> boxes[] = {
      {kIncomingBox, {r.agency_key, case_id}},
      {kOutgoingBox, {r.agency_key, now_ms - kDeclinedShownMs, case_id}}};
  for (const auto& [where, params] : boxes) {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query(fmt::format("SELECT {}{} WHERE {} AND h.case_id = ? ORDER BY h.id DESC",
                            kHandoverColumns, kHandoverJoins, where),
                params));
    for (const auto& row : rows) {
      LOTSE_ASSIGN_OR_RETURN(HandoverView v, view_from_row(x, row, r, now_ms, memo));
      out.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace lotse::casework
