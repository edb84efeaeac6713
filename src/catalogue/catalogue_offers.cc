// Offers and contact points: the typed view of HSDS services and locations
// with their JBA profile, for the coordinators' pages and the youth portal.
// A change writes the HSDS rows it manages (ids derived from the record's
// id, so they are found again), re-derives the index and appends the audit
// entry, all in one transaction.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "catalogue/catalogue_internal.h"
#include "lotse/catalogue/catalogue_service.h"
#include "lotse/catalogue/jba_profile.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_vocabulary.h"

namespace lotse::catalogue {
using namespace internal;  // NOLINT: the layer's own helpers
using hsds::Record;
using hsds::TableSpec;

namespace {

constexpr const char* kOfferNotFound = "Angebot nicht gefunden.";
constexpr const char* kPointNotFound = "Anlaufstelle nicht gefunden.";

const TableSpec& spec(std::string_view table) {
  return *hsds::find_table(table);
}

std::size_t field_index(std::string_view table, std::string_view field) {
  return static_cast<std::size_t>(spec(table).index_of(field));
}

std::string get(const Record& r, std::string_view table, std::string_view field) {
  return r[field_index(table, field)].value_or("");
}

// Sets a field from text ("" clears it), canonicalising numbers.
void set(Record& r, std::string_view table, std::string_view field, const std::string& value) {
  const std::size_t i = field_index(table, field);
  if (value.empty()) {
    r[i].reset();
    return;
  }
  auto v = hsds::check_value(spec(table).fields[i], value);
  r[i] = v ? *v : value;
}

std::string number_text(const std::optional<int>& v) {
  return v ? std::to_string(*v) : "";
}
std::string number_text(const std::optional<double>& v) {
  return v ? hsds::canonical_number(*v) : "";
}

Result<void> check_text(const std::string& field, const std::string& value, std::size_t max,
                        bool required) {
  if (required && value.empty()) return Error::invalid(field, "Bitte ausfüllen.");
  if (text_length(value) > max)
    return Error::invalid(field, fmt::format("Höchstens {} Zeichen.", max));
  return ok();
}

// Checks a value against an HSDS field, the error naming the draft's field.
Result<void> check_hsds(const std::string& field, std::string_view table,
                        std::string_view hsds_field, const std::string& value) {
  if (value.empty()) return ok();
  auto v = hsds::check_value(spec(table).fields[field_index(table, hsds_field)], value);
  if (!v) return Error::invalid(field, v.error().message);
  return ok();
}

template <typename T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

Result<void> require_record(store::Executor& x, std::string_view table, const std::string& id,
                            const std::string& field, const char* message) {
  if (!hsds::is_uuid(id)) return Error::invalid(field, message);
  LOTSE_ASSIGN_OR_RETURN(auto r, select_one(x, table, id));
  if (!r) return Error::invalid(field, message);
  return ok();
}

Result<void> check_alliance(store::Executor& x, const Editor& e, const std::string& ags) {
  if (ags.empty()) return Error::invalid("alliance_ags", "Bitte ein Bündnis angeben.");
  LOTSE_ASSIGN_OR_RETURN(bool known, alliance_exists(x, ags));
  if (!known) return Error::invalid("alliance_ags", "Dieses Bündnis gibt es nicht.");
  return require_alliance(e, ags);
}

// LIKE pattern of one folded word, with % _ \ escaped (ESCAPE '\').
std::string like_word(const std::string& word) {
  std::string out = "%";
  for (char c : word) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::string folded = fold_text(text), w;
  for (char c : folded + " ") {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else {
      w += c;
    }
  }
  return out;
}

// Replaces the profile attributes of a record.
Result<void> replace_profile(
    store::Executor& x, std::string_view entity, const std::string& id,
    const std::vector<std::tuple<Facet, std::string, std::string>>& values) {
  store::Params params{id};
  std::string in;
  for (const auto& t : profile_taxonomies()) {
    params.push_back(profile_taxonomy_id(t.facet));
    in += in.empty() ? "?" : ", ?";
  }
  LOTSE_TRY(
      x.exec("DELETE FROM hsds_attribute WHERE \"link_id\" = ? AND \"taxonomy_term_id\" IN "
             "(SELECT \"id\" FROM hsds_taxonomy_term WHERE \"taxonomy_id\" IN (" +
                 in + "))",
             params));
  for (const auto& [facet, code, value] : values) {
    const std::string term = profile_term_id(facet, code);
    LOTSE_TRY(upsert(x, "attribute",
                     {{"id", name_uuid("attribute:" + id + ":" + term)},
                      {"link_id", id},
                      {"taxonomy_term_id", term},
                      {"link_entity", std::string(entity)},
                      {"value", value}}));
  }
  return ok();
}

Result<void> delete_managed(store::Executor& x, std::string_view table, const std::string& id) {
  LOTSE_TRY(
      x.exec("DELETE FROM " + std::string(spec(table).sql_table) + " WHERE \"id\" = ?", {id}));
  return ok();
}

std::string language_name(std::string_view code) {
  static const std::map<std::string_view, std::string_view> kNames = {
      {"de", "Deutsch"},
      {"en", "Englisch"},
      {"ar", "Arabisch"},
      {"uk", "Ukrainisch"},
      {"ru", "Russisch"},
      {"tr", "Türkisch"},
      {"fa", "Persisch"},
      {"fr", "Französisch"},
      {"pl", "Polnisch"},
      {"ro", "Rumänisch"},
      {"ti", "Tigrinya"},
      {"ps", "Paschtu"},
      {"ku", "Kurdisch"},
      {"vi", "Vietnamesisch"},
      {"sq", "Albanisch"},
      {"es", "Spanisch"},
      {"dgs", "Deutsche Gebärdensprache"}};
  auto it = kNames.find(code);
  return std::string(it == kNames.end() ? code : it->second);
}

// ---- offers ----------------------------------------------------------------

Result<OfferDraft> checked_offer(store::Executor& x, const Editor& e, OfferDraft d) {
  LOTSE_TRY(check_alliance(x, e, d.alliance_ags));
  LOTSE_TRY(require_record(x, "organization", d.organization_id, "organization_id",
                           "Diesen Träger (HSDS organization) gibt es nicht."));
  LOTSE_TRY(check_text("name", d.name, 200, true));
  LOTSE_TRY(check_text("alternate_name", d.alternate_name, 200, false));
  LOTSE_TRY(check_text("description", d.description, 5000, false));
  LOTSE_TRY(check_text("eligibility_description", d.eligibility_description, 2000, false));
  LOTSE_TRY(check_text("application_process", d.application_process, 2000, false));
  LOTSE_TRY(check_text("fees_description", d.fees_description, 2000, false));
  LOTSE_TRY(check_text("legal_basis", d.legal_basis, 200, false));
  LOTSE_TRY(check_hsds("url", "service", "url", d.url));
  LOTSE_TRY(check_hsds("email", "service", "email", d.email));
  LOTSE_TRY(domain::validate_catalogue_term(domain::offer_statuses(), d.status, "status"));
  if (d.legal_sphere.empty())
    return Error::invalid("legal_sphere", "Bitte den Rechtskreis angeben.");
  LOTSE_TRY(domain::validate_catalogue_term(domain::offer_legal_spheres(), d.legal_sphere,
                                            "legal_sphere"));
  if (d.phases.empty()) return Error::invalid("phases", "Bitte mindestens eine Phase angeben.");
  for (int p : d.phases) LOTSE_TRY(domain::validate_phase(p, "phases"));
  if (d.needs.empty()) return Error::invalid("needs", "Bitte mindestens eine Bedarfslage angeben.");
  for (const auto& n : d.needs) LOTSE_TRY(domain::validate_need(n, "needs"));
  for (const auto& g : d.target_groups)
    LOTSE_TRY(domain::validate_catalogue_term(domain::target_groups(), g, "target_groups"));
  for (const auto& f : d.funding)
    LOTSE_TRY(domain::validate_catalogue_term(domain::funding_kinds(), f, "funding"));
  for (auto [value, field] :
       {std::pair{&d.minimum_age, "minimum_age"}, {&d.maximum_age, "maximum_age"}})
    if (*value && (**value < 0 || **value > 120))
      return Error::invalid(field, "Alter zwischen 0 und 120 angeben.");
  if (d.minimum_age && d.maximum_age && *d.minimum_age > *d.maximum_age)
    return Error::invalid("maximum_age", "Das Höchstalter liegt unter dem Mindestalter.");
  for (auto [value, field] :
       {std::pair{&d.capacity, "capacity"}, {&d.waiting_days, "waiting_days"}})
    if (*value && (**value < 0 || **value > 100000))
      return Error::invalid(field, "Eine ganze Zahl ab 0 angeben.");
  sort_unique(d.phases);
  sort_unique(d.needs);
  sort_unique(d.target_groups);
  sort_unique(d.funding);
  sort_unique(d.contact_point_ids);
  for (const auto& loc : d.contact_point_ids) {
    if (!hsds::is_uuid(loc))
      return Error::invalid("contact_point_ids", "Unbekannte Anlaufstelle: " + loc);
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                           x.query("SELECT alliance_ags FROM catalogue_location_index "
                                   "WHERE location_id = ?",
                                   {loc}));
    if (rows.empty()) return Error::invalid("contact_point_ids", "Unbekannte Anlaufstelle: " + loc);
    if (rows[0].text(0) != d.alliance_ags)
      return Error::invalid("contact_point_ids",
                            "Die Anlaufstelle " + loc + " gehört zu einem anderen Bündnis.");
  }
  return d;
}

Result<void> write_offer(store::Executor& x, const std::string& id, const OfferDraft& d,
                         std::int64_t now_ms) {
  LOTSE_ASSIGN_OR_RETURN(auto existing, select_one(x, "service", id));
  // Fields the draft does not cover (program, accreditations, …) are kept.
  Record r = existing ? *existing : Record(spec("service").fields.size());
  const char* t = "service";
  set(r, t, "id", id);
  set(r, t, "organization_id", d.organization_id);
  set(r, t, "name", d.name);
  set(r, t, "alternate_name", d.alternate_name);
  set(r, t, "description", d.description);
  set(r, t, "url", d.url);
  set(r, t, "email", d.email);
  set(r, t, "status", d.status);
  set(r, t, "application_process", d.application_process);
  set(r, t, "fees_description", d.fees_description);
  set(r, t, "eligibility_description", d.eligibility_description);
  set(r, t, "minimum_age", number_text(d.minimum_age));
  set(r, t, "maximum_age", number_text(d.maximum_age));
  set(r, t, "last_modified", format_utc(now_ms));
  LOTSE_TRY(upsert(x, spec("service"), r));

  std::vector<std::tuple<Facet, std::string, std::string>> profile = {
      {Facet::kAlliance, d.alliance_ags, ""}, {Facet::kLegalSphere, d.legal_sphere, ""}};
  for (int p : d.phases) profile.emplace_back(Facet::kPhase, std::to_string(p), "");
  for (const auto& n : d.needs) profile.emplace_back(Facet::kNeed, n, "");
  for (const auto& g : d.target_groups) profile.emplace_back(Facet::kTargetGroup, g, "");
  for (const auto& f : d.funding) profile.emplace_back(Facet::kFunding, f, "");
  if (!d.legal_basis.empty())
    profile.emplace_back(Facet::kDetail, std::string(kLegalBasis), d.legal_basis);
  if (d.capacity)
    profile.emplace_back(Facet::kDetail, std::string(kCapacity), std::to_string(*d.capacity));
  if (d.waiting_days)
    profile.emplace_back(Facet::kDetail, std::string(kWaitingDays),
                         std::to_string(*d.waiting_days));
  LOTSE_TRY(replace_profile(x, "service", id, profile));

  // Funding rows in words for other HSDS consumers, one per kind.
  for (const auto& kind : domain::funding_kinds()) {
    const std::string fid = name_uuid("funding:" + id + ":" + std::string(kind.key));
    if (std::find(d.funding.begin(), d.funding.end(), kind.key) == d.funding.end()) {
      LOTSE_TRY(delete_managed(x, "funding", fid));
    } else {
      LOTSE_TRY(upsert(x, "funding",
                       {{"id", fid}, {"service_id", id}, {"source", std::string(kind.label_de)}}));
    }
  }

  // Where it is offered: one service_at_location per contact point.
  LOTSE_ASSIGN_OR_RETURN(auto links, select_by(x, "service_at_location", "service_id", id));
  std::set<std::string> wanted(d.contact_point_ids.begin(), d.contact_point_ids.end());
  bool unlinked = false;
  for (const Record& link : links) {
    const std::string loc = get(link, "service_at_location", "location_id");
    if (!wanted.erase(loc)) {
      LOTSE_TRY(delete_managed(x, "service_at_location", *link[0]));
      unlinked = true;
    }
  }
  if (unlinked) LOTSE_TRY(purge_orphans(x));  // attributes of the removed links
  for (const auto& loc : wanted)
    LOTSE_TRY(upsert(x, "service_at_location",
                     {{"id", name_uuid("service_at_location:" + id + ":" + loc)},
                      {"service_id", id},
                      {"location_id", loc}}));

  // The alliance's district as the service area.
  LOTSE_ASSIGN_OR_RETURN(store::Row alliance,
                         x.query_one("SELECT name, official_name, district_type FROM alliances "
                                     "WHERE ags = ?",
                                     {d.alliance_ags}));
  LOTSE_TRY(upsert(x, "service_area",
                   {{"id", name_uuid("service_area:" + id)},
                    {"service_id", id},
                    {"name", alliance.text(0)},
                    {"description", "Zuständigkeitsbereich der Jugendberufsagentur " +
                                        alliance.text(0) + " (" + alliance.text(2) + ")"},
                    {"extent_type", "text"},
                    {"extent", alliance.text(1)},
                    {"uri", "urn:de:ags:" + d.alliance_ags}}));
  return reindex(x, false, {id}, {});
}

Result<Offer> load_offer(store::Executor& x, const std::string& id) {
  if (!hsds::is_uuid(id)) return Error::not_found(kOfferNotFound);
  LOTSE_ASSIGN_OR_RETURN(auto service, select_one(x, "service", id));
  if (!service) return Error::not_found(kOfferNotFound);
  const Record& s = *service;
  const char* t = "service";
  Offer o;
  o.id = id;
  o.data.organization_id = get(s, t, "organization_id");
  o.data.name = get(s, t, "name");
  o.data.alternate_name = get(s, t, "alternate_name");
  o.data.description = get(s, t, "description");
  o.data.url = get(s, t, "url");
  o.data.email = get(s, t, "email");
  o.data.status = get(s, t, "status");
  o.data.application_process = get(s, t, "application_process");
  o.data.fees_description = get(s, t, "fees_description");
  o.data.eligibility_description = get(s, t, "eligibility_description");
  o.last_modified = get(s, t, "last_modified");
  auto age = [&](std::string_view field) -> std::optional<int> {
    const std::string v = get(s, t, field);
    if (v.empty()) return std::nullopt;
    return static_cast<int>(std::lround(std::stod(v)));
  };
  o.data.minimum_age = age("minimum_age");
  o.data.maximum_age = age("maximum_age");
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows index,
      x.query("SELECT alliance_ags, legal_sphere, legal_basis, capacity, waiting_days "
              "FROM catalogue_service_index WHERE service_id = ?",
              {id}));
  if (!index.empty()) {
    o.data.alliance_ags = index[0].text(0);
    o.data.legal_sphere = index[0].text(1);
    o.data.legal_basis = index[0].text(2);
    if (!index[0].is_null(3)) o.data.capacity = static_cast<int>(index[0].integer(3));
    if (!index[0].is_null(4)) o.data.waiting_days = static_cast<int>(index[0].integer(4));
  }
  LOTSE_ASSIGN_OR_RETURN(store::Rows facets,
                         x.query("SELECT facet, value FROM catalogue_service_facets "
                                 "WHERE service_id = ? ORDER BY facet, value",
                                 {id}));
  for (const auto& f : facets) {
    const std::string facet = f.text(0);
    if (facet == "phase") o.data.phases.push_back(std::atoi(f.text(1).c_str()));
    if (facet == "need") o.data.needs.push_back(f.text(1));
    if (facet == "target_group") o.data.target_groups.push_back(f.text(1));
    if (facet == "funding") o.data.funding.push_back(f.text(1));
  }
  sort_unique(o.data.phases);
  LOTSE_ASSIGN_OR_RETURN(auto links, select_by(x, "service_at_location", "service_id", id));
  for (const Record& link : links)
    o.data.contact_point_ids.push_back(get(link, "service_at_location", "location_id"));
  sort_unique(o.data.contact_point_ids);
  LOTSE_ASSIGN_OR_RETURN(auto org, select_one(x, "organization", o.data.organization_id));
  if (org) o.organization_name = get(*org, "organization", "name");
  return o;
}

