#include "lotse/catalogue/hsds_model.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "lotse/common/date.h"
#include "lotse/domain/catalogue_schedule.h"

namespace lotse::catalogue::hsds {
namespace {

using T = FieldType;

// Generated from third_party/hsds-3.0/schema/<table>.json: the non-array
// properties in schema order; "required" is the schema's required plus
// tabular_required; *_id fields reference their table.
constexpr std::string_view kServiceStatus[] = {"active", "inactive", "defunct",
                                               "temporarily closed"};
constexpr std::string_view kLocationLocationType[] = {"physical", "postal", "virtual"};
constexpr std::string_view kAddressAddressType[] = {"physical", "postal", "virtual"};
constexpr std::string_view kScheduleWkst[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
constexpr std::string_view kScheduleFreq[] = {"WEEKLY", "MONTHLY"};

constexpr FieldSpec kTaxonomyFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"name", T::kString, true, "", {}},
    {"description", T::kString, true, "", {}},
    {"uri", T::kUri, false, "", {}},
    {"version", T::kString, false, "", {}},
};

constexpr FieldSpec kTaxonomyTermFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"code", T::kString, false, "", {}},
    {"name", T::kString, true, "", {}},
    {"description", T::kString, true, "", {}},
    {"parent_id", T::kUuid, false, "taxonomy_term", {}},
    {"taxonomy", T::kString, false, "", {}},
    {"language", T::kString, false, "", {}},
    {"taxonomy_id", T::kUuid, false, "taxonomy", {}},
    {"term_uri", T::kUri, false, "", {}},
};

constexpr FieldSpec kOrganizationFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"name", T::kString, true, "", {}},
    {"alternate_name", T::kString, false, "", {}},
    {"description", T::kString, true, "", {}},
    {"email", T::kEmail, false, "", {}},
    {"website", T::kUri, false, "", {}},
    {"tax_status", T::kString, false, "", {}},
    {"tax_id", T::kString, false, "", {}},
    {"year_incorporated", T::kNumber, false, "", {}},
    {"legal_status", T::kString, false, "", {}},
    {"logo", T::kString, false, "", {}},
    {"uri", T::kUri, false, "", {}},
    {"parent_organization_id", T::kUuid, false, "organization", {}},
};

constexpr FieldSpec kOrganizationIdentifierFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"organization_id", T::kUuid, true, "organization", {}},
    {"identifier_scheme", T::kString, false, "", {}},
    {"identifier_type", T::kString, true, "", {}},
    {"identifier", T::kString, true, "", {}},
};

constexpr FieldSpec kProgramFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"organization_id", T::kUuid, true, "organization", {}},
    {"name", T::kString, true, "", {}},
    {"alternate_name", T::kString, false, "", {}},
    {"description", T::kString, true, "", {}},
};

constexpr FieldSpec kServiceFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"organization_id", T::kUuid, true, "organization", {}},
    {"program_id", T::kUuid, false, "program", {}},
    {"name", T::kString, true, "", {}},
    {"alternate_name", T::kString, false, "", {}},
    {"description", T::kString, false, "", {}},
    {"url", T::kUri, false, "", {}},
    {"email", T::kEmail, false, "", {}},
    {"status", T::kEnum, true, "", kServiceStatus},
    {"interpretation_services", T::kString, false, "", {}},
    {"application_process", T::kString, false, "", {}},
    {"fees_description", T::kString, false, "", {}},
    {"wait_time", T::kString, false, "", {}},
    {"fees", T::kString, false, "", {}},
    {"accreditations", T::kString, false, "", {}},
    {"eligibility_description", T::kString, false, "", {}},
    {"minimum_age", T::kNumber, false, "", {}},
    {"maximum_age", T::kNumber, false, "", {}},
    {"assured_date", T::kDate, false, "", {}},
    {"assurer_email", T::kEmail, false, "", {}},
    {"licenses", T::kString, false, "", {}},
    {"alert", T::kString, false, "", {}},
    {"last_modified", T::kDateTime, false, "", {}},
};

