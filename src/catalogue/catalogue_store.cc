// Generic HSDS record access and the derived catalogue index.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "catalogue/catalogue_internal.h"
#include "lotse/catalogue/gazetteer.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_vocabulary.h"
#include "lotse/privacy/audit_log.h"

namespace lotse::catalogue::internal {
using hsds::FieldType;
using hsds::Record;
using hsds::TableSpec;

namespace {

const TableSpec& spec(std::string_view table) {
  const TableSpec* t = hsds::find_table(table);
  if (!t) throw std::logic_error("no HSDS table " + std::string(table));
  return *t;
}

std::string quoted(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  out += name;
  out += '"';
  return out;
}

std::string profile_taxonomy_list(store::Params& params) {
  std::string sql;
  for (const auto& t : profile_taxonomies()) {
    params.push_back(profile_taxonomy_id(t.facet));
    sql += sql.empty() ? "?" : ", ?";
  }
  return sql;
}

// " AND <column> IN (?, …)" for the ids, or "" when all rows are wanted.
std::string id_filter(std::string_view column, bool all, const std::vector<std::string>& ids,
                      store::Params& params) {
  if (all) return "";
  for (const auto& id : ids) params.push_back(id);
  return " AND " + std::string(column) + " IN (" + placeholders(ids.size()) + ")";
}

}  // namespace

std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

Result<std::vector<Record>> select_records(store::Executor& x, const TableSpec& t,
                                           std::string_view tail, const store::Params& params) {
  const std::string sql = "SELECT " + hsds::sql_columns(t) + " FROM " + std::string(t.sql_table) +
                          " " + std::string(tail);
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
  std::vector<Record> out;
  out.reserve(rows.size());
  for (const store::Row& row : rows) {
    Record r(t.fields.size());
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      if (row.is_null(i)) continue;
      const std::string& text = row.text(i);
      if (t.fields[i].type == FieldType::kNumber) {
        r[i] = hsds::canonical_number(row.real(i));
      } else if (!text.empty() || t.fields[i].allow_empty) {
        r[i] = text;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<Record>> select_by(store::Executor& x, std::string_view table,
                                      std::string_view field, const std::string& value) {
  return select_records(x, spec(table), "WHERE " + quoted(field) + " = ? ORDER BY \"id\"", {value});
}

Result<std::optional<Record>> select_one(store::Executor& x, std::string_view table,
                                         const std::string& id) {
  LOTSE_ASSIGN_OR_RETURN(auto rows, select_by(x, table, "id", id));
  if (rows.empty()) return std::optional<Record>{};
  return std::optional<Record>(std::move(rows[0]));
}

Result<void> upsert(store::Executor& x, const TableSpec& t, const Record& r) {
  std::string sql = "INSERT INTO " + std::string(t.sql_table) + " (" + hsds::sql_columns(t) +
                    ") VALUES (" + placeholders(t.fields.size()) +
                    ") ON CONFLICT (\"id\") DO UPDATE SET ";
  store::Params params;
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    if (i > 1) sql += ", ";
    if (i > 0) sql += quoted(t.fields[i].name) + " = excluded." + quoted(t.fields[i].name);
    if (!r[i]) {
      params.push_back(nullptr);
    } else if (t.fields[i].type == FieldType::kNumber) {
      double v = 0;
      std::from_chars(r[i]->data(), r[i]->data() + r[i]->size(), v);
      params.push_back(v);
    } else {
      params.push_back(*r[i]);
    }
  }
  LOTSE_TRY(x.exec(sql, params));
  return ok();
}

Result<void> upsert(store::Executor& x, std::string_view table,
                    const std::vector<std::pair<std::string_view, std::string>>& values) {
  Dataset one;
  LOTSE_TRY(one.add(table, values));
  return upsert(x, spec(table), one.table(table).rows[0]);
}

Result<KnownIds> stored_ids(store::Executor& x) {
  KnownIds out;
  for (const TableSpec& t : hsds::tables()) {
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows,
                           x.query("SELECT \"id\" FROM " + std::string(t.sql_table)));
    auto& ids = out[std::string(t.name)];
    for (const auto& r : rows) ids.insert(r.text(0));
  }
  return out;
}

Result<ProfileContext> stored_profile(store::Executor& x) {
  ProfileContext ctx;
  LOTSE_ASSIGN_OR_RETURN(store::Rows alliances, x.query("SELECT ags FROM alliances"));
  for (const auto& r : alliances) ctx.alliances.insert(r.text(0));
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows terms,
      x.query("SELECT \"id\", \"taxonomy_id\", \"code\" FROM hsds_taxonomy_term"));
  for (const auto& r : terms) ctx.terms[r.text(0)] = {r.text(1), r.text(2)};
  store::Params params;
  const std::string in = profile_taxonomy_list(params);
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows attrs,
      x.query("SELECT a.\"id\", a.\"link_id\", a.\"taxonomy_term_id\" FROM hsds_attribute a "
              "JOIN hsds_taxonomy_term t ON t.\"id\" = a.\"taxonomy_term_id\" "
              "WHERE t.\"taxonomy_id\" IN (" +
                  in + ")",
              params));
  for (const auto& r : attrs) ctx.attributes[r.text(0)] = {r.text(1), r.text(2)};
  return ctx;
}

