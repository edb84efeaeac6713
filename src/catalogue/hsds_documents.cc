// The documents of the read-only HSDS API, shaped as the specification's
// compiled schemas (third_party/hsds-3.0/schema/compiled/): a service with
// its phones, schedules, areas, locations, … nested; list entries with the
// one-to-one fields only (service_list, organization_list,
// service_at_location_list). Lists are filtered and paged here and sorted by
// id, so pages are stable and the same on both databases.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "catalogue/catalogue_internal.h"
#include "lotse/catalogue/catalogue_service.h"
#include "lotse/common/date.h"

namespace lotse::catalogue {
using namespace internal;  // NOLINT: the layer's own helpers
using hsds::Record;
using hsds::TableSpec;
namespace json = boost::json;

namespace {

const TableSpec& spec(std::string_view table) {
  return *hsds::find_table(table);
}

std::string get(const Record& r, std::string_view table, std::string_view field) {
  return r[static_cast<std::size_t>(spec(table).index_of(field))].value_or("");
}

// Seconds since the epoch of an RFC 3339 date-time ("2026-11-21T16:54:00Z",
// "…+01:00", fractions ignored); nullopt if it is not one.
std::optional<std::int64_t> rfc3339_seconds(std::string_view s) {
  if (!hsds::check_value({.name = "t", .type = hsds::FieldType::kDateTime}, s)) return std::nullopt;
  auto d = Date::parse(s.substr(0, 10));
  auto num = [&](std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); };
  std::int64_t t = d->days_since_epoch() * 86400 + num(11) * 3600 + num(14) * 60 + num(17);
  std::size_t i = 19;
  while (i < s.size() && s[i] != 'Z' && s[i] != 'z' && s[i] != '+' && s[i] != '-') ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const std::int64_t offset = num(i + 1) * 3600 + num(i + 4) * 60;
    t += s[i] == '+' ? -offset : offset;
  }
  return t;
}

bool matches_words(const std::string& folded_text, const std::vector<std::string>& words) {
  for (const auto& w : words)
    if (folded_text.find(w) == std::string::npos) return false;
  return true;
}

std::vector<std::string> search_words(std::string_view text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : fold_text(text) + " ") {
    if (c == ' ' || c == ',') {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else {
      w += c;
    }
  }
  return out;
}

Result<void> check_paging(const HsdsPaging& p) {
  if (p.page < 1) return Error::invalid("page", "page ab 1.");
  if (p.per_page < 1 || p.per_page > 1000)
    return Error::invalid("per_page", "per_page zwischen 1 und 1000.");
  return ok();
}

// The slice of `ids` on the requested page, built by `make`.
template <typename Make>
Result<HsdsPage> paged(const std::vector<std::string>& ids, const HsdsPaging& p, Make&& make) {
  HsdsPage page;
  page.total_items = static_cast<std::int64_t>(ids.size());
  const std::size_t from =
      static_cast<std::size_t>(p.page - 1) * static_cast<std::size_t>(p.per_page);
  for (std::size_t i = from; i < ids.size() && i < from + static_cast<std::size_t>(p.per_page);
       ++i) {
    LOTSE_ASSIGN_OR_RETURN(json::object o, make(ids[i]));
    page.contents.push_back(std::move(o));
  }
  return page;
}

class Documents {
 public:
  explicit Documents(store::Executor& x) : x_(x) {}

  Result<json::array> rows(std::string_view table, std::string_view field, const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(auto records, select_by(x_, table, field, id));
    json::array out;
    for (const Record& r : records) out.push_back(hsds::record_json(spec(table), r));
    return out;
  }

  Result<json::object> flat(std::string_view table, const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(auto r, select_one(x_, table, id));
    if (!r) return Error::not_found("Nicht gefunden: " + std::string(table) + " " + id);
    return hsds::record_json(spec(table), *r);
  }

  Result<json::array> metadata(const std::string& id) {
    return rows("metadata", "resource_id", id);
  }

  Result<json::object> taxonomy_term(const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(json::object term, flat("taxonomy_term", id));
    if (const auto* tax = term.if_contains("taxonomy_id")) {
      auto detail = flat("taxonomy", std::string(tax->get_string()));
      if (detail) term["taxonomy_detail"] = std::move(*detail);
    }
    return term;
  }