// ---- contact points --------------------------------------------------------

Result<ContactPointDraft> checked_contact_point(store::Executor& x, const Editor& e,
                                                ContactPointDraft d,
                                                const std::shared_ptr<const Gazetteer>& places) {
  LOTSE_TRY(check_alliance(x, e, d.alliance_ags));
  LOTSE_TRY(require_record(x, "organization", d.organization_id, "organization_id",
                           "Diesen Träger (HSDS organization) gibt es nicht."));
  if (d.kind.empty()) return Error::invalid("kind", "Bitte die Art der Anlaufstelle angeben.");
  LOTSE_TRY(domain::validate_catalogue_term(domain::contact_point_kinds(), d.kind, "kind"));
  LOTSE_TRY(check_text("name", d.name, 200, true));
  LOTSE_TRY(check_text("description", d.description, 5000, false));
  LOTSE_TRY(check_text("transportation", d.transportation, 2000, false));
  LOTSE_TRY(check_text("accessibility", d.accessibility, 2000, false));
  LOTSE_TRY(check_hsds("url", "location", "url", d.url));
  LOTSE_TRY(check_hsds("email", "contact", "email", d.email));
  if (d.phone.size() > 40 || d.phone.find_first_not_of("+0123456789 /-()") != std::string::npos)
    return Error::invalid("phone", "Telefonnummer aus Ziffern, Leerzeichen und + / - ( ) angeben.");
  if (domain::is_virtual_contact_kind(d.kind)) {
    if (d.kind == "phone" && d.phone.empty())
      return Error::invalid("phone", "Für eine Telefonberatung bitte die Nummer angeben.");
    if (d.kind != "phone" && d.url.empty())
      return Error::invalid("url", "Für Chat, Video und Messenger bitte den Link angeben.");
    // A virtual channel has no place: coordinates and address are dropped.
    d.street.clear();
    d.postcode.clear();
    d.city.clear();
    d.latitude.reset();
    d.longitude.reset();
  } else {
    LOTSE_TRY(check_text("street", d.street, 200, true));
    LOTSE_TRY(check_text("city", d.city, 100, true));
    if (d.postcode.size() != 5 || d.postcode.find_first_not_of("0123456789") != std::string::npos)
      return Error::invalid("postcode", "Fünfstellige Postleitzahl angeben.");
    if (d.latitude.has_value() != d.longitude.has_value())
      return Error::invalid(d.latitude ? "longitude" : "latitude",
                            "Koordinaten nur als Paar aus Breiten- und Längengrad.");
    if (d.latitude && (*d.latitude < -90 || *d.latitude > 90))
      return Error::invalid("latitude", "Breitengrad zwischen -90 und 90 angeben.");
    if (d.longitude && (*d.longitude < -180 || *d.longitude > 180))
      return Error::invalid("longitude", "Längengrad zwischen -180 und 180 angeben.");
    if (!d.latitude) {
      auto centre = places->postcode(d.postcode);
      if (!centre)
        return Error::invalid("postcode",
                              "Für diese Postleitzahl sind keine Koordinaten bekannt; "
                              "bitte Breiten- und Längengrad angeben.");
      d.latitude = centre->lat;
      d.longitude = centre->lon;
    }
  }
  for (const auto& code : d.languages)
    if (code.size() < 2 || code.size() > 3 ||
        code.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
      return Error::invalid("languages", "Sprachen als ISO-639-Codes angeben (de, en, ar, …).");
  sort_unique(d.languages);
  for (std::size_t i = 0; i < d.opening_hours.size(); ++i) {
    OpeningRule& rule = d.opening_hours[i];
    const std::string prefix = fmt::format("opening_hours[{}].", i);
    LOTSE_TRY(check_text(prefix + "description", rule.description, 500, false));
    domain::ScheduleFields f;
    if (!rule.rrule.empty()) {
      auto parsed = domain::Recurrence::fields_from_rrule(rule.rrule, prefix + "rrule");
      if (!parsed) return parsed.error();
      f = *parsed;
    } else if (rule.dtstart.empty() && rule.description.empty()) {
      return Error::invalid(prefix + "rrule", "Regel (RRULE), Datum oder Beschreibung angeben.");
    }
    f.dtstart = rule.dtstart;
    f.valid_from = rule.valid_from;
    f.valid_to = rule.valid_to;
    f.opens_at = rule.opens_at;
    f.closes_at = rule.closes_at;
    auto checked = domain::Recurrence::from_fields(f);
    if (!checked) return Error::invalid(prefix + checked.error().field, checked.error().message);
    rule.rrule = checked->rrule();  // canonical
  }
  return d;
}

// The id of the location's first row in `table` (the one the contact point
// shows), or `managed` when it has none.
Result<std::string> existing_or(store::Executor& x, std::string_view table,
                                const std::string& location_id, const std::string& managed) {
  LOTSE_ASSIGN_OR_RETURN(auto rows, select_by(x, table, "location_id", location_id));
  if (table == "address")
    std::stable_partition(rows.begin(), rows.end(), [](const Record& a) {
      return get(a, "address", "address_type") == "physical";
    });
  if (table == "contact")
    std::stable_partition(rows.begin(), rows.end(),
                          [](const Record& c) { return !get(c, "contact", "email").empty(); });
  for (const Record& r : rows)
    if (*r[0] == managed) return managed;
  return rows.empty() ? managed : *rows[0][0];
}

Result<void> write_contact_point(store::Executor& x, const std::string& id,
                                 const ContactPointDraft& d) {
  const bool is_virtual = domain::is_virtual_contact_kind(d.kind);
  LOTSE_ASSIGN_OR_RETURN(auto existing, select_one(x, "location", id));
  Record r = existing ? *existing : Record(spec("location").fields.size());
  const char* t = "location";
  set(r, t, "id", id);
  set(r, t, "location_type", is_virtual ? "virtual" : "physical");
  set(r, t, "url", d.url);
  set(r, t, "organization_id", d.organization_id);
  set(r, t, "name", d.name);
  set(r, t, "description", d.description);
  set(r, t, "transportation", d.transportation);
  set(r, t, "latitude", number_text(d.latitude));
  set(r, t, "longitude", number_text(d.longitude));
  LOTSE_TRY(upsert(x, spec("location"), r));

  // An imported location may have its own address, phone, … rows: those are
  // updated rather than a second one added next to them.
  LOTSE_ASSIGN_OR_RETURN(const std::string address_id,
                         existing_or(x, "address", id, name_uuid("address:" + id)));
  if (is_virtual) {
    LOTSE_TRY(delete_managed(x, "address", address_id));
  } else {
    LOTSE_TRY(upsert(x, "address",
                     {{"id", address_id},
                      {"location_id", id},
                      {"address_1", d.street},
                      {"city", d.city},
                      {"state_province", "Sachsen-Anhalt"},
                      {"postal_code", d.postcode},
                      {"country", "DE"},
                      {"address_type", "physical"}}));
  }
  LOTSE_ASSIGN_OR_RETURN(const std::string phone_id,
                         existing_or(x, "phone", id, name_uuid("phone:" + id)));
  if (d.phone.empty()) {
    LOTSE_TRY(delete_managed(x, "phone", phone_id));
  } else {
    LOTSE_TRY(upsert(x, "phone",
                     {{"id", phone_id},
                      {"location_id", id},
                      {"number", d.phone},
                      {"type", d.kind == "messenger" ? "text" : "voice"}}));
  }
  LOTSE_ASSIGN_OR_RETURN(const std::string contact_id,
                         existing_or(x, "contact", id, name_uuid("contact:" + id)));
  if (d.email.empty()) {
    LOTSE_TRY(delete_managed(x, "contact", contact_id));
  } else {
    LOTSE_TRY(
        upsert(x, "contact",
               {{"id", contact_id}, {"location_id", id}, {"name", d.name}, {"email", d.email}}));
  }
  LOTSE_ASSIGN_OR_RETURN(const std::string access_id,
                         existing_or(x, "accessibility", id, name_uuid("accessibility:" + id)));
  if (d.accessibility.empty()) {
    LOTSE_TRY(delete_managed(x, "accessibility", access_id));
  } else {
    LOTSE_TRY(upsert(x, "accessibility",
                     {{"id", access_id}, {"location_id", id}, {"description", d.accessibility}}));
  }
  LOTSE_TRY(
      x.exec("DELETE FROM hsds_language WHERE \"location_id\" = ? AND \"service_id\" IS NULL "
             "AND \"phone_id\" IS NULL",
             {id}));
  for (const auto& code : d.languages)
    LOTSE_TRY(upsert(x, "language",
                     {{"id", name_uuid("language:" + id + ":" + code)},
                      {"location_id", id},
                      {"name", std::string(language_name(code))},
                      {"code", code}}));
  LOTSE_TRY(
      x.exec("DELETE FROM hsds_schedule WHERE \"location_id\" = ? AND \"service_id\" IS NULL "
             "AND \"service_at_location_id\" IS NULL",
             {id}));
  for (std::size_t i = 0; i < d.opening_hours.size(); ++i) {
    const OpeningRule& rule = d.opening_hours[i];
    domain::ScheduleFields f;
    if (!rule.rrule.empty()) {
      LOTSE_ASSIGN_OR_RETURN(f, domain::Recurrence::fields_from_rrule(rule.rrule));
    }
    LOTSE_TRY(upsert(x, "schedule",
                     {{"id", name_uuid(fmt::format("schedule:{}:{}", id, i))},
                      {"location_id", id},
                      {"freq", f.freq},
                      {"interval", f.interval},
                      {"byday", f.byday},
                      {"bymonthday", f.bymonthday},
                      {"byweekno", f.byweekno},
                      {"byyearday", f.byyearday},
                      {"count", f.count},
                      {"until", f.until},
                      {"wkst", f.wkst},
                      {"dtstart", rule.dtstart},
                      {"valid_from", rule.valid_from},
                      {"valid_to", rule.valid_to},
                      {"opens_at", rule.opens_at},
                      {"closes_at", rule.closes_at},
                      {"description", rule.description}}));
  }
  LOTSE_TRY(
      replace_profile(x, "location", id,
                      {{Facet::kAlliance, d.alliance_ags, ""}, {Facet::kContactKind, d.kind, ""}}));
  return reindex(x, false, {}, {id});
}

// The location's own schedules (not those of a service at it).
Result<std::vector<Record>> location_schedules(store::Executor& x, const std::string& id) {
  return select_records(x, spec("schedule"),
                        "WHERE \"location_id\" = ? AND \"service_id\" IS NULL AND "
                        "\"service_at_location_id\" IS NULL ORDER BY \"id\"",
                        {id});
}

domain::ScheduleFields schedule_fields(const Record& s) {
  auto v = [&](std::string_view f) { return get(s, "schedule", f); };
  return {.freq = v("freq"),
          .wkst = v("wkst"),
          .byday = v("byday"),
          .bymonthday = v("bymonthday"),
          .byweekno = v("byweekno"),
          .byyearday = v("byyearday"),
          .interval = v("interval"),
          .count = v("count"),
          .dtstart = v("dtstart"),
          .until = v("until"),
          .valid_from = v("valid_from"),
          .valid_to = v("valid_to"),
          .opens_at = v("opens_at"),
          .closes_at = v("closes_at"),
          .timezone = v("timezone")};
}

Result<ContactPoint> load_contact_point(store::Executor& x, const std::string& id) {
  if (!hsds::is_uuid(id)) return Error::not_found(kPointNotFound);
  LOTSE_ASSIGN_OR_RETURN(auto location, select_one(x, "location", id));
  if (!location) return Error::not_found(kPointNotFound);
  const Record& l = *location;
  ContactPoint p;
  p.id = id;
  ContactPointDraft& d = p.data;
  d.organization_id = get(l, "location", "organization_id");
  d.name = get(l, "location", "name");
  d.description = get(l, "location", "description");
  d.transportation = get(l, "location", "transportation");
  d.url = get(l, "location", "url");
  if (auto lat = get(l, "location", "latitude"); !lat.empty()) d.latitude = std::stod(lat);
  if (auto lon = get(l, "location", "longitude"); !lon.empty()) d.longitude = std::stod(lon);
  LOTSE_ASSIGN_OR_RETURN(store::Rows index,
                         x.query("SELECT alliance_ags, kind FROM catalogue_location_index "
                                 "WHERE location_id = ?",
                                 {id}));
  if (!index.empty()) {
    d.alliance_ags = index[0].text(0);
    d.kind = index[0].text(1);
  }
  LOTSE_ASSIGN_OR_RETURN(auto addresses, select_by(x, "address", "location_id", id));
  std::stable_partition(addresses.begin(), addresses.end(), [](const Record& a) {
    return get(a, "address", "address_type") == "physical";
  });
  if (!addresses.empty()) {
    d.street = get(addresses[0], "address", "address_1");
    d.postcode = get(addresses[0], "address", "postal_code");
    d.city = get(addresses[0], "address", "city");
  }
  LOTSE_ASSIGN_OR_RETURN(auto phones, select_by(x, "phone", "location_id", id));
  if (!phones.empty()) d.phone = get(phones[0], "phone", "number");
  LOTSE_ASSIGN_OR_RETURN(auto contacts, select_by(x, "contact", "location_id", id));
  for (const Record& c : contacts)
    if (d.email.empty()) d.email = get(c, "contact", "email");
  LOTSE_ASSIGN_OR_RETURN(auto access, select_by(x, "accessibility", "location_id", id));
  if (!access.empty()) d.accessibility = get(access[0], "accessibility", "description");
  LOTSE_ASSIGN_OR_RETURN(auto languages, select_by(x, "language", "location_id", id));
  for (const Record& lang : languages)
    if (auto code = get(lang, "language", "code"); !code.empty()) d.languages.push_back(code);
  sort_unique(d.languages);
  LOTSE_ASSIGN_OR_RETURN(auto schedules, location_schedules(x, id));
  for (const Record& s : schedules) {
    OpeningRule rule{.dtstart = get(s, "schedule", "dtstart"),
                     .valid_from = get(s, "schedule", "valid_from"),
                     .valid_to = get(s, "schedule", "valid_to"),
                     .opens_at = get(s, "schedule", "opens_at"),
                     .closes_at = get(s, "schedule", "closes_at"),
                     .description = get(s, "schedule", "description")};
    if (auto rec = domain::Recurrence::from_fields(schedule_fields(s))) rule.rrule = rec->rrule();
    d.opening_hours.push_back(std::move(rule));
  }
  return p;
}

Result<std::vector<ContactPoint>> load_contact_points(store::Executor& x,
                                                      const std::vector<std::string>& ids) {
  std::vector<ContactPoint> out;
  for (const auto& id : ids) {
    LOTSE_ASSIGN_OR_RETURN(ContactPoint p, load_contact_point(x, id));
    out.push_back(std::move(p));
  }
  std::stable_sort(out.begin(), out.end(), [](const ContactPoint& a, const ContactPoint& b) {
    return std::pair{fold_text(a.data.name), a.id} < std::pair{fold_text(b.data.name), b.id};
  });
  return out;
}

}  // namespace

