#include "lotse/domain/consent.h"

#include <gtest/gtest.h>

#include <map>

namespace lotse::domain {
namespace {

const Date kToday = *Date::parse("2026-11-21");
const std::int64_t kNow = kToday.days_since_epoch() * 86'400'000 + 12 * 3'600'000;

bool known(const std::string& key) { return key.rfind("15003-", 0) == 0; }

ConsentDraft valid_draft() {
  ConsentDraft d;
  d.purposes = {"Gemeinsame Beratung zum Übergang in Ausbildung"};
  d.recipients = {"15003-ja"};
  d.categories = CategorySet::of({DataCategory::kMasterData, DataCategory::kNeedsGoals});
  d.valid_from = kToday;
  d.valid_until = *Date::parse("2027-11-20");
  d.evidence_ref = "JC-2026-0815";
  d.informed_of_refusal_and_withdrawal = true;
  return d;
}

std::string field_of(const ConsentDraft& d, std::optional<Date> birth = *Date::parse("2008-05-01"),
                     const std::string& owner = "15003-jc") {
  auto r = validate_consent(d, owner, birth, kToday, known);
  return r ? "" : r.error().field;
}

TEST(ConsentRules, AValidDraftPasses) { EXPECT_EQ(field_of(valid_draft()), ""); }

TEST(ConsentRules, EachRuleNamesItsField) {
  auto d = valid_draft();
  d.recipients.clear();
  EXPECT_EQ(field_of(d), "recipients");
  d = valid_draft();
  d.recipients = {"15003-jc"};  // own agency
  EXPECT_EQ(field_of(d), "recipients");
  d = valid_draft();
  d.recipients = {"99999-ja"};
  EXPECT_EQ(field_of(d), "recipients");
  d = valid_draft();
  d.recipients = {"15003-ja", "15003-ja"};
  EXPECT_EQ(field_of(d), "recipients");
  d = valid_draft();
  d.purposes.clear();
  EXPECT_EQ(field_of(d), "purposes");
  d = valid_draft();
  d.categories = {};
  EXPECT_EQ(field_of(d), "categories");
  d = valid_draft();
  d.valid_until = *Date::parse("2026-11-01");
  EXPECT_EQ(field_of(d), "valid_until");  // end before start
  d = valid_draft();
  d.valid_until = *Date::parse("2029-12-01");
  EXPECT_EQ(field_of(d), "valid_until");  // longer than two years
  d = valid_draft();
  d.valid_from = *Date::parse("2026-10-01");
  EXPECT_EQ(field_of(d), "valid_from");   // no back-dating
  d = valid_draft();
  d.evidence_ref.clear();
  EXPECT_EQ(field_of(d), "evidence_ref");
  d = valid_draft();
  d.informed_of_refusal_and_withdrawal = false;
  EXPECT_EQ(field_of(d), "informed");
  d = valid_draft();
  d.given_by = ConsentGiver::kGuardian;
  EXPECT_EQ(field_of(d, *Date::parse("2012-01-01")), "guardian_name");
}

TEST(ConsentRules, UnderFifteenNeedsAGuardian) {
  auto d = valid_draft();
  EXPECT_EQ(field_of(d, *Date::parse("2012-01-01")), "given_by");
  d.given_by = ConsentGiver::kGuardian;
  d.guardian_name = "Maria Beispiel";
  d.custody = Custody::kSole;
  EXPECT_EQ(field_of(d, *Date::parse("2012-01-01")), "");
}

// The age rules of LEGAL.md § 2 as one table: age on the start date × who
// gives the consent × the insight assessment × custody. Every row is either
// accepted ("") or refused naming the field the case worker has to change.
enum class Insight { kAbsent, kYes, kNo };
enum class Guardians { kNone, kSole, kJointBoth, kJointOne };

ConsentDraft age_draft(ConsentGiver giver, Insight insight, Guardians guardians) {
  auto d = valid_draft();
  d.given_by = giver;
  if (insight != Insight::kAbsent) {
    d.insight_confirmed = insight == Insight::kYes;
    d.insight_reason = "Im Gespräch mit eigenen Worten erklärt, wer was wozu erhält.";
  }
  if (giver == ConsentGiver::kGuardian) d.guardian_name = "Maria Beispiel";
  if (guardians == Guardians::kSole) d.custody = Custody::kSole;
  if (guardians == Guardians::kJointBoth || guardians == Guardians::kJointOne)
    d.custody = Custody::kJoint;
  if (guardians == Guardians::kJointBoth) d.second_guardian_name = "Peter Beispiel";
  return d;
}

TEST(ConsentRules, AgeGiverInsightAndCustodyTable) {
  using G = ConsentGiver;
  using I = Insight;
  using C = Guardians;
  // Birth dates for the ages on the start date 2026-11-21, at the edges:
  // 15 and 18 on their birthday, 17 on the day before the 18th.
  const std::map<int, Date> born = {{14, *Date::parse("2012-01-01")},
                                    {15, *Date::parse("2011-11-21")},
                                    {17, *Date::parse("2008-11-22")},
                                    {18, *Date::parse("2008-11-21")}};
  struct Row {
    int age;
    G giver;
    I insight;
    C custody;
    std::string field;  // "" = accepted
  };
  std::vector<Row> rows;
  for (I i : {I::kAbsent, I::kYes, I::kNo}) {
    // Under 15: always the guardians, whatever the assessment says.
    rows.push_back({14, G::kYoungPerson, i, C::kNone, "given_by"});
    rows.push_back({14, G::kGuardian, i, C::kNone, "custody"});
    rows.push_back({14, G::kGuardian, i, C::kSole, ""});
    rows.push_back({14, G::kGuardian, i, C::kJointBoth, ""});
    rows.push_back({14, G::kGuardian, i, C::kJointOne, "second_guardian_name"});
    // 18 and older: only the person themself, no assessment needed.
    rows.push_back({18, G::kYoungPerson, i, C::kNone, ""});
    for (C c : {C::kNone, C::kSole, C::kJointBoth, C::kJointOne})
      rows.push_back({18, G::kGuardian, i, c, "given_by"});
  }
  for (int age : {15, 17}) {
    // Own consent: only with an assessment, and only if it found insight.
    rows.push_back({age, G::kYoungPerson, I::kAbsent, C::kNone, "insight_confirmed"});
    rows.push_back({age, G::kYoungPerson, I::kYes, C::kNone, ""});
    rows.push_back({age, G::kYoungPerson, I::kNo, C::kNone, "given_by"});
    // Custody stated on the own-consent path is not used.
    rows.push_back({age, G::kYoungPerson, I::kYes, C::kJointOne, ""});
    // Guardians: only after an assessment that found no insight.
    for (C c : {C::kNone, C::kSole, C::kJointBoth, C::kJointOne}) {
      rows.push_back({age, G::kGuardian, I::kAbsent, c, "insight_confirmed"});
      rows.push_back({age, G::kGuardian, I::kYes, c, "given_by"});
    }
    rows.push_back({age, G::kGuardian, I::kNo, C::kNone, "custody"});
    rows.push_back({age, G::kGuardian, I::kNo, C::kSole, ""});
    rows.push_back({age, G::kGuardian, I::kNo, C::kJointBoth, ""});
    rows.push_back({age, G::kGuardian, I::kNo, C::kJointOne, "second_guardian_name"});
  }
  ASSERT_EQ(rows.size(), 3u * 10u + 2u * 16u);
  int accepted = 0;
  for (const auto& row : rows) {
    SCOPED_TRACE(::testing::Message() << "age " << row.age << ", giver "
                                      << giver_name(row.giver) << ", insight "
                                      << static_cast<int>(row.insight) << ", custody "
                                      << static_cast<int>(row.custody));
    EXPECT_EQ(field_of(age_draft(row.giver, row.insight, row.custody), born.at(row.age)),
              row.field);
    accepted += row.field.empty();
  }
  EXPECT_EQ(accepted, 3 * 3 + 2 * 4);
}

TEST(ConsentRules, TheAssessmentNeedsAReasonOfTenTo500Characters) {
  const Date sixteen = *Date::parse("2010-06-01");
  auto d = age_draft(ConsentGiver::kYoungPerson, Insight::kYes, Guardians::kNone);
  d.insight_reason = "   ";
  EXPECT_EQ(field_of(d, sixteen), "insight_reason");
  d.insight_reason = "verstanden";  // 10 characters
  EXPECT_EQ(field_of(d, sixteen), "");
  d.insight_reason = "verstande";
  EXPECT_EQ(field_of(d, sixteen), "insight_reason");
  d.insight_reason = std::string(250, 'x') + std::string(250, 'x');
  EXPECT_EQ(field_of(d, sixteen), "");
  // Counted in characters: 500 umlauts are 1000 bytes and still allowed.
  d.insight_reason.clear();
  for (int i = 0; i < 500; ++i) d.insight_reason += "ä";
  EXPECT_EQ(field_of(d, sixteen), "");
  d.insight_reason += "ä";
  EXPECT_EQ(field_of(d, sixteen), "insight_reason");
  // A negative assessment needs its reason too.
  d = age_draft(ConsentGiver::kGuardian, Insight::kNo, Guardians::kSole);
  d.insight_reason.clear();
  EXPECT_EQ(field_of(d, sixteen), "insight_reason");
  // A reason without the answer is an incomplete assessment at any age.
  d = valid_draft();
  d.insight_reason = "Im Gespräch geprüft.";
  EXPECT_EQ(field_of(d, *Date::parse("2000-01-01")), "insight_confirmed");
}

TEST(ConsentRules, AgeIsTakenOnTheStartDate) {
  // 14 today, 15 on the start date four days later: the assessment applies.
  const Date born = *Date::parse("2011-11-25");
  auto d = age_draft(ConsentGiver::kYoungPerson, Insight::kAbsent, Guardians::kNone);
  d.valid_from = *Date::parse("2026-11-25");
  EXPECT_EQ(field_of(d, born), "insight_confirmed");
  d = age_draft(ConsentGiver::kYoungPerson, Insight::kYes, Guardians::kNone);
  d.valid_from = *Date::parse("2026-11-25");
  EXPECT_EQ(field_of(d, born), "");
  EXPECT_TRUE(insight_assessment_required(born, *Date::parse("2026-11-25")));
  EXPECT_FALSE(insight_assessment_required(born, *Date::parse("2026-11-24")));
  // 17 today, 18 on the start date: own consent without assessment.
  d = age_draft(ConsentGiver::kYoungPerson, Insight::kAbsent, Guardians::kNone);
  d.valid_from = *Date::parse("2026-11-23");
  EXPECT_EQ(field_of(d, *Date::parse("2008-11-23")), "");
  // No birth date on record: no age rules can apply.
  EXPECT_FALSE(insight_assessment_required(std::nullopt, kToday));
  EXPECT_EQ(field_of(valid_draft(), std::nullopt), "");
}

TEST(ConsentRules, JointCustodyNamesTwoDifferentGuardians) {
  const Date twelve = *Date::parse("2014-03-01");
  auto d = age_draft(ConsentGiver::kGuardian, Insight::kAbsent, Guardians::kJointBoth);
  EXPECT_EQ(field_of(d, twelve), "");
  d.second_guardian_name = d.guardian_name;
  EXPECT_EQ(field_of(d, twelve), "second_guardian_name");
  d.second_guardian_name = "  ";
  EXPECT_EQ(field_of(d, twelve), "second_guardian_name");
  d = age_draft(ConsentGiver::kGuardian, Insight::kAbsent, Guardians::kSole);
  d.guardian_name = " ";
  EXPECT_EQ(field_of(d, twelve), "guardian_name");
  EXPECT_EQ(custody_name(Custody::kSole), "sole");
  EXPECT_EQ(*parse_custody("joint"), Custody::kJoint);
  EXPECT_EQ(parse_custody("both").error().field, "custody");
}

TEST(ConsentRules, EntrustedDataOnlyFromTheJugendamt) {
  auto d = valid_draft();
  d.categories.add(DataCategory::kEntrusted);
  EXPECT_EQ(field_of(d), "categories");
  d.recipients = {"15003-jc"};
  EXPECT_EQ(field_of(d, *Date::parse("2008-05-01"), "15003-ja"), "");
}

TEST(ConsentState, ActiveExpiredWithdrawnSuperseded) {
  Consent c;
  c.terms = valid_draft();
  EXPECT_EQ(consent_state(c, kNow), ConsentState::kActive);
  EXPECT_TRUE(c.covers("15003-ja", DataCategory::kMasterData, kNow));
  EXPECT_FALSE(c.covers("15003-ja", DataCategory::kNotes, kNow));      // wrong category
  EXPECT_FALSE(c.covers("15003-aa", DataCategory::kMasterData, kNow)); // wrong recipient
  const std::int64_t after_end = (*Date::parse("2027-11-21")).days_since_epoch() * 86'400'000;
  EXPECT_EQ(consent_state(c, after_end), ConsentState::kExpired);
  EXPECT_FALSE(c.covers("15003-ja", DataCategory::kMasterData, after_end));
  const std::int64_t before_start = kNow - 86'400'000;
  EXPECT_EQ(consent_state(c, before_start), ConsentState::kNotYetValid);
  c.withdrawn_at_ms = kNow + 1;
  EXPECT_EQ(consent_state(c, kNow), ConsentState::kActive);  // withdrawal acts for the future
  EXPECT_EQ(consent_state(c, kNow + 1), ConsentState::kWithdrawn);
  EXPECT_FALSE(c.covers("15003-ja", DataCategory::kMasterData, kNow + 1));
  c.withdrawn_at_ms.reset();
  c.superseded_at_ms = kNow;
  EXPECT_EQ(consent_state(c, kNow), ConsentState::kSuperseded);
}

// Validity dates are German days: a consent from 16 July is active from
// 22:00 UTC on 15 July (midnight in Berlin, summer time), and one until
// 31 December has expired from 23:00 UTC that day (midnight, winter time).
TEST(ConsentState, DaysAreGermanDays) {
  Consent c;
  c.terms = valid_draft();
  c.terms.valid_from = Date{2026, 7, 16};
  c.terms.valid_until = Date{2026, 12, 31};
  const std::int64_t day = 86'400'000, hour = 3'600'000;
  const std::int64_t jul15 = Date{2026, 7, 15}.days_since_epoch() * day;
  EXPECT_EQ(consent_state(c, jul15 + 21 * hour + 59 * 60'000), ConsentState::kNotYetValid);
  EXPECT_EQ(consent_state(c, jul15 + 22 * hour), ConsentState::kActive);  // 00:00 in Berlin
  const std::int64_t dec31 = Date{2026, 12, 31}.days_since_epoch() * day;
  EXPECT_EQ(consent_state(c, dec31 + 22 * hour + 59 * 60'000), ConsentState::kActive);
  EXPECT_EQ(consent_state(c, dec31 + 23 * hour), ConsentState::kExpired);  // 00:00 on 1 January
}

TEST(CaseVocabulary, PhasesCategoriesNeeds) {
  EXPECT_TRUE(validate_phase(1));
  EXPECT_TRUE(validate_phase(5));
  EXPECT_EQ(validate_phase(0).error().field, "phase");
  EXPECT_EQ(validate_phase(6).error().field, "phase");
  auto cats = parse_categories({"master_data", "notes"});
  ASSERT_TRUE(cats);
  EXPECT_EQ(cats->names(), (std::vector<std::string>{"master_data", "notes"}));
  EXPECT_FALSE(parse_categories({"master_data", "master_data"}));
  EXPECT_FALSE(parse_categories({"everything"}));
  EXPECT_TRUE(validate_need("applications"));
  EXPECT_FALSE(validate_need("money"));
  EXPECT_TRUE(validate_legal_basis("§ 69 SGB X"));
  EXPECT_FALSE(validate_legal_basis("§ 1 BGB"));
}

}  // namespace
}  // namespace lotse::domain
