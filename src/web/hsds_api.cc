// The read-only HSDS 3.0 API (Open Referral) under /api/hsds/: public, no
// token — the catalogue is public information, no social data. Routes,
// parameters and the page object follow the specification's OpenAPI document
// (third_party/hsds-3.0/schema/openapi.json); the documents are those of its
// compiled schemas, built by CatalogueService. Our additions: the JBA profile
// at /api/hsds/profile and this API's OpenAPI document.
//
// Unknown or malformed query parameters are answered 400 problem+json naming
// the parameter, so that a typo ("per-page") is not silently ignored.
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <set>
#include <string>
#include <string_view>

#include "lotse/catalogue/catalogue_service.h"
#include "lotse/catalogue/jba_profile.h"
#include "lotse/catalogue/json_text.h"
#include "lotse/organisation/directory.h"
#include "lotse/web/problem.h"
#include "lotse/web/web_context.h"

namespace lotse::web {
namespace json = boost::json;
using catalogue::HsdsFilter;
using catalogue::HsdsPage;
using catalogue::HsdsPaging;

namespace {

constexpr int kDefaultPerPage = 50;

// Every answer: cacheable for a minute by anyone, readable from any origin.
Response answer(int status, const json::value& v) {
  Response r = Response::json(status, catalogue::json_text(v));
  r.set_header("Cache-Control", "public, max-age=60");
  r.set_header("Access-Control-Allow-Origin", "*");
  return r;
}

Response bad_parameter(const Request& r, const std::string& name, const std::string& detail) {
  return problem(400, "Bad Request", detail, r.request_id, name);
}

// The query parameters of one route, checked once: unknown names, repeated
// names, integers, booleans.
class Query {
 public:
  Query(const Request& r, std::initializer_list<std::string_view> allowed) : r_(r) {
    std::set<std::string> seen;
    for (const auto& [name, value] : r.query) {
      if (error_) return;
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        fail(name, "Unbekannter Parameter " + name + ".");
      } else if (!seen.insert(name).second) {
        fail(name, "Der Parameter " + name + " steht mehrfach in der Anfrage.");
      }
    }
  }

  std::string text(const std::string& name, std::size_t max = 200) {
    std::string v = r_.query_param(name).value_or("");
    if (v.size() > max) fail(name, "Der Parameter " + name + " ist zu lang.");
    return v;
  }

  int integer(const std::string& name, int fallback, int min, int max) {
    const std::string v = text(name);
    if (v.empty()) return fallback;
    int out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size() || out < min || out > max) {
      fail(name, "Der Parameter " + name + " muss eine ganze Zahl von " + std::to_string(min) +
                     " bis " + std::to_string(max) + " sein.");
      return fallback;
    }
    return out;
  }

  bool boolean(const std::string& name) {
    const std::string v = text(name);
    if (v.empty() || v == "false") return false;
    if (v == "true") return true;
    fail(name, "Der Parameter " + name + " muss true oder false sein.");
    return false;
  }

  // An id parameter: a UUID, or an error naming it.
  std::string id(const std::string& name) {
    const std::string v = text(name);
    if (!v.empty() && !catalogue::hsds::is_uuid(v))
      fail(name, "Der Parameter " + name + " muss eine UUID sein.");
    return v;
  }

  HsdsPaging paging() {
    return {.page = integer("page", 1, 1, 1'000'000),
            .per_page = integer("per_page", kDefaultPerPage, 1, 1000)};
  }

  // json (default) or ndjson: every result, one per line, without pages.
  bool ndjson() {
    const std::string v = text("format");
    if (v.empty() || v == "json") return false;
    if (v == "ndjson") return true;
    fail("format", "Der Parameter format muss json oder ndjson sein.");
    return false;
  }

  const std::optional<Response>& error() const { return error_; }

 private:
  void fail(const std::string& name, const std::string& detail) {
    if (!error_) error_ = bad_parameter(r_, name, detail);
  }
  const Request& r_;
  std::optional<Response> error_;
};