// ---- offers: reads -----------------------------------------------------------

Result<OfferPage> CatalogueService::list_offers(const OfferQuery& q) {
  if (q.alliance_ags.empty()) return Error::invalid("alliance_ags", "Bitte ein Bündnis angeben.");
  if (q.limit < 1 || q.limit > 500) return Error::invalid("limit", "limit zwischen 1 und 500.");
  if (q.offset < 0) return Error::invalid("offset", "offset ab 0.");
  if (q.need) LOTSE_TRY(domain::validate_need(*q.need, "need"));
  if (q.phase) LOTSE_TRY(domain::validate_phase(*q.phase, "phase"));
  if (q.target_group)
    LOTSE_TRY(
        domain::validate_catalogue_term(domain::target_groups(), *q.target_group, "target_group"));
  if (q.legal_sphere)
    LOTSE_TRY(domain::validate_catalogue_term(domain::offer_legal_spheres(), *q.legal_sphere,
                                              "legal_sphere"));
  LOTSE_TRY(check_text("text", q.text, 200, false));

  std::string sql =
      "SELECT i.service_id, s.\"name\" FROM catalogue_service_index i JOIN hsds_service s ON "
      "s.\"id\" = i.service_id WHERE i.alliance_ags = ?";
  store::Params params{q.alliance_ags};
  if (!q.include_inactive) sql += " AND i.status = 'active'";
  if (q.legal_sphere) {
    sql += " AND i.legal_sphere = ?";
    params.push_back(*q.legal_sphere);
  }
  auto facet = [&](const char* name, const std::string& value) {
    sql +=
        " AND EXISTS (SELECT 1 FROM catalogue_service_facets f WHERE f.service_id = "
        "i.service_id AND f.facet = ? AND f.value = ?)";
    params.push_back(std::string(name));
    params.push_back(value);
  };
  if (q.need) facet("need", *q.need);
  if (q.phase) facet("phase", std::to_string(*q.phase));
  if (q.target_group) facet("target_group", *q.target_group);
  for (const auto& w : words_of(q.text)) {
    sql += " AND i.search_text LIKE ? ESCAPE '\\'";
    params.push_back(like_word(w));
  }
  return db_.read([&](store::Executor& x) -> Result<OfferPage> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    // Sorted here: the same order on SQLite and PostgreSQL, whatever the collation.
    std::vector<std::pair<std::string, std::string>> found;  // (folded name, id)
    for (const auto& r : rows) found.emplace_back(fold_text(r.text(1)), r.text(0));
    std::sort(found.begin(), found.end());
    OfferPage page;
    page.total = static_cast<std::int64_t>(found.size());
    const auto from = std::min(found.size(), static_cast<std::size_t>(q.offset));
    const auto to = std::min(found.size(), from + static_cast<std::size_t>(q.limit));
    for (std::size_t i = from; i < to; ++i) {
      LOTSE_ASSIGN_OR_RETURN(Offer o, load_offer(x, found[i].second));
      OfferSummary s{.id = o.id,
                     .name = o.data.name,
                     .description = o.data.description,
                     .organization_name = o.organization_name,
                     .legal_sphere = o.data.legal_sphere,
                     .legal_basis = o.data.legal_basis,
                     .status = o.data.status,
                     .needs = o.data.needs,
                     .target_groups = o.data.target_groups};
      for (int p : o.data.phases) s.phases.push_back(std::to_string(p));
      page.offers.push_back(std::move(s));
    }
    return page;
  });
}

