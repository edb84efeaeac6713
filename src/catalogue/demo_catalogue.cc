#include "lotse/catalogue/demo_catalogue.h"

#include <fmt/format.h>

#include <map>
#include <span>

#include "lotse/catalogue/jba_profile.h"
#include "lotse/common/date.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/catalogue_schedule.h"
#include "lotse/domain/catalogue_vocabulary.h"

namespace lotse::catalogue {
namespace {

// Where an offer is available.
enum Where : unsigned {
  kCentral = 1,
  kSchool = 2,
  kYouth = 4,
  kProvider = 8,
  kCounselling = 16,  // Beratungszentrum (debt and addiction counselling)
  kBus = 32,
  kChat = 64,
  kVideo = 128,
  kMessenger = 256,
  kPhone = 512,
};

struct OfferTemplate {
  const char* key;
  const char* name;
  const char* description;
  const char* sphere;
  const char* basis;
  const char* needs;  // comma lists
  const char* phases;
  const char* targets;
  const char* funding;
  const char* provider;  // organisation key
  int min_age, max_age;  // -1: none
  const char* eligibility;
  int capacity, waiting_days;  // -1: none
  unsigned where;
  bool optional;  // left out in some alliances, so that the overview shows gaps
  bool bus_only = false;
};

constexpr OfferTemplate kOffers[] = {
    {"berufsberatung", "Berufsberatung",
     "Du weißt noch nicht, welcher Beruf zu dir passt, oder suchst einen Ausbildungsplatz? Die "
     "Berufsberatung der Agentur für Arbeit hilft dir, deine Stärken zu erkennen, Berufe "
     "kennenzulernen und eine Ausbildung oder ein Studium zu finden. Deine Eltern können "
     "mitkommen.",
     "sgb3", "§ 29 ff. SGB III", "careers_orientation,applications", "2,3,4,5",
     "parents,schools_teachers,disability", "standard_instrument", "aa", 14, 27,
     "Alle jungen Menschen vor, während und nach der Schule.", -1, 7,
     kCentral | kSchool | kVideo | kPhone | kBus, false},
    {"bom", "Berufsorientierungsmaßnahme (BOM)",
     "In Werkstatttagen probierst du verschiedene Berufsfelder aus – vom Handwerk bis zur Pflege. "
     "So findest du heraus, was dir Spaß macht, bevor du dich bewirbst.",
     "sgb3", "§ 48 SGB III", "careers_orientation", "1,2", "schools_teachers,special_school",
     "standard_instrument,land", "bildung", 12, 17, "Schülerinnen und Schüler ab Klasse 7.", 60, -1,
     kSchool | kProvider, true},
    {"bereb", "Berufseinstiegsbegleitung",
     "Eine feste Begleiterin oder ein fester Begleiter unterstützt dich ab der Vorabgangsklasse: "
     "beim Schulabschluss, bei der Berufswahl, bei Bewerbungen und in den ersten Monaten der "
     "Ausbildung.",
     "sgb3", "§ 49 SGB III", "school_qualification,applications,motivation", "2,3,4",
     "special_support,special_school", "standard_instrument,land", "bildung", 13, 20,
     "Schülerinnen und Schüler, die voraussichtlich Schwierigkeiten mit dem Schulabschluss oder "
     "dem Übergang in die Ausbildung haben; die Schule schlägt vor.",
     40, -1, kSchool, false},
    {"bvb", "Berufsvorbereitende Bildungsmaßnahme (BvB)",
     "Nach der Schule noch keine Ausbildung? In der BvB bereitest du dich bis zu einem Jahr auf "
     "eine Ausbildung vor – mit Praktika in Betrieben, Unterricht und Begleitung. Den "
     "Hauptschulabschluss kannst du dabei nachholen.",
     "sgb3", "§ 51 SGB III", "careers_orientation,school_qualification,motivation", "4",
     "special_support,disability", "standard_instrument", "bildung", 15, 25,
     "Junge Menschen ohne Ausbildungsplatz, die die Schulpflicht erfüllt haben.", 24, 21,
     kProvider | kCentral, false},
    {"eq", "Einstiegsqualifizierung (EQ)",
     "Ein Langzeitpraktikum von 6 bis 12 Monaten in einem Betrieb als Brücke in die Ausbildung. "
     "Viele Betriebe übernehmen ihre EQ-Praktikantinnen und -Praktikanten in die Ausbildung.",
     "sgb3", "§ 54a SGB III", "applications,motivation", "4", "companies,migrants_refugees",
     "standard_instrument", "aa", 15, 25,
     "Junge Menschen, die noch keinen Ausbildungsplatz gefunden haben.", -1, 14, kCentral, false},
    {"asa", "Assistierte Ausbildung (AsA flex)",
     "Du findest keinen Ausbildungsplatz, oder es läuft in der Ausbildung gerade schwierig? AsA "
     "flex hilft vor und während der Ausbildung mit Nachhilfe, Prüfungsvorbereitung und "
     "Unterstützung im Alltag – und berät auch deinen Betrieb.",
     "sgb3", "§ 74 SGB III", "applications,school_qualification,motivation", "3,4",
     "special_support,companies,migrants_refugees", "standard_instrument", "bildung", 15, 27, "",
     30, 14, kProvider | kCentral, false},
    {"jugendberufshilfe", "Jugendberufshilfe",
     "Wenn gerade vieles schwierig ist – Schule, Familie, Geld, Wohnen – hilft dir die "
     "Jugendberufshilfe, Schritt für Schritt wieder Tritt zu fassen: mit Begleitung, "
     "Werkstattangeboten und Unterstützung auf dem Weg in Ausbildung und Arbeit.",
     "sgb8", "§ 13 SGB VIII", "motivation,family,housing,health_addiction", "3,4",
     "special_support", "standard_instrument", "jugend", 14, 26, "", 20, 10, kYouth | kCentral,
     false},
    {"jugendwohnen", "Jugendwohnen",
     "Für deine Ausbildung musst du in eine andere Stadt ziehen oder kannst nicht mehr zu Hause "
     "wohnen? Im Jugendwohnen bekommst du ein Zimmer und Begleitung während Schule, Ausbildung "
     "oder Berufsvorbereitung.",
     "sgb8", "§ 13 Abs. 3 SGB VIII", "housing,care_leaver,mobility", "4,5",
     "special_support,migrants_refugees", "standard_instrument,land", "jugend", 15, 26, "", 18, 30,
     kYouth, true},
    {"16h", "Neustart für schwer erreichbare junge Menschen",
     "Keine Lust mehr auf Ämter? Unsere Straßensozialarbeiterinnen und -arbeiter kommen zu dir, "
     "helfen bei Anträgen, Wohnungsproblemen und beim Neustart – ohne Druck.",
     "sgb2", "§ 16h SGB II", "motivation,housing,health_addiction,residence_status", "4",
     "special_support", "standard_instrument", "jugend", 15, 25,
     "Junge Menschen unter 25, die von Sozialleistungen und Hilfen nicht mehr erreicht werden.", -1,
     -1, kYouth | kMessenger, false},
    {"schuldnerberatung", "Schuldnerberatung",
     "Handyvertrag, Mahnungen, Inkasso? Die Schuldnerberatung verschafft dir einen Überblick, "
     "verhandelt mit Gläubigern und hilft dir, wieder schuldenfrei zu werden. Kostenlos und "
     "vertraulich.",
     "sgb2", "§ 16a Nr. 2 SGB II", "debts", "4,5", "special_support,parents", "standard_instrument",
     "schuldner", 16, -1, "", -1, 21, kCounselling | kPhone, false},
    {"suchtberatung", "Suchtberatung",
     "Alkohol, Cannabis, Zocken oder Social Media geraten außer Kontrolle? Die Suchtberatung hört "
     "zu, ohne zu urteilen, und sucht mit dir nach Wegen – anonym, wenn du willst.",
     "sgb2", "§ 16a Nr. 4 SGB II", "health_addiction", "3,4,5", "special_support,parents",
     "standard_instrument,land", "sucht", 14, -1, "", -1, 7, kCounselling | kChat, true},
    {"kompetenzfeststellung", "Kompetenzfeststellung (Potenzialanalyse)",
     "In Klasse 7 findest du in einer zweitägigen Potenzialanalyse heraus, was du besonders gut "
     "kannst. Die Ergebnisse helfen dir und deinen Lehrkräften bei der Berufsorientierung.",
     "school", "Erlass zur Berufs- und Studienorientierung (Sachsen-Anhalt)", "careers_orientation",
     "1", "schools_teachers,special_school,disability", "land,esf", "schule", 12, 15, "", -1, -1,
     kSchool, false},
    {"bewerbungstraining", "Bewerbungstraining",
     "Lebenslauf, Anschreiben, Vorstellungsgespräch: Im Bewerbungstraining übst du alles, was du "
     "für eine erfolgreiche Bewerbung brauchst – mit Bewerbungsfotos und Probe-Gesprächen.",
     "sgb2", "§ 16 Abs. 1 SGB II i. V. m. § 45 SGB III", "applications", "3,4",
     "migrants_refugees,special_support", "standard_instrument", "bildung", 15, 25, "", 12, 14,
     kProvider | kCentral, false},
    {"praktikumsboerse", "Praktikumsbörse",
     "Hier findest du Praktikumsplätze bei Betrieben in deiner Region – für das "
     "Schülerbetriebspraktikum, in den Ferien oder zur Orientierung nach der Schule.",
     "other", "Regionales Projekt des Bündnisses", "careers_orientation,applications", "2,3",
     "companies,schools_teachers", "regional_budget", "jba", 13, 25, "", -1, -1, kCentral | kChat,
     true},
    {"elternabende", "Elternabende zur Berufswahl",
     "Eltern sind die wichtigsten Ratgeber bei der Berufswahl. An Elternabenden in den Schulen "
     "stellen Berufsberatung, Jobcenter und Jugendamt Wege nach der Schule vor.",
     "school", "Schulgesetz des Landes Sachsen-Anhalt (Berufsorientierung)",
     "careers_orientation,family", "1,2", "parents,schools_teachers", "regional_budget", "schule",
     -1, -1, "", -1, -1, kSchool, true},
    {"deutsch", "Berufsbezogene Deutschsprachförderung",
     "Deutsch für Ausbildung und Beruf: Kurse mit Fachsprache, Bewerbungsdeutsch und Praktikum, "
     "auch neben der Ausbildung.",
     "other", "§ 45a AufenthG (DeuFöV)", "language,residence_status", "4,5", "migrants_refugees",
     "bund", "bildung", 16, -1, "", 20, 28, kProvider, false},
    {"vermittlung", "Vermittlung nach der Ausbildung",
     "Ausbildung geschafft – und jetzt? Jobcenter und Agentur für Arbeit unterstützen dich bei der "
     "Suche nach einer Stelle, bei Bewerbungen und beim Start in den Job.",
     "sgb2", "§ 16 Abs. 1 SGB II i. V. m. § 35 SGB III", "applications,motivation", "5", "",
     "standard_instrument", "jc", 18, 27, "", -1, 7, kCentral | kPhone, false},
    {"junge_eltern", "Beratung für junge Eltern",
     "Mit Kind in die Ausbildung? Wir beraten dich zur Teilzeitausbildung und helfen, eine "
     "Kinderbetreuung zu organisieren.",
     "sgb2", "§ 16a Nr. 1 SGB II", "childcare,family", "4,5", "parents", "standard_instrument",
     "jc", 16, 27, "", -1, 7, kCentral, true},
    {"reha", "Berufliche Rehabilitation (Reha-Beratung)",
     "Mit einer Behinderung oder gesundheitlichen Einschränkung in Ausbildung und Beruf: Die "
     "Reha-Beratung sucht mit dir passende Ausbildungen, Hilfsmittel und Unterstützung.",
     "sgb3", "§§ 112 ff. SGB III", "disability,careers_orientation", "2,3,4",
     "disability,special_school", "standard_instrument", "aa", 14, 27, "", -1, 14,
     kCentral | kSchool, false},
    {"mobilitaet", "Mobilitätshilfen (Vermittlungsbudget)",
     "Fahrtkosten zum Vorstellungsgespräch, Zuschuss zur Monatskarte oder zum Führerschein: Wenn "
     "der Weg zur Ausbildung am Geld scheitert, kann das Vermittlungsbudget helfen.",
     "sgb3", "§ 44 SGB III", "mobility", "4,5", "", "standard_instrument", "aa", 15, 27, "", -1, 7,
     kCentral | kPhone, false},
    {"online", "Online-Beratung der Jugendberufsagentur",
     "Schreib uns im Chat oder per Messenger oder verabrede ein Videogespräch – zu Schule, "
     "Ausbildung, Geld, Wohnen oder wenn du nicht weißt, wo du anfangen sollst.",
     "other", "Kooperationsvereinbarung der Jugendberufsagentur",
     "careers_orientation,applications,motivation", "2,3,4,5", "parents", "regional_budget", "jba",
     14, 27, "", -1, -1, kChat | kVideo | kMessenger | kPhone, false},
    {"beratungsbus", "Beratungsbus der Jugendberufsagentur",
     "Der Beratungsbus kommt in deinen Ort: Berufsberatung, Jobcenter und Jugendhilfe an Bord, "
     "ohne Termin. Haltestellen und Zeiten stehen bei den Anlaufstellen.",
     "other", "Kooperationsvereinbarung der Jugendberufsagentur",
     "careers_orientation,applications,mobility", "2,3,4", "parents", "regional_budget,esf", "jba",
     14, 27, "", -1, -1, kBus, false, true},
};

struct OrgTemplate {
  const char* key;
  const char* name;         // {0}: alliance name, {1}: seat town
  const char* description;  // same placeholders
};

constexpr OrgTemplate kOrganizations[] = {
    {"jba", "Jugendberufsagentur {0}",
     "Arbeitsbündnis von Jobcenter, Agentur für Arbeit, Jugendamt und Schulen: Beratung aus einer "
     "Hand für junge Menschen in {0}. (Demo-Datensatz)"},
    {"jc", "Jobcenter {0}", "Grundsicherung für Arbeitsuchende (SGB II) in {0}. (Demo-Datensatz)"},
    {"aa", "Agentur für Arbeit – Berufsberatung {0}",
     "Berufsberatung und Ausbildungsvermittlung (SGB III) für {0}. (Demo-Datensatz)"},
    {"ja", "Jugendamt {0}", "Kinder- und Jugendhilfe (SGB VIII) in {0}. (Demo-Datensatz)"},
    {"schule", "Schulen im Bündnis {0}",
     "Berufs- und Studienorientierung der Schulen in {0}. (Demo-Datensatz)"},
    {"bildung", "Bildungswerk {1} (Demo-Träger)",
     "Träger von Berufsvorbereitung, Bewerbungstraining und Sprachkursen. (Demo-Datensatz, "
     "kein echter Träger)"},
    {"jugend", "Jugendhilfeverbund {0} (Demo-Träger)",
     "Jugendsozialarbeit, Jugendberufshilfe und Jugendwohnen. (Demo-Datensatz, kein echter "
     "Träger)"},
    {"schuldner", "Schuldner- und Insolvenzberatung {0} (Demo-Träger)",
     "Anerkannte Schuldnerberatungsstelle. (Demo-Datensatz, keine echte Beratungsstelle)"},
    {"sucht", "Suchtberatung {1} (Demo-Träger)",
     "Beratung bei Sucht und Abhängigkeit. (Demo-Datensatz, keine echte Beratungsstelle)"},
};

// Districts with a counselling bus, and the Monday the route's first week starts.
struct BusRoute {
  const char* ags;
  const char* first_monday;
};
constexpr BusRoute kBusRoutes[] = {{"15081", "2026-01-05"}, {"15090", "2026-01-12"}};

std::vector<std::string> split(const char* list) {
  std::vector<std::string> out;
  std::string item;
  for (const char* c = list; *c; ++c) {
    if (*c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += *c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

struct Alliance {
  std::string ags, slug, name, type;
};

// A place in the district: a municipality, or in a district-free city a
// postcode area of it.
struct Place {
  std::string town, postcode;
  double lat = 0, lon = 0;
};

class Builder {
 public:
  Builder(Dataset& data, const Gazetteer& places, DemoCatalogueSummary& summary)
      : data_(data), places_(places), summary_(summary) {}

  Result<void> alliance(const Alliance& a) {
    const std::vector<Place> places = places_of(a);
    if (places.empty()) return Error::internal("demo catalogue: no places for " + a.ags);
    const Place& seat = places[0];
    ++summary_.alliances;

    for (const OrgTemplate& o : kOrganizations) {
      LOTSE_TRY(add("organization",
                    {{"id", org_id(a, o.key)},
                     {"name", fmt::format(fmt::runtime(o.name), a.name, seat.town)},
                     {"description", fmt::format(fmt::runtime(o.description), a.name, seat.town)},
                     {"email", fmt::format("kontakt@{}.jba-{}.example", o.key, a.slug)},
                     {"website", fmt::format("https://{}.jba-{}.example/", o.key, a.slug)}}));
      ++summary_.organizations;
    }

    // Contact points.
    std::map<unsigned, std::vector<std::string>> points;  // Where bit → location ids
    const std::string phone_prefix = "+49 800 5" + a.ags.substr(2);
    LOTSE_TRY(physical(
        a, "central", kCentral, "central_office", "jba",
        "Jugendberufsagentur " + a.name + " – zentrale Anlaufstelle",
        "Alle Partner der Jugendberufsagentur unter einem Dach: Berufsberatung, "
        "Jobcenter, Jugendamt. Du kannst ohne Termin vorbeikommen.",
        seat, "Bahnhofstraße 12", phone_prefix + "0",
        "Stufenloser Eingang, Aufzug, barrierefreies WC, Induktionsschleife am Empfang.",
        {"ar", "de", "en", "uk"},
        {{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "", "09:00", "12:00", "Vormittags ohne Termin"},
         {"FREQ=WEEKLY;BYDAY=TU,TH", "", "13:00", "18:00",
          "Nachmittags-Sprechzeit, auch nach der Schule"}},
        points));
    LOTSE_TRY(physical(
        a, "school", kSchool, "school", "aa", "Berufsberatung in der Schule: " + at(places, 1).town,
        "Sprechstunde der Berufsberatung in der Sekundarschule – für Schülerinnen, "
        "Schüler und Eltern.",
        at(places, 1), "Schulstraße 5", "", "Eingang über den Schulhof, Rampe vorhanden.", {"de"},
        {{"FREQ=WEEKLY;BYDAY=WE", "", "12:30", "15:00", "In der Schulzeit"}}, points));
    LOTSE_TRY(physical(a, "youth", kYouth, "youth_centre", "jugend",
                       "Jugendzentrum " + at(places, 2).town + " – Beratung der JBA",
                       "Jede zweite Woche berät die Jugendberufsagentur im Jugendzentrum – "
                       "entspannt, ohne Termin, auch abends.",
                       at(places, 2), "Lindenstraße 3", "", "Erdgeschoss, stufenlos.", {"de", "en"},
                       {{"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-01-08", "15:00", "19:00",
                         "Jeden zweiten Donnerstag"}},
                       points));
    LOTSE_TRY(physical(a, "provider", kProvider, "third_party", "bildung",
                       "Bildungswerk " + at(places, 3).town,
                       "Kurse, Berufsvorbereitung und Bewerbungstraining beim Träger.",
                       at(places, 3), "Gewerbering 7", phone_prefix + "3", "", {"ar", "de", "fa"},
                       {{"FREQ=WEEKLY;BYDAY=MO,WE", "", "08:00", "16:00", ""},
                        {"FREQ=MONTHLY;BYDAY=1SA", "", "09:00", "13:00",
                         "Offener Samstag: jeden ersten Samstag im Monat"}},
                       points));
    LOTSE_TRY(physical(
        a, "counselling", kCounselling, "third_party", "schuldner", "Beratungszentrum " + seat.town,
        "Schuldner- und Suchtberatung im selben Haus, vertraulich und kostenlos.",
        at(places, 0, 0.004), "Friedensstraße 21", phone_prefix + "4", "Aufzug vorhanden.",
        {"de", "ru"},
        {{"FREQ=WEEKLY;BYDAY=TH", "", "09:00", "12:00", ""},
         {"FREQ=MONTHLY;BYDAY=1TU,3TU", "", "14:00", "18:00", "Erster und dritter Dienstag"}},
        points));
    LOTSE_TRY(virtual_point(
        a, "chat", kChat, "chat", "Chat der Jugendberufsagentur " + a.name,
        fmt::format("https://jba-{}.example/chat", a.slug), "",
        {{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "", "14:00", "20:00", "Auch am Abend"}}, points));
    LOTSE_TRY(virtual_point(a, "video", kVideo, "video", "Videoberatung " + a.name,
                            fmt::format("https://jba-{}.example/video", a.slug), "",
                            {{"FREQ=WEEKLY;BYDAY=MO,WE", "", "15:00", "18:00",
                              "Termin im Chat oder am Telefon vereinbaren"}},
                            points));
    LOTSE_TRY(virtual_point(
        a, "messenger", kMessenger, "messenger", "Messenger-Beratung " + a.name,
        fmt::format("https://jba-{}.example/messenger", a.slug), phone_prefix + "1",
        {{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "", "10:00", "18:00", "Antwort meist am selben Tag"}},
        points));
    LOTSE_TRY(virtual_point(
        a, "phone", kPhone, "phone", "Telefonberatung " + a.name, "", phone_prefix + "2",
        {{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "", "08:00", "18:00", "Kostenlos (Demo-Nummer)"}},
        points));
    for (const BusRoute& route : kBusRoutes)
      if (a.ags == route.ags) LOTSE_TRY(bus(a, route, places, points));

    // Offers.
    for (const OfferTemplate& t : kOffers) {
      if (t.bus_only && points[kBus].empty()) continue;
      if (t.optional && left_out(a, t.key)) continue;
      LOTSE_TRY(offer(a, t, points));
    }
    return ok();
  }

 private:
  struct Rule {
    const char* rrule;
    const char* dtstart;
    const char *opens, *closes;
    const char* description;
  };

  static std::string org_id(const Alliance& a, std::string_view key) {
    return name_uuid("demo:organization:" + a.ags + ":" + std::string(key));
  }

  // Every fourth optional offer (by a hash of alliance and offer) is missing.
  static bool left_out(const Alliance& a, std::string_view key) {
    const std::string h = name_uuid("demo:gap:" + a.ags + ":" + std::string(key));
    return (h[0] >= '0' && h[0] <= '3');
  }

  std::vector<Place> places_of(const Alliance& a) const {
    std::vector<Place> out;
    for (const Town& t : places_.towns_of_district(a.ags))
      out.push_back({t.name, t.postcode, t.lat, t.lon});
    if (out.size() == 1) {
      // A district-free city: its other postcode areas.
      for (const GeoPoint& p : places_.postcodes_of_district(a.ags))
        if (p.postcode != out[0].postcode) out.push_back({out[0].town, p.postcode, p.lat, p.lon});
    }
    return out;
  }

  // The k-th place, wrapping around; `nudge` moves the point a little, so
  // that two contact points in one town do not sit on the same spot.
  static Place at(const std::vector<Place>& places, std::size_t k, double nudge = 0) {
    Place p = places[k % places.size()];
    p.lat += nudge;
    p.lon += nudge;
    return p;
  }

  static std::string coordinate(double v) {
    // Four decimals (about 10 m), as in the GeoNames data.
    return fmt::format("{:.4f}", v);
  }

  Result<void> add(std::string_view table,
                   const std::vector<std::pair<std::string_view, std::string>>& values) {
    return data_.add(table, values);
  }

  Result<void> profile(std::string_view entity, const std::string& id, Facet facet,
                       const std::string& code, const std::string& value = "") {
    const std::string term = profile_term_id(facet, code);
    return add("attribute", {{"id", name_uuid("attribute:" + id + ":" + term)},
                             {"link_id", id},
                             {"taxonomy_term_id", term},
                             {"link_entity", std::string(entity)},
                             {"value", value}});
  }

  Result<void> schedules(const std::string& location_id, const std::vector<Rule>& rules) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const Rule& r = rules[i];
      domain::ScheduleFields f;
      if (*r.rrule) {
        LOTSE_ASSIGN_OR_RETURN(f, domain::Recurrence::fields_from_rrule(r.rrule));
      }
      LOTSE_TRY(add("schedule", {{"id", name_uuid(fmt::format("schedule:{}:{}", location_id, i))},
                                 {"location_id", location_id},
                                 {"freq", f.freq},
                                 {"interval", f.interval},
                                 {"byday", f.byday},
                                 {"bymonthday", f.bymonthday},
                                 {"dtstart", r.dtstart},
                                 {"opens_at", r.opens},
                                 {"closes_at", r.closes},
                                 {"description", r.description}}));
    }
    return ok();
  }

  Result<void> languages(const std::string& location_id, const std::vector<std::string>& codes) {
    static const std::map<std::string, std::string> kNames = {
        {"de", "Deutsch"},    {"en", "Englisch"}, {"ar", "Arabisch"},
        {"uk", "Ukrainisch"}, {"fa", "Persisch"}, {"ru", "Russisch"}};
    for (const auto& code : codes)
      LOTSE_TRY(add("language", {{"id", name_uuid("language:" + location_id + ":" + code)},
                                 {"location_id", location_id},
                                 {"name", kNames.at(code)},
                                 {"code", code}}));
    return ok();
  }

  Result<void> physical(const Alliance& a, const char* key, unsigned where, const char* kind,
                        const char* org, const std::string& name, const std::string& description,
                        const Place& place, const std::string& street, const std::string& phone,
                        const std::string& accessibility, const std::vector<std::string>& langs,
                        const std::vector<Rule>& rules,
                        std::map<unsigned, std::vector<std::string>>& points) {
    const std::string id = name_uuid("demo:location:" + a.ags + ":" + key);
    LOTSE_TRY(add("location",
                  {{"id", id},
                   {"location_type", "physical"},
                   {"organization_id", org_id(a, org)},
                   {"name", name},
                   {"description", description + " (Demo-Adresse)"},
                   {"transportation", "Mit Bus und Bahn erreichbar; Haltestelle in der Nähe."},
                   {"latitude", coordinate(place.lat)},
                   {"longitude", coordinate(place.lon)}}));
    LOTSE_TRY(add("address", {{"id", name_uuid("address:" + id)},
                              {"location_id", id},
                              {"address_1", street},
                              {"city", place.town},
                              {"state_province", "Sachsen-Anhalt"},
                              {"postal_code", place.postcode},
                              {"country", "DE"},
                              {"address_type", "physical"}}));
    if (!phone.empty())
      LOTSE_TRY(add("phone", {{"id", name_uuid("phone:" + id)},
                              {"location_id", id},
                              {"number", phone},
                              {"type", "voice"}}));
    if (!accessibility.empty())
      LOTSE_TRY(add("accessibility", {{"id", name_uuid("accessibility:" + id)},
                                      {"location_id", id},
                                      {"description", accessibility}}));
    LOTSE_TRY(languages(id, langs));
    LOTSE_TRY(schedules(id, rules));
    LOTSE_TRY(profile("location", id, Facet::kAlliance, a.ags));
    LOTSE_TRY(profile("location", id, Facet::kContactKind, kind));
    points[where].push_back(id);
    ++summary_.contact_points;
    return ok();
  }

  Result<void> virtual_point(const Alliance& a, const char* key, unsigned where, const char* kind,
                             const std::string& name, const std::string& url,
                             const std::string& phone, const std::vector<Rule>& rules,
                             std::map<unsigned, std::vector<std::string>>& points) {
    const std::string id = name_uuid("demo:location:" + a.ags + ":" + key);
    LOTSE_TRY(add("location", {{"id", id},
                               {"location_type", "virtual"},
                               {"url", url},
                               {"organization_id", org_id(a, "jba")},
                               {"name", name},
                               {"description", std::string(domain::catalogue_term_label(
                                                   domain::contact_point_kinds(), kind)) +
                                                   " der Jugendberufsagentur – von überall, "
                                                   "auch anonym. (Demo-Kanal)"}}));
    if (!phone.empty())
      LOTSE_TRY(add("phone", {{"id", name_uuid("phone:" + id)},
                              {"location_id", id},
                              {"number", phone},
                              {"type", std::string(kind) == "messenger" ? "text" : "voice"}}));
    LOTSE_TRY(languages(id, {"de", "en"}));
    LOTSE_TRY(schedules(id, rules));
    LOTSE_TRY(profile("location", id, Facet::kAlliance, a.ags));
    LOTSE_TRY(profile("location", id, Facet::kContactKind, kind));
    points[where].push_back(id);
    ++summary_.contact_points;
    return ok();
  }

  // Six stops in the district's towns (not the seat), two a day on Monday,
  // Wednesday and Friday of every other week, and a summer tour date.
  Result<void> bus(const Alliance& a, const BusRoute& route, const std::vector<Place>& places,
                   std::map<unsigned, std::vector<std::string>>& points) {
    static constexpr const char* kDays[] = {"MO", "WE", "FR"};
    auto first = Date::parse(route.first_monday);
    if (!first) return first.error();
    for (std::size_t i = 0; i < 6 && i + 1 < places.size(); ++i) {
      const Place& p = places[i + 1];
      const std::string day = kDays[i / 2];
      const std::string dtstart = add_days(*first, static_cast<std::int64_t>(i / 2) * 2).str();
      const bool morning = i % 2 == 0;
      std::vector<Rule> rules;
      const std::string rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + day;
      const std::string description =
          std::string(morning ? "Vormittags" : "Nachmittags") + ", jede zweite Woche";
      rules.push_back({rrule.c_str(), dtstart.c_str(), morning ? "09:00" : "13:30",
                       morning ? "11:30" : "16:00", description.c_str()});
      if (i == 0)
        rules.push_back({"", "2026-07-14", "10:00", "14:00", "Sommerferien-Tour: Sondertermin"});
      const std::string key = "bus-" + std::to_string(i + 1);
      LOTSE_TRY(physical(
          a, key.c_str(), kBus, "mobile_stop", "jba", "Beratungsbus – Halt " + p.town,
          "Der Beratungsbus der Jugendberufsagentur hält auf dem Marktplatz: "
          "Beratung ohne Termin, direkt im Ort.",
          p, "Marktplatz", "", "Einstieg mit Hublift für Rollstühle.", {"de"}, rules, points));
      ++summary_.bus_stops;
    }
    return ok();
  }

  Result<void> offer(const Alliance& a, const OfferTemplate& t,
                     std::map<unsigned, std::vector<std::string>>& points) {
    const std::string id = name_uuid("demo:service:" + a.ags + ":" + t.key);
    std::vector<std::pair<std::string_view, std::string>> fields = {
        {"id", id},
        {"organization_id", org_id(a, t.provider)},
        {"name", t.name},
        {"description", t.description},
        {"status", "active"},
        {"fees_description", "Kostenlos."},
        {"eligibility_description", t.eligibility},
        {"application_process",
         "Komm ohne Termin in eine Anlaufstelle, ruf an oder schreib uns – "
         "wir vereinbaren dann einen Termin mit dir."},
        {"assured_date", "2026-01-15"},
        {"last_modified", "2026-01-15T08:00:00Z"}};
    if (t.min_age >= 0) fields.emplace_back("minimum_age", std::to_string(t.min_age));
    if (t.max_age >= 0) fields.emplace_back("maximum_age", std::to_string(t.max_age));
    LOTSE_TRY(add("service", fields));
    LOTSE_TRY(profile("service", id, Facet::kAlliance, a.ags));
    LOTSE_TRY(profile("service", id, Facet::kLegalSphere, t.sphere));
    LOTSE_TRY(profile("service", id, Facet::kDetail, std::string(kLegalBasis), t.basis));
    if (t.capacity >= 0)
      LOTSE_TRY(profile("service", id, Facet::kDetail, std::string(kCapacity),
                        std::to_string(t.capacity)));
    if (t.waiting_days >= 0)
      LOTSE_TRY(profile("service", id, Facet::kDetail, std::string(kWaitingDays),
                        std::to_string(t.waiting_days)));
    for (const auto& p : split(t.phases)) LOTSE_TRY(profile("service", id, Facet::kPhase, p));
    for (const auto& n : split(t.needs)) LOTSE_TRY(profile("service", id, Facet::kNeed, n));
    for (const auto& g : split(t.targets))
      LOTSE_TRY(profile("service", id, Facet::kTargetGroup, g));
    for (const auto& f : split(t.funding)) {
      LOTSE_TRY(profile("service", id, Facet::kFunding, f));
      LOTSE_TRY(
          add("funding",
              {{"id", name_uuid("funding:" + id + ":" + f)},
               {"service_id", id},
               {"source", std::string(domain::catalogue_term_label(domain::funding_kinds(), f))}}));
    }
    LOTSE_TRY(add("cost_option", {{"id", name_uuid("cost_option:" + id)},
                                  {"service_id", id},
                                  {"option", "Teilnahme"},
                                  {"currency", "EUR"},
                                  {"amount", "0"},
                                  {"amount_description", "Für dich kostenlos."}}));
    LOTSE_TRY(
        add("service_area", {{"id", name_uuid("service_area:" + id)},
                             {"service_id", id},
                             {"name", a.name},
                             {"description", "Zuständigkeitsbereich der Jugendberufsagentur " +
                                                 a.name + " (" + a.type + ")"},
                             {"extent_type", "text"},
                             {"extent", a.name},
                             {"uri", "urn:de:ags:" + a.ags}}));
    for (const auto& [bit, locations] : points) {
      if (!(t.where & bit)) continue;
      for (const auto& loc : locations)
        LOTSE_TRY(
            add("service_at_location", {{"id", name_uuid("service_at_location:" + id + ":" + loc)},
                                        {"service_id", id},
                                        {"location_id", loc}}));
    }
    ++summary_.offers;
    return ok();
  }

  Dataset& data_;
  const Gazetteer& places_;
  DemoCatalogueSummary& summary_;
};

}  // namespace

Result<Dataset> demo_catalogue(CatalogueService& catalogue, store::Database& db,
                               DemoCatalogueSummary* summary_out) {
  LOTSE_ASSIGN_OR_RETURN(auto places, catalogue.gazetteer());
  LOTSE_ASSIGN_OR_RETURN(store::Rows rows, db.read([](store::Executor& x) {
    return x.query("SELECT ags, slug, name, district_type FROM alliances ORDER BY ags");
  }));
  std::vector<Alliance> alliances;
  std::vector<std::pair<std::string, std::string>> terms;
  for (const auto& r : rows) {
    alliances.push_back({r.text(0), r.text(1), r.text(2), r.text(3)});
    terms.emplace_back(r.text(0), r.text(2));
  }
  Dataset data;
  LOTSE_TRY(add_profile_vocabulary(data, terms));
  DemoCatalogueSummary summary;
  Builder builder(data, *places, summary);
  for (const Alliance& a : alliances) LOTSE_TRY(builder.alliance(a));
  summary.rows = data.row_count();
  if (summary_out) *summary_out = summary;
  return data;
}

Result<DemoCatalogueSummary> load_demo_catalogue(store::Database& db, Clock clock,
                                                 const std::string& data_dir) {
  CatalogueService catalogue(db, std::move(clock), data_dir);
  DemoCatalogueSummary summary;
  LOTSE_ASSIGN_OR_RETURN(Dataset data, demo_catalogue(catalogue, db, &summary));
  LOTSE_ASSIGN_OR_RETURN(
      ImportOutcome outcome,
      catalogue.import_hsds({.username = "-", .request_id = "cli:demo", .all_alliances = true},
                            data));
  if (!outcome.written)
    return Error::internal("demo catalogue does not pass its own checks: " +
                           (outcome.issues.empty() ? std::string("?") : outcome.issues[0].str()));
  return summary;
}

}  // namespace lotse::catalogue