constexpr FieldSpec kLocationFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"location_type", T::kEnum, true, "", kLocationLocationType},
    {"url", T::kUri, false, "", {}},
    {"organization_id", T::kUuid, false, "organization", {}},
    {"name", T::kString, false, "", {}},
    {"alternate_name", T::kString, false, "", {}},
    {"description", T::kString, false, "", {}},
    {"transportation", T::kString, false, "", {}},
    {"latitude", T::kNumber, false, "", {}},
    {"longitude", T::kNumber, false, "", {}},
    {"external_identifier", T::kString, false, "", {}},
    {"external_identifier_type", T::kString, false, "", {}},
};

constexpr FieldSpec kServiceAtLocationFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"service_id", T::kUuid, true, "service", {}},
    {"location_id", T::kUuid, true, "location", {}},
    {"description", T::kString, false, "", {}},
};

constexpr FieldSpec kAddressFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"location_id", T::kUuid, false, "location", {}},
    {"attention", T::kString, false, "", {}},
    {"address_1", T::kString, true, "", {}},
    {"address_2", T::kString, false, "", {}},
    {"city", T::kString, true, "", {}},
    {"region", T::kString, false, "", {}},
    {"state_province", T::kString, true, "", {}},
    {"postal_code", T::kString, true, "", {}},
    {"country", T::kString, true, "", {}},
    {"address_type", T::kEnum, true, "", kAddressAddressType},
};

constexpr FieldSpec kContactFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"organization_id", T::kUuid, false, "organization", {}},
    {"service_id", T::kUuid, false, "service", {}},
    {"service_at_location_id", T::kUuid, false, "service_at_location", {}},
    {"location_id", T::kUuid, false, "location", {}},
    {"name", T::kString, false, "", {}},
    {"title", T::kString, false, "", {}},
    {"department", T::kString, false, "", {}},
    {"email", T::kEmail, false, "", {}},
};

constexpr FieldSpec kPhoneFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"location_id", T::kUuid, false, "location", {}},
    {"service_id", T::kUuid, false, "service", {}},
    {"organization_id", T::kUuid, false, "organization", {}},
    {"contact_id", T::kUuid, false, "contact", {}},
    {"service_at_location_id", T::kUuid, false, "service_at_location", {}},
    {"number", T::kString, true, "", {}},
    {"extension", T::kNumber, false, "", {}},
    {"type", T::kString, false, "", {}},
    {"description", T::kString, false, "", {}},
};

constexpr FieldSpec kScheduleFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"service_id", T::kUuid, false, "service", {}},
    {"location_id", T::kUuid, false, "location", {}},
    {"service_at_location_id", T::kUuid, false, "service_at_location", {}},
    {"valid_from", T::kDate, false, "", {}},
    {"valid_to", T::kDate, false, "", {}},
    {"dtstart", T::kDate, false, "", {}},
    {"timezone", T::kNumber, false, "", {}},
    {"until", T::kDate, false, "", {}},
    {"count", T::kNumber, false, "", {}},
    {"wkst", T::kEnum, false, "", kScheduleWkst},
    {"freq", T::kEnum, false, "", kScheduleFreq},
    {"interval", T::kNumber, false, "", {}},
    {"byday", T::kString, false, "", {}},
    {"byweekno", T::kString, false, "", {}},
    {"bymonthday", T::kString, false, "", {}},
    {"byyearday", T::kString, false, "", {}},
    {"description", T::kString, false, "", {}},
    {"opens_at", T::kTime, false, "", {}},
    {"closes_at", T::kTime, false, "", {}},
    {"schedule_link", T::kUri, false, "", {}},
    {"attending_type", T::kString, false, "", {}},
    {"notes", T::kString, false, "", {}},
};

constexpr FieldSpec kServiceAreaFields[] = {
    {"id", T::kUuid, true, "", {}},        {"service_id", T::kUuid, false, "service", {}},
    {"name", T::kString, false, "", {}},   {"description", T::kString, false, "", {}},
    {"extent", T::kString, false, "", {}}, {"extent_type", T::kString, false, "", {}},
    {"uri", T::kString, false, "", {}},
};

constexpr FieldSpec kLanguageFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"service_id", T::kUuid, false, "service", {}},
    {"location_id", T::kUuid, false, "location", {}},
    {"phone_id", T::kUuid, false, "phone", {}},
    {"name", T::kString, false, "", {}},
    {"code", T::kString, false, "", {}},
    {"note", T::kString, false, "", {}},
};

constexpr FieldSpec kFundingFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"organization_id", T::kUuid, false, "organization", {}},
    {"service_id", T::kUuid, false, "service", {}},
    {"source", T::kString, false, "", {}},
};

