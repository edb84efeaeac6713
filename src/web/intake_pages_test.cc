// The intake queue (/anfragen) over real HTTP, on SQLite and PostgreSQL:
// a request from the youth portal is seen only by the agency it is routed
// to (another agency gets 404, for the page and for assign/close; nothing
// changes); coordinators get 403; assigning and closing change the state,
// and the counts on the queue page always match its lists; forwarding to
// another agency of the alliance (form, 422 with summary, notice, history).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <regex>
#include <string>

#include "lotse/portal/portal_service.h"
#include "support/http_client.h"
#include "web/web_db_fixture.h"

namespace lotse::web {
namespace {

using lotse::testing::http_request;
using lotse::testing::HttpResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// The HTML between the element with id="<id>" and the end of its section.
std::string section(const std::string& html, const std::string& id) {
  const auto start = html.find("aria-labelledby=\"" + id + "\"");
  if (start == std::string::npos) return "";
  const auto end = html.find("</section>", start);
  return html.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

struct Counts {
  int open = -1, overdue = -1, mine = -1;
};

Counts counts(const std::string& html) {
  std::smatch m;
  std::regex re(R"re(id="intake-counts"><strong>(\d+)</strong>[^<]*<strong>(\d+)</strong>[^<]*<strong>(\d+)</strong>)re");
  if (!std::regex_search(html, m, re)) return {};
  return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

class IntakePagesDb : public WebDbFixture {
 protected:
  void SetUp() override {
    start({case_worker("15003-aa"), case_worker("15003-jc"), case_worker("15002-aa"),
           coordinator("15003")});
    portal_ = std::make_unique<portal::PortalService>(*db_, system_clock());
    aa_ = sign_in("15003-aa");
  }

  // A request from the portal; returns its id.
  std::int64_t submit(const std::string& need, const std::string& name) {
    auto sent = portal_->submit({.alliance_ags = "15003", .need = need, .name = name,
                                 .contact = "0170 1234567", .message = "Hallo", .consent = true},
                                {.address = "203.0.113." + std::to_string(++client_), .request_id = "t"});
    EXPECT_TRUE(sent) << sent.error().message;
    auto id = db_->read([&](store::Executor& x) {
      return x.query_int("SELECT id FROM contact_requests WHERE reference = ?", {sent->reference});
    });
    EXPECT_TRUE(id);
    references_[*id] = sent->reference;
    return *id;
  }

  std::string csrf_of(const std::string& cookie) {
    std::smatch m;
    const std::string html = get("/start", cookie).body;
    std::regex re(R"re(name="csrf_token" value="([^"]+)")re");
    return std::regex_search(html, m, re) ? m[1].str() : "";
  }

  std::string status_of(std::int64_t id) {
    auto s = db_->read([&](store::Executor& x) -> Result<std::string> {
      LOTSE_ASSIGN_OR_RETURN(auto row, x.query_one("SELECT status FROM contact_requests WHERE id = ?", {id}));
      return row.text(0);
    });
    EXPECT_TRUE(s) << s.error().message;
    return s ? *s : "";
  }

  // The queue page's counts equal the lengths of its lists.
  Counts checked_queue(const std::string& cookie) {
    auto q = get("/anfragen", cookie);
    EXPECT_EQ(q.status, 200) << q.body;
    const Counts c = counts(q.body);
    const std::string open = section(q.body, "offen");
    EXPECT_EQ(static_cast<int>(occurrences(open, "<li class=\"lotse-item\">")), c.open) << open;
    EXPECT_EQ(static_cast<int>(occurrences(open, "portal-badge--warn")), c.overdue);
    EXPECT_TRUE(has(open, "(" + std::to_string(c.open) + ")"));
    return c;
  }

  std::unique_ptr<portal::PortalService> portal_;
  std::map<std::int64_t, std::string> references_;
  std::string aa_;
  int client_ = 0;
};

TEST_F(IntakePagesDb, OnlyTheRoutedAgencySeesARequest) {
  const std::int64_t to_aa = submit("applications", "Mia");   // Agentur für Arbeit
  const std::int64_t to_jc = submit("debts", "Jonas");         // Jobcenter
  const std::string path = "/anfragen/" + std::to_string(to_aa);

  auto q = get("/anfragen", aa_);
  ASSERT_EQ(q.status, 200);
  EXPECT_TRUE(has(q.body, references_[to_aa]));
  EXPECT_FALSE(has(q.body, references_[to_jc]));
  EXPECT_FALSE(has(q.body, "Jonas"));
  auto own = get(path, aa_);
  EXPECT_EQ(own.status, 200);
  EXPECT_TRUE(has(own.body, "Mia"));
  EXPECT_TRUE(has(own.body, "0170 1234567"));

  // The Jobcenter of the same alliance and the Agentur of another one: 404,
  // without the name, for the page and for every action; nothing changes.
  for (const char* user : {"15003-jc", "15002-aa"}) {
    const std::string other = sign_in(user);
    const std::string csrf = csrf_of(other);
    auto page = get(path, other);
    EXPECT_EQ(page.status, 404) << user;
    EXPECT_FALSE(has(page.body, "Mia")) << user;
    EXPECT_FALSE(has(page.body, references_[to_aa])) << user;
    EXPECT_EQ(post(path + "/uebernehmen", "csrf_token=" + csrf, other).status, 404) << user;
    EXPECT_EQ(post(path + "/abschliessen", "csrf_token=" + csrf + "&outcome=contacted", other).status, 404)
        << user;
    EXPECT_FALSE(has(get("/anfragen", other).body, references_[to_aa])) << user;
  }
  EXPECT_EQ(status_of(to_aa), "open");
  // The Jobcenter sees its own request.
  EXPECT_TRUE(has(get("/anfragen", sign_in("15003-jc")).body, references_[to_jc]));
  // An id that does not exist looks the same as another agency's.
  EXPECT_EQ(get("/anfragen/999999", aa_).status, 404);
  EXPECT_EQ(get("/anfragen/abc", aa_).status, 404);
}

TEST_F(IntakePagesDb, CoordinatorsAre403AndAnonymousUsersSignIn) {
  const std::int64_t id = submit("applications", "Mia");
  const std::string koord = sign_in("15003-koord");
  const std::string csrf = csrf_of(koord);
  const std::string path = "/anfragen/" + std::to_string(id);
  auto q = get("/anfragen", koord);
  EXPECT_EQ(q.status, 403);
  EXPECT_FALSE(has(q.body, references_[id]));
  auto one = get(path, koord);
  EXPECT_EQ(one.status, 403);
  EXPECT_FALSE(has(one.body, "Mia"));
  EXPECT_EQ(post(path + "/uebernehmen", "csrf_token=" + csrf, koord).status, 403);
  EXPECT_EQ(post(path + "/abschliessen", "csrf_token=" + csrf + "&outcome=contacted", koord).status, 403);
  EXPECT_EQ(status_of(id), "open");

  auto anon = http_request(port_, "GET", "/anfragen");
  EXPECT_EQ(anon.status, 303);
  EXPECT_EQ(anon.headers["Location"], "/anmelden?next=/anfragen");
  // The coordinator edits the public texts instead.
  EXPECT_EQ(get("/koordination/portal", koord).status, 200);
  EXPECT_EQ(get("/koordination/portal", aa_).status, 403);
}

TEST_F(IntakePagesDb, AssignAndCloseChangeTheStateAndTheCountsMatchTheLists) {
  const std::int64_t first = submit("applications", "Mia");
  const std::int64_t second = submit("careers_orientation", "Ben");
  const std::int64_t third = submit("disability", "Lea");
  const std::string csrf = csrf_of(aa_);

  Counts c = checked_queue(aa_);
  EXPECT_EQ(c.open, 3);
  EXPECT_EQ(c.mine, 0);
  EXPECT_EQ(c.overdue, 0);

  // Without the CSRF token nothing happens.
  EXPECT_EQ(post("/anfragen/" + std::to_string(first) + "/uebernehmen", "", aa_).status, 403);
  EXPECT_EQ(status_of(first), "open");

  auto r = post("/anfragen/" + std::to_string(first) + "/uebernehmen", "csrf_token=" + csrf, aa_);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/anfragen/" + std::to_string(first));
  EXPECT_EQ(status_of(first), "assigned");
  EXPECT_TRUE(has(get("/anfragen/" + std::to_string(first), aa_).body, "15003-aa"));
  c = checked_queue(aa_);
  EXPECT_EQ(c.open, 3);
  EXPECT_EQ(c.mine, 1);

  // Closing needs an outcome: 422 at the field, state unchanged.
  r = post("/anfragen/" + std::to_string(second) + "/abschliessen", "csrf_token=" + csrf, aa_);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "id=\"outcome-error\""));
  EXPECT_EQ(status_of(second), "open");

  r = post("/anfragen/" + std::to_string(second) + "/abschliessen",
           "csrf_token=" + csrf + "&outcome=contacted", aa_);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], "/anfragen?abgeschlossen=1");
  EXPECT_EQ(status_of(second), "closed");
  r = post("/anfragen/" + std::to_string(first) + "/abschliessen",
           "csrf_token=" + csrf + "&outcome=case_opened", aa_);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(status_of(first), "closed");

  c = checked_queue(aa_);
  EXPECT_EQ(c.open, 1);
  EXPECT_EQ(c.mine, 0);
  auto q = get("/anfragen", aa_);
  const std::string open = section(q.body, "offen"), closed = section(q.body, "erledigt");
  EXPECT_TRUE(has(open, references_[third]));
  EXPECT_FALSE(has(open, references_[first]));
  EXPECT_TRUE(has(closed, references_[first]));
  EXPECT_TRUE(has(closed, references_[second]));
  EXPECT_TRUE(has(closed, "Kontakt aufgenommen"));
  EXPECT_TRUE(has(closed, "Fall angelegt"));
  // A closed request cannot be closed again or taken over.
  auto page = get("/anfragen/" + std::to_string(second), aa_);
  EXPECT_FALSE(has(page.body, "/uebernehmen\""));
  EXPECT_FALSE(has(page.body, "/abschliessen\""));
}

TEST_F(IntakePagesDb, ForwardingMovesTheRequestAndShowsItsWay) {
  const std::int64_t id = submit("applications", "Mia");
  const std::string path = "/anfragen/" + std::to_string(id);
  const std::string csrf = csrf_of(aa_);

  // The form offers the alliance's other agencies only.
  auto page = get(path, aa_);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(has(page.body, "action=\"" + path + "/weiterleiten\""));
  EXPECT_TRUE(has(page.body, "<option value=\"15003-jc\">Jobcenter Magdeburg</option>"));
  EXPECT_TRUE(has(page.body, "<option value=\"15003-ja\">"));
  EXPECT_FALSE(has(page.body, "<option value=\"15003-aa\""));
  EXPECT_FALSE(has(page.body, "<option value=\"15002-"));
  EXPECT_FALSE(has(page.body, "<option value=\"land\""));
  EXPECT_FALSE(has(page.body, "id=\"weiterleitungen\""));  // no history yet

  // Nothing chosen, no reason: 422, a summary linking to both fields, the
  // messages at the fields; nothing changes.
  auto r = post(path + "/weiterleiten", "csrf_token=" + csrf, aa_);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "lotse-error-summary"));
  EXPECT_TRUE(has(r.body, "href=\"#to_agency\""));
  EXPECT_TRUE(has(r.body, "href=\"#reason\""));
  EXPECT_TRUE(has(r.body, "id=\"to_agency-error\""));
  EXPECT_TRUE(has(r.body, "id=\"reason-error\""));
  EXPECT_TRUE(has(r.body, "Bitte geben Sie einen kurzen Grund"));

