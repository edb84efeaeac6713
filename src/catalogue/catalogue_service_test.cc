// The catalogue service against a real database (SQLite and PostgreSQL):
// the demo catalogue, the needs × phases matrix, search, proximity, opening
// hours, changes with their audit entries, and whole-data-set import and
// export — including the round trip export → import into an empty database
// → export, which must give identical files in both formats.
#include "lotse/catalogue/catalogue_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lotse/catalogue/demo_catalogue.h"
#include "lotse/catalogue/jba_profile.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_vocabulary.h"
#include "lotse/organisation/seed.h"
#include "lotse/privacy/audit_log.h"
#include "support/test_database.h"

namespace lotse::catalogue {
namespace {

namespace fs = std::filesystem;

// 2026-11-24 (a Tuesday) 15:00 in Germany (CET, UTC+1).
constexpr std::int64_t kTuesday1500 = (20'781LL * 86'400 + 14 * 3'600) * 1000;

std::unique_ptr<store::Database> seeded_database() {
  auto db = lotse::testing::test_database();
  auto seeded = db->write([](store::Executor& x) {
    return organisation::seed_organisations(x, organisation::default_data_dir());
  });
  EXPECT_TRUE(seeded) << seeded.error().message;
  return db;
}

std::int64_t count(store::Database& db, const std::string& sql) {
  auto n = db.read([&](store::Executor& x) { return x.query_int(sql); });
  EXPECT_TRUE(n) << n.error().message;
  return n ? *n : -1;
}

std::int64_t audit_entries(store::Database& db) {
  return count(db, "SELECT COUNT(*) FROM audit_log");
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("lotse-cat-" + lotse::testing::test_backend_name() + "-" +
                                   std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const Editor kAdmin{.username = "admin", .request_id = "test", .all_alliances = true};

// ---- the demo catalogue, loaded once for the read-only tests ----------------

class CatalogueDemoDb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = seeded_database().release();
    auto loaded = load_demo_catalogue(*db_, system_clock(), organisation::default_data_dir());
    ASSERT_TRUE(loaded) << loaded.error().message;
    summary_ = *loaded;
    now_ = kTuesday1500;
    service_ = new CatalogueService(
        *db_, [] { return now_; }, organisation::default_data_dir());
  }
  static void TearDownTestSuite() {
    delete service_;
    delete db_;
  }

  static inline store::Database* db_ = nullptr;
  static inline CatalogueService* service_ = nullptr;
  static inline DemoCatalogueSummary summary_;
  static inline std::int64_t now_ = 0;
};

// The Förderkette select offers exactly the active offers that the
// catalogue lists, in the same order, with their provider and sphere.
TEST_F(CatalogueDemoDb, OfferChoicesAreTheActiveOffersByName) {
  auto page = service_->list_offers({.alliance_ags = "15003", .limit = 500});
  ASSERT_TRUE(page);
  auto choices = service_->offer_choices("15003");
  ASSERT_TRUE(choices) << choices.error().message;
  ASSERT_EQ(choices->size(), page->offers.size());
  for (std::size_t i = 0; i < choices->size(); ++i) {
    EXPECT_EQ((*choices)[i].id, page->offers[i].id);
    EXPECT_EQ((*choices)[i].name, page->offers[i].name);
    EXPECT_EQ((*choices)[i].organization_name, page->offers[i].organization_name);
    EXPECT_EQ((*choices)[i].legal_sphere, page->offers[i].legal_sphere);
  }
  auto other = service_->offer_choices("15001");
  ASSERT_TRUE(other);
  for (const auto& c : *other)
    for (const auto& mine : *choices) EXPECT_NE(c.id, mine.id);
  EXPECT_EQ(service_->offer_choices("").error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CatalogueDemoDb, EveryAllianceHasACatalogueAndTheRuralOnesABus) {
  EXPECT_EQ(summary_.alliances, 14);
  EXPECT_EQ(summary_.bus_stops, 12);
  EXPECT_GE(summary_.offers, 14 * 17);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_service"), summary_.offers);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM catalogue_service_index WHERE alliance_ags IS NULL"),
            0);
  for (const char* ags : {"15001", "15003", "15081", "15091"}) {
    auto page = service_->list_offers({.alliance_ags = ags, .limit = 500});
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_GE(page->total, 17) << ags;
    auto points = service_->list_contact_points(ags);
    ASSERT_TRUE(points);
    EXPECT_GE(points->size(), 9u) << ags;
  }
  auto bus = service_->list_contact_points("15081", {"mobile_stop"});
  ASSERT_TRUE(bus);
  ASSERT_EQ(bus->size(), 6u);
  for (const auto& stop : *bus) {
    EXPECT_FALSE(stop.data.city.empty());
    EXPECT_NE(stop.data.city, "Salzwedel");  // the seat has the central office
    EXPECT_FALSE(stop.data.opening_hours.empty());
    EXPECT_NE(stop.data.opening_hours[0].rrule.find("INTERVAL=2"), std::string::npos)
        << stop.data.opening_hours[0].rrule;
  }
  EXPECT_TRUE(service_->list_contact_points("15003", {"mobile_stop"})->empty());
  // The standard instruments with their legal spheres and bases.
  auto eq = service_->list_offers({.alliance_ags = "15003", .text = "Einstiegsqualifizierung"});
  ASSERT_EQ(eq->offers.size(), 1u);
  EXPECT_EQ(eq->offers[0].legal_sphere, "sgb3");
  EXPECT_EQ(eq->offers[0].legal_basis, "§ 54a SGB III");
  auto jbh = service_->list_offers({.alliance_ags = "15003", .text = "Jugendberufshilfe"});
  ASSERT_EQ(jbh->offers.size(), 1u);
  EXPECT_EQ(jbh->offers[0].legal_basis, "§ 13 SGB VIII");
}

TEST_F(CatalogueDemoDb, LoadingTheDemoAgainChangesNothing) {
  const std::int64_t rows = count(*db_, "SELECT COUNT(*) FROM hsds_attribute");
  CatalogueService cat(*db_, system_clock(), organisation::default_data_dir());
  auto data = demo_catalogue(cat, *db_);
  ASSERT_TRUE(data);
  auto outcome = cat.import_hsds(kAdmin, *data);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_TRUE(outcome->written);
  EXPECT_EQ(outcome->inserted, 0u);
  EXPECT_EQ(outcome->updated, 0u);
  EXPECT_EQ(outcome->unchanged, data->row_count());
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_attribute"), rows);
}

TEST_F(CatalogueDemoDb, MatrixCountsActiveOffersPerNeedAndPhase) {
  for (const char* ags : {"15003", "15081", "15090"}) {
    auto m = service_->needs_phase_matrix({.alliance_ags = ags});
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_EQ(m->needs.size(), domain::all_needs().size());
    // Every cell equals the number of offers the list finds for it.
    for (const auto& need : m->needs)
      for (int phase = 1; phase <= 5; ++phase) {
        auto page = service_->list_offers({.alliance_ags = ags, .need = need, .phase = phase});
        ASSERT_TRUE(page);
        EXPECT_EQ(m->count(need, phase), page->total) << ags << " " << need << " " << phase;
      }
    EXPECT_FALSE(m->gaps().empty()) << ags;
    EXPECT_GE(m->count("applications", 4), 3);
  }
  // Filters: the SGB VIII part alone has fewer offers, and no debt counselling.
  auto all = service_->needs_phase_matrix({.alliance_ags = "15003"});
  auto sgb8 = service_->needs_phase_matrix({.alliance_ags = "15003", .legal_sphere = "sgb8"});
  ASSERT_TRUE(sgb8);
  EXPECT_EQ(sgb8->count("debts", 4), 0);
  EXPECT_GT(all->count("debts", 4), 0);
  EXPECT_LE(sgb8->count("housing", 4), all->count("housing", 4));
  auto parents = service_->needs_phase_matrix({.alliance_ags = "15003", .target_group = "parents"});
  ASSERT_TRUE(parents);
  EXPECT_GT(parents->count("careers_orientation", 2), 0);
  EXPECT_EQ(service_->needs_phase_matrix({.alliance_ags = "15003", .target_group = "pupils"})
                .error()
                .field,
            "target_group");
  // Alliances differ: optional offers are left out in some, so gaps differ.
  std::set<std::size_t> gap_counts;
  for (const char* ags : {"15001", "15002", "15003", "15081", "15082", "15083", "15084", "15085"})
    gap_counts.insert(service_->needs_phase_matrix({.alliance_ags = ags})->gaps().size());
  EXPECT_GT(gap_counts.size(), 1u);
}

TEST_F(CatalogueDemoDb, SearchAndFilters) {
  auto bewerbung = service_->list_offers({.alliance_ags = "15003", .text = "bewerbung"});
  ASSERT_TRUE(bewerbung);
  ASSERT_GE(bewerbung->total, 3);  // the training, and offers for the need "Bewerbung"
  bool training = false;
  for (const auto& o : bewerbung->offers) training = training || o.name == "Bewerbungstraining";
  EXPECT_TRUE(training);
  auto groups =
      service_->list_offers({.alliance_ags = "15003", .target_group = "migrants_refugees"});
  for (const auto& o : groups->offers)
    EXPECT_NE(std::find(o.target_groups.begin(), o.target_groups.end(), "migrants_refugees"),
              o.target_groups.end());
  auto sgb2 = service_->list_offers({.alliance_ags = "15003", .legal_sphere = "sgb2"});
  for (const auto& o : sgb2->offers) EXPECT_EQ(o.legal_sphere, "sgb2");
  auto paged = service_->list_offers({.alliance_ags = "15003", .limit = 5, .offset = 5});
  auto first = service_->list_offers({.alliance_ags = "15003", .limit = 10});
  ASSERT_EQ(paged->offers.size(), 5u);
  EXPECT_EQ(paged->offers[0].id, first->offers[5].id);
  EXPECT_EQ(service_->list_offers({.alliance_ags = "15003", .need = "wishes"}).error().field,
            "need");
  EXPECT_EQ(service_->list_offers({.alliance_ags = "15003", .phase = 6}).error().field, "phase");
  EXPECT_EQ(service_->list_offers({.alliance_ags = "15003", .limit = 0}).error().field, "limit");
  // LIKE wildcards in the text are matched literally.
  EXPECT_EQ(service_->list_offers({.alliance_ags = "15003", .text = "%"})->total, 0);
}

TEST_F(CatalogueDemoDb, NearestContactPoints) {
  auto near = service_->nearest_contact_points({.postcode = "39104", .limit = 3});
  ASSERT_TRUE(near) << near.error().message;
  EXPECT_EQ(near->origin.district_ags, "15003");
  ASSERT_EQ(near->hits.size(), 3u);
  EXPECT_EQ(near->hits[0].point.data.city, "Magdeburg");
  EXPECT_EQ(near->hits[0].point.data.kind, "central_office");
  EXPECT_LT(near->hits[0].distance_km, 1.0);
  for (std::size_t i = 1; i < near->hits.size(); ++i)
    EXPECT_LE(near->hits[i - 1].distance_km, near->hits[i].distance_km);
  // From a village in the Altmark the bus stop in town is nearer than the office.
  auto arendsee = service_->nearest_contact_points({.town = "Arendsee", .alliance_ags = "15081"});
  ASSERT_TRUE(arendsee) << arendsee.error().message;
  ASSERT_FALSE(arendsee->hits.empty());
  EXPECT_EQ(arendsee->hits[0].point.data.kind, "mobile_stop");
  // Only where an offer is available, and never a virtual channel.
  auto berufsberatung = service_->list_offers({.alliance_ags = "15003", .text = "Berufsberatung"});
  const std::string offer = berufsberatung->offers[0].id;
  auto with_offer =
      service_->nearest_contact_points({.postcode = "39104", .offer_id = offer, .limit = 50});
  ASSERT_TRUE(with_offer);
  auto at = service_->contact_points_of_offer(offer);
  std::size_t physical = 0;
  for (const auto& p : *at) physical += domain::is_virtual_contact_kind(p.data.kind) ? 0 : 1;
  EXPECT_EQ(with_offer->hits.size(), physical);
  EXPECT_EQ(service_->nearest_contact_points({.postcode = "1234"}).error().field, "postcode");
  EXPECT_EQ(service_->nearest_contact_points({.postcode = "10115"}).error().field, "postcode");
  EXPECT_EQ(service_->nearest_contact_points({.town = "Atlantis"}).error().field, "town");
  EXPECT_EQ(service_->nearest_contact_points({}).error().field, "postcode");
}

TEST_F(CatalogueDemoDb, OpeningHoursToday) {
  auto near = service_->nearest_contact_points({.postcode = "39104", .limit = 1});
  const std::string office = near->hits[0].point.id;
  auto today = service_->opening_hours(office);  // Tuesday 15:00 in Germany
  ASSERT_TRUE(today) << today.error().message;
  EXPECT_EQ(today->date.str(), "2026-11-24");
  ASSERT_EQ(today->slots.size(), 2u);
  EXPECT_EQ(today->slots[0].opens->str(), "09:00");
  EXPECT_EQ(today->slots[1].closes->str(), "18:00");
  EXPECT_TRUE(today->open_now);
  auto saturday = service_->opening_hours(office, *Date::parse("2026-11-28"));
  EXPECT_TRUE(saturday->slots.empty());
  EXPECT_FALSE(saturday->open_now);
  ASSERT_FALSE(saturday->next_dates.empty());
  EXPECT_EQ(saturday->next_dates[0].str(), "2026-11-30");
  // A bus stop every other week.
  auto bus = service_->list_contact_points("15081", {"mobile_stop"});
  auto stop = service_->opening_hours((*bus)[0].id, *Date::parse("2026-11-01"));
  ASSERT_TRUE(stop);
  ASSERT_GE(stop->next_dates.size(), 2u);
  EXPECT_EQ(stop->next_dates[1].days_since_epoch() - stop->next_dates[0].days_since_epoch(), 14);
  EXPECT_EQ(service_->opening_hours("nope").error().code, ErrorCode::kNotFound);
}

TEST_F(CatalogueDemoDb, HsdsDocuments) {
  auto services = service_->hsds_services({}, {.page = 2, .per_page = 10}, false);
  ASSERT_TRUE(services) << services.error().message;
  EXPECT_EQ(services->total_items, summary_.offers);
  ASSERT_EQ(services->contents.size(), 10u);
  EXPECT_TRUE(services->contents[0].contains("organization"));
  EXPECT_FALSE(services->contents[0].contains("attributes"));
  const std::string id(services->contents[0].at("id").get_string());
  auto full = service_->hsds_service(id);
  ASSERT_TRUE(full);
  EXPECT_FALSE(full->at("attributes").get_array().empty());
  EXPECT_TRUE(full->at("attributes").get_array()[0].get_object().contains("taxonomy_term"));
  EXPECT_FALSE(full->at("service_at_locations").get_array().empty());
  EXPECT_TRUE(full->at("service_at_locations").get_array()[0].get_object().contains("location"));
  EXPECT_EQ(service_->hsds_service("00000000-0000-4000-8000-000000000000").error().code,
            ErrorCode::kNotFound);
  // Postcode coverage: everything of Magdeburg; proximity: nearest first, within the radius.
  auto covered =
      service_->hsds_service_at_locations({.postcode = "39104"}, {.per_page = 1000}, false);
  ASSERT_TRUE(covered);
  EXPECT_GT(covered->total_items, 20);
  auto near = service_->hsds_service_at_locations({.postcode = "39104", .proximity_m = 2000},
                                                  {.per_page = 1000}, false);
  ASSERT_TRUE(near);
  EXPECT_GT(near->total_items, 0);
  EXPECT_LT(near->total_items, covered->total_items);
  EXPECT_EQ(service_->hsds_service_at_locations({.proximity_m = 5000}, {}, false).error().field,
            "proximity");
  // Taxonomy filters.
  const std::string need_term = profile_term_id(Facet::kNeed, "debts");
  auto debts = service_->hsds_services({.taxonomy_term_id = need_term}, {.per_page = 1000}, false);
  EXPECT_GE(debts->total_items, 14);
  auto phases =
      service_->hsds_taxonomy_terms({.taxonomy_id = profile_taxonomy_id(Facet::kPhase)}, {});
  ASSERT_TRUE(phases);
  EXPECT_EQ(phases->total_items, 5);
  EXPECT_TRUE(phases->contents[0].contains("taxonomy_detail"));
  auto taxonomies = service_->hsds_taxonomies({.search = "bedarfslagen"}, {});
  ASSERT_EQ(taxonomies->total_items, 1);
  EXPECT_EQ(taxonomies->contents[0].at("id").get_string(), profile_taxonomy_id(Facet::kNeed));
  auto orgs = service_->hsds_organizations({.search = "Jobcenter Magdeburg"}, {}, false, false);
  ASSERT_TRUE(orgs);
  std::string jobcenter;
  for (const auto& o : orgs->contents)
    if (o.at("name").get_string() == "Jobcenter Magdeburg") jobcenter = o.at("id").get_string();
  ASSERT_FALSE(jobcenter.empty());
  EXPECT_LT(orgs->total_items, 5);
  auto org_full = service_->hsds_organization(jobcenter, false);
  ASSERT_TRUE(org_full);
  EXPECT_FALSE(org_full->at("services").get_array().empty());
  EXPECT_EQ(service_->hsds_services({}, {.page = 0}, false).error().field, "page");
  EXPECT_EQ(service_->hsds_services({}, {.per_page = 1001}, false).error().field, "per_page");
  EXPECT_EQ(service_->hsds_services({.modified_after = "gestern"}, {}, false).error().field,
            "modified_after");
  EXPECT_EQ(
      service_->hsds_services({.modified_after = "2026-01-16T00:00:00Z"}, {}, false)->total_items,
      0);
  EXPECT_EQ(service_->hsds_services({.modified_after = "2026-01-15T09:00:00+01:00"}, {}, false)
                ->total_items,
            summary_.offers);
}

// ---- round trip ---------------------------------------------------------------

void write_both(CatalogueService& cat, const fs::path& dir) {
  auto data = cat.export_hsds();
  ASSERT_TRUE(data) << data.error().message;
  ASSERT_TRUE(write_hsds(*data, dir / "csv", Format::kCsv));
  ASSERT_TRUE(write_hsds(*data, dir / "katalog.json", Format::kJson));
}

TEST(CatalogueRoundTripDb, ExportImportExportGivesIdenticalFiles) {
  auto first = seeded_database();
  ASSERT_TRUE(load_demo_catalogue(*first, system_clock(), organisation::default_data_dir()));
  // Changes through the service too: random ids, timestamps, languages, schedules.
  CatalogueService one(*first, system_clock(), organisation::default_data_dir());
  const Editor koord{.username = "15003-koord", .request_id = "t", .alliance_ags = "15003"};
  auto point = one.create_contact_point(
      koord, {.alliance_ags = "15003",
              .organization_id = name_uuid("demo:organization:15003:jba"),
              .kind = "youth_centre",
              .name = "Jugendtreff \"Alte Neustadt\", Magdeburg",
              .street = "Lübecker Straße 1",
              .postcode = "39124",
              .city = "Magdeburg",
              .languages = {"de", "tr"},
              .opening_hours = {{.rrule = "FREQ=MONTHLY;BYDAY=-1FR",
                                 .opens_at = "16:00",
                                 .closes_at = "20:00",
                                 .description = "Letzter Freitag im Monat"}}});
  ASSERT_TRUE(point) << point.error().message;
  auto offer = one.create_offer(koord, {.alliance_ags = "15003",
                                        .organization_id = name_uuid("demo:organization:15003:ja"),
                                        .name = "Streetwork Neustadt",
                                        .legal_sphere = "sgb8",
                                        .legal_basis = "§ 13 SGB VIII",
                                        .phases = {3, 4},
                                        .needs = {"motivation"},
                                        .minimum_age = 14,
                                        .capacity = 8,
                                        .contact_point_ids = {*point}});
  ASSERT_TRUE(offer) << offer.error().message;
  const fs::path a = fresh_dir("a");
  write_both(one, a);

  for (Format format : {Format::kJson, Format::kCsv}) {
    auto second = seeded_database();
    CatalogueService two(*second, system_clock(), organisation::default_data_dir());
    const fs::path source = format == Format::kJson ? a / "katalog.json" : a / "csv";
    auto read = read_hsds(source, format);
    ASSERT_TRUE(read.issues.empty()) << read.issues[0].str();
    auto outcome = two.import_hsds(kAdmin, read.data);
    ASSERT_TRUE(outcome) << outcome.error().message;
    ASSERT_TRUE(outcome->written) << outcome->issues[0].str();
    EXPECT_EQ(outcome->inserted + outcome->unchanged, read.data.row_count());
    const fs::path b = fresh_dir(format == Format::kJson ? "b-json" : "b-csv");
    write_both(two, b);
    EXPECT_EQ(read_text(a / "katalog.json"), read_text(b / "katalog.json"));
    for (const auto& t : hsds::tables())
      EXPECT_EQ(read_text(a / "csv" / t.file), read_text(b / "csv" / t.file)) << t.file;
    // The derived index is the same as on the source database.
    EXPECT_EQ(count(*second, "SELECT COUNT(*) FROM catalogue_service_facets"),
              count(*first, "SELECT COUNT(*) FROM catalogue_service_facets"));
    // Importing the same files again changes nothing.
    auto again = two.import_hsds(kAdmin, read.data);
    ASSERT_TRUE(again && again->written);
    EXPECT_EQ(again->unchanged, read.data.row_count());
    fs::remove_all(b);
  }
  fs::remove_all(a);
}

// ---- bad imports -------------------------------------------------------------------

TEST(CatalogueImportDb, BadDataListsEveryProblemAndWritesNothing) {
  auto db = seeded_database();
  CatalogueService cat(*db, system_clock(), organisation::default_data_dir());
  const fs::path dir = fresh_dir("bad");
  const std::string org = "11111111-1111-4111-8111-111111111111";
  const std::string service = "22222222-2222-4222-8222-222222222222";
  const std::string location = "33333333-3333-4333-8333-333333333333";
  std::ofstream(dir / "organizations.csv") << "id,name,description\n"
                                           << org << ",Träger,Beschreibung\n"
                                           << org << ",Nochmal,Doppelt\n";
  std::ofstream(dir / "services.csv") << "id,organization_id,name,status,minimum_age\n"
                                      << service << "," << org << ",Angebot,active,zwölf\n"
                                      << "44444444-4444-4444-8444-444444444444,"
                                      << "99999999-9999-4999-8999-999999999999,Waise,open,\n";
  std::ofstream(dir / "locations.csv") << "id,location_type,name,latitude,longitude\n"
                                       << location << ",physical,Büro,152.1,11.6\n";
  std::ofstream(dir / "schedules.csv")
      << "id,location_id,freq,byday,opens_at,closes_at\n"
      << "55555555-5555-4555-8555-555555555555," << location << ",WEEKLY,MO;TU,09:00,12:00\n";
  std::ofstream(dir / "attributes.csv")
      << "id,link_id,taxonomy_term_id,link_entity\n"
      << "66666666-6666-4666-8666-666666666666," << service << ","
      << profile_term_id(Facet::kAlliance, "15003") << ",service\n"
      << "77777777-7777-4777-8777-777777777777," << service << ","
      << profile_term_id(Facet::kAlliance, "15002") << ",service\n";
  auto read = read_hsds(dir, Format::kCsv);
  const std::size_t parse_issues = read.issues.size();
  EXPECT_EQ(parse_issues, 2u);  // "zwölf", "open"
  const std::int64_t audit_before = audit_entries(*db);
  auto outcome = cat.import_hsds(kAdmin, read.data, {}, read.issues);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_FALSE(outcome->written);
  std::vector<std::string> got;
  for (const auto& i : outcome->issues)
    got.push_back(i.file + ":" + std::to_string(i.line) + ":" + i.field);
  EXPECT_EQ(got,
            (std::vector<std::string>{"services.csv:2:minimum_age", "services.csv:3:status",
                                      "organizations.csv:3:id", "services.csv:3:organization_id",
                                      "locations.csv:2:latitude", "schedules.csv:2:byday",
                                      "attributes.csv:3:taxonomy_term_id"}));
  for (const auto& i : outcome->issues) EXPECT_FALSE(i.message.empty()) << i.str();
  // Nothing written: not even the vocabulary the import would have added.
  for (const auto& t : hsds::tables())
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM " + std::string(t.sql_table)), 0) << t.name;
  EXPECT_EQ(audit_entries(*db), audit_before);
  // Only administrators import whole data sets.
  EXPECT_EQ(
      cat.import_hsds({.username = "15003-koord", .alliance_ags = "15003"}, read.data).error().code,
      ErrorCode::kForbidden);
  fs::remove_all(dir);
}

// ---- changes ---------------------------------------------------------------------

class CatalogueEditDb : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = seeded_database();
    cat_ = std::make_unique<CatalogueService>(
        *db_, [this] { return now_; }, organisation::default_data_dir());
    // A provider to offer things: one organization through the import.
    Dataset d;
    ASSERT_TRUE(
        d.add("organization",
              {{"id", org_}, {"name", "Bildungswerk Magdeburg"}, {"description", "Träger"}}));
    auto imported = cat_->import_hsds(kAdmin, d);
    ASSERT_TRUE(imported && imported->written);
  }