constexpr FieldSpec kCostOptionFields[] = {
    {"id", T::kUuid, true, "", {}},          {"service_id", T::kUuid, true, "service", {}},
    {"valid_from", T::kDate, false, "", {}}, {"valid_to", T::kDate, false, "", {}},
    {"option", T::kString, false, "", {}},   {"currency", T::kString, false, "", {}},
    {"amount", T::kNumber, false, "", {}},   {"amount_description", T::kString, false, "", {}},
};

constexpr FieldSpec kAccessibilityFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"location_id", T::kUuid, false, "location", {}},
    {"description", T::kString, false, "", {}},
    {"details", T::kString, false, "", {}},
    {"url", T::kUri, false, "", {}},
};

constexpr FieldSpec kRequiredDocumentFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"service_id", T::kUuid, false, "service", {}},
    {"document", T::kString, false, "", {}},
    {"uri", T::kUri, false, "", {}},
};

constexpr FieldSpec kAttributeFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"link_id", T::kUuid, true, "", {}},
    {"taxonomy_term_id", T::kUuid, true, "taxonomy_term", {}},
    {"link_type", T::kString, false, "", {}},
    {"link_entity", T::kString, true, "", {}},
    {"value", T::kString, false, "", {}},
};

constexpr FieldSpec kMetadataFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"resource_id", T::kUuid, true, "", {}},
    {"resource_type", T::kString, true, "", {}},
    {"last_action_date", T::kDate, true, "", {}},
    {"last_action_type", T::kString, true, "", {}},
    {"field_name", T::kString, true, "", {}},
    {"previous_value", T::kString, true, "", {}, true},
    {"replacement_value", T::kString, true, "", {}, true},
    {"updated_by", T::kString, true, "", {}},
};

constexpr FieldSpec kMetaTableDescriptionFields[] = {
    {"id", T::kUuid, true, "", {}},
    {"name", T::kString, false, "", {}},
    {"language", T::kString, false, "", {}},
    {"character_set", T::kString, false, "", {}},
};

constexpr TableSpec kTables[] = {
    {"taxonomy", "taxonomies.csv", "hsds_taxonomy", kTaxonomyFields},
    {"taxonomy_term", "taxonomy_terms.csv", "hsds_taxonomy_term", kTaxonomyTermFields},
    {"organization", "organizations.csv", "hsds_organization", kOrganizationFields},
    {"organization_identifier", "organization_identifiers.csv", "hsds_organization_identifier",
     kOrganizationIdentifierFields},
    {"program", "programs.csv", "hsds_program", kProgramFields},
    {"service", "services.csv", "hsds_service", kServiceFields},
    {"location", "locations.csv", "hsds_location", kLocationFields},
    {"service_at_location", "service_at_location.csv", "hsds_service_at_location",
     kServiceAtLocationFields},
    {"address", "addresses.csv", "hsds_address", kAddressFields},
    {"contact", "contacts.csv", "hsds_contact", kContactFields},
    {"phone", "phones.csv", "hsds_phone", kPhoneFields},
    {"schedule", "schedules.csv", "hsds_schedule", kScheduleFields},
    {"service_area", "service_areas.csv", "hsds_service_area", kServiceAreaFields},
    {"language", "languages.csv", "hsds_language", kLanguageFields},
    {"funding", "funding.csv", "hsds_funding", kFundingFields},
    {"cost_option", "cost_options.csv", "hsds_cost_option", kCostOptionFields},
    {"accessibility", "accessibility.csv", "hsds_accessibility", kAccessibilityFields},
    {"required_document", "required_documents.csv", "hsds_required_document",
     kRequiredDocumentFields},
    {"attribute", "attributes.csv", "hsds_attribute", kAttributeFields},
    {"metadata", "metadata.csv", "hsds_metadata", kMetadataFields},
    {"meta_table_description", "meta_table_descriptions.csv", "hsds_meta_table_description",
     kMetaTableDescriptionFields},
};

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3986 characters (unreserved, reserved, '%'): what ajv-formats accepts
// in a "uri" apart from its structure.
bool uri_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

bool valid_uri(std::string_view s) {
  // scheme ":" rest, scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  const char first = s[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
          c == '-' || c == '.'))
      return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!uri_char(s[i])) return false;
    if (s[i] == '%' && (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))) return false;
  }
  return true;
}

