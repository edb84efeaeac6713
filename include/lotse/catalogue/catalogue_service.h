// The offer catalogue and contact points of the alliances, on the HSDS 3.0
// model with the German JBA profile (jba_profile.h, HSDS_PROFILE.md).
//
// What the coordinators' pages, the youth portal and the HSDS API build on:
//  - offers (HSDS services) of an alliance by need, phase, target group,
//    legal sphere and text; the needs × phases matrix with counts and gaps;
//  - contact points (HSDS locations: central office, decentral counselling,
//    bus stops, virtual channels) nearest to a postcode or town; opening
//    hours on a day and whether a point is open now;
//  - create/update/delete offers and contact points, create/update providers
//    (HSDS organizations): validated (errors name the draft field), one
//    transaction each, audited;
//  - import and export of whole HSDS data sets (hsds_io.h): an import checks
//    everything first and writes nothing on any problem; upserts by id, so
//    running it twice changes nothing;
//  - the read-only HSDS API's documents (compiled service, organization,
//    service_at_location objects, paged lists).
//
//   CatalogueService cat(db, system_clock(), organisation::default_data_dir());
//   auto page = cat.list_offers({.alliance_ags = "15003", .need = "applications"});
//   auto matrix = cat.needs_phase_matrix({.alliance_ags = "15081"});
//   auto near = cat.nearest_contact_points({.postcode = "39104", .limit = 3});
//   auto today = cat.opening_hours(near->hits[0].point.id);   // Berlin "today"
//   Editor koord{.username = "15003-koord", .request_id = rid, .alliance_ags = "15003"};
//   auto id = cat.create_offer(koord, draft);
//   auto outcome = cat.import_hsds(Editor{.username = "admin", .all_alliances = true}, data);
//   if (!outcome->written) for (auto& i : outcome->issues) show(i.str());
//
// No personal data lives here (HSDS data is public); audit entries record
// who changed the catalogue. Errors: kInvalidArgument naming the field,
// kNotFound for unknown ids, kForbidden for another alliance's records.
//
// Thread safety: safe to call concurrently (state lives in the database; the
// gazetteer is loaded once, under a lock, and then only read; the offer
// choices are cached under a lock, see offer_choices).
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lotse/catalogue/gazetteer.h"
#include "lotse/catalogue/hsds_io.h"
#include "lotse/common/clock.h"
#include "lotse/common/date.h"
#include "lotse/common/result.h"
#include "lotse/domain/catalogue_schedule.h"
#include "lotse/store/database.h"

