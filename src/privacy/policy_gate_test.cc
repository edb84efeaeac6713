#include "lotse/privacy/policy_gate.h"

#include <gtest/gtest.h>

namespace lotse::privacy {
namespace {

using domain::CategorySet;
using domain::DataCategory;

domain::CaseRecord full_record() {
  domain::CaseRecord r;
  r.id = 7;
  r.person_id = 3;
  r.owner_agency = "15003-ja";
  r.lead_agency = "15003-ja";
  r.phase = 4;
  r.status = "open";
  r.goals = "Ausbildung";
  r.needs = {"debts"};
  r.person = {.id = 3, .owner_agency = "15003-ja", .given_name = "Lena", .family_name = "Schulz",
              .birth_date = "2008-04-12", .street = "Breiter Weg 1", .postcode = "39104",
              .city = "Magdeburg", .phone = "0391 1", .email = "l@example.org",
              .nationality = "deutsch", .residence_status = "",
              .school = "IGS", .school_qualification = "Realschulabschluss"};
  r.support_chain = {{.id = 1, .position = 1, .measure = "BvB", .responsible_agency = "15003-aa",
                      .status = "planned"}};
  r.notes = {{.id = 1, .agency_key = "15003-ja", .author = "ja-worker", .body = "own",
              .visibility = "own"},
             {.id = 2, .agency_key = "15003-ja", .author = "ja-worker", .body = "shared",
              .visibility = "partners"},
             {.id = 3, .agency_key = "15003-ja", .author = "ja-worker", .body = "entrusted",
              .visibility = "partners", .entrusted = true, .entruster = "young_person"}};
  return r;
}

std::vector<std::string> note_bodies(const domain::CaseRecord& r) {
  std::vector<std::string> out;
  for (const auto& n : r.notes) out.push_back(n.body);
  return out;
}

TEST(PolicyGateCut, PartnerWithNeedsOnlySeesNoIdentity) {
  CaseAccess a{.allowed = true, .owner = false,
               .categories = CategorySet::of({DataCategory::kNeedsGoals})};
  auto r = PolicyGate::cut(full_record(), a, {.username = "jc", .agency_key = "15003-jc", .case_worker = true});
  EXPECT_TRUE(r.person.family_name.empty());
  EXPECT_TRUE(r.person.birth_date.empty());
  EXPECT_TRUE(r.person.street.empty());
  EXPECT_EQ(r.person_id, 0);
  EXPECT_TRUE(r.person.school.empty());
  EXPECT_EQ(r.phase, 4);
  EXPECT_TRUE(r.support_chain.empty());
  EXPECT_TRUE(r.notes.empty());
  EXPECT_EQ(r.visible, a.categories);
}

TEST(PolicyGateCut, SharedNotesNeedTheNotesCategoryOwnNotesNeverLeave) {
  CaseAccess a{.allowed = true, .owner = false,
               .categories = CategorySet::of({DataCategory::kMasterData, DataCategory::kNotes})};
  auto r = PolicyGate::cut(full_record(), a, {.username = "jc", .agency_key = "15003-jc", .case_worker = true});
  EXPECT_EQ(note_bodies(r), std::vector<std::string>{"shared"});
  EXPECT_EQ(r.person.family_name, "Schulz");
}

TEST(PolicyGateCut, EntrustedNotesOnlyWithThatExactCategory) {
  CaseAccess a{.allowed = true, .owner = false,
               .categories = CategorySet::of({DataCategory::kNotes, DataCategory::kEntrusted})};
  auto r = PolicyGate::cut(full_record(), a, {.username = "jc", .agency_key = "15003-jc", .case_worker = true});
  EXPECT_EQ(note_bodies(r), (std::vector<std::string>{"shared", "entrusted"}));
}

TEST(PolicyGateCut, InsideTheJugendamtOnlyTheAuthorSeesEntrustedNotes) {
  CaseAccess owner{.allowed = true, .owner = true, .categories = CategorySet::all()};
  auto colleague = PolicyGate::cut(full_record(), owner,
                                   {.username = "other-ja-worker", .agency_key = "15003-ja", .case_worker = true});
  EXPECT_EQ(note_bodies(colleague), (std::vector<std::string>{"own", "shared"}));
  auto author = PolicyGate::cut(full_record(), owner,
                                {.username = "ja-worker", .agency_key = "15003-ja", .case_worker = true});
  EXPECT_EQ(note_bodies(author), (std::vector<std::string>{"own", "shared", "entrusted"}));
  EXPECT_FALSE(author.visible.has(DataCategory::kEntrusted));
}

TEST(PolicyGateCut, DeniedAccessYieldsNothing) {
  auto r = PolicyGate::cut(full_record(), CaseAccess{}, {.username = "x", .agency_key = "15003-aa", .case_worker = true});
  EXPECT_EQ(r.id, 0);
  EXPECT_TRUE(r.person.family_name.empty());
  EXPECT_TRUE(r.notes.empty());
}

TEST(PolicyGate, ReadPathNames) {
  EXPECT_EQ(read_path_name(ReadPath::kExport), "export");
  EXPECT_EQ(read_path_name(ReadPath::kApi), "api");
}

}  // namespace
}  // namespace lotse::privacy