  ContactPointDraft office() const {
    return {.alliance_ags = "15003",
            .organization_id = org_,
            .kind = "central_office",
            .name = "JBA Magdeburg",
            .phone = "+49 391 000000",
            .street = "Breiter Weg 1",
            .postcode = "39104",
            .city = "Magdeburg",
            .accessibility = "Stufenlos",
            .languages = {"en", "de"},
            .opening_hours = {{.rrule = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                               .opens_at = "09:00",
                               .closes_at = "17:00"}}};
  }

  OfferDraft training(const std::string& point) const {
    return {.alliance_ags = "15003",
            .organization_id = org_,
            .name = "Bewerbungstraining",
            .legal_sphere = "sgb2",
            .legal_basis = "§ 16 SGB II",
            .phases = {4, 3, 4},
            .needs = {"applications"},
            .target_groups = {"migrants_refugees"},
            .funding = {"standard_instrument"},
            .minimum_age = 15,
            .maximum_age = 25,
            .capacity = 12,
            .waiting_days = 14,
            .contact_point_ids = {point}};
  }

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CatalogueService> cat_;
  std::int64_t now_ = kTuesday1500;
  const std::string org_ = "11111111-1111-4111-8111-111111111111";
  const Editor koord_{.username = "15003-koord", .request_id = "req-1", .alliance_ags = "15003"};
};