bool valid_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = s.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.')
    return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '(' || c == ')' || c == ',' ||
        c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\' ||
        static_cast<unsigned char>(c) >= 0x80)
      return false;
  return true;
}

// RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM).
bool valid_date_time(std::string_view s) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return false;
  if (!Date::parse(s.substr(0, 10), "x")) return false;
  auto two = [&](std::size_t at, int max) {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9')
      return false;
    return (s[at] - '0') * 10 + (s[at + 1] - '0') <= max;
  };
  if (!two(11, 23) || s[13] != ':' || !two(14, 59) || s[16] != ':' || !two(17, 60)) return false;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t digits_from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == digits_from) return false;
  }
  const std::string_view zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && two(i + 1, 23) &&
         zone[3] == ':' && two(i + 4, 59);
}

std::string quoted(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  out += name;
  out += '"';
  return out;
}

}  // namespace

int TableSpec::index_of(std::string_view field) const {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field) return static_cast<int>(i);
  return -1;
}

std::span<const TableSpec> tables() {
  return kTables;
}

const TableSpec* find_table(std::string_view name) {
  for (const auto& t : kTables)
    if (t.name == name) return &t;
  return nullptr;
}

const TableSpec* find_table_by_file(std::string_view file) {
  for (const auto& t : kTables)
    if (t.file == file) return &t;
  return nullptr;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!is_hex(s[i])) {
      return false;
    }
  }
  return true;
}

std::string canonical_number(double v) {
  if (v == 0) return "0";  // also -0
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

Result<std::string> check_value(const FieldSpec& f, std::string_view text) {
  const std::string name(f.name);
  switch (f.type) {
    case T::kString:
      return std::string(text);
    case T::kUuid:
      if (!is_uuid(text))
        return Error::invalid(name, "UUID erwartet (8-4-4-4-12 Hexadezimalziffern), nicht \"" +
                                        std::string(text) + "\".");
      return std::string(text);
    case T::kUri:
      if (!valid_uri(text))
        return Error::invalid(name,
                              "Absolute URI erwartet (z. B. https://…, nur ASCII, "
                              "Sonderzeichen %-kodiert), nicht \"" +
                                  std::string(text) + "\".");
      return std::string(text);
    case T::kEmail:
      if (!valid_email(text))
        return Error::invalid(name,
                              "E-Mail-Adresse erwartet, nicht \"" + std::string(text) + "\".");
      return std::string(text);
    case T::kNumber: {
      double v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
        return Error::invalid(name, "Zahl erwartet, nicht \"" + std::string(text) + "\".");
      return canonical_number(v);
    }
    case T::kDate: {
      auto d = Date::parse(text, name);
      if (!d) return d.error();
      return std::string(text);
    }
    case T::kTime: {
      auto t = domain::parse_time_of_day(text, name);
      if (!t) return t.error();
      return std::string(text);
    }
    case T::kDateTime:
      if (!valid_date_time(text))
        return Error::invalid(name,
                              "Zeitpunkt nach RFC 3339 erwartet (2026-11-21T16:54:00Z), "
                              "nicht \"" +
                                  std::string(text) + "\".");
      return std::string(text);
    case T::kEnum: {
      std::string allowed;
      for (std::string_view v : f.values) {
        if (v == text) return std::string(text);
        if (!allowed.empty()) allowed += ", ";
        allowed += v;
      }
      return Error::invalid(
          name, "Unbekannter Wert \"" + std::string(text) + "\" (erlaubt: " + allowed + ").");
    }
  }
  return std::string(text);
}

std::string sql_columns(const TableSpec& table) {
  std::string out;
  for (const auto& f : table.fields) {
    if (!out.empty()) out += ", ";
    out += quoted(f.name);
  }
  return out;
}

boost::json::object record_json(const TableSpec& table, const Record& record) {
  boost::json::object o;
  for (std::size_t i = 0; i < table.fields.size() && i < record.size(); ++i) {
    if (!record[i]) continue;
    const FieldSpec& f = table.fields[i];
    if (f.type == T::kNumber) {
      double v = 0;
      std::from_chars(record[i]->data(), record[i]->data() + record[i]->size(), v);
      o[f.name] = v;
    } else {
      o[f.name] = *record[i];
    }
  }
  return o;
}

}  // namespace lotse::catalogue::hsds