// The page object of the specification (components/schemas/Page) with the
// results in "contents".
json::object page_json(const HsdsPage& page, const HsdsPaging& paging) {
  const std::int64_t per = paging.per_page;
  const std::int64_t total_pages = (page.total_items + per - 1) / per;
  json::array contents;
  for (const auto& o : page.contents) contents.push_back(o);
  return {
      {"total_items", page.total_items}, {"total_pages", total_pages},
      {"page_number", paging.page},      {"size", static_cast<std::int64_t>(page.contents.size())},
      {"first_page", paging.page == 1},  {"last_page", paging.page >= total_pages},
      {"empty", page.contents.empty()},  {"contents", std::move(contents)}};
}

// Runs a list query: one page as JSON, or with format=ndjson every result.
template <typename List>
Response list(WebContext& web, const Request& r, Query& q, List&& run) {
  const HsdsPaging paging = q.paging();
  const bool ndjson = q.ndjson();
  if (q.error()) return *q.error();
  if (!ndjson) {
    auto page = run(paging);
    if (!page) return web.failure(r, page.error());
    return answer(200, page_json(*page, paging));
  }
  std::string body;
  for (HsdsPaging all{.page = 1, .per_page = 1000};; ++all.page) {
    auto page = run(all);
    if (!page) return web.failure(r, page.error());
    for (const auto& o : page->contents) body += catalogue::json_text(o) + "\n";
    if (static_cast<std::int64_t>(all.page) * all.per_page >= page->total_items) break;
  }
  Response res = Response::json(200, std::move(body));
  res.set_header("Content-Type", "application/x-ndjson; charset=utf-8");
  res.set_header("Cache-Control", "public, max-age=60");
  res.set_header("Access-Control-Allow-Origin", "*");
  return res;
}

Response one(WebContext& web, const Request& r, const Result<json::object>& doc) {
  if (!doc) return web.failure(r, doc.error());
  return answer(200, *doc);
}

// "http://host:port" of the request, for the absolute URLs of the meta
// document. The Host header is checked (letters, digits, . - : [ ]) so that
// nothing else is echoed.
std::string base_url(const Request& r) {
  std::string host = r.header("Host").value_or("");
  const bool ok = !host.empty() && host.size() < 256 &&
                  host.find_first_not_of(
                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789.-:[]") == std::string::npos;
  if (!ok) host = "localhost";
  const bool https = r.header("X-Forwarded-Proto").value_or("") == "https";
  return (https ? "https://" : "http://") + host;
}

HsdsFilter service_filter(Query& q) {
  return {.search = q.text("search"),
          .taxonomy_term_id = q.id("taxonomy_term_id"),
          .taxonomy_id = q.id("taxonomy_id"),
          .organization_id = q.id("organization_id"),
          .modified_after = q.text("modified_after")};
}

// ---- the OpenAPI document of this API -----------------------------------

constexpr const char* kSchemaBase =
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/";

json::object parameter(const char* name, const char* type, const char* description) {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", description},
          {"schema", {{"type", type}}}};
}