Result<void> ensure_vocabulary(store::Executor& x) {
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query("SELECT ags, name FROM alliances ORDER BY ags"));
  std::vector<std::pair<std::string, std::string>> alliances;
  for (const auto& r : rows) alliances.emplace_back(r.text(0), r.text(1));
  Dataset vocab;
  LOTSE_TRY(add_profile_vocabulary(vocab, alliances));
  // Only what differs is written: this runs before every catalogue change.
  for (std::string_view table : {"taxonomy", "taxonomy_term"}) {
    const TableSpec& t = spec(table);
    store::Params params;
    const std::string in = profile_taxonomy_list(params);
    LOTSE_ASSIGN_OR_RETURN(
        auto stored, select_records(x, t,
                                    table == "taxonomy" ? "WHERE \"id\" IN (" + in + ")"
                                                        : "WHERE \"taxonomy_id\" IN (" + in + ")",
                                    params));
    std::map<std::string, Record> by_id;
    for (auto& r : stored) by_id[*r[0]] = std::move(r);
    for (const Record& r : vocab.table(table).rows) {
      auto it = by_id.find(*r[0]);
      if (it == by_id.end() || it->second != r) LOTSE_TRY(upsert(x, t, r));
    }
  }
  return ok();
}

Result<void> reindex(store::Executor& x, bool all, const std::vector<std::string>& service_ids,
                     const std::vector<std::string>& location_ids) {
  // Profile attributes of the records in question.
  std::vector<ProfileAttribute> attrs;
  {
    store::Params params;
    std::string sql =
        "SELECT a.\"link_id\", a.\"link_entity\", t.\"taxonomy_id\", t.\"code\", a.\"value\" "
        "FROM hsds_attribute a JOIN hsds_taxonomy_term t ON t.\"id\" = a.\"taxonomy_term_id\" "
        "WHERE t.\"taxonomy_id\" IN (" +
        profile_taxonomy_list(params) + ")";
    std::vector<std::string> ids = service_ids;
    ids.insert(ids.end(), location_ids.begin(), location_ids.end());
    sql += id_filter("a.\"link_id\"", all, ids, params);
    LOTSE_ASSIGN_OR_RETURN(store::Rows rows, x.query(sql, params));
    for (const auto& r : rows) {
      auto facet = facet_of_taxonomy(r.text(2));
      if (facet) attrs.push_back({r.text(0), r.text(1), *facet, r.text(3), r.text(4)});
    }
  }
  const DerivedProfiles derived = derive_profiles(attrs);

  // Services.
  if (all || !service_ids.empty()) {
    store::Params params;
    const std::string filter = id_filter("s.\"id\"", all, service_ids, params);
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query(
            "SELECT s.\"id\", s.\"name\", s.\"alternate_name\", s.\"description\", s.\"status\", "
            "o.\"name\" FROM hsds_service s LEFT JOIN hsds_organization o ON o.\"id\" = "
            "s.\"organization_id\" WHERE 1 = 1" +
                filter,
            params));
    store::Params del;
    const std::string del_filter = id_filter("service_id", all, service_ids, del);
    LOTSE_TRY(x.exec("DELETE FROM catalogue_service_facets WHERE 1 = 1" + del_filter, del));
    LOTSE_TRY(x.exec("DELETE FROM catalogue_service_index WHERE 1 = 1" + del_filter, del));
    for (const auto& r : rows) {
      const std::string id = r.text(0);
      auto it = derived.services.find(id);
      const ServiceProfile p = it == derived.services.end() ? ServiceProfile{} : it->second;
      std::string text =
          r.text(1) + " " + r.text(2) + " " + r.text(3) + " " + r.text(5) + " " + p.legal_basis +
          " " +
          std::string(domain::catalogue_term_label(domain::offer_legal_spheres(), p.legal_sphere));
      for (const auto& n : p.needs)
        for (const auto& need : domain::all_needs())
          if (need.key == n) text += " " + std::string(need.label_de);
      for (const auto& g : p.target_groups)
        text += " " + std::string(domain::catalogue_term_label(domain::target_groups(), g));
      auto opt = [](const std::string& s) -> store::Value {
        return s.empty() ? store::Value(nullptr) : store::Value(s);
      };
      auto opt_int = [](const std::optional<std::int64_t>& v) -> store::Value {
        return v ? store::Value(*v) : store::Value(nullptr);
      };
      LOTSE_TRY(
          x.exec("INSERT INTO catalogue_service_index (service_id, alliance_ags, legal_sphere, "
                 "legal_basis, "
                 "status, capacity, waiting_days, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 {id, opt(p.alliance_ags), opt(p.legal_sphere), opt(p.legal_basis), r.text(4),
                  opt_int(p.capacity), opt_int(p.waiting_days), fold_text(text)}));
      auto facets = [&](std::string_view facet,
                        const std::vector<std::string>& values) -> Result<void> {
        for (const auto& v : values)
          LOTSE_TRY(
              x.exec("INSERT INTO catalogue_service_facets (service_id, facet, value, "
                     "alliance_ags) VALUES (?, ?, ?, ?)",
                     {id, std::string(facet), v, opt(p.alliance_ags)}));
        return ok();
      };
      LOTSE_TRY(facets("need", p.needs));
      LOTSE_TRY(facets("phase", p.phases));
      LOTSE_TRY(facets("target_group", p.target_groups));
      LOTSE_TRY(facets("funding", p.funding));
    }
  }

  // Locations, with their first physical (else any) address.
  if (all || !location_ids.empty()) {
    store::Params params;
    const std::string filter = id_filter("l.\"id\"", all, location_ids, params);
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT l.\"id\", l.\"name\", l.\"alternate_name\", l.\"description\", "
                "l.\"latitude\", l.\"longitude\" FROM hsds_location l WHERE 1 = 1" +
                    filter,
                params));
    store::Params aparams;
    const std::string afilter = id_filter("\"location_id\"", all, location_ids, aparams);
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows addresses,
        x.query("SELECT \"location_id\", \"postal_code\", \"city\", \"address_type\", \"id\" "
                "FROM hsds_address WHERE \"location_id\" IS NOT NULL" +
                    afilter,
                aparams));
    std::map<std::string, std::pair<std::string, std::string>> address_of;  // → (postcode, city)
    std::map<std::string, std::pair<bool, std::string>> rank;               // (not physical, id)
    for (const auto& a : addresses) {
      const std::pair<bool, std::string> key{a.text(3) != "physical", a.text(4)};
      auto it = rank.find(a.text(0));
      if (it == rank.end() || key < it->second) {
        rank[a.text(0)] = key;
        address_of[a.text(0)] = {a.text(1), a.text(2)};
      }
    }
    store::Params del;
    LOTSE_TRY(x.exec("DELETE FROM catalogue_location_index WHERE 1 = 1" +
                         id_filter("location_id", all, location_ids, del),
                     del));
    for (const auto& r : rows) {
      const std::string id = r.text(0);
      auto it = derived.locations.find(id);
      const LocationProfile p = it == derived.locations.end() ? LocationProfile{} : it->second;
      const auto addr =
          address_of.count(id) ? address_of[id] : std::pair<std::string, std::string>{};
      auto opt = [](const std::string& s) -> store::Value {
        return s.empty() ? store::Value(nullptr) : store::Value(s);
      };
      auto coord = [&](std::size_t i) -> store::Value {
        return r.is_null(i) ? store::Value(nullptr) : store::Value(r.real(i));
      };
      LOTSE_TRY(
          x.exec("INSERT INTO catalogue_location_index (location_id, alliance_ags, kind, "
                 "postal_code, city, "
                 "latitude, longitude, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 {id, opt(p.alliance_ags), opt(p.kind), opt(addr.first), opt(addr.second), coord(4),
                  coord(5),
                  fold_text(r.text(1) + " " + r.text(2) + " " + r.text(3) + " " + addr.first + " " +
                            addr.second)}));
    }
  }
  return ok();
}