namespace lotse::catalogue {

// Who changes the catalogue. Coordinators change their own alliance's
// records; the CLI, the demo and administrators act for all alliances.
struct Editor {
  std::string username = "-";  // recorded in the audit log
  std::string request_id = "cli";
  std::string alliance_ags;    // the alliance the editor may change
  bool all_alliances = false;  // required for whole-data-set imports
};

// ---- offers (HSDS service + profile) ------------------------------------

struct OfferDraft {
  std::string alliance_ags;     // required: an alliance key ("15003")
  std::string organization_id;  // required: the provider, an HSDS organization
  std::string name;             // required, at most 200 characters
  std::string alternate_name, description, url, email;
  std::string status = "active";   // active | inactive | defunct | temporarily closed
  std::string legal_sphere;        // required: sgb2 | sgb3 | sgb8 | school | other
  std::string legal_basis;         // "§ 29 ff. SGB III"
  std::vector<int> phases;         // at least one, 1..5
  std::vector<std::string> needs;  // at least one need key (domain::all_needs)
  std::vector<std::string> target_groups, funding;  // domain::target_groups / funding_kinds
  std::optional<int> minimum_age, maximum_age;
  std::string eligibility_description, application_process, fees_description;
  std::optional<int> capacity, waiting_days;
  std::vector<std::string> contact_point_ids;  // where it is offered (same alliance)
};

struct Offer {
  std::string id;
  OfferDraft data;
  std::string organization_name;
  std::string last_modified;  // RFC 3339
};

struct OfferSummary {
  std::string id, name, description, organization_name, legal_sphere, legal_basis, status;
  std::vector<std::string> phases, needs, target_groups;
};

// An offer as a choice in a form (the Förderkette's offer select).
struct OfferChoice {
  std::string id, name, organization_name, legal_sphere;
};

struct OfferQuery {
  std::string alliance_ags;  // required
  std::optional<std::string> need, target_group, legal_sphere;
  std::optional<int> phase;
  std::string text;               // words in name, description, provider, legal basis
  bool include_inactive = false;  // else only status "active"
  int limit = 50;                 // 1..500
  int offset = 0;
};

struct OfferPage {
  std::vector<OfferSummary> offers;  // by name
  std::int64_t total = 0;
};

struct MatrixQuery {
  std::string alliance_ags;  // required
  std::optional<std::string> legal_sphere, target_group;
};

// Active offers per need (rows, in domain::all_needs order) and phase 1..5.
struct NeedsPhaseMatrix {
  std::vector<std::string> needs;
  std::vector<std::array<int, 5>> counts;  // counts[row][phase - 1]
  int count(std::string_view need, int phase) const;
  // Empty cells as (need, phase), row by row.
  std::vector<std::pair<std::string, int>> gaps() const;
};

// ---- contact points (HSDS location + address, phone, schedules, …) -------

// One HSDS schedule of a contact point.
struct OpeningRule {
  std::string rrule;                 // "FREQ=WEEKLY;BYDAY=MO,TU"; empty: the single date dtstart
  std::string dtstart;               // YYYY-MM-DD: first date (INTERVAL/COUNT) or the single date
  std::string valid_from, valid_to;  // YYYY-MM-DD
  std::string opens_at, closes_at;   // HH:MM, German local time
  std::string description;           // "Mo–Fr 9–12 Uhr", "Bus hält auf dem Marktplatz"
};

struct ContactPointDraft {
  std::string alliance_ags;     // required
  std::string organization_id;  // required: who runs it
  std::string kind;             // required: domain::contact_point_kinds()
  std::string name;             // required, at most 200 characters
  std::string description, transportation;
  std::string url;    // virtual channels: chat, video, messenger link
  std::string phone;  // required for kind "phone"
  std::string email;
  std::string street, postcode, city;  // required for physical kinds
  // Physical kinds: WGS84; when absent, the postcode's centre is used.
  std::optional<double> latitude, longitude;
  std::string accessibility;           // barrier-free access, in words
  std::vector<std::string> languages;  // ISO 639-1 codes: "de", "en", "ar"
  std::vector<OpeningRule> opening_hours;
};

struct ContactPoint {
  std::string id;
  ContactPointDraft data;
};

struct NearQuery {
  // The origin: a postcode, else a town (or village) name, else coordinates.
  std::string postcode, town;
  std::optional<double> latitude, longitude;
  std::string alliance_ags;        // empty: any alliance
  std::vector<std::string> kinds;  // empty: every physical kind
  std::string offer_id;            // only points where this offer is available
  int limit = 5;                   // 1..50
  double max_km = 60;
};

struct ContactPointHit {
  ContactPoint point;
  double distance_km = 0;
};

struct NearResult {
  GeoPoint origin;
  std::vector<ContactPointHit> hits;  // nearest first; virtual channels are never "near"
};

struct OpeningDay {
  Date date;
  std::vector<domain::OpeningSlot> slots;  // ordered
  bool open_now = false;                   // only when asked for today
  std::vector<std::string> notes;          // schedule descriptions
  std::vector<Date> next_dates;            // the next days it opens (bus stops), up to 5
};

// ---- whole data sets -----------------------------------------------------

using Progress = std::function<void(std::string_view stage, std::size_t done, std::size_t total)>;

struct ImportOutcome {
  bool written = false;       // false: problems found, nothing changed
  std::vector<Issue> issues;  // every problem, with file, row/line and field
  std::size_t inserted = 0, updated = 0, unchanged = 0;
};

// ---- HSDS API documents --------------------------------------------------

struct HsdsPaging {
  int page = 1;       // 1-based
  int per_page = 50;  // 1..1000
};

struct HsdsPage {
  std::vector<boost::json::object> contents;
  std::int64_t total_items = 0;
};

struct HsdsFilter {
  std::string search;            // words in names and descriptions
  std::string taxonomy_term_id;  // services with an attribute on this term
  std::string taxonomy_id;       // … on any term of this taxonomy
  std::string organization_id;
  std::string modified_after;         // RFC 3339: services with last_modified at or after it
  std::string postcode;               // service_at_locations: coverage or distance origin
  std::optional<double> proximity_m;  // with postcode: within this distance, nearest first
  std::string parent_id;              // taxonomy terms
  bool top_only = false;              // taxonomy terms without a parent
};

struct Provider {  // an HSDS organization, as offered in forms
  std::string id, name;
};

// ---- providers (Träger: HSDS organizations) --------------------------------

struct ProviderDraft {
  std::string name;         // required, at most 200 characters
  std::string description;  // at most 5000 characters
  std::string website;      // http(s) URL
  std::string email;        // a plausible address
  std::string phone;        // digits, spaces and + / - ( )
};

// Every problem of a draft, in form order (name, description, website,
// email, phone), each naming its field; empty when it is valid.
std::vector<Error> validate_provider(const ProviderDraft& d);

// HSDS organizations are not tied to an alliance. A provider belongs to an
// alliance when it carries the alliance's profile attribute (set when its
// coordinator created it, HSDS_PROFILE.md), else to the alliances whose
// offers and contact points it runs. Only a provider belonging to exactly
// one alliance is changed by that alliance's coordinator: one used by
// several is shared data, changed by a whole-data-set import only.
struct ProviderEntry {
  std::string id;
  ProviderDraft data;
  std::vector<std::string> alliances;  // it belongs to (sorted)
  int offers = 0, contact_points = 0;  // it runs, in all alliances
  bool editable_by(const Editor& e) const;
};

class CatalogueService {
 public:
  // `db` must outlive the service; `data_dir` holds the folded-in postcode
  // and municipality tables (loaded on first use).
  CatalogueService(store::Database& db, Clock clock, std::string data_dir);