  Result<json::array> attributes(std::string_view entity, const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(
        auto records,
        select_records(x_, spec("attribute"),
                       "WHERE \"link_id\" = ? AND \"link_entity\" = ? ORDER BY \"id\"",
                       {id, std::string(entity)}));
    json::array out;
    for (const Record& r : records) {
      json::object a = hsds::record_json(spec("attribute"), r);
      auto term = taxonomy_term(get(r, "attribute", "taxonomy_term_id"));
      if (term) a["taxonomy_term"] = std::move(*term);
      out.push_back(std::move(a));
    }
    return out;
  }

  Result<json::array> phones(std::string_view field, const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(auto records, select_by(x_, "phone", field, id));
    json::array out;
    for (const Record& r : records) {
      json::object p = hsds::record_json(spec("phone"), r);
      LOTSE_ASSIGN_OR_RETURN(p["languages"], rows("language", "phone_id", *r[0]));
      out.push_back(std::move(p));
    }
    return out;
  }

  Result<json::array> contacts(std::string_view field, const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(auto records, select_by(x_, "contact", field, id));
    json::array out;
    for (const Record& r : records) {
      json::object c = hsds::record_json(spec("contact"), r);
      LOTSE_ASSIGN_OR_RETURN(c["phones"], phones("contact_id", *r[0]));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<json::array> schedules(std::string_view field, const std::string& id) {
    return rows("schedule", field, id);
  }

  Result<json::object> location(const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(json::object l, flat("location", id));
    LOTSE_ASSIGN_OR_RETURN(l["languages"], rows("language", "location_id", id));
    LOTSE_ASSIGN_OR_RETURN(l["addresses"], rows("address", "location_id", id));
    LOTSE_ASSIGN_OR_RETURN(l["contacts"], contacts("location_id", id));
    LOTSE_ASSIGN_OR_RETURN(l["accessibility"], rows("accessibility", "location_id", id));
    LOTSE_ASSIGN_OR_RETURN(l["phones"], phones("location_id", id));
    LOTSE_ASSIGN_OR_RETURN(l["schedules"], schedules("location_id", id));
    LOTSE_ASSIGN_OR_RETURN(l["attributes"], attributes("location", id));
    LOTSE_ASSIGN_OR_RETURN(l["metadata"], metadata(id));
    return l;
  }

  // service_at_location with its location; `with_service` adds the service.
  Result<json::object> service_at_location(const std::string& id, bool with_service) {
    LOTSE_ASSIGN_OR_RETURN(json::object s, flat("service_at_location", id));
    LOTSE_ASSIGN_OR_RETURN(s["contacts"], contacts("service_at_location_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["phones"], phones("service_at_location_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["schedules"], schedules("service_at_location_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["location"], location(std::string(s.at("location_id").get_string())));
    LOTSE_ASSIGN_OR_RETURN(s["attributes"], attributes("service_at_location", id));
    LOTSE_ASSIGN_OR_RETURN(s["metadata"], metadata(id));
    if (with_service) {
      LOTSE_ASSIGN_OR_RETURN(s["service"],
                             service(std::string(s.at("service_id").get_string()), false));
    }
    return s;
  }

  // The one-to-one fields plus organization and program (service_list.json).
  Result<json::object> service_summary(const std::string& id) {
    LOTSE_ASSIGN_OR_RETURN(json::object s, flat("service", id));
    LOTSE_TRY(add_organization_and_program(s));
    return s;
  }

  Result<json::object> service(const std::string& id, bool with_locations) {
    LOTSE_ASSIGN_OR_RETURN(json::object s, flat("service", id));
    LOTSE_ASSIGN_OR_RETURN(s["phones"], phones("service_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["schedules"], schedules("service_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["service_areas"], rows("service_area", "service_id", id));
    if (with_locations) {
      LOTSE_ASSIGN_OR_RETURN(auto links, select_by(x_, "service_at_location", "service_id", id));
      json::array sal;
      for (const Record& link : links) {
        LOTSE_ASSIGN_OR_RETURN(json::object o, service_at_location(*link[0], false));
        sal.push_back(std::move(o));
      }
      s["service_at_locations"] = std::move(sal);
    }
    LOTSE_ASSIGN_OR_RETURN(s["languages"], rows("language", "service_id", id));
    LOTSE_TRY(add_organization_and_program(s));
    LOTSE_ASSIGN_OR_RETURN(s["funding"], rows("funding", "service_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["cost_options"], rows("cost_option", "service_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["required_documents"], rows("required_document", "service_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["contacts"], contacts("service_id", id));
    LOTSE_ASSIGN_OR_RETURN(s["attributes"], attributes("service", id));
    LOTSE_ASSIGN_OR_RETURN(s["metadata"], metadata(id));
    return s;
  }

  Result<json::object> organization(const std::string& id, bool services_full) {
    LOTSE_ASSIGN_OR_RETURN(json::object o, flat("organization", id));
    LOTSE_ASSIGN_OR_RETURN(o["funding"], rows("funding", "organization_id", id));
    LOTSE_ASSIGN_OR_RETURN(o["contacts"], contacts("organization_id", id));
    LOTSE_ASSIGN_OR_RETURN(o["phones"], phones("organization_id", id));
    LOTSE_ASSIGN_OR_RETURN(auto locations, select_by(x_, "location", "organization_id", id));
    json::array locs;
    for (const Record& l : locations) {
      LOTSE_ASSIGN_OR_RETURN(json::object lo, location(*l[0]));
      locs.push_back(std::move(lo));
    }
    o["locations"] = std::move(locs);
    LOTSE_ASSIGN_OR_RETURN(o["programs"], rows("program", "organization_id", id));
    LOTSE_ASSIGN_OR_RETURN(o["organization_identifiers"],
                           rows("organization_identifier", "organization_id", id));
    LOTSE_ASSIGN_OR_RETURN(o["attributes"], attributes("organization", id));
    LOTSE_ASSIGN_OR_RETURN(o["metadata"], metadata(id));
    LOTSE_ASSIGN_OR_RETURN(auto services, select_by(x_, "service", "organization_id", id));
    json::array list;
    for (const Record& s : services) {
      if (services_full) {
        LOTSE_ASSIGN_OR_RETURN(json::object full, service(*s[0], true));
        list.push_back(std::move(full));
      } else {
        list.push_back(hsds::record_json(spec("service"), s));
      }
    }
    o["services"] = std::move(list);
    return o;
  }

 private:
  Result<void> add_organization_and_program(json::object& s) {
    if (const auto* org = s.if_contains("organization_id")) {
      auto o = flat("organization", std::string(org->get_string()));
      if (o) s["organization"] = std::move(*o);
    }
    if (const auto* program = s.if_contains("program_id")) {
      auto p = flat("program", std::string(program->get_string()));
      if (p) s["program"] = std::move(*p);
    }
    return ok();
  }

  store::Executor& x_;
};

Result<std::optional<std::int64_t>> modified_after(const HsdsFilter& f) {
  if (f.modified_after.empty()) return std::optional<std::int64_t>{};
  auto t = rfc3339_seconds(f.modified_after);
  if (!t)
    return Error::invalid("modified_after",
                          "Zeitpunkt nach RFC 3339 erwarten, z. B. 2026-11-21T00:00:00Z.");
  return t;
}

// SQL conditions on a service column shared by the service and service_at_location lists.
std::string service_conditions(const HsdsFilter& f, std::string_view service_id_column,
                               store::Params& params) {
  std::string sql;
  if (!f.organization_id.empty()) {
    sql += " AND s.\"organization_id\" = ?";
    params.push_back(f.organization_id);
  }
  if (!f.taxonomy_term_id.empty()) {
    sql += " AND EXISTS (SELECT 1 FROM hsds_attribute a WHERE a.\"link_id\" = " +
           std::string(service_id_column) +
           " AND a.\"link_entity\" = 'service' AND a.\"taxonomy_term_id\" = ?)";
    params.push_back(f.taxonomy_term_id);
  }
  if (!f.taxonomy_id.empty()) {
    sql +=
        " AND EXISTS (SELECT 1 FROM hsds_attribute a JOIN hsds_taxonomy_term t ON t.\"id\" = "
        "a.\"taxonomy_term_id\" WHERE a.\"link_id\" = " +
        std::string(service_id_column) +
        " AND a.\"link_entity\" = 'service' AND t.\"taxonomy_id\" = ?)";
    params.push_back(f.taxonomy_id);
  }
  return sql;
}

bool modified_ok(const std::optional<std::int64_t>& after, const std::string& last_modified) {
  if (!after) return true;
  auto t = rfc3339_seconds(last_modified);
  return t && *t >= *after;
}

}  // namespace

Result<HsdsPage> CatalogueService::hsds_services(const HsdsFilter& f, const HsdsPaging& p,
                                                 bool full) {
  LOTSE_TRY(check_paging(p));
  LOTSE_ASSIGN_OR_RETURN(auto after, modified_after(f));
  const auto words = search_words(f.search);
  store::Params params;
  const std::string sql =
      "SELECT s.\"id\", s.\"last_modified\", i.search_text FROM hsds_service s "
      "LEFT JOIN catalogue_service_index i ON i.service_id = s.\"id\" WHERE 1 = 1" +
      service_conditions(f, "s.\"id\"", params);
  return db_.read([&](store::Executor& x) -> Result<HsdsPage> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    std::vector<std::string> ids;
    for (const auto& r : rows)
      if (matches_words(r.text(2), words) && modified_ok(after, r.text(1)))
        ids.push_back(r.text(0));
    std::sort(ids.begin(), ids.end());
    Documents docs(x);
    return paged(ids, p, [&](const std::string& id) {
      return full ? docs.service(id, true) : docs.service_summary(id);
    });
  });
}

Result<json::object> CatalogueService::hsds_service(const std::string& id) {
  return db_.read([&](store::Executor& x) -> Result<json::object> {
    if (!hsds::is_uuid(id)) return Error::not_found("Diesen Dienst gibt es nicht.");
    return Documents(x).service(id, true);
  });
}

Result<HsdsPage> CatalogueService::hsds_organizations(const HsdsFilter& f, const HsdsPaging& p,
                                                      bool full, bool full_service) {
  LOTSE_TRY(check_paging(p));
  const auto words = search_words(f.search);
  return db_.read([&](store::Executor& x) -> Result<HsdsPage> {
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query(
            "SELECT \"id\", \"name\", \"alternate_name\", \"description\" FROM hsds_organization"));
    std::vector<std::string> ids;
    for (const auto& r : rows)
      if (matches_words(fold_text(r.text(1) + " " + r.text(2) + " " + r.text(3)), words))
        ids.push_back(r.text(0));
    std::sort(ids.begin(), ids.end());
    Documents docs(x);
    return paged(ids, p, [&](const std::string& id) -> Result<json::object> {
      if (full || full_service) return docs.organization(id, full_service);
      return docs.flat("organization", id);
    });
  });
}

Result<json::object> CatalogueService::hsds_organization(const std::string& id, bool full_service) {
  return db_.read([&](store::Executor& x) -> Result<json::object> {
    if (!hsds::is_uuid(id)) return Error::not_found("Diese Organisation gibt es nicht.");
    return Documents(x).organization(id, full_service);
  });
}

Result<HsdsPage> CatalogueService::hsds_service_at_locations(const HsdsFilter& f,
                                                             const HsdsPaging& p, bool full) {
  LOTSE_TRY(check_paging(p));
  LOTSE_ASSIGN_OR_RETURN(auto after, modified_after(f));
  if (!f.postcode.empty() &&
      (f.postcode.size() != 5 || f.postcode.find_first_not_of("0123456789") != std::string::npos))
    return Error::invalid("postcode", "Fünfstellige Postleitzahl erwartet.");
  if (f.proximity_m && f.postcode.empty())
    return Error::invalid("proximity",
                          "proximity (Meter) gilt ab dem Mittelpunkt einer postcode; "
                          "bitte postcode angeben.");
  if (f.proximity_m && !(*f.proximity_m > 0 && *f.proximity_m <= 500000))
    return Error::invalid("proximity", "proximity in Metern zwischen 1 und 500000.");
  std::optional<GeoPoint> origin;
  if (!f.postcode.empty()) {
    LOTSE_ASSIGN_OR_RETURN(auto places, gazetteer());
    origin = places->postcode(f.postcode);
    if (!origin && f.proximity_m)
      return Error::invalid("postcode", "Für diese Postleitzahl sind keine Koordinaten bekannt.");
  }
  const auto words = search_words(f.search);
  store::Params params;
  const std::string sql =
      "SELECT sal.\"id\", s.\"last_modified\", si.search_text, li.search_text, li.postal_code, "
      "li.latitude, li.longitude, si.alliance_ags FROM hsds_service_at_location sal "
      "JOIN hsds_service s ON s.\"id\" = sal.\"service_id\" "
      "LEFT JOIN catalogue_service_index si ON si.service_id = sal.\"service_id\" "
      "LEFT JOIN catalogue_location_index li ON li.location_id = sal.\"location_id\" WHERE 1 = 1" +
      service_conditions(f, "sal.\"service_id\"", params);
  return db_.read([&](store::Executor& x) -> Result<HsdsPage> {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    std::vector<std::pair<double, std::string>> found;  // (distance or 0, id)
    for (const auto& r : rows) {
      if (!matches_words(r.text(2) + " " + r.text(3), words) || !modified_ok(after, r.text(1)))
        continue;
      double km = 0;
      if (f.proximity_m) {
        if (r.is_null(5) || r.is_null(6)) continue;
        km = distance_km(origin->lat, origin->lon, r.real(5), r.real(6));
        if (km * 1000 > *f.proximity_m) continue;
      } else if (!f.postcode.empty()) {
        // Coverage: at that postcode, or offered by the alliance whose
        // district the postcode lies in (its service area).
        const bool here = r.text(4) == f.postcode;
        const bool covered = origin && !r.is_null(7) && r.text(7) == origin->district_ags;
        if (!here && !covered) continue;
      }
      found.emplace_back(km, r.text(0));
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> ids;
    for (auto& [km, id] : found) ids.push_back(std::move(id));
    Documents docs(x);
    return paged(ids, p, [&](const std::string& id) -> Result<json::object> {
      if (full) return docs.service_at_location(id, true);
      // service_at_location_list.json: one-to-one fields, location and service (with organization).
      LOTSE_ASSIGN_OR_RETURN(json::object s, docs.flat("service_at_location", id));
      LOTSE_ASSIGN_OR_RETURN(s["location"],
                             docs.flat("location", std::string(s.at("location_id").get_string())));
      LOTSE_ASSIGN_OR_RETURN(s["service"],
                             docs.service_summary(std::string(s.at("service_id").get_string())));
      return s;
    });
  });
}

Result<json::object> CatalogueService::hsds_service_at_location(const std::string& id) {
  return db_.read([&](store::Executor& x) -> Result<json::object> {
    if (!hsds::is_uuid(id)) return Error::not_found("Diesen Ort eines Dienstes gibt es nicht.");
    return Documents(x).service_at_location(id, true);
  });
}

Result<HsdsPage> CatalogueService::hsds_taxonomies(const HsdsFilter& f, const HsdsPaging& p) {
  LOTSE_TRY(check_paging(p));
  const auto words = search_words(f.search);
  return db_.read([&](store::Executor& x) -> Result<HsdsPage> {
    LOTSE_ASSIGN_OR_RETURN(auto records, select_records(x, spec("taxonomy")));
    std::vector<std::string> ids;
    for (const Record& r : records)
      if (matches_words(
              fold_text(get(r, "taxonomy", "name") + " " + get(r, "taxonomy", "description")),
              words))
        ids.push_back(*r[0]);
    std::sort(ids.begin(), ids.end());
    Documents docs(x);
    return paged(ids, p, [&](const std::string& id) { return docs.flat("taxonomy", id); });
  });
}

Result<json::object> CatalogueService::hsds_taxonomy(const std::string& id) {
  return db_.read([&](store::Executor& x) -> Result<json::object> {
    if (!hsds::is_uuid(id)) return Error::not_found("Diese Taxonomie gibt es nicht.");
    return Documents(x).flat("taxonomy", id);
  });
}

Result<HsdsPage> CatalogueService::hsds_taxonomy_terms(const HsdsFilter& f, const HsdsPaging& p) {
  LOTSE_TRY(check_paging(p));
  const auto words = search_words(f.search);
  return db_.read([&](store::Executor& x) -> Result<HsdsPage> {
    LOTSE_ASSIGN_OR_RETURN(auto records, select_records(x, spec("taxonomy_term")));
    std::vector<std::string> ids;
    for (const Record& r : records) {
      auto v = [&](std::string_view field) { return get(r, "taxonomy_term", field); };
      if (!f.taxonomy_id.empty() && v("taxonomy_id") != f.taxonomy_id) continue;
      if (!f.parent_id.empty() && v("parent_id") != f.parent_id) continue;
      if (f.top_only && !v("parent_id").empty()) continue;
      if (!matches_words(fold_text(v("code") + " " + v("name") + " " + v("description")), words))
        continue;
      ids.push_back(*r[0]);
    }
    std::sort(ids.begin(), ids.end());
    Documents docs(x);
    return paged(ids, p, [&](const std::string& id) { return docs.taxonomy_term(id); });
  });
}

Result<json::object> CatalogueService::hsds_taxonomy_term(const std::string& id) {
  return db_.read([&](store::Executor& x) -> Result<json::object> {
    if (!hsds::is_uuid(id)) return Error::not_found("Diesen Begriff gibt es nicht.");
    return Documents(x).taxonomy_term(id);
  });
}

}  // namespace lotse::catalogue
