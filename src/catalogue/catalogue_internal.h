// Internal to the catalogue layer: reading and writing HSDS records
// generically (by table descriptor), the derived catalogue_* index, audit
// entries, and the checks shared by the service's files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/catalogue/hsds_io.h"
#include "lotse/catalogue/hsds_model.h"
#include "lotse/catalogue/jba_profile.h"
#include "lotse/store/database.h"

namespace lotse::catalogue::internal {

// Recorded as the legal basis of catalogue changes: there is no personal
// data in the catalogue, the entry documents who maintained it.
inline constexpr const char* kAuditBasis = "Angebotskatalog, keine personenbezogenen Daten";

// "?, ?, ?" for n parameters.
std::string placeholders(std::size_t n);

// SELECT <all fields> FROM <table> <tail>, each row as a Record (numbers in
// canonical text, whichever backend printed them).
Result<std::vector<hsds::Record>> select_records(store::Executor& x, const hsds::TableSpec& t,
                                                 std::string_view tail = "",
                                                 const store::Params& params = {});
Result<std::vector<hsds::Record>> select_by(store::Executor& x, std::string_view table,
                                            std::string_view field, const std::string& value);
Result<std::optional<hsds::Record>> select_one(store::Executor& x, std::string_view table,
                                               const std::string& id);

// INSERT … ON CONFLICT (id) DO UPDATE: the record replaces a stored one.
Result<void> upsert(store::Executor& x, const hsds::TableSpec& t, const hsds::Record& r);
Result<void> upsert(store::Executor& x, std::string_view table,
                    const std::vector<std::pair<std::string_view, std::string>>& values);

// Every stored id per table (for reference checks of an import).
Result<KnownIds> stored_ids(store::Executor& x);
Result<ProfileContext> stored_profile(store::Executor& x);

// The profile taxonomies and a term per alliance, upserted.
Result<void> ensure_vocabulary(store::Executor& x);

// Recomputes the catalogue_* index rows: for the given services and
// locations, or for all when `all` is set.
Result<void> reindex(store::Executor& x, bool all, const std::vector<std::string>& service_ids,
                     const std::vector<std::string>& location_ids);

// Deletes attributes (and metadata) whose linked record no longer exists.
Result<void> purge_orphans(store::Executor& x);

Result<void> audit(store::Executor& x, std::int64_t now_ms, const Editor& e, std::string action,
                   std::string object, std::string details_json = "{}");

// The editor may change records of `alliance_ags`.
Result<void> require_alliance(const Editor& e, const std::string& alliance_ags);
Result<bool> alliance_exists(store::Executor& x, const std::string& ags);

// Length in Unicode code points.
std::size_t text_length(std::string_view s);

}  // namespace lotse::catalogue::internal