Result<void> purge_orphans(store::Executor& x) {
  for (auto [table, entity, id] : {std::tuple{"hsds_attribute", "link_entity", "link_id"},
                                   std::tuple{"hsds_metadata", "resource_type", "resource_id"}}) {
    LOTSE_ASSIGN_OR_RETURN(store::Rows entities,
                           x.query(fmt::format("SELECT DISTINCT \"{}\" FROM {}", entity, table)));
    for (const auto& e : entities) {
      const TableSpec* target = hsds::find_table(e.text(0));
      if (!target) continue;
      LOTSE_TRY(x.exec(fmt::format("DELETE FROM {} WHERE \"{}\" = ? AND \"{}\" NOT IN "
                                   "(SELECT \"id\" FROM {})",
                                   table, entity, id, target->sql_table),
                       {e.text(0)}));
    }
  }
  return ok();
}

Result<void> audit(store::Executor& x, std::int64_t now_ms, const Editor& e, std::string action,
                   std::string object, std::string details_json) {
  return privacy::AuditLog::append(x, now_ms,
                                   {.actor = e.username.empty() ? "-" : e.username,
                                    .action = std::move(action),
                                    .object = std::move(object),
                                    .legal_basis = kAuditBasis,
                                    .request_id = e.request_id.empty() ? "-" : e.request_id,
                                    .details_json = std::move(details_json)});
}

Result<void> require_alliance(const Editor& e, const std::string& alliance_ags) {
  if (e.all_alliances || (!e.alliance_ags.empty() && e.alliance_ags == alliance_ags)) return ok();
  return Error::forbidden("Nur die Koordination des Bündnisses ändert dessen Katalog.");
}

Result<bool> alliance_exists(store::Executor& x, const std::string& ags) {
  LOTSE_ASSIGN_OR_RETURN(std::int64_t n,
                         x.query_int("SELECT COUNT(*) FROM alliances WHERE ags = ?", {ags}));
  return n > 0;
}

std::size_t text_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace lotse::catalogue::internal
