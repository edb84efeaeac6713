#include "lotse/privacy/policy_gate.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "lotse/common/date.h"
#include "lotse/domain/consent.h"
#include "lotse/privacy/audit_log.h"

namespace lotse::privacy {
namespace {

using domain::CategorySet;
using domain::DataCategory;

constexpr const char* kOwnBasis = "Eigene Fallakte (Art. 6 Abs. 1 lit. e DSGVO, § 67b SGB X)";
constexpr const char* kDeniedBasis = "keine (Zugriff verweigert)";

Result<void> audit_read(store::Executor& x, const Reader& reader, std::int64_t case_id,
                        std::int64_t person_id, ReadPath path, const CaseAccess& access,
                        std::int64_t now_ms) {
  boost::json::object details{{"path", read_path_name(path)},
                              {"agency", reader.agency_key}};
  if (access.allowed) {
    boost::json::array cats;
    for (const auto& n : access.categories.names()) cats.emplace_back(n);
    details["categories"] = std::move(cats);
    details["person"] = person_id;
  }
  return AuditLog::append(
      x, now_ms,
      {.actor = reader.username.empty() ? "-" : reader.username,
       .action = access.allowed ? "case.read" : "case.read_denied",
       .object = fmt::format("case:{}", case_id),
       .legal_basis = access.allowed ? access.legal_basis : kDeniedBasis,
       .request_id = reader.request_id,
       .details_json = boost::json::serialize(details)});
}

Result<domain::CaseRecord> read_one(store::Executor& x, const Reader& reader, std::int64_t case_id,
                                    ReadPath path, std::int64_t now_ms, const CaseLoader& load) {
  LOTSE_ASSIGN_OR_RETURN(CaseAccess access, PolicyGate::decide(x, reader, case_id, now_ms));
  if (!access.allowed) {
    LOTSE_TRY(audit_read(x, reader, case_id, 0, path, access, now_ms));
    return Error::not_found("Fall nicht gefunden.");
  }
  LOTSE_ASSIGN_OR_RETURN(domain::CaseRecord full, load(x, case_id));
  const std::int64_t person_id = full.person_id;
  domain::CaseRecord visible = PolicyGate::cut(std::move(full), access, reader);
  LOTSE_TRY(audit_read(x, reader, case_id, person_id, path, access, now_ms));
  return visible;
}

}  // namespace

std::string_view read_path_name(ReadPath p) {
  switch (p) {
    case ReadPath::kItem: return "item";
    case ReadPath::kList: return "list";
    case ReadPath::kSearch: return "search";
    case ReadPath::kExport: return "export";
    case ReadPath::kPrint: return "print";
    case ReadPath::kApi: return "api";
  }
  return "item";
}

Result<CaseAccess> PolicyGate::decide(store::Executor& x, const Reader& reader,
                                      std::int64_t case_id, std::int64_t now_ms) {
  CaseAccess access;
  // Coordinators, the state office and administrators never see case content.
  if (!may_work_on_cases(reader)) return access;
  LOTSE_ASSIGN_OR_RETURN(store::Rows owner,
                         x.query("SELECT owner_agency FROM cases WHERE id = ?", {case_id}));
  if (owner.empty()) return access;
  if (owner[0].text(0) == reader.agency_key) {
    access.allowed = true;
    access.owner = true;
    access.categories = CategorySet::all();
    access.legal_basis = kOwnBasis;
    return access;
  }

  std::vector<std::string> bases;
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows consents,
      x.query("SELECT c.id, c.version, c.categories, c.valid_from, c.valid_until, c.withdrawn_at, "
              "c.superseded_at FROM consents c JOIN consent_recipients r ON r.consent_id = c.id "
              "WHERE c.case_id = ? AND r.agency_key = ? ORDER BY c.id",
              {case_id, reader.agency_key}));
  for (const auto& row : consents) {
    domain::Consent c;
    c.terms.categories = CategorySet::from_bits(static_cast<std::uint32_t>(row.integer(2)));
    auto from = Date::parse(row.text(3));
    auto until = Date::parse(row.text(4));
    if (!from || !until) continue;  // unreadable dates never grant anything
    c.terms.valid_from = *from;
    c.terms.valid_until = *until;
    if (!row.is_null(5)) c.withdrawn_at_ms = row.integer(5);
    if (!row.is_null(6)) c.superseded_at_ms = row.integer(6);
    if (domain::consent_state(c, now_ms) != domain::ConsentState::kActive) continue;
    access.categories = access.categories | c.terms.categories;
    bases.push_back(fmt::format("Einwilligung Nr. {} (Version {}), § 67b SGB X", row.integer(0),
                                row.integer(1)));
  }

