#include "lotse/catalogue/jba_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "lotse/common/crypto.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_vocabulary.h"

namespace lotse::catalogue {
namespace {

constexpr ProfileTaxonomy kTaxonomies[] = {
    {Facet::kAlliance, "jba-alliance", "JBA: Bündnis",
     "Das regionale Arbeitsbündnis (Jugendberufsagentur), zu dem ein Angebot oder eine "
     "Anlaufstelle gehört; Code: Kreisschlüssel (AGS).",
     false},
    {Facet::kLegalSphere, "jba-legal-sphere", "JBA: Rechtskreis",
     "Rechtskreis des Angebots: SGB II, SGB III, SGB VIII, Schule oder Sonstige.", false},
    {Facet::kPhase, "jba-phase", "JBA: Phase des Übergangs",
     "Phasen 1 (ab Klasse 7) bis 5 (nach der Ausbildung), für die das Angebot gedacht ist.", true},
    {Facet::kNeed, "jba-need", "JBA: Bedarfslagen",
     "Bedarfslagen, auf die das Angebot antwortet (dieselben Schlüssel wie in der Fallarbeit).",
     true},
    {Facet::kTargetGroup, "jba-target-group", "JBA: Zielgruppen",
     "Besondere Zielgruppen des Angebots.", true},
    {Facet::kFunding, "jba-funding", "JBA: Finanzierung",
     "Art der Finanzierung: Regelinstrument, Regionalbudget, ESF Plus, Land, Bund.", true},
    {Facet::kContactKind, "jba-contact-point", "JBA: Art der Anlaufstelle",
     "Zentrale Anlaufstelle, dezentrale Beratung (Schule, Jugendzentrum, Träger), "
     "Haltestelle des Beratungsbusses oder virtueller Kanal.",
     false},
    {Facet::kDetail, "jba-detail", "JBA: Angaben zum Angebot",
     "Angaben mit Wert in attribute.value: Rechtsgrundlage (§), Kapazität (Plätze), "
     "Wartezeit (Tage).",
     false},
};

struct Code {
  std::string code, name, description;
};

std::vector<Code> terms_of(Facet f) {
  std::vector<Code> out;
  auto from = [&](std::span<const domain::CatalogueTerm> terms) {
    for (const auto& t : terms)
      out.push_back({std::string(t.key), std::string(t.label_de), std::string(t.label_de)});
  };
  switch (f) {
    case Facet::kAlliance:
      break;  // from the alliances table
    case Facet::kLegalSphere:
      from(domain::offer_legal_spheres());
      break;
    case Facet::kPhase:
      for (int p = 1; p <= 5; ++p)
        out.push_back({std::to_string(p), std::string(domain::phase_label_de(p)),
                       std::string(domain::phase_label_de(p))});
      break;
    case Facet::kNeed:
      for (const auto& n : domain::all_needs())
        out.push_back({std::string(n.key), std::string(n.label_de), std::string(n.label_de)});
      break;
    case Facet::kTargetGroup:
      from(domain::target_groups());
      break;
    case Facet::kFunding:
      from(domain::funding_kinds());
      break;
    case Facet::kContactKind:
      from(domain::contact_point_kinds());
      break;
    case Facet::kDetail:
      out.push_back({std::string(kLegalBasis), "Rechtsgrundlage",
                     "Rechtsgrundlage des Angebots, z. B. \"§ 29 ff. SGB III\" (Wert)."});
      out.push_back({std::string(kCapacity), "Kapazität", "Anzahl der Plätze (Wert: ganze Zahl)."});
      out.push_back({std::string(kWaitingDays), "Wartezeit",
                     "Übliche Wartezeit bis zum Beginn in Tagen (Wert: ganze Zahl)."});
      break;
  }
  return out;
}

bool valid_code(Facet f, std::string_view code, const std::set<std::string>& alliances) {
  if (f == Facet::kAlliance) return alliances.contains(std::string(code));
  for (const Code& c : terms_of(f))
    if (c.code == code) return true;
  return false;
}

bool links_to(Facet f, std::string_view entity) {
  // Organizations: the alliance whose coordination maintains the provider.
  if (f == Facet::kAlliance)
    return entity == "service" || entity == "location" || entity == "organization";
  if (f == Facet::kContactKind) return entity == "location";
  return entity == "service";
}

bool non_negative_int(std::string_view s, std::int64_t& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

std::string uuid_from_hex(std::string hex, char version) {
  hex[12] = version;
  static constexpr char kVariant[] = "89ab";
  const int nibble = hex[16] <= '9' ? hex[16] - '0' : hex[16] - 'a' + 10;
  hex[16] = kVariant[nibble & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace

std::string name_uuid(std::string_view name) {
  return uuid_from_hex(sha256_hex("lotse:" + std::string(name)).substr(0, 32), '8');
}

std::string random_uuid() {
  crypto_init();
  return uuid_from_hex(sha256_hex(random_token(32)).substr(0, 32), '4');
}

std::span<const ProfileTaxonomy> profile_taxonomies() {
  return kTaxonomies;
}

const ProfileTaxonomy& profile_taxonomy(Facet facet) {
  for (const auto& t : kTaxonomies)
    if (t.facet == facet) return t;
  return kTaxonomies[0];
}

std::string profile_taxonomy_id(Facet facet) {
  return name_uuid("hsds-profile:" + std::string(profile_taxonomy(facet).key));
}

std::string profile_term_id(Facet facet, std::string_view code) {
  return name_uuid("hsds-profile:" + std::string(profile_taxonomy(facet).key) + ":" +
                   std::string(code));
}

std::optional<Facet> facet_of_taxonomy(std::string_view taxonomy_id) {
  // Fourteen ids; computed once.
  static const std::vector<std::pair<std::string, Facet>> kIds = [] {
    std::vector<std::pair<std::string, Facet>> ids;
    for (const auto& t : kTaxonomies) ids.emplace_back(profile_taxonomy_id(t.facet), t.facet);
    return ids;
  }();
  for (const auto& [id, facet] : kIds)
    if (id == taxonomy_id) return facet;
  return std::nullopt;
}

Result<void> add_profile_vocabulary(
    Dataset& data, const std::vector<std::pair<std::string, std::string>>& alliances) {
  for (const ProfileTaxonomy& t : kTaxonomies) {
    LOTSE_TRY(data.add("taxonomy", {{"id", profile_taxonomy_id(t.facet)},
                                    {"name", std::string(t.name)},
                                    {"description", std::string(t.description)},
                                    {"version", "1"}}));
    std::vector<Code> codes = terms_of(t.facet);
    if (t.facet == Facet::kAlliance)
      for (const auto& [ags, name] : alliances)
        codes.push_back(
            {ags, name, "Jugendberufsagentur " + name + " (Kreisschlüssel " + ags + ")"});
    for (const Code& c : codes)
      LOTSE_TRY(data.add("taxonomy_term", {{"id", profile_term_id(t.facet, c.code)},
                                           {"code", c.code},
                                           {"name", c.name},
                                           {"description", c.description},
                                           {"taxonomy", std::string(t.name)},
                                           {"language", "de"},
                                           {"taxonomy_id", profile_taxonomy_id(t.facet)}}));
  }
  return ok();
}

std::vector<Issue> check_profile(const Dataset& data, const ProfileContext& context) {
  std::vector<Issue> issues;
  // Terms: data set over stored.
  std::unordered_map<std::string, std::pair<std::string, std::string>> terms(context.terms.begin(),
                                                                             context.terms.end());
  const TableData& term_table = data.table("taxonomy_term");
  const auto& term_spec = *term_table.spec;
  const std::size_t t_id = 0, t_code = static_cast<std::size_t>(term_spec.index_of("code")),
                    t_tax = static_cast<std::size_t>(term_spec.index_of("taxonomy_id"));
  for (std::size_t k = 0; k < term_table.rows.size(); ++k) {
    const auto& r = term_table.rows[k];
    if (!r[t_id]) continue;
    terms[*r[t_id]] = {r[t_tax].value_or(""), r[t_code].value_or("")};
    auto facet = facet_of_taxonomy(r[t_tax].value_or(""));
    if (!facet) continue;
    if (!r[t_code]) {
      issues.push_back(
          issue_at(term_table, k, "code", "Begriffe der JBA-Taxonomien brauchen einen Code."));
    } else if (!valid_code(*facet, *r[t_code], context.alliances)) {
      issues.push_back(
          issue_at(term_table, k, "code",
                   *facet == Facet::kAlliance
                       ? "Kein Bündnis mit dem Kreisschlüssel " + *r[t_code] + "." +
                             (context.alliances.empty()
                                  ? " Die Datenbank kennt noch keine Bündnisse: erst die "
                                    "Organisationsdaten laden (lotse demo)."
                                  : "")
                       : "Unbekannter Code \"" + *r[t_code] + "\" in " +
                             std::string(profile_taxonomy(*facet).name) + "."));
    }
  }

  // Single-valued facets per record: (link id, facet or detail code) → attribute ids.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> single;
  auto single_key = [](Facet f, const std::string& code) {
    return f == Facet::kDetail ? "detail:" + code : std::string(profile_taxonomy(f).key);
  };
  for (const auto& [attr_id, link_term] : context.attributes) {
    auto it = terms.find(link_term.second);
    if (it == terms.end()) continue;
    auto facet = facet_of_taxonomy(it->second.first);
    if (facet && !profile_taxonomy(*facet).multi)
      single[{link_term.first, single_key(*facet, it->second.second)}].insert(attr_id);
  }

  const TableData& attrs = data.table("attribute");
  const auto& a_spec = *attrs.spec;
  const auto a_link = static_cast<std::size_t>(a_spec.index_of("link_id"));
  const auto a_term = static_cast<std::size_t>(a_spec.index_of("taxonomy_term_id"));
  const auto a_entity = static_cast<std::size_t>(a_spec.index_of("link_entity"));
  const auto a_value = static_cast<std::size_t>(a_spec.index_of("value"));
  // Data-set attributes replace stored ones with the same id.
  for (const auto& r : attrs.rows)
    if (r[0])
      for (auto& [key, ids] : single) ids.erase(*r[0]);
  for (std::size_t k = 0; k < attrs.rows.size(); ++k) {
    const auto& r = attrs.rows[k];
    if (!r[a_term] || !r[a_link]) continue;
    auto it = terms.find(*r[a_term]);
    if (it == terms.end()) continue;  // a dangling reference, reported by check_dataset
    auto facet = facet_of_taxonomy(it->second.first);
    if (!facet) continue;
    const ProfileTaxonomy& tax = profile_taxonomy(*facet);
    const std::string& code = it->second.second;
    const std::string entity = r[a_entity].value_or("");
    if (!links_to(*facet, entity))
      issues.push_back(issue_at(attrs, k, "link_entity",
                                std::string(tax.name) + " gilt nicht für " +
                                    (entity.empty() ? std::string("(leer)") : entity) + "."));
    if (*facet == Facet::kDetail) {
      const std::string value = r[a_value].value_or("");
      std::int64_t n = 0;
      if (value.empty())
        issues.push_back(
            issue_at(attrs, k, "value", "Die Angabe \"" + code + "\" braucht einen Wert."));
      else if ((code == kCapacity || code == kWaitingDays) && !non_negative_int(value, n))
        issues.push_back(issue_at(
            attrs, k, "value",
            "Für \"" + code + "\" eine ganze Zahl ab 0 erwarten, nicht \"" + value + "\"."));
    }
    if (!tax.multi) {
      auto& ids = single[{*r[a_link], single_key(*facet, code)}];
      ids.insert(r[0].value_or(""));
      if (ids.size() > 1)
        issues.push_back(issue_at(
            attrs, k, "taxonomy_term_id",
            (*facet == Facet::kDetail ? "Die Angabe \"" + code + "\"" : std::string(tax.name)) +
                " ist für " + *r[a_link] + " nur einmal erlaubt."));
    }
  }
  return issues;
}

DerivedProfiles derive_profiles(const std::vector<ProfileAttribute>& attributes) {
  DerivedProfiles out;
  auto keep_smallest = [](std::string& slot, const std::string& code) {
    if (slot.empty() || code < slot) slot = code;
  };
  for (const ProfileAttribute& a : attributes) {
    if (a.link_entity == "location") {
      LocationProfile& p = out.locations[a.link_id];
      if (a.facet == Facet::kAlliance) keep_smallest(p.alliance_ags, a.code);
      if (a.facet == Facet::kContactKind) keep_smallest(p.kind, a.code);
      continue;
    }
    if (a.link_entity != "service") continue;
    ServiceProfile& p = out.services[a.link_id];
    std::int64_t n = 0;
    switch (a.facet) {
      case Facet::kAlliance:
        keep_smallest(p.alliance_ags, a.code);
        break;
      case Facet::kLegalSphere:
        keep_smallest(p.legal_sphere, a.code);
        break;
      case Facet::kPhase:
        p.phases.push_back(a.code);
        break;
      case Facet::kNeed:
        p.needs.push_back(a.code);
        break;
      case Facet::kTargetGroup:
        p.target_groups.push_back(a.code);
        break;
      case Facet::kFunding:
        p.funding.push_back(a.code);
        break;
      case Facet::kContactKind:
        break;
      case Facet::kDetail:
        if (a.code == kLegalBasis) keep_smallest(p.legal_basis, a.value);
        if (a.code == kCapacity && non_negative_int(a.value, n) && (!p.capacity || n < *p.capacity))
          p.capacity = n;
        if (a.code == kWaitingDays && non_negative_int(a.value, n) &&
            (!p.waiting_days || n < *p.waiting_days))
          p.waiting_days = n;
        break;
    }
  }
  auto tidy = [](std::vector<std::string>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  for (auto& [id, p] : out.services) {
    tidy(p.phases);
    tidy(p.needs);
    tidy(p.target_groups);
    tidy(p.funding);
  }
  return out;
}

}  // namespace lotse::catalogue