  // An agency of another alliance (not offered, but sent anyway): refused
  // at the field, the reason kept.
  r = post(path + "/weiterleiten", "csrf_token=" + csrf + "&to_agency=15002-jc&reason=Passt+besser",
           aa_);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "id=\"to_agency-error\""));
  EXPECT_FALSE(has(r.body, "id=\"reason-error\""));
  EXPECT_TRUE(has(r.body, ">Passt besser</textarea>"));

  // A reason over 300 characters: refused at the field, the choice kept.
  r = post(path + "/weiterleiten",
           "csrf_token=" + csrf + "&to_agency=15003-jc&reason=" + std::string(301, 'x'), aa_);
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(has(r.body, "id=\"reason-error\""));
  EXPECT_TRUE(has(r.body, "<option value=\"15003-jc\" selected>"));
  // Without the CSRF token: 403.
  EXPECT_EQ(post(path + "/weiterleiten", "to_agency=15003-jc&reason=x", aa_).status, 403);
  EXPECT_EQ(status_of(id), "open");
  EXPECT_EQ(get(path, aa_).status, 200);
  auto n = db_->read([](store::Executor& x) {
    return x.query_int("SELECT COUNT(*) FROM contact_request_forwards");
  });
  EXPECT_EQ(*n, 0);

  // Another agency cannot forward it: 404.
  const std::string jc = sign_in("15003-jc");
  const std::string jc_csrf = csrf_of(jc);
  EXPECT_EQ(
      post(path + "/weiterleiten", "csrf_token=" + jc_csrf + "&to_agency=15003-ja&reason=x", jc)
          .status,
      404);

  // Forwarded: back to the own queue with a notice; the request is gone here.
  r = post(path + "/weiterleiten",
           "csrf_token=" + csrf + "&to_agency=15003-jc&reason=Fragt+nach+B%C3%BCrgergeld", aa_);
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.headers["Location"], "/anfragen?weitergeleitet=1");
  auto q = get("/anfragen?weitergeleitet=1", aa_);
  EXPECT_TRUE(has(q.body, "Die Anfrage ist weitergeleitet."));
  EXPECT_FALSE(has(q.body, references_[id]));
  EXPECT_EQ(get(path, aa_).status, 404);

  // The Jobcenter has it now, with its way: from, to, who, when, why.
  EXPECT_TRUE(has(section(get("/anfragen", jc).body, "offen"), references_[id]));
  page = get(path, jc);
  ASSERT_EQ(page.status, 200);
  const std::string history = section(page.body, "weiterleitungen");
  EXPECT_TRUE(has(history, "Agentur für Arbeit Magdeburg → Jobcenter Magdeburg")) << history;
  EXPECT_TRUE(has(history, "15003-aa"));
  EXPECT_TRUE(has(history, "Fragt nach Bürgergeld"));
  EXPECT_TRUE(std::regex_search(history, std::regex(R"(\d\d\.\d\d\.\d{4},? \d\d:\d\d)")))
      << history;
  // Its select offers the Agentur für Arbeit now, not itself.
  EXPECT_TRUE(has(page.body, "<option value=\"15003-aa\">"));
  EXPECT_FALSE(has(page.body, "<option value=\"15003-jc\""));

  // A closed request offers no forwarding, and a forged one changes nothing.
  ASSERT_EQ(post(path + "/abschliessen", "csrf_token=" + jc_csrf + "&outcome=contacted", jc).status,
            303);
  page = get(path, jc);
  EXPECT_FALSE(has(page.body, "/weiterleiten\""));
  EXPECT_TRUE(has(page.body, "id=\"weiterleitungen\""));  // the history stays
  r = post(path + "/weiterleiten", "csrf_token=" + jc_csrf + "&to_agency=15003-ja&reason=x", jc);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers["Location"], path);
  EXPECT_EQ(get(path, jc).status, 200);
  EXPECT_EQ(get(path, sign_in("15003-aa")).status, 404);
}

}  // namespace
}  // namespace lotse::web
