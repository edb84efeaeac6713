// Migration 6: the offer catalogue on the HSDS 3.0 model.
//
// One table per HSDS table (hsds_<table>), columns named exactly as the
// fields of third_party/hsds-3.0/schema/<table>.json (flat fields only; the
// nested arrays of the compiled schemas are these tables joined). HSDS ids
// are UUID strings and stay the TEXT primary keys, so an import can upsert by
// id and an export writes them back unchanged. Numbers are DOUBLE PRECISION.
// catalogue/hsds_model.cc describes the same tables; a test compares them.
//
// The JBA profile (alliance, legal sphere, phases, needs, …) is stored as
// HSDS attributes on the profile's taxonomies; the catalogue_* tables at the
// end are derived from them in the same transaction as every change and
// carry the indexes of the fast paths: offers by alliance, the needs × phases
// matrix, contact points by postcode and by coordinates.
#include "store/migrations_list.h"

namespace lotse::store {

Migration migration_catalogue() {
  return {6, "catalogue",
          R"sql(
CREATE TABLE hsds_taxonomy (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "uri" TEXT,
  "version" TEXT
);
CREATE TABLE hsds_taxonomy_term (
  "id" TEXT PRIMARY KEY,
  "code" TEXT,
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "parent_id" TEXT REFERENCES hsds_taxonomy_term(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
  "taxonomy" TEXT,
  "language" TEXT,
  "taxonomy_id" TEXT REFERENCES hsds_taxonomy(id) ON DELETE CASCADE,
  "term_uri" TEXT
);
CREATE TABLE hsds_organization (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "alternate_name" TEXT,
  "description" TEXT NOT NULL,
  "email" TEXT,
  "website" TEXT,
  "tax_status" TEXT,
  "tax_id" TEXT,
  "year_incorporated" DOUBLE PRECISION,
  "legal_status" TEXT,
  "logo" TEXT,
  "uri" TEXT,
  "parent_organization_id" TEXT REFERENCES hsds_organization(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE hsds_organization_identifier (
  "id" TEXT PRIMARY KEY,
  "organization_id" TEXT NOT NULL REFERENCES hsds_organization(id) ON DELETE CASCADE,
  "identifier_scheme" TEXT,
  "identifier_type" TEXT NOT NULL,
  "identifier" TEXT NOT NULL
);
CREATE TABLE hsds_program (
  "id" TEXT PRIMARY KEY,
  "organization_id" TEXT NOT NULL REFERENCES hsds_organization(id) ON DELETE CASCADE,
  "name" TEXT NOT NULL,
  "alternate_name" TEXT,
  "description" TEXT NOT NULL
);
CREATE TABLE hsds_service (
  "id" TEXT PRIMARY KEY,
  "organization_id" TEXT NOT NULL REFERENCES hsds_organization(id) ON DELETE CASCADE,
  "program_id" TEXT REFERENCES hsds_program(id) ON DELETE SET NULL,
  "name" TEXT NOT NULL,
  "alternate_name" TEXT,
  "description" TEXT,
  "url" TEXT,
  "email" TEXT,
  "status" TEXT NOT NULL,
  "interpretation_services" TEXT,
  "application_process" TEXT,
  "fees_description" TEXT,
  "wait_time" TEXT,
  "fees" TEXT,
  "accreditations" TEXT,
  "eligibility_description" TEXT,
  "minimum_age" DOUBLE PRECISION,
  "maximum_age" DOUBLE PRECISION,
  "assured_date" TEXT,
  "assurer_email" TEXT,
  "licenses" TEXT,
  "alert" TEXT,
  "last_modified" TEXT
);
CREATE TABLE hsds_location (
  "id" TEXT PRIMARY KEY,
  "location_type" TEXT NOT NULL,
  "url" TEXT,
  "organization_id" TEXT REFERENCES hsds_organization(id) ON DELETE SET NULL,
  "name" TEXT,
  "alternate_name" TEXT,
  "description" TEXT,
  "transportation" TEXT,
  "latitude" DOUBLE PRECISION,
  "longitude" DOUBLE PRECISION,
  "external_identifier" TEXT,
  "external_identifier_type" TEXT
);
CREATE TABLE hsds_service_at_location (
  "id" TEXT PRIMARY KEY,
  "service_id" TEXT NOT NULL REFERENCES hsds_service(id) ON DELETE CASCADE,
  "location_id" TEXT NOT NULL REFERENCES hsds_location(id) ON DELETE CASCADE,
  "description" TEXT
);
CREATE TABLE hsds_address (
  "id" TEXT PRIMARY KEY,
  "location_id" TEXT REFERENCES hsds_location(id) ON DELETE CASCADE,
  "attention" TEXT,
  "address_1" TEXT NOT NULL,
  "address_2" TEXT,
  "city" TEXT NOT NULL,
  "region" TEXT,
  "state_province" TEXT NOT NULL,
  "postal_code" TEXT NOT NULL,
  "country" TEXT NOT NULL,
  "address_type" TEXT NOT NULL
);
CREATE TABLE hsds_contact (
  "id" TEXT PRIMARY KEY,
  "organization_id" TEXT REFERENCES hsds_organization(id) ON DELETE CASCADE,
  "service_id" TEXT REFERENCES hsds_service(id) ON DELETE CASCADE,
  "service_at_location_id" TEXT REFERENCES hsds_service_at_location(id) ON DELETE CASCADE,
  "location_id" TEXT REFERENCES hsds_location(id) ON DELETE CASCADE,
  "name" TEXT,
  "title" TEXT,
  "department" TEXT,
  "email" TEXT
);
CREATE TABLE hsds_phone (
  "id" TEXT PRIMARY KEY,
  "location_id" TEXT REFERENCES hsds_location(id) ON DELETE CASCADE,
  "service_id" TEXT REFERENCES hsds_service(id) ON DELETE CASCADE,
  "organization_id" TEXT REFERENCES hsds_organization(id) ON DELETE CASCADE,
  "contact_id" TEXT REFERENCES hsds_contact(id) ON DELETE CASCADE,
  "service_at_location_id" TEXT REFERENCES hsds_service_at_location(id) ON DELETE CASCADE,
  "number" TEXT NOT NULL,
  "extension" DOUBLE PRECISION,
  "type" TEXT,
  "description" TEXT
);
CREATE TABLE hsds_schedule (
  "id" TEXT PRIMARY KEY,
  "service_id" TEXT REFERENCES hsds_service(id) ON DELETE CASCADE,
  "location_id" TEXT REFERENCES hsds_location(id) ON DELETE CASCADE,
  "service_at_location_id" TEXT REFERENCES hsds_service_at_location(id) ON DELETE CASCADE,
  "valid_from" TEXT,
  "valid_to" TEXT,
  "dtstart" TEXT,
  "timezone" DOUBLE PRECISION,
  "until" TEXT,
  "count" DOUBLE PRECISION,
  "wkst" TEXT,
  "freq" TEXT,
  "interval" DOUBLE PRECISION,
  "byday" TEXT,
  "byweekno" TEXT,
  "bymonthday" TEXT,
  "byyearday" TEXT,
  "description" TEXT,
  "opens_at" TEXT,
  "closes_at" TEXT,
  "schedule_link" TEXT,
  "attending_type" TEXT,
  "notes" TEXT
);
CREATE TABLE hsds_service_area (
  "id" TEXT PRIMARY KEY,
  "service_id" TEXT REFERENCES hsds_service(id) ON DELETE CASCADE,
  "name" TEXT,
  "description" TEXT,
  "extent" TEXT,
  "extent_type" TEXT,
  "uri" TEXT
);
CREATE TABLE hsds_language (
  "id" TEXT PRIMARY KEY,
  "service_id" TEXT REFERENCES hsds_service(id) ON DELETE CASCADE,
  "location_id" TEXT REFERENCES hsds_location(id) ON DELETE CASCADE,
  "phone_id" TEXT REFERENCES hsds_phone(id) ON DELETE CASCADE,
  "name" TEXT,
  "code" TEXT,
  "note" TEXT
);
CREATE TABLE hsds_funding (
  "id" TEXT PRIMARY KEY,
  "organization_id" TEXT REFERENCES hsds_organization(id) ON DELETE CASCADE,
  "service_id" TEXT REFERENCES hsds_service(id) ON DELETE CASCADE,
  "source" TEXT
);
CREATE TABLE hsds_cost_option (
  "id" TEXT PRIMARY KEY,
  "service_id" TEXT NOT NULL REFERENCES hsds_service(id) ON DELETE CASCADE,
  "valid_from" TEXT,
  "valid_to" TEXT,
  "option" TEXT,
  "currency" TEXT,
  "amount" DOUBLE PRECISION,
  "amount_description" TEXT
);
CREATE TABLE hsds_accessibility (
  "id" TEXT PRIMARY KEY,
  "location_id" TEXT REFERENCES hsds_location(id) ON DELETE CASCADE,
  "description" TEXT,
  "details" TEXT,
  "url" TEXT
);
CREATE TABLE hsds_required_document (
  "id" TEXT PRIMARY KEY,
  "service_id" TEXT REFERENCES hsds_service(id) ON DELETE CASCADE,
  "document" TEXT,
  "uri" TEXT
);
CREATE TABLE hsds_attribute (
  "id" TEXT PRIMARY KEY,
  "link_id" TEXT NOT NULL,
  "taxonomy_term_id" TEXT NOT NULL REFERENCES hsds_taxonomy_term(id) ON DELETE CASCADE,
  "link_type" TEXT,
  "link_entity" TEXT NOT NULL,
  "value" TEXT
);
CREATE TABLE hsds_metadata (
  "id" TEXT PRIMARY KEY,
  "resource_id" TEXT NOT NULL,
  "resource_type" TEXT NOT NULL,
  "last_action_date" TEXT NOT NULL,
  "last_action_type" TEXT NOT NULL,
  "field_name" TEXT NOT NULL,
  "previous_value" TEXT NOT NULL,
  "replacement_value" TEXT NOT NULL,
  "updated_by" TEXT NOT NULL
);
CREATE TABLE hsds_meta_table_description (
  "id" TEXT PRIMARY KEY,
  "name" TEXT,
  "language" TEXT,
  "character_set" TEXT
);
CREATE INDEX hsds_taxonomy_term_by_parent_id ON hsds_taxonomy_term("parent_id");
CREATE INDEX hsds_taxonomy_term_by_taxonomy_id ON hsds_taxonomy_term("taxonomy_id", "code");
CREATE INDEX hsds_organization_by_parent_organization_id ON hsds_organization("parent_organization_id");
CREATE INDEX hsds_organization_identifier_by_organization_id ON hsds_organization_identifier("organization_id");
CREATE INDEX hsds_program_by_organization_id ON hsds_program("organization_id");
CREATE INDEX hsds_service_by_organization_id ON hsds_service("organization_id");
CREATE INDEX hsds_service_by_program_id ON hsds_service("program_id");
CREATE INDEX hsds_location_by_organization_id ON hsds_location("organization_id");
CREATE INDEX hsds_service_at_location_by_service_id ON hsds_service_at_location("service_id");
CREATE INDEX hsds_service_at_location_by_location_id ON hsds_service_at_location("location_id");
CREATE INDEX hsds_address_by_location_id ON hsds_address("location_id");
CREATE INDEX hsds_contact_by_organization_id ON hsds_contact("organization_id");
CREATE INDEX hsds_contact_by_service_id ON hsds_contact("service_id");
CREATE INDEX hsds_contact_by_service_at_location_id ON hsds_contact("service_at_location_id");
CREATE INDEX hsds_contact_by_location_id ON hsds_contact("location_id");
CREATE INDEX hsds_phone_by_location_id ON hsds_phone("location_id");
CREATE INDEX hsds_phone_by_service_id ON hsds_phone("service_id");
CREATE INDEX hsds_phone_by_organization_id ON hsds_phone("organization_id");
CREATE INDEX hsds_phone_by_contact_id ON hsds_phone("contact_id");
CREATE INDEX hsds_phone_by_service_at_location_id ON hsds_phone("service_at_location_id");
CREATE INDEX hsds_schedule_by_service_id ON hsds_schedule("service_id");
CREATE INDEX hsds_schedule_by_location_id ON hsds_schedule("location_id");
CREATE INDEX hsds_schedule_by_service_at_location_id ON hsds_schedule("service_at_location_id");
CREATE INDEX hsds_service_area_by_service_id ON hsds_service_area("service_id");
CREATE INDEX hsds_language_by_service_id ON hsds_language("service_id");
CREATE INDEX hsds_language_by_location_id ON hsds_language("location_id");
CREATE INDEX hsds_language_by_phone_id ON hsds_language("phone_id");
CREATE INDEX hsds_funding_by_organization_id ON hsds_funding("organization_id");
CREATE INDEX hsds_funding_by_service_id ON hsds_funding("service_id");
CREATE INDEX hsds_cost_option_by_service_id ON hsds_cost_option("service_id");
CREATE INDEX hsds_accessibility_by_location_id ON hsds_accessibility("location_id");
CREATE INDEX hsds_required_document_by_service_id ON hsds_required_document("service_id");
CREATE INDEX hsds_attribute_by_taxonomy_term_id ON hsds_attribute("taxonomy_term_id");
CREATE INDEX hsds_address_by_postal_code ON hsds_address("postal_code");
CREATE INDEX hsds_location_by_coordinates ON hsds_location("latitude", "longitude");
CREATE INDEX hsds_attribute_by_link_id ON hsds_attribute("link_id");
CREATE INDEX hsds_metadata_by_resource_id ON hsds_metadata("resource_id");
CREATE INDEX hsds_service_by_last_modified ON hsds_service("last_modified");

-- Derived from the profile attributes (catalogue/catalogue_index.cc).
CREATE TABLE catalogue_service_index (
  service_id   TEXT PRIMARY KEY REFERENCES hsds_service(id) ON DELETE CASCADE,
  alliance_ags TEXT REFERENCES alliances(ags),
  legal_sphere TEXT,                  -- sgb2 | sgb3 | sgb8 | school | other
  legal_basis  TEXT,                  -- "§ 29 ff. SGB III"
  status       TEXT NOT NULL,         -- HSDS service.status
  capacity     BIGINT,
  waiting_days BIGINT,
  search_text  TEXT NOT NULL          -- folded name, description, provider, legal basis
);
CREATE INDEX catalogue_services_by_alliance
  ON catalogue_service_index(alliance_ags, status, legal_sphere);

-- Multi-valued facets of an offer: need | phase | target_group | funding.
CREATE TABLE catalogue_service_facets (
  service_id   TEXT NOT NULL REFERENCES hsds_service(id) ON DELETE CASCADE,
  facet        TEXT NOT NULL,
  value        TEXT NOT NULL,
  alliance_ags TEXT REFERENCES alliances(ags),
  PRIMARY KEY (service_id, facet, value)
);
-- The needs × phases matrix: need rows of one alliance, joined on the
-- primary key to their phase rows.
CREATE INDEX catalogue_facets_by_alliance
  ON catalogue_service_facets(alliance_ags, facet, value, service_id);

CREATE TABLE catalogue_location_index (
  location_id  TEXT PRIMARY KEY REFERENCES hsds_location(id) ON DELETE CASCADE,
  alliance_ags TEXT REFERENCES alliances(ags),
  kind         TEXT,                  -- central_office | school | … | chat | phone
  postal_code  TEXT,
  city         TEXT,
  latitude     DOUBLE PRECISION,
  longitude    DOUBLE PRECISION,
  search_text  TEXT NOT NULL
);
CREATE INDEX catalogue_locations_by_alliance ON catalogue_location_index(alliance_ags, kind);
CREATE INDEX catalogue_locations_by_postcode ON catalogue_location_index(postal_code);
CREATE INDEX catalogue_locations_by_coordinates
  ON catalogue_location_index(latitude, longitude);
)sql",
          "", ""};
}

}  // namespace lotse::store