Result<Offer> CatalogueService::get_offer(const std::string& id) {
  return db_.read([&](store::Executor& x) { return load_offer(x, id); });
}

Result<NeedsPhaseMatrix> CatalogueService::needs_phase_matrix(const MatrixQuery& q) {
  if (q.alliance_ags.empty()) return Error::invalid("alliance_ags", "Bitte ein Bündnis angeben.");
  if (q.legal_sphere)
    LOTSE_TRY(domain::validate_catalogue_term(domain::offer_legal_spheres(), *q.legal_sphere,
                                              "legal_sphere"));
  if (q.target_group)
    LOTSE_TRY(
        domain::validate_catalogue_term(domain::target_groups(), *q.target_group, "target_group"));
  // One query: the need facets of the alliance joined on the primary key to
  // the phase facets of the same offers, counted per cell.
  std::string sql =
      "SELECT n.value, p.value, COUNT(*) FROM catalogue_service_facets n "
      "JOIN catalogue_service_facets p ON p.service_id = n.service_id AND p.facet = 'phase' "
      "JOIN catalogue_service_index i ON i.service_id = n.service_id "
      "WHERE n.alliance_ags = ? AND n.facet = 'need' AND i.status = 'active'";
  store::Params params{q.alliance_ags};
  if (q.legal_sphere) {
    sql += " AND i.legal_sphere = ?";
    params.push_back(*q.legal_sphere);
  }
  if (q.target_group) {
    sql +=
        " AND EXISTS (SELECT 1 FROM catalogue_service_facets g WHERE g.service_id = "
        "n.service_id AND g.facet = 'target_group' AND g.value = ?)";
    params.push_back(*q.target_group);
  }
  sql += " GROUP BY n.value, p.value";
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                         db_.read([&](store::Executor& x) { return x.query(sql, params); }));
  NeedsPhaseMatrix m;
  for (const auto& n : domain::all_needs()) {
    m.needs.emplace_back(n.key);
    m.counts.push_back({0, 0, 0, 0, 0});
  }
  for (const auto& r : rows) {
    const int phase = std::atoi(r.text(1).c_str());
    for (std::size_t i = 0; i < m.needs.size(); ++i)
      if (m.needs[i] == r.text(0) && phase >= 1 && phase <= 5)
        m.counts[i][static_cast<std::size_t>(phase - 1)] = static_cast<int>(r.integer(2));
  }
  return m;
}