  // Offers.
  Result<OfferPage> list_offers(const OfferQuery& q);
  // The alliance's active offers by name: id, name, provider, legal sphere.
  // Every case page asks for them, so they are kept for kOfferChoicesTtlMs;
  // a change through this service drops them at once, a change made by
  // another process (`lotse import`) shows after at most that long.
  static constexpr std::int64_t kOfferChoicesTtlMs = 30'000;
  Result<std::vector<OfferChoice>> offer_choices(const std::string& alliance_ags);
  Result<Offer> get_offer(const std::string& id);
  Result<NeedsPhaseMatrix> needs_phase_matrix(const MatrixQuery& q);
  Result<std::string> create_offer(const Editor& e, const OfferDraft& d);
  Result<void> update_offer(const Editor& e, const std::string& id, const OfferDraft& d);
  Result<void> delete_offer(const Editor& e, const std::string& id);

  // Providers to choose from for the alliance: the organizations running its
  // offers or contact points (HSDS organizations are not tied to an
  // alliance), or every organization while the alliance has none. By name.
  Result<std::vector<Provider>> providers(const std::string& alliance_ags);
  // The providers belonging to the alliance, by name.
  Result<std::vector<ProviderEntry>> list_providers(const std::string& alliance_ags);
  Result<ProviderEntry> get_provider(const std::string& id);  // kNotFound
  // Validated (errors name the draft field), one transaction, audited. A new
  // provider belongs to the editor's alliance; changes need
  // ProviderEntry::editable_by (else kForbidden).
  Result<std::string> create_provider(const Editor& e, const ProviderDraft& d);
  Result<void> update_provider(const Editor& e, const std::string& id, const ProviderDraft& d);

  // Contact points.
  Result<std::vector<ContactPoint>> list_contact_points(const std::string& alliance_ags,
                                                        const std::vector<std::string>& kinds = {});
  Result<ContactPoint> get_contact_point(const std::string& id);
  Result<std::vector<ContactPoint>> contact_points_of_offer(const std::string& offer_id);
  Result<NearResult> nearest_contact_points(const NearQuery& q);
  // Opening hours on `date`; without a date today in Germany, with open_now.
  Result<OpeningDay> opening_hours(const std::string& contact_point_id,
                                   std::optional<Date> date = std::nullopt);
  Result<std::string> create_contact_point(const Editor& e, const ContactPointDraft& d);
  Result<void> update_contact_point(const Editor& e, const std::string& id,
                                    const ContactPointDraft& d);
  Result<void> delete_contact_point(const Editor& e, const std::string& id);

  // Whole data sets.
  // Problems found while reading the files (`issues_so_far`) are listed
  // together with those found here; any problem means nothing is written.
  Result<ImportOutcome> import_hsds(const Editor& e, const Dataset& data,
                                    const Progress& progress = {},
                                    std::vector<Issue> issues_so_far = {});
  Result<Dataset> export_hsds(const Progress& progress = {});

  // HSDS API documents (schema/compiled/*.json shapes).
  Result<HsdsPage> hsds_services(const HsdsFilter& f, const HsdsPaging& p, bool full);
  Result<boost::json::object> hsds_service(const std::string& id);
  Result<HsdsPage> hsds_organizations(const HsdsFilter& f, const HsdsPaging& p, bool full,
                                      bool full_service);
  Result<boost::json::object> hsds_organization(const std::string& id, bool full_service);
  Result<HsdsPage> hsds_service_at_locations(const HsdsFilter& f, const HsdsPaging& p, bool full);
  Result<boost::json::object> hsds_service_at_location(const std::string& id);
  Result<HsdsPage> hsds_taxonomies(const HsdsFilter& f, const HsdsPaging& p);
  Result<boost::json::object> hsds_taxonomy(const std::string& id);
  Result<HsdsPage> hsds_taxonomy_terms(const HsdsFilter& f, const HsdsPaging& p);
  Result<boost::json::object> hsds_taxonomy_term(const std::string& id);

  // The gazetteer (postcodes, municipalities), loaded on first use.
  Result<std::shared_ptr<const Gazetteer>> gazetteer();

 private:
  store::Database& db_;
  Clock clock_;
  std::string data_dir_;
  std::mutex gazetteer_mutex_;
  std::shared_ptr<const Gazetteer> gazetteer_;

  struct CachedChoices {
    std::int64_t fetched_at_ms = 0;
    std::vector<OfferChoice> choices;
  };
  std::mutex choices_mutex_;
  std::map<std::string, CachedChoices, std::less<>> choices_;  // alliance -> choices
  std::uint64_t catalogue_writes_ = 0;  // a load that saw fewer is not kept
  Result<std::vector<OfferChoice>> load_offer_choices(const std::string& alliance_ags);

  // Every change of the catalogue goes through here, so that no cached
  // choice outlives a change made by this process.
  template <typename F>
  auto write(F&& fn) -> std::invoke_result_t<F, store::Executor&> {
    auto result = db_.write(std::forward<F>(fn));
    std::lock_guard lock(choices_mutex_);
    choices_.clear();
    ++catalogue_writes_;
    return result;
  }
};

}  // namespace lotse::catalogue
