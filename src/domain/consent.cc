#include "lotse/domain/consent.h"

#include <algorithm>
#include <set>

#include "lotse/domain/agency_key.h"

namespace lotse::domain {

ConsentState consent_state(const Consent& c, std::int64_t now_ms) {
  if (c.withdrawn_at_ms && *c.withdrawn_at_ms <= now_ms) return ConsentState::kWithdrawn;
  if (c.superseded_at_ms && *c.superseded_at_ms <= now_ms) return ConsentState::kSuperseded;
  // Validity dates are German calendar days, as written on the form: at
  // 23:30 UTC in summer it is already the next day for the young person.
  const Date today = berlin_time(now_ms).date;
  if (today < c.terms.valid_from) return ConsentState::kNotYetValid;
  if (today > c.terms.valid_until) return ConsentState::kExpired;
  return ConsentState::kActive;
}

bool Consent::covers(const std::string& agency, DataCategory category, std::int64_t now_ms) const {
  if (consent_state(*this, now_ms) != ConsentState::kActive) return false;
  if (!terms.categories.has(category)) return false;
  return std::find(terms.recipients.begin(), terms.recipients.end(), agency) != terms.recipients.end();
}

std::string_view consent_state_name(ConsentState s) {
  switch (s) {
    case ConsentState::kActive: return "active";
    case ConsentState::kNotYetValid: return "not_yet_valid";
    case ConsentState::kExpired: return "expired";
    case ConsentState::kWithdrawn: return "withdrawn";
    case ConsentState::kSuperseded: return "superseded";
  }
  return "active";
}

std::string_view form_name(ConsentForm f) { return f == ConsentForm::kWritten ? "written" : "electronic"; }

Result<ConsentForm> parse_form(std::string_view s) {
  if (s == "written") return ConsentForm::kWritten;
  if (s == "electronic") return ConsentForm::kElectronic;
  return Error::invalid("form", "Form muss written (schriftlich) oder electronic (elektronisch) sein.");
}

std::string_view giver_name(ConsentGiver g) {
  return g == ConsentGiver::kYoungPerson ? "young_person" : "guardian";
}

Result<ConsentGiver> parse_giver(std::string_view s) {
  if (s == "young_person") return ConsentGiver::kYoungPerson;
  if (s == "guardian") return ConsentGiver::kGuardian;
  return Error::invalid("given_by", "Erteilt von: young_person oder guardian.");
}

std::string_view custody_name(Custody c) { return c == Custody::kSole ? "sole" : "joint"; }

Result<Custody> parse_custody(std::string_view s) {
  if (s == "sole") return Custody::kSole;
  if (s == "joint") return Custody::kJoint;
  return Error::invalid("custody", "Sorgerecht: sole (allein) oder joint (gemeinsam).");
}

bool insight_assessment_required(std::optional<Date> birth_date, Date on) {
  if (!birth_date) return false;
  const int age = age_on(*birth_date, on);
  return age >= 15 && age <= 17;
}

namespace {

// Characters, not bytes: the limits are what a case worker sees.
std::size_t chars(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Who may consent, by age on the start date and the insight assessment.
Result<void> validate_giver(const ConsentDraft& d, std::optional<Date> birth_date) {
  const bool self = d.given_by == ConsentGiver::kYoungPerson;
  if (birth_date) {
    const int age = age_on(*birth_date, d.valid_from);
    if (self && age < 15)
      return Error::invalid("given_by",
                            "Unter 15 Jahren willigt die sorgeberechtigte Person ein (§ 36 SGB I).");
    if (!self && age >= 18)
      return Error::invalid("given_by",
                            "Volljährige willigen selbst ein: Sorgeberechtigte können für sie "
                            "nicht einwilligen.");
  }
  const bool required = insight_assessment_required(birth_date, d.valid_from);
  if (!d.insight_confirmed && (required || !blank(d.insight_reason)))
    return Error::invalid("insight_confirmed",
                          "Bei 15- bis 17-Jährigen ist die Einschätzung der Einsichtsfähigkeit "
                          "Pflicht: Hat der junge Mensch Zweck, Empfänger, Daten, Freiwilligkeit "
                          "und Widerruf verstanden?");
  if (d.insight_confirmed) {
    const std::size_t n = blank(d.insight_reason) ? 0 : chars(d.insight_reason);
    if (n < 10 || n > 500)
      return Error::invalid("insight_reason",
                            "Bitte kurz begründen, wie die Einsichtsfähigkeit im Gespräch geprüft "
                            "wurde (10 bis 500 Zeichen).");
  }
  if (required && self && !*d.insight_confirmed)
    return Error::invalid("given_by",
                          "Ohne Einsichtsfähigkeit kann der junge Mensch nicht selbst einwilligen: "
                          "Bitte „eine sorgeberechtigte Person“ wählen und die Sorgeberechtigten "
                          "einwilligen lassen.");
  if (required && !self && *d.insight_confirmed)
    return Error::invalid("given_by",
                          "Der junge Mensch ist einsichtsfähig und willigt selbst ein "
                          "(höchstpersönlich); Sorgeberechtigte können ihn nicht vertreten.");
  if (self) return ok();
  if (blank(d.guardian_name) || chars(d.guardian_name) > 200)
    return Error::invalid("guardian_name", "Bitte den Namen der sorgeberechtigten Person angeben.");
  if (!d.custody)
    return Error::invalid("custody",
                          "Bitte angeben, ob die sorgeberechtigte Person das Sorgerecht allein "
                          "oder gemeinsam mit einer anderen Person hat.");
  if (*d.custody == Custody::kJoint) {
    if (blank(d.second_guardian_name) || chars(d.second_guardian_name) > 200)
      return Error::invalid("second_guardian_name",
                            "Bei gemeinsamem Sorgerecht willigen beide ein: Bitte den Namen der "
                            "zweiten sorgeberechtigten Person angeben.");
    if (d.second_guardian_name == d.guardian_name)
      return Error::invalid("second_guardian_name",
                            "Bitte zwei verschiedene sorgeberechtigte Personen angeben.");
  }
  return ok();
}

}  // namespace

Result<void> validate_consent(const ConsentDraft& d, const std::string& owner_agency,
                              std::optional<Date> birth_date, Date today,
                              const std::function<bool(const std::string&)>& known_agency) {
  if (d.purposes.empty())
    return Error::invalid("purposes", "Bitte mindestens einen Zweck angeben.");
  for (const auto& p : d.purposes)
    if (p.size() < 3 || p.size() > 500)
      return Error::invalid("purposes", "Jeder Zweck braucht 3 bis 500 Zeichen.");
  if (d.recipients.empty())
    return Error::invalid("recipients", "Bitte mindestens eine empfangende Stelle nennen.");
  std::set<std::string> seen;
  for (const auto& r : d.recipients) {
    if (!parse_agency_key(r) || !known_agency(r))
      return Error::invalid("recipients", "Unbekannte Stelle: " + r);
    if (r == owner_agency)
      return Error::invalid("recipients", "Die eigene Stelle braucht keine Einwilligung.");
    if (!seen.insert(r).second) return Error::invalid("recipients", "Stelle doppelt genannt: " + r);
  }
  if (d.categories.empty())
    return Error::invalid("categories", "Bitte mindestens eine Datenkategorie wählen.");
  if (d.categories.has(DataCategory::kEntrusted)) {
    auto owner = parse_agency_key(owner_agency);
    if (!owner || owner->kind != AgencyKind::kJugendamt)
      return Error::invalid("categories",
                            "Anvertraute Daten (§ 65 SGB VIII) gibt es nur beim Jugendamt.");
  }
  if (d.valid_until <= d.valid_from)
    return Error::invalid("valid_until", "Das Ende muss nach dem Beginn liegen.");
  if (d.valid_until.days_since_epoch() - d.valid_from.days_since_epoch() > 2 * 366)
    return Error::invalid("valid_until", "Eine Einwilligung gilt höchstens zwei Jahre.");
  if (d.valid_until < today)
    return Error::invalid("valid_until", "Das Ende liegt in der Vergangenheit.");
  if (d.valid_from < add_days(today, -1))
    return Error::invalid("valid_from",
                          "Eine Einwilligung wirkt nur für die Zukunft (keine Rückdatierung).");
  if (d.evidence_ref.empty() || d.evidence_ref.size() > 200)
    return Error::invalid("evidence_ref", "Bitte den Nachweis angeben (z. B. Aktenzeichen der Erklärung).");
  LOTSE_TRY(validate_giver(d, birth_date));
  if (!d.informed_of_refusal_and_withdrawal)
    return Error::invalid("informed",
                          "Bitte bestätigen: über Freiwilligkeit, Ablehnung und Widerruf aufgeklärt.");
  return ok();
}

}  // namespace lotse::domain
