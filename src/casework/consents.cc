// Consents (versioned, withdrawable) and transfers on a recorded legal basis.
#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "casework/casework_internal.h"
#include "lotse/casework/casework_service.h"
#include "lotse/common/date.h"

namespace lotse::casework {
namespace {

using internal::audit;
using internal::require_case_worker;

boost::json::array string_array(const std::vector<std::string>& values) {
  boost::json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return a;
}

}  // namespace

Result<std::int64_t> CaseworkService::record_consent(const Reader& r, std::int64_t case_id,
                                                     const domain::ConsentDraft& d) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(internal::CaseHeader h, internal::require_owner(x, r, case_id, now));
    LOTSE_ASSIGN_OR_RETURN(
        store::Row person,
        x.query_one("SELECT birth_date FROM persons WHERE id = ?", {h.person_id}));
    std::optional<Date> birth;
    if (auto b = Date::parse(person.text(0))) birth = *b;
    // validate_consent asks synchronously; a database error counts as unknown.
    auto known = [&](const std::string& key) {
      auto k = internal::agency_known(x, key);
      return k && *k;
    };
    LOTSE_TRY(domain::validate_consent(d, h.owner_agency, birth, today, known));
    // Guardian details only on the guardians' path, the second guardian only
    // with joint custody: what is stored is what the printed form is signed by.
    const bool guardian = d.given_by == domain::ConsentGiver::kGuardian;
    const bool joint = guardian && d.custody == domain::Custody::kJoint;

    // The new version replaces the active one from now on.
    LOTSE_TRY(
        x.exec("UPDATE consents SET superseded_at = ? WHERE case_id = ? AND "
               "superseded_at IS NULL AND withdrawn_at IS NULL",
               {now, case_id}));
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t version,
        x.query_int("SELECT COALESCE(MAX(version), 0) + 1 FROM consents WHERE case_id = ?",
                    {case_id}));
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int(
            "INSERT INTO consents (case_id, version, purposes, categories, valid_from, "
            "valid_until, form, evidence_ref, given_by, guardian_name, informed, "
            "recorded_by, recorded_at, insight_confirmed, insight_reason, custody, "
            "second_guardian_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            {case_id, version, boost::json::serialize(string_array(d.purposes)),
             std::int64_t{d.categories.bits()}, d.valid_from.str(), d.valid_until.str(),
             std::string(domain::form_name(d.form)), d.evidence_ref,
             std::string(domain::giver_name(d.given_by)),
             guardian ? d.guardian_name : std::string(), r.username, now,
             d.insight_confirmed ? store::Value(std::int64_t{*d.insight_confirmed})
                                 : store::Value(nullptr),
             d.insight_confirmed ? store::Value(d.insight_reason) : store::Value(nullptr),
             guardian && d.custody ? store::Value(std::string(domain::custody_name(*d.custody)))
                                   : store::Value(nullptr),
             joint ? store::Value(d.second_guardian_name) : store::Value(nullptr)}));
    for (const auto& recipient : d.recipients)
      LOTSE_TRY(x.exec("INSERT INTO consent_recipients (consent_id, agency_key) VALUES (?, ?)",
                       {id, recipient}));
    boost::json::object details{{"case", case_id},
                                {"version", version},
                                {"recipients", string_array(d.recipients)},
                                {"categories", string_array(d.categories.names())},
                                {"valid_until", d.valid_until.str()},
                                {"given_by", std::string(domain::giver_name(d.given_by))}};
    // That an assessment was made and its result, not the reason (free text
    // about the young person stays in the consent record).
    if (d.insight_confirmed) details["insight_confirmed"] = *d.insight_confirmed;
    LOTSE_TRY(audit(x, now, r, "consent.record", fmt::format("consent:{}", id),
                    internal::kConsentBasis, boost::json::serialize(details)));
    return id;
  });
}

namespace internal {

Result<std::vector<ConsentView>> load_consents(store::Executor& x, std::int64_t case_id,
                                               std::int64_t now_ms, bool newest_first) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query(std::string("SELECT id, version, purposes, categories, valid_from, valid_until, "
                          "form, evidence_ref, given_by, guardian_name, informed, recorded_by, "
                          "recorded_at, withdrawn_at, superseded_at, withdrawn_by, "
                          "insight_confirmed, insight_reason, custody, second_guardian_name "
                          "FROM consents "
                          "WHERE case_id = ? ORDER BY version") +
                  (newest_first ? " DESC" : ""),
              {case_id}));
  std::vector<ConsentView> out;
  for (const auto& row : rows) {
    domain::Consent c;
    c.id = row.integer(0);
    c.case_id = case_id;
    c.version = static_cast<int>(row.integer(1));
    boost::system::error_code ec;
    boost::json::value purposes = boost::json::parse(row.text(2), ec);
    if (!ec && purposes.is_array())
      for (const auto& p : purposes.as_array())
        if (p.is_string()) c.terms.purposes.emplace_back(p.as_string());
    c.terms.categories = domain::CategorySet::from_bits(static_cast<std::uint32_t>(row.integer(3)));
    if (auto f = Date::parse(row.text(4))) c.terms.valid_from = *f;
    if (auto u = Date::parse(row.text(5))) c.terms.valid_until = *u;
    if (auto f = domain::parse_form(row.text(6))) c.terms.form = *f;
    c.terms.evidence_ref = row.text(7);
    if (auto g = domain::parse_giver(row.text(8))) c.terms.given_by = *g;
    c.terms.guardian_name = row.text(9);
    c.terms.informed_of_refusal_and_withdrawal = row.integer(10) != 0;
    c.recorded_by = row.text(11);
    c.recorded_at_ms = row.integer(12);
    if (!row.is_null(13)) c.withdrawn_at_ms = row.integer(13);
    if (!row.is_null(14)) c.superseded_at_ms = row.integer(14);
    if (!row.is_null(16)) c.terms.insight_confirmed = row.integer(16) != 0;
    if (!row.is_null(17)) c.terms.insight_reason = row.text(17);
    if (!row.is_null(18))
      if (auto k = domain::parse_custody(row.text(18))) c.terms.custody = *k;
    if (!row.is_null(19)) c.terms.second_guardian_name = row.text(19);
    LOTSE_ASSIGN_OR_RETURN(store::Rows recipients,
                           x.query("SELECT agency_key FROM consent_recipients WHERE consent_id = ? "
                                   "ORDER BY agency_key",
                                   {c.id}));
    for (const auto& rr : recipients) c.terms.recipients.push_back(rr.text(0));
    std::string state(domain::consent_state_name(domain::consent_state(c, now_ms)));
    out.push_back({.consent = std::move(c),
                   .state = std::move(state),
                   .withdrawn_by = row.is_null(15) ? std::string() : row.text(15)});
  }
  return out;
}

}  // namespace internal

