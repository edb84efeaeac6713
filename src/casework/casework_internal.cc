#include "casework/casework_internal.h"

#include "lotse/domain/agency_key.h"

namespace lotse::casework::internal {

Result<void> require_case_worker(const Reader& r) {
  if (!privacy::PolicyGate::may_work_on_cases(r))
    return Error::forbidden("Nur Fachkräfte bearbeiten Fälle.");
  return ok();
}

Result<void> audit(store::Executor& x, std::int64_t now_ms, const Reader& r, std::string action,
                   std::string object, std::string legal_basis, std::string details_json) {
  return privacy::AuditLog::append(x, now_ms,
                                   {.actor = r.username.empty() ? "-" : r.username,
                                    .action = std::move(action),
                                    .object = std::move(object),
                                    .legal_basis = std::move(legal_basis),
                                    .request_id = r.request_id,
                                    .details_json = std::move(details_json)});
}

Result<bool> agency_known(store::Executor& x, const std::string& agency_key) {
  if (!domain::parse_agency_key(agency_key)) return false;
  LOTSE_ASSIGN_OR_RETURN(
      std::int64_t n,
      x.query_int("SELECT COUNT(*) FROM agencies WHERE agency_key = ?", {agency_key}));
  return n > 0;
}

bool is_jugendamt(std::string_view agency_key) {
  auto key = domain::parse_agency_key(agency_key);
  return key && key->kind == domain::AgencyKind::kJugendamt;
}

Error refusal(store::Executor& x, const Reader& r, std::int64_t case_id, std::int64_t now_ms) {
  auto access = privacy::PolicyGate::decide(x, r, case_id, now_ms);
  if (!access) return access.error();
  if (!access->allowed) return Error::not_found(kCaseNotFound);
  return Error::forbidden("Nur die Stelle, die den Fall führt, darf ihn ändern.");
}

Result<CaseHeader> require_owner(store::Executor& x, const Reader& r, std::int64_t case_id,
                                 std::int64_t now_ms) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query("SELECT id, person_id, owner_agency, lead_agency FROM cases WHERE id = ?",
              {case_id}));
  if (rows.empty()) return Error::not_found(kCaseNotFound);
  CaseHeader h{.id = rows[0].integer(0),
               .person_id = rows[0].integer(1),
               .owner_agency = rows[0].text(2),
               .lead_agency = rows[0].text(3)};
  if (h.owner_agency != r.agency_key) return refusal(x, r, case_id, now_ms);
  return h;
}

std::size_t text_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string fold_for_search(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 4);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      const unsigned char d = static_cast<unsigned char>(s[i + 1]);
      const char* folded = nullptr;
      switch (d) {
        case 0xA4:
        case 0x84:
          folded = "ae";
          break;  // ä Ä
        case 0xB6:
        case 0x96:
          folded = "oe";
          break;  // ö Ö
        case 0xBC:
        case 0x9C:
          folded = "ue";
          break;  // ü Ü
        case 0x9F:
          folded = "ss";
          break;  // ß
        default:
          break;
      }
      if (folded) {
        out += folded;
        ++i;
        continue;
      }
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  }
  return out;
}

}  // namespace lotse::casework::internal