json::object openapi_document(const std::string& base) {
  auto page_params = [] {
    return json::array{
        parameter("page", "integer", "Page number (from 1)."),
        parameter("per_page", "integer", "Results per page (1–1000, default 50)."),
        parameter("format", "string", "json (default) or ndjson: every result, one per line."),
        parameter("search", "string", "Words in names and descriptions (all must occur).")};
  };
  auto service_params = [&] {
    json::array p = page_params();
    p.push_back(parameter("taxonomy_term_id", "string", "Only with an attribute on this term."));
    p.push_back(
        parameter("taxonomy_id", "string", "Only with an attribute on a term of this taxonomy."));
    p.push_back(parameter("organization_id", "string", "Only services of this organization."));
    p.push_back(parameter("modified_after", "string", "RFC 3339: last_modified at or after."));
    p.push_back(parameter("full", "boolean", "Fully nested documents."));
    return p;
  };
  auto paged = [](const char* schema) {
    return json::object{
        {"200",
         {{"description", "A page"},
          {"content",
           {{"application/json",
             {{"schema",
               {{"allOf", json::array{json::object{{"$ref", "#/components/schemas/Page"}}}},
                {"properties",
                 {{"contents",
                   {{"type", "array"},
                    {"items", {{"$ref", std::string(kSchemaBase) + schema}}}}}}}}}}}}}}},
        {"400", {{"$ref", "#/components/responses/Problem"}}}};
  };
  auto single = [](const char* schema) {
    return json::object{
        {"200",
         {{"description", "The document"},
          {"content",
           {{"application/json", {{"schema", {{"$ref", std::string(kSchemaBase) + schema}}}}}}}}},
        {"404", {{"$ref", "#/components/responses/Problem"}}}};
  };
  auto get = [](const char* summary, json::array params, json::object responses) {
    return json::object{{"get",
                         {{"summary", summary},
                          {"parameters", std::move(params)},
                          {"responses", std::move(responses)}}}};
  };
  auto id_param = [] {
    return json::array{json::object{{"name", "id"},
                                    {"in", "path"},
                                    {"required", true},
                                    {"schema", {{"type", "string"}, {"format", "uuid"}}}}};
  };
  json::array sal_params = service_params();
  sal_params.push_back(
      parameter("postcode", "string",
                "Postcode: offered there or covering it (the alliance's district); "
                "with proximity the centre of the distance."));
  sal_params.push_back(
      parameter("proximity", "number", "Metres from the postcode's centre; nearest first."));
  json::array org_params = page_params();
  org_params.push_back(parameter("full", "boolean", "Fully nested organizations."));
  org_params.push_back(parameter("full_service", "boolean", "Services fully nested."));
  json::array term_params = page_params();
  term_params.push_back(parameter("taxonomy_id", "string", "Terms of this taxonomy."));
  term_params.push_back(parameter("parent_id", "string", "Terms with this parent."));
  term_params.push_back(parameter("top_only", "boolean", "Only terms without a parent."));
  json::array service_list_params = service_params();
  service_list_params.push_back(
      parameter("minimal", "boolean", "Only id, name, status, last_modified."));

  json::object paths;
  paths["/"] = get("API meta information", {},
                   {{"200", {{"description", "version, profile, openapi_url"}}}});
  paths["/services"] =
      get("Services, paged", service_list_params, paged("compiled/service_list.json"));
  paths["/services/{id}"] =
      get("A fully nested service", id_param(), single("compiled/service.json"));
  paths["/organizations"] =
      get("Organizations, paged", org_params, paged("compiled/organization_list.json"));
  paths["/organizations/{id}"] =
      get("A fully nested organization", id_param(), single("compiled/organization.json"));
  paths["/service_at_locations"] = get("Services at locations, paged", sal_params,
                                       paged("compiled/service_at_location_list.json"));
  paths["/service_at_locations/{id}"] = get("A fully nested service at a location", id_param(),
                                            single("compiled/service_at_location.json"));
  paths["/taxonomies"] = get("Taxonomies, paged", page_params(), paged("taxonomy.json"));
  paths["/taxonomies/{id}"] = get("A taxonomy", id_param(), single("taxonomy.json"));
  paths["/taxonomy_terms"] = get("Taxonomy terms, paged", term_params, paged("taxonomy_term.json"));
  paths["/taxonomy_terms/{id}"] = get("A taxonomy term", id_param(), single("taxonomy_term.json"));
  paths["/profile"] = get("The German JBA profile: taxonomies and how attributes carry it", {},
                          {{"200", {{"description", "Profile"}}}});

  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Lotse – HSDS 3.0 API der Jugendberufsagenturen"},
        {"version", "1"},
        {"summary", "Angebote und Anlaufstellen der Jugendberufsagenturen in Sachsen-Anhalt"},
        {"description",
         "Read-only Human Services Data Specification 3.0 API with the German JBA "
         "profile (see /api/hsds/profile). Public data, no authentication."},
        {"license", {{"name", "EUPL-1.2"}, {"identifier", "EUPL-1.2"}}}}},
      {"servers", json::array{json::object{{"url", base + "/api/hsds"}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas",
         {{"Page",
           {{"type", "object"},
            {"properties",
             {{"total_items", {{"type", "integer"}}},
              {"total_pages", {{"type", "integer"}}},
              {"page_number", {{"type", "integer"}}},
              {"size", {{"type", "integer"}}},
              {"first_page", {{"type", "boolean"}}},
              {"last_page", {{"type", "boolean"}}},
              {"empty", {{"type", "boolean"}}}}}}}}},
        {"responses",
         {{"Problem",
           {{"description", "RFC 9457 problem details naming the parameter"},
            {"content", {{"application/problem+json", {{"schema", {{"type", "object"}}}}}}}}}}}}}};
}