// The Förderkette select is cached: a change through the service shows at
// once (create, rename, delete), a change made by another process (here a
// second service on the same database) after at most the cache's lifetime.
TEST_F(CatalogueEditDb, OfferChoicesFollowChangesAtOnceAndOtherProcessesWithinTheTtl) {
  auto point = cat_->create_contact_point(koord_, office());
  ASSERT_TRUE(point);
  auto names = [&] {
    std::vector<std::string> out;
    auto choices = cat_->offer_choices("15003");
    EXPECT_TRUE(choices) << choices.error().message;
    if (choices)
      for (const auto& c : *choices) out.push_back(c.name);
    return out;
  };
  EXPECT_TRUE(names().empty());
  auto offer = cat_->create_offer(koord_, training(*point));
  ASSERT_TRUE(offer);
  EXPECT_EQ(names(), std::vector<std::string>{"Bewerbungstraining"});
  OfferDraft renamed = training(*point);
  renamed.name = "Bewerbungswerkstatt";
  ASSERT_TRUE(cat_->update_offer(koord_, *offer, renamed));
  EXPECT_EQ(names(), std::vector<std::string>{"Bewerbungswerkstatt"});

  CatalogueService other(*db_, [this] { return now_; }, organisation::default_data_dir());
  OfferDraft second = training(*point);
  second.name = "Azubi-Coaching";
  ASSERT_TRUE(other.create_offer(koord_, second));
  EXPECT_EQ(names(), std::vector<std::string>{"Bewerbungswerkstatt"});  // still cached
  now_ += CatalogueService::kOfferChoicesTtlMs;
  EXPECT_EQ(names(), (std::vector<std::string>{"Azubi-Coaching", "Bewerbungswerkstatt"}));

  ASSERT_TRUE(cat_->delete_offer(koord_, *offer));
  EXPECT_EQ(names(), std::vector<std::string>{"Azubi-Coaching"});
}