  const std::string today = Date::from_unix_ms(now_ms).str();
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows transfers,
      x.query("SELECT id, legal_basis, categories FROM legal_transfers WHERE case_id = ? AND "
              "to_agency = ? AND revoked_at IS NULL AND valid_until >= ? ORDER BY id",
              {case_id, reader.agency_key, today}));
  for (const auto& row : transfers) {
    CategorySet granted = CategorySet::from_bits(static_cast<std::uint32_t>(row.integer(2)));
    granted.remove(DataCategory::kEntrusted);  // § 65 data never moves on a legal basis here
    if (granted.empty()) continue;
    access.categories = access.categories | granted;
    bases.push_back(fmt::format("{} (Übermittlung Nr. {})", row.text(1), row.integer(0)));
  }

  access.allowed = !access.categories.empty();
  for (std::size_t i = 0; i < bases.size(); ++i)
    access.legal_basis += (i ? "; " : "") + bases[i];
  return access;
}

domain::CaseRecord PolicyGate::cut(domain::CaseRecord r, const CaseAccess& access,
                                   const Reader& reader) {
  const CategorySet& c = access.categories;
  if (!access.allowed) return domain::CaseRecord{};
  if (!c.has(DataCategory::kMasterData)) {
    auto& p = r.person;
    r.person_id = 0;
    p.id = 0;
    p.given_name.clear();
    p.family_name.clear();
    p.birth_date.clear();
    p.street.clear();
    p.postcode.clear();
    p.city.clear();
    p.phone.clear();
    p.email.clear();
    p.nationality.clear();
    p.residence_status.clear();
  }
  if (!c.has(DataCategory::kSchoolData)) {
    r.person.school.clear();
    r.person.school_qualification.clear();
  }
  if (!c.has(DataCategory::kNeedsGoals)) {
    r.phase = 0;
    r.status.clear();
    r.destination.clear();
    r.goals.clear();
    r.needs.clear();
    r.opened_at_ms = r.closed_at_ms = 0;
  }
  if (!c.has(DataCategory::kSupportChain)) r.support_chain.clear();

  std::vector<domain::NoteData> notes;
  for (auto& n : r.notes) {
    bool keep;
    if (n.entrusted) {
      // § 65 SGB VIII: inside the Jugendamt only the worker it was entrusted
      // to; outside only with a consent that names exactly this category.
      keep = access.owner ? n.author == reader.username : c.has(DataCategory::kEntrusted);
    } else if (n.visibility == "own") {
      keep = access.owner;
    } else {
      keep = access.owner || c.has(DataCategory::kNotes);
    }
    if (keep) notes.push_back(std::move(n));
  }
  r.notes = std::move(notes);
  r.visible = c;
  if (access.owner) r.visible.remove(DataCategory::kEntrusted);
  return r;
}

Result<domain::CaseRecord> PolicyGate::read_case(store::Executor& x, const Reader& reader,
                                                 std::int64_t case_id, ReadPath path,
                                                 std::int64_t now_ms, const CaseLoader& load) {
  return read_one(x, reader, case_id, path, now_ms, load);
}

Result<std::vector<domain::CaseRecord>> PolicyGate::read_cases(
    store::Executor& x, const Reader& reader, const std::vector<std::int64_t>& case_ids,
    ReadPath path, std::int64_t now_ms, const CaseLoader& load) {
  std::vector<domain::CaseRecord> out;
  for (std::int64_t id : case_ids) {
    auto one = read_one(x, reader, id, path, now_ms, load);
    if (one) {
      out.push_back(std::move(*one));
    } else if (one.error().code != ErrorCode::kNotFound) {
      return one.error();
    }
  }
  return out;
}

}  // namespace lotse::privacy
