#include "lotse/domain/consent.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(field_of(d), "guardian_name");
}

TEST(ConsentRules, UnderFifteenNeedsAGuardian) {
  auto d = valid_draft();
  EXPECT_EQ(field_of(d, *Date::parse("2012-01-01")), "given_by");
  d.given_by = ConsentGiver::kGuardian;
  d.guardian_name = "Maria Beispiel";
  EXPECT_EQ(field_of(d, *Date::parse("2012-01-01")), "");
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