TEST_F(CatalogueEditDb, CreateReadUpdateDeleteWithAudit) {
  const std::int64_t audit0 = audit_entries(*db_);
  auto point = cat_->create_contact_point(koord_, office());
  ASSERT_TRUE(point) << point.error().field << ": " << point.error().message;
  auto stored = cat_->get_contact_point(*point);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->data.kind, "central_office");
  EXPECT_EQ(stored->data.alliance_ags, "15003");
  EXPECT_EQ(stored->data.languages, (std::vector<std::string>{"de", "en"}));
  ASSERT_TRUE(stored->data.latitude);  // from the postcode's centre
  EXPECT_NEAR(*stored->data.latitude, 52.1243, 1e-6);
  ASSERT_EQ(stored->data.opening_hours.size(), 1u);
  EXPECT_EQ(stored->data.opening_hours[0].rrule, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
  EXPECT_TRUE(cat_->opening_hours(*point)->open_now);

  auto offer = cat_->create_offer(koord_, training(*point));
  ASSERT_TRUE(offer) << offer.error().field << ": " << offer.error().message;
  auto o = cat_->get_offer(*offer);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->data.phases, (std::vector<int>{3, 4}));
  EXPECT_EQ(o->data.legal_basis, "§ 16 SGB II");
  EXPECT_EQ(o->data.capacity, 12);
  EXPECT_EQ(o->data.contact_point_ids, std::vector<std::string>{*point});
  EXPECT_EQ(o->organization_name, "Bildungswerk Magdeburg");
  EXPECT_EQ(o->last_modified, format_utc(now_));
  EXPECT_EQ(cat_->needs_phase_matrix({.alliance_ags = "15003"})->count("applications", 3), 1);

  // Update: phases and needs change, the link to the office goes.
  now_ += 60'000;
  OfferDraft changed = training(*point);
  changed.phases = {5};
  changed.needs = {"applications", "motivation"};
  changed.contact_point_ids = {};
  changed.capacity.reset();
  ASSERT_TRUE(cat_->update_offer(koord_, *offer, changed));
  o = cat_->get_offer(*offer);
  EXPECT_EQ(o->data.phases, std::vector<int>{5});
  EXPECT_TRUE(o->data.contact_point_ids.empty());
  EXPECT_FALSE(o->data.capacity);
  auto m = cat_->needs_phase_matrix({.alliance_ags = "15003"});
  EXPECT_EQ(m->count("applications", 3), 0);
  EXPECT_EQ(m->count("motivation", 5), 1);

  // Each change one audit entry, with who and what.
  auto entries = db_->read([](store::Executor& x) { return privacy::AuditLog::recent(x, 10); });
  ASSERT_TRUE(entries);
  EXPECT_EQ(audit_entries(*db_), audit0 + 3);
  EXPECT_EQ((*entries)[0].event.action, "catalogue.offer.update");
  EXPECT_EQ((*entries)[0].event.actor, "15003-koord");
  EXPECT_EQ((*entries)[0].event.object, "service:" + *offer);
  EXPECT_EQ((*entries)[0].event.request_id, "req-1");

  // Delete: the offer, its links, areas and profile attributes go.
  ASSERT_TRUE(cat_->delete_offer(koord_, *offer));
  EXPECT_EQ(cat_->get_offer(*offer).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_attribute WHERE link_entity = 'service'"), 0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_service_area"), 0);
  ASSERT_TRUE(cat_->delete_contact_point(koord_, *point));
  for (const char* t : {"hsds_location", "hsds_address", "hsds_phone", "hsds_schedule",
                        "hsds_language", "hsds_accessibility", "catalogue_location_index"})
    EXPECT_EQ(count(*db_, std::string("SELECT COUNT(*) FROM ") + t), 0) << t;
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_attribute"), 0);
  EXPECT_EQ(audit_entries(*db_), audit0 + 5);
  EXPECT_TRUE(privacy::AuditLog::verify(*db_)->ok);
}

