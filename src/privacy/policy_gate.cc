#include "lotse/privacy/policy_gate.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <map>

#include "lotse/common/date.h"
#include "lotse/domain/consent.h"
#include "lotse/privacy/audit_log.h"

namespace lotse::privacy {
namespace {

using domain::CategorySet;
using domain::DataCategory;

constexpr const char* kOwnBasis = "Eigene Fallakte (Art. 6 Abs. 1 lit. e DSGVO, § 67b SGB X)";
constexpr const char* kDeniedBasis = "keine (Zugriff verweigert)";

AuditEvent read_event(const Reader& reader, std::int64_t case_id, std::int64_t person_id,
                      ReadPath path, const CaseAccess& access) {
  boost::json::object details{{"path", read_path_name(path)},
                              {"agency", reader.agency_key}};
  if (access.allowed) {
    boost::json::array cats;
    for (const auto& n : access.categories.names()) cats.emplace_back(n);
    details["categories"] = std::move(cats);
    details["person"] = person_id;
  }
  return {.actor = reader.username.empty() ? "-" : reader.username,
          .action = access.allowed ? "case.read" : "case.read_denied",
          .object = fmt::format("case:{}", case_id),
          .legal_basis = access.allowed ? access.legal_basis : kDeniedBasis,
          .request_id = reader.request_id,
          .details_json = boost::json::serialize(details)};
}

// IN lists are padded to a few fixed lengths (repeating the last id), so
// that a handful of prepared statements serve lists of every length.
constexpr std::size_t kInChunk = 64;

std::size_t padded_length(std::size_t n) {
  for (std::size_t len : {std::size_t{1}, std::size_t{4}, std::size_t{16}})
    if (n <= len) return len;
  return kInChunk;
}

// Runs `sql_with_in` ("... IN ({})") over `ids` in chunks; `lead` params
// come before the ids, `tail` after them. Calls `each` per row.
template <typename Each>
Result<void> query_in(store::Executor& x, const std::string& sql_with_in, const store::Params& lead,
                      const std::vector<std::int64_t>& ids, const store::Params& tail, Each each) {
  for (std::size_t from = 0; from < ids.size(); from += kInChunk) {
    const std::size_t n = std::min(kInChunk, ids.size() - from);
    const std::size_t len = padded_length(n);
    std::string marks;
    store::Params params = lead;
    for (std::size_t i = 0; i < len; ++i) {
      marks += i ? ", ?" : "?";
      params.push_back(ids[from + std::min(i, n - 1)]);
    }
    for (const auto& v : tail.values()) params.push_back(v);
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(fmt::format(fmt::runtime(sql_with_in), marks),
                                                     params));
    for (const auto& row : rows) each(row);
  }
  return ok();
}

Result<domain::CaseRecord> read_one(store::Executor& x, const Reader& reader, std::int64_t case_id,
                                    ReadPath path, std::int64_t now_ms, const CaseLoader& load) {
  LOTSE_ASSIGN_OR_RETURN(CaseAccess access, PolicyGate::decide(x, reader, case_id, now_ms));
  if (!access.allowed) {
    LOTSE_TRY(AuditLog::append(x, now_ms, read_event(reader, case_id, 0, path, access)));
    return Error::not_found("Fall nicht gefunden.");
  }
  LOTSE_ASSIGN_OR_RETURN(domain::CaseRecord full, load(x, case_id));
  const std::int64_t person_id = full.person_id;
  domain::CaseRecord visible = PolicyGate::cut(std::move(full), access, reader);
  LOTSE_TRY(AuditLog::append(x, now_ms, read_event(reader, case_id, person_id, path, access)));
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
  LOTSE_ASSIGN_OR_RETURN(std::vector<CaseAccess> one, decide_all(x, reader, {case_id}, now_ms));
  return std::move(one[0]);
}

Result<std::vector<CaseAccess>> PolicyGate::decide_all(store::Executor& x, const Reader& reader,
                                                       const std::vector<std::int64_t>& case_ids,
                                                       std::int64_t now_ms) {
  // Coordinators, the state office and administrators never see case content.
  if (!may_work_on_cases(reader)) return std::vector<CaseAccess>(case_ids.size());
  std::vector<AgencyCase> asks;
  asks.reserve(case_ids.size());
  for (std::int64_t id : case_ids) asks.push_back({reader.agency_key, id});
  return decide_for_agencies(x, asks, now_ms);
}

Result<std::vector<CaseAccess>> PolicyGate::decide_for_agencies(store::Executor& x,
                                                                const std::vector<AgencyCase>& asks,
                                                                std::int64_t now_ms) {
  std::vector<CaseAccess> out(asks.size());
  std::vector<std::int64_t> case_ids;
  case_ids.reserve(asks.size());
  for (const AgencyCase& a : asks)
    if (!a.agency_key.empty()) case_ids.push_back(a.case_id);
  std::sort(case_ids.begin(), case_ids.end());
  case_ids.erase(std::unique(case_ids.begin(), case_ids.end()), case_ids.end());
  if (case_ids.empty()) return out;

  std::map<std::int64_t, std::string> owners;  // known cases
  LOTSE_TRY(query_in(x, "SELECT id, owner_agency FROM cases WHERE id IN ({})", {}, case_ids, {},
                     [&](const store::Row& row) { owners[row.integer(0)] = row.text(1); }));
  std::vector<std::int64_t> others;  // cases some asking agency does not own
  for (const AgencyCase& a : asks)
    if (auto o = owners.find(a.case_id); o != owners.end() && o->second != a.agency_key)
      others.push_back(a.case_id);
  std::sort(others.begin(), others.end());
  others.erase(std::unique(others.begin(), others.end()), others.end());

  // Per (case, agency): the categories granted and on which basis, in
  // consent order, then transfer order. Grants for agencies nobody asked
  // about are read along (a case has few recipients) and never used.
  struct Grant {
    CategorySet categories;
    std::vector<std::string> bases;
  };
  std::map<std::pair<std::int64_t, std::string>, Grant> grants;
  if (!others.empty()) {
    // CROSS JOIN keeps SQLite's planner on the listed cases' consents
    // (consents_by_case) and then their recipients; PostgreSQL treats it as
    // a join.
    LOTSE_TRY(query_in(
        x,
        "SELECT c.case_id, r.agency_key, c.id, c.version, c.categories, c.valid_from, "
        "c.valid_until, c.withdrawn_at, c.superseded_at FROM consents c CROSS JOIN "
        "consent_recipients r WHERE r.consent_id = c.id AND c.case_id IN ({}) "
        "ORDER BY c.case_id, c.id, r.agency_key",
        {}, others, {}, [&](const store::Row& row) {
          domain::Consent c;
          c.terms.categories = CategorySet::from_bits(static_cast<std::uint32_t>(row.integer(4)));
          auto from = Date::parse(row.text(5));
          auto until = Date::parse(row.text(6));
          if (!from || !until) return;  // unreadable dates never grant anything
          c.terms.valid_from = *from;
          c.terms.valid_until = *until;
          if (!row.is_null(7)) c.withdrawn_at_ms = row.integer(7);
          if (!row.is_null(8)) c.superseded_at_ms = row.integer(8);
          if (domain::consent_state(c, now_ms) != domain::ConsentState::kActive) return;
          Grant& g = grants[{row.integer(0), row.text(1)}];
          g.categories = g.categories | c.terms.categories;
          g.bases.push_back(fmt::format("Einwilligung Nr. {} (Version {}), § 67b SGB X",
                                        row.integer(2), row.integer(3)));
        }));
    const std::string today = berlin_time(now_ms).date.str();
    LOTSE_TRY(query_in(
        x,
        "SELECT case_id, to_agency, id, legal_basis, categories FROM legal_transfers WHERE "
        "revoked_at IS NULL AND case_id IN ({}) AND valid_until >= ? ORDER BY case_id, id",
        {}, others, {today}, [&](const store::Row& row) {
          CategorySet granted = CategorySet::from_bits(static_cast<std::uint32_t>(row.integer(4)));
          // § 65 data never moves on a legal basis here.
          granted.remove(DataCategory::kEntrusted);
          if (granted.empty()) return;
          Grant& g = grants[{row.integer(0), row.text(1)}];
          g.categories = g.categories | granted;
          g.bases.push_back(fmt::format("{} (Übermittlung Nr. {})", row.text(3), row.integer(2)));
        }));
  }

  for (std::size_t i = 0; i < asks.size(); ++i) {
    const AgencyCase& a = asks[i];
    CaseAccess& access = out[i];
    if (a.agency_key.empty()) continue;
    auto owner = owners.find(a.case_id);
    if (owner == owners.end()) continue;  // unknown case: denied
    if (owner->second == a.agency_key) {
      access.allowed = true;
      access.owner = true;
      access.categories = CategorySet::all();
      access.legal_basis = kOwnBasis;
      continue;
    }
    auto g = grants.find({a.case_id, a.agency_key});
    if (g == grants.end()) continue;
    access.categories = g->second.categories;
    access.allowed = !access.categories.empty();
    for (std::size_t b = 0; b < g->second.bases.size(); ++b)
      access.legal_basis += (b ? "; " : "") + g->second.bases[b];
  }
  return out;
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

Result<void> PolicyGate::audit_names(store::Executor& x, const Reader& reader,
                                     const std::vector<NameRead>& reads, ReadPath path,
                                     std::int64_t now_ms) {
  std::vector<AuditEvent> events;
  events.reserve(reads.size());
  for (const NameRead& n : reads) {
    if (!n.access.allowed || !n.access.categories.has(DataCategory::kMasterData))
      return Error::internal("audit_names: a name was shown without access to master data");
    CaseAccess shown = n.access;
    shown.categories = CategorySet::of({DataCategory::kMasterData});
    events.push_back(read_event(reader, n.case_id, n.person_id, path, shown));
  }
  return AuditLog::append_all(x, now_ms, events);
}

Result<std::vector<domain::CaseRecord>> PolicyGate::read_decided(
    store::Executor& x, const Reader& reader, const std::vector<std::int64_t>& case_ids,
    const std::vector<CaseAccess>& decisions, ReadPath path, std::int64_t now_ms,
    const CaseLoader& load, CategorySet shown) {
  // The same cuts and entries as read_case() one by one, the entries
  // appended at once.
  if (decisions.size() != case_ids.size())
    return Error::internal("read_decided: one decision per case id expected");
  std::vector<domain::CaseRecord> out;
  std::vector<AuditEvent> events;
  events.reserve(case_ids.size());
  for (std::size_t i = 0; i < case_ids.size(); ++i) {
    CaseAccess access = decisions[i];
    access.categories = access.categories & shown;
    if (!access.allowed) {
      events.push_back(read_event(reader, case_ids[i], 0, path, access));
      continue;
    }
    auto full = load(x, case_ids[i]);
    if (!full) {
      if (full.error().code == ErrorCode::kNotFound) continue;
      return full.error();
    }
    const std::int64_t person_id = full->person_id;
    out.push_back(cut(std::move(*full), access, reader));
    events.push_back(read_event(reader, case_ids[i], person_id, path, access));
  }
  LOTSE_TRY(AuditLog::append_all(x, now_ms, events));
  return out;
}

}  // namespace lotse::privacy