Result<json::object> profile_document(WebContext& web) {
  LOTSE_ASSIGN_OR_RETURN(auto alliances, web.db.read([](store::Executor& x) {
    return organisation::Directory::alliances(x);
  }));
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& a : alliances) names.emplace_back(a.ags, a.name);
  catalogue::Dataset vocab;
  LOTSE_TRY(catalogue::add_profile_vocabulary(vocab, names));
  const auto& terms = vocab.table("taxonomy_term");
  const auto& spec = *terms.spec;
  json::array taxonomies;
  for (const auto& t : catalogue::profile_taxonomies()) {
    const std::string id = catalogue::profile_taxonomy_id(t.facet);
    json::array codes;
    for (const auto& row : terms.rows)
      if (row[static_cast<std::size_t>(spec.index_of("taxonomy_id"))] == id)
        codes.push_back({{"id", *row[0]},
                         {"code", *row[static_cast<std::size_t>(spec.index_of("code"))]},
                         {"name", *row[static_cast<std::size_t>(spec.index_of("name"))]}});
    const bool location = t.facet == catalogue::Facet::kContactKind;
    const bool both = t.facet == catalogue::Facet::kAlliance;
    taxonomies.push_back(
        {{"id", id},
         {"key", t.key},
         {"name", t.name},
         {"description", t.description},
         {"link_entity", both       ? "service, location"
                         : location ? "location"
                                    : "service"},
         {"several_per_record", t.multi},
         {"value", t.facet == catalogue::Facet::kDetail ? "attribute.value carries it" : ""},
         {"terms", std::move(codes)}});
  }
  return json::object{
      {"name", "Lotse: JBA-Profil für HSDS 3.0 (Sachsen-Anhalt)"},
      {"hsds_version", "3.0"},
      {"description",
       "Angebote (service) und Anlaufstellen (location) der Jugendberufsagenturen. Das Profil "
       "steht in attribute-Zeilen auf den folgenden Taxonomien (ids sind namensbasierte UUIDs, "
       "in jeder Installation gleich). Alles andere nutzt HSDS-Felder: status, minimum_age, "
       "maximum_age, eligibility_description, fees_description, cost_option, funding, "
       "schedule (RRULE; Zeiten in deutscher Ortszeit), address, phone, accessibility, language, "
       "service_area (uri urn:de:ags:<Kreisschlüssel>)."},
      {"taxonomies", std::move(taxonomies)}};
}

}  // namespace