TEST_F(CatalogueEditDb, BadDraftsNameTheFieldAndChangeNothing) {
  auto point = cat_->create_contact_point(koord_, office());
  ASSERT_TRUE(point);
  const std::int64_t services = count(*db_, "SELECT COUNT(*) FROM hsds_service");
  const std::int64_t audit0 = audit_entries(*db_);
  struct Case {
    std::function<void(OfferDraft&)> change;
    const char* field;
  };
  const Case cases[] = {
      {[](OfferDraft& d) { d.name.clear(); }, "name"},
      {[](OfferDraft& d) { d.name = std::string(201, 'x'); }, "name"},
      {[](OfferDraft& d) { d.alliance_ags = "99999"; }, "alliance_ags"},
      {[](OfferDraft& d) { d.organization_id = "kein-uuid"; }, "organization_id"},
      {[](OfferDraft& d) { d.legal_sphere = "sgb12"; }, "legal_sphere"},
      {[](OfferDraft& d) { d.phases = {0}; }, "phases"},
      {[](OfferDraft& d) { d.phases.clear(); }, "phases"},
      {[](OfferDraft& d) { d.needs = {"wishes"}; }, "needs"},
      {[](OfferDraft& d) { d.target_groups = {"pupils"}; }, "target_groups"},
      {[](OfferDraft& d) { d.funding = {"lottery"}; }, "funding"},
      {[](OfferDraft& d) { d.status = "open"; }, "status"},
      {[](OfferDraft& d) { d.minimum_age = 30; }, "maximum_age"},
      {[](OfferDraft& d) { d.capacity = -1; }, "capacity"},
      {[](OfferDraft& d) { d.url = "www.example.org"; }, "url"},
      {[](OfferDraft& d) { d.email = "kein@"; }, "email"},
      {[](OfferDraft& d) { d.contact_point_ids = {"33333333-3333-4333-8333-333333333333"}; },
       "contact_point_ids"},
  };
  for (const auto& c : cases) {
    OfferDraft d = training(*point);
    c.change(d);
    auto r = cat_->create_offer(koord_, d);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  struct PointCase {
    std::function<void(ContactPointDraft&)> change;
    const char* field;
  };
  const PointCase point_cases[] = {
      {[](ContactPointDraft& d) { d.kind = "bus"; }, "kind"},
      {[](ContactPointDraft& d) { d.postcode = "3910"; }, "postcode"},
      {[](ContactPointDraft& d) { d.postcode = "10115"; }, "postcode"},  // no coordinates known
      {[](ContactPointDraft& d) { d.street.clear(); }, "street"},
      {[](ContactPointDraft& d) {
         d.latitude = 95;
         d.longitude = 11;
       },
       "latitude"},
      {[](ContactPointDraft& d) { d.latitude = 52; }, "longitude"},
      {[](ContactPointDraft& d) { d.kind = "chat"; }, "url"},
      {[](ContactPointDraft& d) {
         d.kind = "phone";
         d.phone.clear();
       },
       "phone"},
      {[](ContactPointDraft& d) { d.phone = "call me"; }, "phone"},
      {[](ContactPointDraft& d) { d.languages = {"Deutsch"}; }, "languages"},
      {[](ContactPointDraft& d) { d.opening_hours[0].rrule = "FREQ=DAILY"; },
       "opening_hours[0].freq"},
      {[](ContactPointDraft& d) { d.opening_hours[0].rrule = "FREQ=WEEKLY;BYDAY=XX"; },
       "opening_hours[0].byday"},
      {[](ContactPointDraft& d) { d.opening_hours[0].rrule = "BYDAY=MO"; },
       "opening_hours[0].rrule"},
      {[](ContactPointDraft& d) { d.opening_hours[0].closes_at = "08:00"; },
       "opening_hours[0].closes_at"},
      {[](ContactPointDraft& d) { d.opening_hours.push_back({}); }, "opening_hours[1].rrule"},
  };
  for (const auto& c : point_cases) {
    ContactPointDraft d = office();
    c.change(d);
    auto r = cat_->create_contact_point(koord_, d);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_service"), services);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_location"), 1);
  EXPECT_EQ(audit_entries(*db_), audit0);
}

