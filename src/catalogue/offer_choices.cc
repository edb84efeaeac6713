// CatalogueService::offer_choices: the alliance's active offers as a case
// page's Förderkette select needs them. One query over the derived index
// instead of loading every offer in full (list_offers): at 274 offers that
// was 40 % of the case page's server time. Kept for a while (see the
// header): the case page asks for them on every view.
#include <algorithm>
#include <utility>

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/catalogue/gazetteer.h"

namespace lotse::catalogue {

Result<std::vector<OfferChoice>> CatalogueService::offer_choices(const std::string& alliance_ags) {
  if (alliance_ags.empty()) return Error::invalid("alliance_ags", "Bitte ein Bündnis angeben.");
  const std::int64_t now = clock_();
  std::uint64_t writes_before = 0;
  {
    std::lock_guard lock(choices_mutex_);
    writes_before = catalogue_writes_;
    auto it = choices_.find(alliance_ags);
    if (it != choices_.end() && now >= it->second.fetched_at_ms &&
        now - it->second.fetched_at_ms < kOfferChoicesTtlMs)
      return it->second.choices;
  }
  LOTSE_ASSIGN_OR_RETURN(std::vector<OfferChoice> fresh, load_offer_choices(alliance_ags));
  // A change committed while loading may be missing from `fresh`: then it
  // is answered but not kept.
  std::lock_guard lock(choices_mutex_);
  if (catalogue_writes_ == writes_before)
    choices_[alliance_ags] = CachedChoices{.fetched_at_ms = now, .choices = fresh};
  return fresh;
}

Result<std::vector<OfferChoice>> CatalogueService::load_offer_choices(
    const std::string& alliance_ags) {
  return db_.read([&](store::Executor& x) -> Result<std::vector<OfferChoice>> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT i.service_id, s.\"name\", o.\"name\", i.legal_sphere "
                "FROM catalogue_service_index i JOIN hsds_service s ON s.\"id\" = i.service_id "
                "LEFT JOIN hsds_organization o ON o.\"id\" = s.\"organization_id\" "
                "WHERE i.alliance_ags = ? AND i.status = 'active'",
                {alliance_ags}));
    // Sorted here, as list_offers does: the same order on SQLite and
    // PostgreSQL, whatever the collation.
    std::vector<std::pair<std::string, OfferChoice>> sorted;
    sorted.reserve(rows.size());
    for (const auto& r : rows) {
      OfferChoice c{.id = r.text(0),
                    .name = r.text(1),
                    .organization_name = r.is_null(2) ? std::string() : r.text(2),
                    .legal_sphere = r.is_null(3) ? std::string() : r.text(3)};
      sorted.emplace_back(fold_text(c.name) + '\x1f' + c.id, std::move(c));
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<OfferChoice> out;
    out.reserve(sorted.size());
    for (auto& [key, c] : sorted) out.push_back(std::move(c));
    return out;
  });
}

}  // namespace lotse::catalogue