// ---- offers: changes -----------------------------------------------------------

Result<std::string> CatalogueService::create_offer(const Editor& e, const OfferDraft& draft) {
  const std::string id = random_uuid();
  const std::int64_t now = clock_();
  LOTSE_TRY(write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(ensure_vocabulary(x));
    LOTSE_ASSIGN_OR_RETURN(OfferDraft d, checked_offer(x, e, draft));
    LOTSE_TRY(write_offer(x, id, d, now));
    return audit(x, now, e, "catalogue.offer.create", "service:" + id,
                 fmt::format(R"({{"alliance":"{}"}})", d.alliance_ags));
  }));
  return id;
}

Result<void> CatalogueService::update_offer(const Editor& e, const std::string& id,
                                            const OfferDraft& draft) {
  const std::int64_t now = clock_();
  return write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(Offer current, load_offer(x, id));
    // Both the alliance it belongs to and the one it moves to must be the editor's.
    LOTSE_TRY(require_alliance(e, current.data.alliance_ags));
    LOTSE_TRY(ensure_vocabulary(x));
    LOTSE_ASSIGN_OR_RETURN(OfferDraft d, checked_offer(x, e, draft));
    LOTSE_TRY(write_offer(x, id, d, now));
    return audit(x, now, e, "catalogue.offer.update", "service:" + id,
                 fmt::format(R"({{"alliance":"{}"}})", d.alliance_ags));
  });
}