void register_hsds_api(Router& router, WebContext& web) {
  auto meta = [&web](Request& r) {
    Query q(r, {});
    if (q.error()) return *q.error();
    const std::string base = base_url(r);
    return answer(200, json::object{{"version", "3.0"},
                                    {"profile", base + "/api/hsds/profile"},
                                    {"openapi_url", base + "/api/hsds/openapi.json"}});
  };
  router.add("GET", "/api/hsds", meta);
  router.add("GET", "/api/hsds/", meta);
  router.add("GET", "/api/hsds/openapi.json",
             [](Request& r) { return answer(200, openapi_document(base_url(r))); });
  router.add("GET", "/api/hsds/profile", [&web](Request& r) {
    Query q(r, {});
    if (q.error()) return *q.error();
    return one(web, r, profile_document(web));
  });

  router.add("GET", "/api/hsds/services", [&web](Request& r) {
    Query q(r, {"search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id",
                "organization_id", "modified_after", "minimal", "full"});
    const HsdsFilter f = service_filter(q);
    const bool full = q.boolean("full");
    const bool minimal = q.boolean("minimal");
    return list(web, r, q, [&](const HsdsPaging& p) -> Result<HsdsPage> {
      LOTSE_ASSIGN_OR_RETURN(HsdsPage page, web.catalogue.hsds_services(f, p, full && !minimal));
      if (minimal)
        for (auto& o : page.contents) {
          json::object small;
          for (const char* k : {"id", "name", "status", "last_modified"})
            if (const auto* v = o.if_contains(k)) small[k] = *v;
          o = std::move(small);
        }
      return page;
    });
  });
  router.add("GET", "/api/hsds/services/{id}", [&web](Request& r) {
    Query q(r, {});
    if (q.error()) return *q.error();
    return one(web, r, web.catalogue.hsds_service(r.path_params.at("id")));
  });

  router.add("GET", "/api/hsds/organizations", [&web](Request& r) {
    Query q(r, {"search", "page", "per_page", "format", "full", "full_service"});
    const HsdsFilter f{.search = q.text("search")};
    const bool full = q.boolean("full"), full_service = q.boolean("full_service");
    return list(web, r, q, [&](const HsdsPaging& p) {
      return web.catalogue.hsds_organizations(f, p, full, full_service);
    });
  });
  router.add("GET", "/api/hsds/organizations/{id}", [&web](Request& r) {
    Query q(r, {"full_service"});
    const bool full_service = q.boolean("full_service");
    if (q.error()) return *q.error();
    return one(web, r, web.catalogue.hsds_organization(r.path_params.at("id"), full_service));
  });

  router.add("GET", "/api/hsds/service_at_locations", [&web](Request& r) {
    Query q(r, {"search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id",
                "organization_id", "modified_after", "full", "postcode", "proximity"});
    HsdsFilter f = service_filter(q);
    f.postcode = q.text("postcode");
    if (const std::string p = q.text("proximity"); !p.empty()) {
      double metres = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), metres);
      if (ec != std::errc() || end != p.data() + p.size() || !std::isfinite(metres))
        return bad_parameter(r, "proximity",
                             "Der Parameter proximity ist eine Entfernung in Metern.");
      f.proximity_m = metres;
    }
    const bool full = q.boolean("full");
    return list(web, r, q, [&](const HsdsPaging& p) {
      return web.catalogue.hsds_service_at_locations(f, p, full);
    });
  });
  router.add("GET", "/api/hsds/service_at_locations/{id}", [&web](Request& r) {
    Query q(r, {});
    if (q.error()) return *q.error();
    return one(web, r, web.catalogue.hsds_service_at_location(r.path_params.at("id")));
  });

  router.add("GET", "/api/hsds/taxonomies", [&web](Request& r) {
    Query q(r, {"search", "page", "per_page", "format"});
    const HsdsFilter f{.search = q.text("search")};
    return list(web, r, q,
                [&](const HsdsPaging& p) { return web.catalogue.hsds_taxonomies(f, p); });
  });
  router.add("GET", "/api/hsds/taxonomies/{id}", [&web](Request& r) {
    Query q(r, {});
    if (q.error()) return *q.error();
    return one(web, r, web.catalogue.hsds_taxonomy(r.path_params.at("id")));
  });

  router.add("GET", "/api/hsds/taxonomy_terms", [&web](Request& r) {
    Query q(r, {"search", "page", "per_page", "format", "taxonomy_id", "top_only", "parent_id"});
    const HsdsFilter f{.search = q.text("search"),
                       .taxonomy_id = q.id("taxonomy_id"),
                       .parent_id = q.id("parent_id"),
                       .top_only = q.boolean("top_only")};
    return list(web, r, q,
                [&](const HsdsPaging& p) { return web.catalogue.hsds_taxonomy_terms(f, p); });
  });
  router.add("GET", "/api/hsds/taxonomy_terms/{id}", [&web](Request& r) {
    Query q(r, {});
    if (q.error()) return *q.error();
    return one(web, r, web.catalogue.hsds_taxonomy_term(r.path_params.at("id")));
  });
}

}  // namespace lotse::web