Result<std::vector<ConsentView>> CaseworkService::consents(const Reader& r, std::int64_t case_id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  // Reading the consents of a case is itself logged (written right after
  // this read transaction).
  return db_.read([&](store::Executor& x) -> Result<std::vector<ConsentView>> {
    LOTSE_TRY(internal::require_owner(x, r, case_id, now));
    return internal::read_own_consents(x, r, case_id, now);
  });
}

Result<std::vector<ConsentView>> internal::read_own_consents(store::Executor& x, const Reader& r,
                                                             std::int64_t case_id,
                                                             std::int64_t now_ms) {
  LOTSE_ASSIGN_OR_RETURN(std::vector<ConsentView> out,
                         load_consents(x, case_id, now_ms, /*newest_first=*/true));
  LOTSE_TRY(audit(x, now_ms, r, "consent.list", fmt::format("case:{}", case_id), kOwnCaseBasis,
                  boost::json::serialize(boost::json::object{{"agency", r.agency_key}})));
  return out;
}

Result<void> CaseworkService::withdraw_consent(const Reader& r, std::int64_t consent_id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                           x.query("SELECT case_id FROM consents WHERE id = ?", {consent_id}));
    if (rows.empty()) return Error::not_found("Einwilligung nicht gefunden.");
    const std::int64_t case_id = rows[0].integer(0);
    LOTSE_TRY(internal::require_owner(x, r, case_id, now));
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        x.exec("UPDATE consents SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ? AND "
               "withdrawn_at IS NULL",
               {now, r.username, consent_id}));
    if (changed == 0) return Error::conflict("Die Einwilligung ist bereits widerrufen.");
    return audit(x, now, r, "consent.withdraw", fmt::format("consent:{}", consent_id),
                 internal::kWithdrawalBasis,
                 boost::json::serialize(boost::json::object{{"case", case_id}}));
  });
}

Result<std::int64_t> CaseworkService::record_transfer(const Reader& r, std::int64_t case_id,
                                                      const NewTransfer& t) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  const Date today = berlin_time(now).date;
  LOTSE_ASSIGN_OR_RETURN(std::string basis, domain::validate_legal_basis(t.legal_basis));
  const std::size_t reason_len = internal::text_length(t.reason);
  if (reason_len < 10 || reason_len > 1000)
    return Error::invalid("reason",
                          "Bitte die Aufgabe nennen, der die Übermittlung dient (10 bis 1000 "
                          "Zeichen).");
  if (t.categories.empty())
    return Error::invalid("categories", "Bitte mindestens eine Datenkategorie wählen.");
  if (t.categories.has(domain::DataCategory::kEntrusted))
    return Error::invalid("categories",
                          "Anvertraute Daten (§ 65 SGB VIII) dürfen nicht ohne Einwilligung "
                          "übermittelt werden.");
  LOTSE_ASSIGN_OR_RETURN(Date until, Date::parse(t.valid_until, "valid_until"));
  if (until < today) return Error::invalid("valid_until", "Das Ende liegt in der Vergangenheit.");
  if (until.days_since_epoch() - today.days_since_epoch() > 366)
    return Error::invalid("valid_until", "Eine Übermittlung gilt höchstens ein Jahr.");
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(internal::CaseHeader h, internal::require_owner(x, r, case_id, now));
    LOTSE_ASSIGN_OR_RETURN(bool known, internal::agency_known(x, t.to_agency));
    if (!known) return Error::invalid("to_agency", "Unbekannte Stelle: " + t.to_agency);
    if (t.to_agency == h.owner_agency)
      return Error::invalid("to_agency", "Keine Übermittlung an die eigene Stelle.");
    if (internal::is_jugendamt(h.owner_agency) && !t.does_not_endanger_help)
      return Error::invalid("does_not_endanger_help",
                            "Das Jugendamt muss bestätigen, dass die Übermittlung den Erfolg der "
                            "Hilfe nicht gefährdet (§ 64 Abs. 2 SGB VIII).");
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t id,
        x.query_int("INSERT INTO legal_transfers (case_id, to_agency, legal_basis, reason, "
                    "categories, valid_until, recorded_by, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    {case_id, t.to_agency, basis, t.reason, std::int64_t{t.categories.bits()},
                     until.str(), r.username, now}));
    boost::json::object details{{"transfer", id},
                                {"to", t.to_agency},
                                {"categories", string_array(t.categories.names())},
                                {"valid_until", until.str()}};
    LOTSE_TRY(audit(x, now, r, "transfer.record", fmt::format("case:{}", case_id), basis,
                    boost::json::serialize(details)));
    return id;
  });
}

}  // namespace lotse::casework