TEST_F(CatalogueEditDb, OnlyTheAlliancesCoordinationChangesItsCatalogue) {
  auto point = cat_->create_contact_point(koord_, office());
  ASSERT_TRUE(point);
  auto offer = cat_->create_offer(koord_, training(*point));
  ASSERT_TRUE(offer);
  const Editor halle{.username = "15002-koord", .alliance_ags = "15002"};
  EXPECT_EQ(cat_->create_offer(halle, training(*point)).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(cat_->update_offer(halle, *offer, training(*point)).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(cat_->delete_offer(halle, *offer).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(cat_->delete_contact_point(halle, *point).error().code, ErrorCode::kForbidden);
  // Moving an offer to another alliance needs both.
  OfferDraft moved = training(*point);
  moved.alliance_ags = "15002";
  moved.contact_point_ids.clear();
  EXPECT_EQ(cat_->update_offer(koord_, *offer, moved).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(cat_->update_offer(kAdmin, *offer, moved));
  EXPECT_EQ(cat_->get_offer(*offer)->data.alliance_ags, "15002");
  EXPECT_EQ(cat_->get_offer("00000000-0000-4000-8000-000000000000").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(cat_->update_offer(koord_, "nope", training(*point)).error().code,
            ErrorCode::kNotFound);
}

TEST_F(CatalogueEditDb, EditingAnImportedPointKeepsItsOwnRows) {
  const std::string loc = "44444444-4444-4444-8444-444444444444";
  Dataset d;
  ASSERT_TRUE(d.add("location", {{"id", loc}, {"location_type", "physical"}, {"name", "Importiert"},
                                 {"organization_id", org_}, {"latitude", "52.1"}, {"longitude", "11.6"}}));
  ASSERT_TRUE(d.add("address", {{"id", "55555555-5555-4555-8555-555555555555"}, {"location_id", loc},
                                {"address_1", "Alte Straße 1"}, {"city", "Magdeburg"},
                                {"state_province", "Sachsen-Anhalt"}, {"postal_code", "39104"},
                                {"country", "DE"}, {"address_type", "physical"}}));
  for (auto [facet, code] : {std::pair{Facet::kAlliance, "15003"}, {Facet::kContactKind, "third_party"}})
    ASSERT_TRUE(d.add("attribute", {{"id", name_uuid(std::string(code) + "-attr")},
                                    {"link_id", loc},
                                    {"taxonomy_term_id", profile_term_id(facet, code)},
                                    {"link_entity", "location"}}));
  auto imported = cat_->import_hsds(kAdmin, d);
  ASSERT_TRUE(imported && imported->written) << imported->issues[0].str();
  auto p = cat_->get_contact_point(loc);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->data.street, "Alte Straße 1");
  EXPECT_EQ(p->data.kind, "third_party");
  p->data.street = "Neue Straße 2";
  ASSERT_TRUE(cat_->update_contact_point(koord_, loc, p->data));
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_address"), 1);
  EXPECT_EQ(cat_->get_contact_point(loc)->data.street, "Neue Straße 2");
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_attribute WHERE link_id = '" + loc + "'"), 2);
}

TEST_F(CatalogueEditDb, VirtualChannelsHaveNoPlace) {
  ContactPointDraft chat = office();
  chat.kind = "chat";
  chat.url = "https://jba-magdeburg.example/chat";
  auto id = cat_->create_contact_point(koord_, chat);
  ASSERT_TRUE(id) << id.error().message;
  auto p = cat_->get_contact_point(*id);
  EXPECT_TRUE(p->data.street.empty());
  EXPECT_FALSE(p->data.latitude);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM hsds_location WHERE location_type = 'virtual'"), 1);
  // Not among the nearest points, but listed for the alliance.
  auto near = cat_->nearest_contact_points({.postcode = "39104"});
  EXPECT_TRUE(near->hits.empty());
  EXPECT_EQ(cat_->list_contact_points("15003", {"chat"})->size(), 1u);
}

}  // namespace
}  // namespace lotse::catalogue

namespace lotse::catalogue {
namespace {

// Migration 6 and hsds_model.cc describe the same tables: every descriptor
// field is a column, and there are no other columns.
TEST(HsdsSchemaDb, TablesMatchTheDescriptors) {
  auto db = lotse::testing::test_database();
  for (const auto& t : hsds::tables()) {
    auto r = db->read([&](store::Executor& x) -> Result<std::int64_t> {
      LOTSE_TRY(x.query("SELECT " + hsds::sql_columns(t) + " FROM " + std::string(t.sql_table) +
                        " WHERE 1 = 0"));
      const std::string sql =
          x.dialect() == store::Dialect::kSqlite
              ? "SELECT COUNT(*) FROM pragma_table_info('" + std::string(t.sql_table) + "')"
              : "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = '" +
                    std::string(t.sql_table) + "'";
      return x.query_int(sql);
    });
    ASSERT_TRUE(r) << t.name << ": " << r.error().message;
    EXPECT_EQ(*r, static_cast<std::int64_t>(t.fields.size())) << t.name;
  }
}

}  // namespace
}  // namespace lotse::catalogue