Result<void> CatalogueService::delete_offer(const Editor& e, const std::string& id) {
  const std::int64_t now = clock_();
  return write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(Offer current, load_offer(x, id));
    LOTSE_TRY(require_alliance(e, current.data.alliance_ags));
    LOTSE_TRY(delete_managed(x, "service", id));  // children cascade
    LOTSE_TRY(purge_orphans(x));
    return audit(x, now, e, "catalogue.offer.delete", "service:" + id,
                 fmt::format(R"({{"alliance":"{}"}})", current.data.alliance_ags));
  });
}

// ---- contact points: reads -----------------------------------------------------------

Result<std::vector<ContactPoint>> CatalogueService::list_contact_points(
    const std::string& alliance_ags, const std::vector<std::string>& kinds) {
  for (const auto& k : kinds)
    LOTSE_TRY(domain::validate_catalogue_term(domain::contact_point_kinds(), k, "kinds"));
  std::string sql = "SELECT location_id FROM catalogue_location_index WHERE alliance_ags = ?";
  store::Params params{alliance_ags};
  if (!kinds.empty()) {
    sql += " AND kind IN (" + placeholders(kinds.size()) + ")";
    for (const auto& k : kinds) params.push_back(k);
  }
  return db_.read([&](store::Executor& x) -> Result<std::vector<ContactPoint>> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    std::vector<std::string> ids;
    for (const auto& r : rows) ids.push_back(r.text(0));
    return load_contact_points(x, ids);
  });
}

Result<std::vector<Provider>> CatalogueService::providers(const std::string& alliance_ags) {
  return db_.read([&](store::Executor& x) -> Result<std::vector<Provider>> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT o.\"id\", o.\"name\" FROM hsds_organization o WHERE o.\"id\" IN "
                "(SELECT s.\"organization_id\" FROM hsds_service s JOIN catalogue_service_index i "
                "ON i.service_id = s.\"id\" WHERE i.alliance_ags = ?) OR o.\"id\" IN "
                "(SELECT l.\"organization_id\" FROM hsds_location l JOIN catalogue_location_index "
                "li ON li.location_id = l.\"id\" WHERE li.alliance_ags = ?) OR o.\"id\" IN "
                "(SELECT a.\"link_id\" FROM hsds_attribute a WHERE a.\"link_entity\" = "
                "'organization' AND a.\"taxonomy_term_id\" = ?) ORDER BY o.\"name\"",
                {alliance_ags, alliance_ags, profile_term_id(Facet::kAlliance, alliance_ags)}));
    if (rows.empty()) {
      LOTSE_ASSIGN_OR_RETURN(
          rows, x.query("SELECT \"id\", \"name\" FROM hsds_organization ORDER BY \"name\""));
    }
    std::vector<Provider> out;
    for (const auto& row : rows) out.push_back({row.text(0), row.text(1)});
    return out;
  });
}

Result<ContactPoint> CatalogueService::get_contact_point(const std::string& id) {
  return db_.read([&](store::Executor& x) { return load_contact_point(x, id); });
}

Result<std::vector<ContactPoint>> CatalogueService::contact_points_of_offer(
    const std::string& offer_id) {
  return db_.read([&](store::Executor& x) -> Result<std::vector<ContactPoint>> {
    LOTSE_ASSIGN_OR_RETURN(Offer o, load_offer(x, offer_id));
    return load_contact_points(x, o.data.contact_point_ids);
  });
}

Result<NearResult> CatalogueService::nearest_contact_points(const NearQuery& q) {
  if (q.limit < 1 || q.limit > 50) return Error::invalid("limit", "limit zwischen 1 und 50.");
  if (!(q.max_km > 0 && q.max_km <= 500))
    return Error::invalid("max_km", "max_km zwischen 0 und 500.");
  for (const auto& k : q.kinds)
    LOTSE_TRY(domain::validate_catalogue_term(domain::contact_point_kinds(), k, "kinds"));
  LOTSE_ASSIGN_OR_RETURN(auto places, gazetteer());
  NearResult out;
  if (!q.postcode.empty()) {
    if (q.postcode.size() != 5 || q.postcode.find_first_not_of("0123456789") != std::string::npos)
      return Error::invalid("postcode", "Fünfstellige Postleitzahl angeben.");
    auto p = places->postcode(q.postcode);
    if (!p) return Error::invalid("postcode", "Diese Postleitzahl liegt nicht in Sachsen-Anhalt.");
    out.origin = *p;
  } else if (!q.town.empty()) {
    auto t = places->town(q.town);
    if (!t) return Error::invalid("town", "Diesen Ort kennen wir in Sachsen-Anhalt nicht.");
    out.origin = *t;
  } else if (q.latitude && q.longitude) {
    if (std::abs(*q.latitude) > 90 || std::abs(*q.longitude) > 180)
      return Error::invalid("latitude", "Koordinaten außerhalb des gültigen Bereichs.");
    out.origin = GeoPoint{.lat = *q.latitude, .lon = *q.longitude, .label = "Standort"};
  } else {
    return Error::invalid("postcode", "Postleitzahl oder Ort angeben.");
  }

  // A bounding box narrows the candidates by index; the exact distance is
  // computed here (portable: no geo extension on either database).
  const double dlat = q.max_km / 111.0;
  const double dlon =
      q.max_km / (111.0 * std::max(0.1, std::cos(out.origin.lat * 3.14159265 / 180)));
  std::string sql =
      "SELECT li.location_id, li.latitude, li.longitude FROM catalogue_location_index li "
      "WHERE li.latitude BETWEEN ? AND ? AND li.longitude BETWEEN ? AND ?";
  store::Params params{out.origin.lat - dlat, out.origin.lat + dlat, out.origin.lon - dlon,
                       out.origin.lon + dlon};
  if (!q.alliance_ags.empty()) {
    sql += " AND li.alliance_ags = ?";
    params.push_back(q.alliance_ags);
  }
  std::vector<std::string> kinds = q.kinds;
  if (kinds.empty())
    for (const auto& k : domain::contact_point_kinds())
      if (!domain::is_virtual_contact_kind(k.key)) kinds.emplace_back(k.key);
  sql += " AND li.kind IN (" + placeholders(kinds.size()) + ")";
  for (const auto& k : kinds) params.push_back(k);
  if (!q.offer_id.empty()) {
    sql +=
        " AND EXISTS (SELECT 1 FROM hsds_service_at_location sal WHERE sal.\"location_id\" = "
        "li.location_id AND sal.\"service_id\" = ?)";
    params.push_back(q.offer_id);
  }
  return db_.read([&](store::Executor& x) -> Result<NearResult> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    std::vector<std::pair<double, std::string>> found;
    for (const auto& r : rows) {
      const double km = distance_km(out.origin.lat, out.origin.lon, r.real(1), r.real(2));
      if (km <= q.max_km) found.emplace_back(km, r.text(0));
    }
    std::sort(found.begin(), found.end());
    if (found.size() > static_cast<std::size_t>(q.limit))
      found.resize(static_cast<std::size_t>(q.limit));
    for (const auto& [km, id] : found) {
      LOTSE_ASSIGN_OR_RETURN(ContactPoint p, load_contact_point(x, id));
      out.hits.push_back({std::move(p), km});
    }
    return out;
  });
}

