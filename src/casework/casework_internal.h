// Helpers shared by the casework sources (not part of the public interface).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lotse/casework/casework_service.h"

namespace lotse::casework::internal {

// Legal bases written to the audit log for changes.
inline constexpr const char* kOwnCaseBasis = "Art. 6 Abs. 1 lit. e DSGVO, § 67b SGB X";
inline constexpr const char* kConsentBasis = "Einwilligung (Art. 7 DSGVO, § 67b SGB X)";
inline constexpr const char* kWithdrawalBasis = "Widerruf der Einwilligung (Art. 7 Abs. 3 DSGVO)";
inline constexpr const char* kCaseNotFound = "Fall nicht gefunden.";

// Only case workers of an agency work on cases; everyone else is refused
// before anything is read.
Result<void> require_case_worker(const Reader& r);

// Appends the audit entry of a change in the caller's transaction.
Result<void> audit(store::Executor& x, std::int64_t now_ms, const Reader& r, std::string action,
                   std::string object, std::string legal_basis, std::string details_json = "{}");

Result<bool> agency_known(store::Executor& x, const std::string& agency_key);
bool is_jugendamt(std::string_view agency_key);

struct CaseHeader {
  std::int64_t id = 0, person_id = 0;
  std::string owner_agency, lead_agency;
};

// Loads the case and checks that the caller's agency owns it. A case the
// caller may not even read is answered as kNotFound (its existence stays
// hidden); a partner that can read it gets kForbidden.
Result<CaseHeader> require_owner(store::Executor& x, const Reader& r, std::int64_t case_id,
                                 std::int64_t now_ms);
// The kNotFound / kForbidden answer for a caller who is not allowed to act.
Error refusal(store::Executor& x, const Reader& r, std::int64_t case_id, std::int64_t now_ms);

// Length in Unicode code points (inputs are UTF-8).
std::size_t text_length(std::string_view s);
// Lowercases ASCII and folds German umlauts and ß (ä→ae, ö→oe, ü→ue, ß→ss),
// so that "Müller" and "mueller" find each other.
std::string fold_for_search(std::string_view s);

}  // namespace lotse::casework::internal