Result<OpeningDay> CatalogueService::opening_hours(const std::string& id,
                                                   std::optional<Date> date) {
  const auto now = domain::berlin_local_time(clock_());
  OpeningDay day;
  day.date = date.value_or(now.date);
  LOTSE_ASSIGN_OR_RETURN(auto schedules,
                         db_.read([&](store::Executor& x) -> Result<std::vector<Record>> {
                           if (!hsds::is_uuid(id)) return Error::not_found(kPointNotFound);
                           LOTSE_ASSIGN_OR_RETURN(auto location, select_one(x, "location", id));
                           if (!location) return Error::not_found(kPointNotFound);
                           return location_schedules(x, id);
                         }));
  std::vector<domain::Recurrence> rules;
  for (const Record& s : schedules) {
    // Stored schedules were checked on the way in; one that is not valid
    // (written by hand into the database) is left out, not guessed at.
    if (auto r = domain::Recurrence::from_fields(schedule_fields(s))) rules.push_back(*r);
    if (auto d = get(s, "schedule", "description"); !d.empty()) day.notes.push_back(d);
  }
  day.slots = domain::opening_hours_on(rules, day.date);
  if (day.date == now.date) day.open_now = domain::open_at(rules, day.date, now.minutes);
  std::set<Date> next;
  for (const auto& r : rules)
    for (const Date& d : r.next_dates(day.date, 5)) next.insert(d);
  for (const Date& d : next) {
    if (day.next_dates.size() == 5) break;
    day.next_dates.push_back(d);
  }
  return day;
}

// ---- contact points: changes -----------------------------------------------------------

Result<std::string> CatalogueService::create_contact_point(const Editor& e,
                                                           const ContactPointDraft& draft) {
  LOTSE_ASSIGN_OR_RETURN(auto places, gazetteer());
  const std::string id = random_uuid();
  const std::int64_t now = clock_();
  LOTSE_TRY(write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(ensure_vocabulary(x));
    LOTSE_ASSIGN_OR_RETURN(ContactPointDraft d, checked_contact_point(x, e, draft, places));
    LOTSE_TRY(write_contact_point(x, id, d));
    return audit(x, now, e, "catalogue.contact_point.create", "location:" + id,
                 fmt::format(R"({{"alliance":"{}","kind":"{}"}})", d.alliance_ags, d.kind));
  }));
  return id;
}

Result<void> CatalogueService::update_contact_point(const Editor& e, const std::string& id,
                                                    const ContactPointDraft& draft) {
  LOTSE_ASSIGN_OR_RETURN(auto places, gazetteer());
  const std::int64_t now = clock_();
  return write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(ContactPoint current, load_contact_point(x, id));
    LOTSE_TRY(require_alliance(e, current.data.alliance_ags));
    LOTSE_TRY(ensure_vocabulary(x));
    LOTSE_ASSIGN_OR_RETURN(ContactPointDraft d, checked_contact_point(x, e, draft, places));
    if (d.alliance_ags != current.data.alliance_ags) {
      // Offers of the old alliance must not end up offered in another one.
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t linked,
          x.query_int("SELECT COUNT(*) FROM hsds_service_at_location WHERE \"location_id\" = ?",
                      {id}));
      if (linked > 0)
        return Error::invalid("alliance_ags",
                              "Die Anlaufstelle ist noch Angeboten zugeordnet; "
                              "erst dort entfernen, dann das Bündnis wechseln.");
    }
    LOTSE_TRY(write_contact_point(x, id, d));
    return audit(x, now, e, "catalogue.contact_point.update", "location:" + id,
                 fmt::format(R"({{"alliance":"{}","kind":"{}"}})", d.alliance_ags, d.kind));
  });
}

Result<void> CatalogueService::delete_contact_point(const Editor& e, const std::string& id) {
  const std::int64_t now = clock_();
  return write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(ContactPoint current, load_contact_point(x, id));
    LOTSE_TRY(require_alliance(e, current.data.alliance_ags));
    LOTSE_TRY(delete_managed(x, "location", id));  // address, phones, schedules, links cascade
    LOTSE_TRY(purge_orphans(x));
    return audit(x, now, e, "catalogue.contact_point.delete", "location:" + id,
                 fmt::format(R"({{"alliance":"{}"}})", current.data.alliance_ags));
  });
}

// ---- providers (HSDS organizations) ---------------------------------------------

namespace {

constexpr const char* kProviderNotFound = "Träger nicht gefunden.";

bool plausible_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos)
    return false;
  const std::string_view domain = s.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size() ||
      domain.find("..") != std::string_view::npos)
    return false;
  for (unsigned char c : s)
    if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == 0x7F)
      return false;
  return true;
}

// http:// or https:// with a host, no spaces: what a young person's browser
// can open (no javascript:, mailto: or relative links on public pages).
bool web_url(std::string_view s) {
  std::string lower(s.substr(0, 8));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t host = lower.rfind("https://", 0) == 0 ? 8 : lower.rfind("http://", 0) == 0 ? 7 : 0;
  if (host == 0 || host >= s.size() || s[host] == '/' || s[host] == '.') return false;
  for (unsigned char c : s)
    if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == 0x7F) return false;
  return true;
}

Result<ProviderDraft> checked_provider(ProviderDraft d) {
  auto problems = validate_provider(d);
  if (!problems.empty()) return problems.front();
  return d;
}

// The organization's own phone (not one of its locations or services).
std::string provider_phone_id(const std::string& id) {
  return name_uuid("phone:organization:" + id);
}

Result<ProviderEntry> load_provider(store::Executor& x, const std::string& id) {
  if (!hsds::is_uuid(id)) return Error::not_found(kProviderNotFound);
  LOTSE_ASSIGN_OR_RETURN(auto org, select_one(x, "organization", id));
  if (!org) return Error::not_found(kProviderNotFound);
  ProviderEntry p{.id = id,
                  .data = {.name = get(*org, "organization", "name"),
                           .description = get(*org, "organization", "description"),
                           .website = get(*org, "organization", "website"),
                           .email = get(*org, "organization", "email")}};
  LOTSE_ASSIGN_OR_RETURN(auto phone, select_one(x, "phone", provider_phone_id(id)));
  if (phone) p.data.phone = get(*phone, "phone", "number");
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows tagged,
      x.query("SELECT t.\"code\" FROM hsds_attribute a JOIN hsds_taxonomy_term t ON t.\"id\" = "
              "a.\"taxonomy_term_id\" WHERE a.\"link_id\" = ? AND a.\"link_entity\" = "
              "'organization' AND t.\"taxonomy_id\" = ? ORDER BY t.\"code\"",
              {id, profile_taxonomy_id(Facet::kAlliance)}));
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows used,
      x.query(
          "SELECT i.alliance_ags FROM hsds_service s JOIN catalogue_service_index i ON "
          "i.service_id = s.\"id\" WHERE s.\"organization_id\" = ? UNION SELECT li.alliance_ags "
          "FROM hsds_location l JOIN catalogue_location_index li ON li.location_id = l.\"id\" "
          "WHERE l.\"organization_id\" = ?",
          {id, id}));
  std::set<std::string> alliances;
  for (const auto& r : tagged.empty() ? used : tagged) alliances.insert(r.text(0));
  p.alliances.assign(alliances.begin(), alliances.end());
  LOTSE_ASSIGN_OR_RETURN(
      std::int64_t offers,
      x.query_int("SELECT COUNT(*) FROM hsds_service WHERE \"organization_id\" = ?", {id}));
  LOTSE_ASSIGN_OR_RETURN(
      std::int64_t points,
      x.query_int("SELECT COUNT(*) FROM hsds_location WHERE \"organization_id\" = ?", {id}));
  p.offers = static_cast<int>(offers);
  p.contact_points = static_cast<int>(points);
  return p;
}

Result<void> write_provider(store::Executor& x, const std::string& id, const ProviderDraft& d,
                            const std::optional<Record>& existing) {
  // Fields the form does not show (tax id, logo, parent, …) stay as they were.
  Record r = existing ? *existing : Record(spec("organization").fields.size());
  const char* t = "organization";
  set(r, t, "id", id);
  set(r, t, "name", d.name);
  // HSDS requires a description; an empty one is stored as empty text.
  r[field_index(t, "description")] = d.description;
  set(r, t, "website", d.website);
  set(r, t, "email", d.email);
  LOTSE_TRY(upsert(x, spec("organization"), r));
  LOTSE_TRY(x.exec("DELETE FROM hsds_phone WHERE \"id\" = ?", {provider_phone_id(id)}));
  if (!d.phone.empty())
    LOTSE_TRY(upsert(
        x, "phone", {{"id", provider_phone_id(id)}, {"organization_id", id}, {"number", d.phone}}));
  return ok();
}

}  // namespace

std::vector<Error> validate_provider(const ProviderDraft& d) {
  std::vector<Error> out;
  if (auto name = check_text("name", d.name, 200, true); !name) out.push_back(name.error());
  if (auto text = check_text("description", d.description, 5000, false); !text)
    out.push_back(text.error());
  if (!d.website.empty() && (d.website.size() > 500 || !web_url(d.website)))
    out.push_back(Error::invalid("website",
                                 "Bitte eine Webadresse mit http:// oder https:// angeben, zum "
                                 "Beispiel https://www.beispiel.de."));
  if (!d.email.empty() && (d.email.size() > 200 || !plausible_email(d.email)))
    out.push_back(
        Error::invalid("email", "Bitte eine E-Mail-Adresse wie name@beispiel.de angeben."));
  if (d.phone.size() > 40 || d.phone.find_first_not_of("+0123456789 /-()") != std::string::npos ||
      (!d.phone.empty() && d.phone.find_first_of("0123456789") == std::string::npos))
    out.push_back(
        Error::invalid("phone", "Telefonnummer aus Ziffern, Leerzeichen und + / - ( ) angeben."));
  return out;
}

bool ProviderEntry::editable_by(const Editor& e) const {
  return e.all_alliances || (alliances.size() == 1 && alliances.front() == e.alliance_ags);
}

Result<std::vector<ProviderEntry>> CatalogueService::list_providers(
    const std::string& alliance_ags) {
  return db_.read([&](store::Executor& x) -> Result<std::vector<ProviderEntry>> {
    // Candidates: tagged with the alliance, or running something there.
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query(
            "SELECT o.\"id\" FROM hsds_organization o WHERE o.\"id\" IN (SELECT a.\"link_id\" "
            "FROM hsds_attribute a WHERE a.\"link_entity\" = 'organization' AND "
            "a.\"taxonomy_term_id\" = ?) OR o.\"id\" IN (SELECT s.\"organization_id\" FROM "
            "hsds_service s JOIN catalogue_service_index i ON i.service_id = s.\"id\" WHERE "
            "i.alliance_ags = ?) OR o.\"id\" IN (SELECT l.\"organization_id\" FROM hsds_location "
            "l JOIN catalogue_location_index li ON li.location_id = l.\"id\" WHERE "
            "li.alliance_ags = ?)",
            {profile_term_id(Facet::kAlliance, alliance_ags), alliance_ags, alliance_ags}));
    std::vector<ProviderEntry> out;
    for (const auto& row : rows) {
      LOTSE_ASSIGN_OR_RETURN(ProviderEntry p, load_provider(x, row.text(0)));
      // A provider tagged with other alliances only runs something here.
      if (std::find(p.alliances.begin(), p.alliances.end(), alliance_ags) == p.alliances.end())
        continue;
      out.push_back(std::move(p));
    }
    // By name in code: the same order on SQLite and PostgreSQL.
    std::sort(out.begin(), out.end(), [](const ProviderEntry& a, const ProviderEntry& b) {
      return std::tie(a.data.name, a.id) < std::tie(b.data.name, b.id);
    });
    return out;
  });
}

Result<ProviderEntry> CatalogueService::get_provider(const std::string& id) {
  return db_.read([&](store::Executor& x) { return load_provider(x, id); });
}

Result<std::string> CatalogueService::create_provider(const Editor& e, const ProviderDraft& draft) {
  LOTSE_ASSIGN_OR_RETURN(ProviderDraft d, checked_provider(draft));
  const std::string id = random_uuid();
  const std::int64_t now = clock_();
  LOTSE_TRY(write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(check_alliance(x, e, e.alliance_ags));
    LOTSE_TRY(ensure_vocabulary(x));
    LOTSE_TRY(write_provider(x, id, d, std::nullopt));
    LOTSE_TRY(replace_profile(x, "organization", id, {{Facet::kAlliance, e.alliance_ags, ""}}));
    return audit(x, now, e, "catalogue.provider.create", "organization:" + id,
                 fmt::format(R"({{"alliance":"{}"}})", e.alliance_ags));
  }));
  return id;
}

Result<void> CatalogueService::update_provider(const Editor& e, const std::string& id,
                                               const ProviderDraft& draft) {
  LOTSE_ASSIGN_OR_RETURN(ProviderDraft d, checked_provider(draft));
  const std::int64_t now = clock_();
  return write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(ProviderEntry current, load_provider(x, id));
    if (!current.editable_by(e))
      return Error::forbidden(
          current.alliances.size() > 1
              ? "Diesen Träger nutzen mehrere Bündnisse; ändern lässt er sich nur über einen "
                "HSDS-Import."
              : "Nur die Koordination des Bündnisses, zu dem der Träger gehört, ändert ihn.");
    LOTSE_ASSIGN_OR_RETURN(auto existing, select_one(x, "organization", id));
    LOTSE_TRY(write_provider(x, id, d, existing));
    return audit(x, now, e, "catalogue.provider.update", "organization:" + id,
                 fmt::format(R"({{"alliance":"{}"}})", e.alliance_ags));
  });
}

}  // namespace lotse::catalogue
