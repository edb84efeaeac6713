#include "lotse/portal/portal_service.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <cctype>

#include "lotse/common/crypto.h"
#include "lotse/domain/case_vocabulary.h"
#include "lotse/domain/intake_routing.h"
#include "lotse/organisation/directory.h"
#include "lotse/privacy/audit_log.h"

namespace lotse::portal {
namespace {

namespace json = boost::json;

constexpr const char* kConsentBasis = "Einwilligung (Art. 6 Abs. 1 lit. a DSGVO, § 67b SGB X)";
constexpr const char* kPublicTextsBasis = "Art. 6 Abs. 1 lit. e DSGVO (Öffentlichkeitsarbeit)";
constexpr const char* kRetentionBasis = "Art. 17 DSGVO, § 84 SGB X (Löschung)";
constexpr const char* kNotFound = "Anfrage nicht gefunden.";
constexpr std::int64_t kHourMs = 3600 * 1000;
// Without 0/O, 1/I/L and U/V look-alikes: 28 characters.
constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ";

constexpr Outcome kOutcomes[] = {
    {"contacted", "Kontakt aufgenommen"},
    {"case_opened", "Fall angelegt"},
    {"referred", "An andere Stelle vermittelt"},
    {"not_reachable", "Nicht erreichbar"},
    {"no_need", "Kein Bedarf mehr"},
    {"invalid", "Keine echte Anfrage"},
};

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool has_control(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') {
      if (!allow_newlines) return true;
      continue;
    }
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

char check_char(std::string_view body) {
  unsigned sum = 0, weight = 1;
  for (char c : body) {
    sum += weight * static_cast<unsigned>(kAlphabet.find(c));
    weight = weight % 7 + 1;
  }
  return kAlphabet[sum % kAlphabet.size()];
}

Result<void> require_case_worker(const privacy::Reader& r) {
  if (!r.case_worker || r.agency_key.empty())
    return Error::forbidden("Nur Fachkräfte einer Agentur bearbeiten Anfragen.");
  return ok();
}

Result<void> audit(store::Executor& x, std::int64_t now, const std::string& actor,
                   const std::string& request_id, std::string action, std::string object,
                   std::string basis, json::object details = {}) {
  return privacy::AuditLog::append(x, now,
                                   {.actor = actor.empty() ? "-" : actor,
                                    .action = std::move(action),
                                    .object = std::move(object),
                                    .legal_basis = std::move(basis),
                                    .request_id = request_id,
                                    .details_json = json::serialize(details)});
}

constexpr const char* kColumns =
    "id, reference, alliance_ags, need, routed_agency, name, contact_kind, contact, message, "
    "created_at, status, COALESCE(assigned_to, ''), COALESCE(outcome, ''), COALESCE(closed_by, ''), "
    "COALESCE(closed_at, 0)";

ContactRequest from_row(const store::Row& row, std::int64_t now, int overdue_hours) {
  ContactRequest c;
  c.id = row.integer(0);
  c.reference = row.text(1);
  c.alliance_ags = row.text(2);
  c.need = row.text(3);
  c.routed_agency = row.text(4);
  c.name = row.text(5);
  c.contact_kind = row.text(6);
  c.contact = row.text(7);
  c.message = row.text(8);
  c.created_at_ms = row.integer(9);
  const std::string st = row.text(10);
  c.status = st == "closed" ? RequestStatus::kClosed
             : st == "assigned" ? RequestStatus::kAssigned
                                : RequestStatus::kOpen;
  c.assigned_to = row.text(11);
  c.outcome = row.text(12);
  c.closed_by = row.text(13);
  c.closed_at_ms = row.integer(14);
  c.age_hours = (now - c.created_at_ms) / kHourMs;
  c.overdue = c.status != RequestStatus::kClosed &&
              now - c.created_at_ms > static_cast<std::int64_t>(overdue_hours) * kHourMs;
  return c;
}

bool valid_phone(std::string_view s) {
  int digits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
    else if (c == '+' && i == 0) continue;
    else if (c != ' ' && c != '/' && c != '-' && c != '(' && c != ')') return false;
  }
  return digits >= 6 && digits <= 18;
}

bool valid_email(std::string_view s) {
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string_view domain = s.substr(at + 1);
  auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  for (unsigned char c : s)
    if (c <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"') return false;
  return domain.find("..") == std::string_view::npos;
}

struct RetentionSpec {
  const char* category;
  const char* label;
  int min_days, max_days;
  const char* basis;
};

// The periods an operator may set: closed requests at least a day (the
// outcome may still be looked up), at most a year; never-closed ones at
// least 30 days, so that a request still being worked on is not deleted
// under the staff's hands.
constexpr RetentionSpec kRetentionSpecs[] = {
    {kRetentionClosed, "Kontaktanfragen aus dem Portal, abgeschlossen (Tage nach Abschluss)", 1,
     365,
     "Art. 5 Abs. 1 lit. e, Art. 17 Abs. 1 lit. a DSGVO: mit dem Abschluss ist der Zweck der "
     "Kontaktaufnahme erreicht"},
    {kRetentionUnclosed,
     "Kontaktanfragen aus dem Portal, nie abgeschlossen (Tage nach dem Absenden)", 30, 730,
     "Art. 5 Abs. 1 lit. e DSGVO: eine nach Monaten unbeantwortete Anfrage hat ihren Zweck "
     "verloren"},
};

const RetentionSpec* retention_spec(std::string_view category) {
  for (const auto& s : kRetentionSpecs)
    if (category == s.category) return &s;
  return nullptr;
}

std::string default_headline() { return "Wir helfen dir weiter."; }
std::string default_intro(const std::string& alliance) {
  return "Schule fertig – und jetzt? Du suchst eine Ausbildung, brauchst Geld, eine Wohnung "
         "oder einfach jemanden zum Reden? Bei der Jugendberufsagentur " + alliance +
         " arbeiten Arbeitsagentur, Jobcenter, Jugendamt und Schulen zusammen. "
         "Du musst nicht wissen, wer zuständig ist. Wir finden es mit dir heraus.";
}

}  // namespace

std::string_view status_name(RequestStatus s) {
  switch (s) {
    case RequestStatus::kOpen: return "open";
    case RequestStatus::kAssigned: return "assigned";
    case RequestStatus::kClosed: return "closed";
  }
  return "open";
}

std::span<const Outcome> outcomes() { return kOutcomes; }

Result<std::string> contact_kind(std::string_view contact) {
  if (contact.empty())
    return Error::invalid("contact", "Bitte gib deine Handynummer oder deine E-Mail-Adresse an.");
  if (utf8_length(contact) > kMaxContactChars)
    return Error::invalid("contact", "Das ist zu lang. Bitte höchstens 120 Zeichen.");
  if (contact.find('@') != std::string_view::npos) {
    if (valid_email(contact)) return std::string("email");
    return Error::invalid("contact",
                          "Diese E-Mail-Adresse stimmt so nicht. Beispiel: name@beispiel.de");
  }
  if (valid_phone(contact)) return std::string("phone");
  return Error::invalid("contact",
                        "Diese Nummer stimmt so nicht. Bitte nur Ziffern, zum Beispiel 0170 1234567.");
}

std::string make_reference() {
  std::string body;
  for (int i = 0; i < 4; ++i)
    body += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  return "JBA-" + body + "-" + std::string(1, check_char(body));
}

bool check_reference(std::string_view ref) {
  if (ref.size() != 10 || ref.substr(0, 4) != "JBA-" || ref[8] != '-') return false;
  std::string_view body = ref.substr(4, 4);
  for (char c : body)
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  return ref[9] == check_char(body);
}

std::vector<Error> validate(const ContactDraft& d) {
  std::vector<Error> out;
  if (d.name.empty())
    out.push_back(Error::invalid("name", "Bitte sag uns, wie wir dich nennen dürfen."));
  else if (!valid_utf8(d.name) || has_control(d.name, false))
    out.push_back(Error::invalid("name", "Dein Name enthält Zeichen, die wir nicht speichern können."));
  else if (utf8_length(d.name) > kMaxNameChars)
    out.push_back(Error::invalid("name", "Das ist zu lang. Bitte höchstens 60 Zeichen."));
  if (auto kind = contact_kind(d.contact); !kind) out.push_back(kind.error());
  if (d.need.empty() || !domain::route_need(d.need))
    out.push_back(Error::invalid("need", "Bitte wähle ein Thema aus."));
  if (!valid_utf8(d.message) || has_control(d.message, true))
    out.push_back(Error::invalid("message", "Deine Nachricht enthält Zeichen, die wir nicht speichern können."));
  else if (utf8_length(d.message) > kMaxMessageChars)
    out.push_back(Error::invalid("message", "Deine Nachricht ist zu lang. Bitte höchstens 1000 Zeichen."));
  if (!d.consent)
    out.push_back(Error::invalid(
        "consent", "Bitte bestätige, dass wir dich kontaktieren dürfen. Sonst können wir dir nicht antworten."));
  return out;
}

std::vector<Error> validate_forward(const std::string& to_agency, const std::string& reason) {
  std::vector<Error> out;
  if (to_agency.empty())
    out.push_back(
        Error::invalid("to_agency", "Bitte wählen Sie die Stelle aus, an die die Anfrage geht."));
  if (reason.empty())
    out.push_back(
        Error::invalid("reason", "Bitte geben Sie einen kurzen Grund für die Weiterleitung an."));
  else if (!valid_utf8(reason) || has_control(reason, true))
    out.push_back(Error::invalid(
        "reason", "Der Grund enthält Zeichen, die nicht gespeichert werden können."));
  else if (utf8_length(reason) > kMaxForwardReasonChars)
    out.push_back(Error::invalid("reason", "Der Grund ist zu lang. Bitte höchstens 300 Zeichen."));
  return out;
}

PortalService::PortalService(store::Database& db, Clock clock, PortalOptions options)
    : db_(db), clock_(std::move(clock)), options_(options) {}

Result<PortalTexts> PortalService::texts(const std::string& alliance_ags) {
  return db_.read([&](store::Executor& x) -> Result<PortalTexts> {
    LOTSE_ASSIGN_OR_RETURN(auto alliance, organisation::Directory::find_alliance(x, alliance_ags));
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows rows,
        x.query("SELECT headline, intro, address, phone, email, hours_note, updated_by, updated_at "
                "FROM portal_texts WHERE alliance_ags = ?",
                {alliance_ags}));
    PortalTexts t;
    if (rows.empty()) {
      t.headline = default_headline();
      t.intro = default_intro(alliance.name);
      return t;
    }
    const auto& r = rows.front();
    t = {.headline = r.text(0), .intro = r.text(1), .address = r.text(2), .phone = r.text(3),
         .email = r.text(4), .hours_note = r.text(5), .is_default = false,
         .updated_by = r.text(6), .updated_at_ms = r.integer(7)};
    return t;
  });
}

Result<void> PortalService::update_texts(const Coordinator& c, const PortalTexts& t) {
  if (c.alliance_ags.empty()) return Error::forbidden("Nur die Koordination eines Bündnisses.");
  auto limit = [](const std::string& v, const char* field, std::size_t max, bool required,
                  bool multiline) -> Result<void> {
    if (required && v.empty()) return Error::invalid(field, "Bitte ausfüllen.");
    if (!valid_utf8(v) || has_control(v, multiline))
      return Error::invalid(field, "Enthält unerlaubte Steuerzeichen.");
    if (utf8_length(v) > max)
      return Error::invalid(field, "Höchstens " + std::to_string(max) + " Zeichen.");
    return ok();
  };
  LOTSE_TRY(limit(t.headline, "headline", 120, true, false));
  LOTSE_TRY(limit(t.intro, "intro", 1000, true, true));
  LOTSE_TRY(limit(t.address, "address", 200, false, true));
  LOTSE_TRY(limit(t.phone, "phone", 40, false, false));
  LOTSE_TRY(limit(t.email, "email", 120, false, false));
  LOTSE_TRY(limit(t.hours_note, "hours_note", 300, false, true));
  if (!t.phone.empty() && !valid_phone(t.phone))
    return Error::invalid("phone", "Keine gültige Telefonnummer (Ziffern, Leerzeichen, +, /, -).");
  if (!t.email.empty() && !valid_email(t.email))
    return Error::invalid("email", "Keine gültige E-Mail-Adresse.");
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_TRY(organisation::Directory::find_alliance(x, c.alliance_ags));
    LOTSE_TRY(x.exec(
        "INSERT INTO portal_texts (alliance_ags, headline, intro, address, phone, email, "
        "hours_note, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (alliance_ags) DO UPDATE SET headline = excluded.headline, "
        "intro = excluded.intro, address = excluded.address, phone = excluded.phone, "
        "email = excluded.email, hours_note = excluded.hours_note, "
        "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        {c.alliance_ags, t.headline, t.intro, t.address, t.phone, t.email, t.hours_note,
         c.username, now}));
    return audit(x, now, c.username, c.request_id, "portal.texts.update",
                 "alliance:" + c.alliance_ags, kPublicTextsBasis);
  });
}

Result<Submitted> PortalService::submit(const ContactDraft& d, const Client& client) {
  // A filled honeypot is a bot: a neutral answer, nothing stored.
  if (!d.honeypot.empty()) return Submitted{.reference = make_reference(), .stored = false};

  auto problems = validate(d);
  if (!problems.empty()) return problems.front();
  LOTSE_ASSIGN_OR_RETURN(std::string kind, contact_kind(d.contact));
  LOTSE_ASSIGN_OR_RETURN(std::string agency, domain::routed_agency_key(d.alliance_ags, d.need));

  const std::int64_t now = clock_();
  const std::string client_hash = blake2b_hex("portal-client:" + client.address);
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::string reference = make_reference();
    auto stored = db_.write([&](store::Executor& x) -> Result<bool> {
      LOTSE_TRY(x.exec("DELETE FROM portal_submissions WHERE at < ?", {now - kHourMs}));
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t recent,
          x.query_int("SELECT COUNT(*) FROM portal_submissions WHERE client_hash = ? AND at >= ?",
                      {client_hash, now - kHourMs}));
      if (recent >= options_.submissions_per_hour)
        return Error{ErrorCode::kTooManyRequests,
                     "Du hast in der letzten Stunde schon mehrere Anfragen geschickt.", {}};
      LOTSE_ASSIGN_OR_RETURN(auto found, organisation::Directory::find_agency(x, agency));
      (void)found;
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t taken,
          x.query_int("SELECT COUNT(*) FROM contact_requests WHERE reference = ?", {reference}));
      if (taken > 0) return false;
      LOTSE_ASSIGN_OR_RETURN(
          std::int64_t id,
          x.query_int("INSERT INTO contact_requests (reference, alliance_ags, need, routed_agency, "
                      "name, contact_kind, contact, message, consent_text, created_at, status) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open') RETURNING id",
                      {reference, d.alliance_ags, d.need, agency, d.name, kind, d.contact,
                       d.message, std::string(kConsentTextVersion), now}));
      LOTSE_TRY(x.exec("INSERT INTO portal_submissions (client_hash, at) VALUES (?, ?)",
                       {client_hash, now}));
      LOTSE_TRY(audit(x, now, "-", client.request_id, "intake.submit",
                      "contact_request:" + std::to_string(id), kConsentBasis,
                      {{"reference", reference}, {"routed_agency", agency}, {"need", d.need}}));
      return true;
    });
    if (!stored) {
      if (stored.error().code == ErrorCode::kNotFound)
        return Error::invalid("need", "Für dieses Thema gibt es hier keine zuständige Stelle.");
      return stored.error();
    }
    if (*stored) return Submitted{.reference = reference, .stored = true};
  }
  return Error::internal("no free reference number after 5 attempts");
}

Result<Queue> PortalService::queue(const privacy::Reader& r) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  // The reads of the queue are audited (written right after this read
  // transaction).
  return db_.read([&](store::Executor& x) -> Result<Queue> {
    Queue q;
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows open,
        x.query(std::string("SELECT ") + kColumns +
                    " FROM contact_requests WHERE routed_agency = ? AND status <> 'closed' "
                    "ORDER BY created_at, id",
                {r.agency_key}));
    json::array ids;
    for (const auto& row : open) {
      q.open.push_back(from_row(row, now, options_.overdue_hours));
      ids.push_back(q.open.back().id);
      if (q.open.back().overdue) ++q.overdue_count;
      if (q.open.back().assigned_to == r.username) ++q.mine_count;
    }
    q.open_count = static_cast<std::int64_t>(q.open.size());
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows closed,
        x.query(std::string("SELECT ") + kColumns +
                    " FROM contact_requests WHERE routed_agency = ? AND status = 'closed' "
                    "ORDER BY closed_at DESC, id DESC LIMIT 20",
                {r.agency_key}));
    for (const auto& row : closed) {
      q.closed.push_back(from_row(row, now, options_.overdue_hours));
      ids.push_back(q.closed.back().id);
    }
    LOTSE_TRY(audit(x, now, r.username, r.request_id, "intake.read",
                    "intake_queue:" + r.agency_key, kConsentBasis, {{"requests", std::move(ids)}}));
    return q;
  });
}

Result<ContactRequest> PortalService::load_routed(store::Executor& x, const privacy::Reader& r,
                                                  std::int64_t id, std::int64_t now) {
  LOTSE_ASSIGN_OR_RETURN(
      store::Rows rows,
      x.query(std::string("SELECT ") + kColumns + " FROM contact_requests WHERE id = ?", {id}));
  if (rows.empty() || rows.front().text(4) != r.agency_key) return Error::not_found(kNotFound);
  return from_row(rows.front(), now, options_.overdue_hours);
}

Result<ContactRequest> PortalService::get(const privacy::Reader& r, std::int64_t id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  // The denial is recorded in its own transaction, so that it survives the
  // kNotFound answer.
  auto read = db_.write([&](store::Executor& x) -> Result<ContactRequest> {
    LOTSE_ASSIGN_OR_RETURN(ContactRequest c, load_routed(x, r, id, now));
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows steps,
        x.query("SELECT from_agency, to_agency, reason, forwarded_by, forwarded_at "
                "FROM contact_request_forwards WHERE request_id = ? ORDER BY forwarded_at, id",
                {id}));
    for (const auto& row : steps)
      c.forwards.push_back({.from_agency = row.text(0),
                            .to_agency = row.text(1),
                            .reason = row.text(2),
                            .forwarded_by = row.text(3),
                            .forwarded_at_ms = row.integer(4)});
    LOTSE_TRY(audit(x, now, r.username, r.request_id, "intake.read",
                    "contact_request:" + std::to_string(id), kConsentBasis));
    return c;
  });
  if (!read && read.error().code == ErrorCode::kNotFound) {
    LOTSE_TRY(db_.write([&](store::Executor& x) -> Result<void> {
      return audit(x, now, r.username, r.request_id, "intake.read.denied",
                   "contact_request:" + std::to_string(id), "-");
    }));
  }
  return read;
}

Result<void> PortalService::assign(const privacy::Reader& r, std::int64_t id) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(ContactRequest c, load_routed(x, r, id, now));
    if (c.status == RequestStatus::kClosed)
      return Error::conflict("Die Anfrage ist schon abgeschlossen.");
    LOTSE_TRY(x.exec("UPDATE contact_requests SET status = 'assigned', assigned_to = ?, "
                     "assigned_at = ? WHERE id = ?",
                     {r.username, now, id}));
    return audit(x, now, r.username, r.request_id, "intake.assign",
                 "contact_request:" + std::to_string(id), kConsentBasis,
                 {{"assigned_to", r.username}});
  });
}

Result<void> PortalService::close(const privacy::Reader& r, std::int64_t id,
                                  const std::string& outcome) {
  LOTSE_TRY(require_case_worker(r));
  bool known = false;
  for (const auto& o : kOutcomes) known = known || o.key == outcome;
  if (!known) return Error::invalid("outcome", "Bitte wähle ein Ergebnis aus.");
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<void> {
    LOTSE_ASSIGN_OR_RETURN(ContactRequest c, load_routed(x, r, id, now));
    if (c.status == RequestStatus::kClosed)
      return Error::conflict("Die Anfrage ist schon abgeschlossen.");
    LOTSE_TRY(x.exec("UPDATE contact_requests SET status = 'closed', outcome = ?, closed_by = ?, "
                     "closed_at = ?, assigned_to = COALESCE(assigned_to, ?) WHERE id = ?",
                     {outcome, r.username, now, r.username, id}));
    return audit(x, now, r.username, r.request_id, "intake.close",
                 "contact_request:" + std::to_string(id), kConsentBasis, {{"outcome", outcome}});
  });
}

Result<void> PortalService::forward(const privacy::Reader& r, std::int64_t id,
                                    const std::string& to_agency, const std::string& reason) {
  LOTSE_TRY(require_case_worker(r));
  const std::int64_t now = clock_();
  return db_.write([&](store::Executor& x) -> Result<void> {
    // Access first: an agency that does not have the request learns nothing
    // about it, not even whether its input would have been accepted.
    LOTSE_ASSIGN_OR_RETURN(ContactRequest c, load_routed(x, r, id, now));
    if (c.status == RequestStatus::kClosed)
      return Error::conflict("Die Anfrage ist schon abgeschlossen.");
    // Fields in form order, so that the first error is the form's first.
    auto problems = validate_forward(to_agency, reason);
    if (!problems.empty() && problems.front().field == "to_agency") return problems.front();
    if (to_agency == c.routed_agency)
      return Error::invalid(
          "to_agency", "Die Anfrage liegt schon bei Ihrer Stelle. Bitte wählen Sie eine andere.");
    auto target = organisation::Directory::find_agency(x, to_agency);
    if (!target && target.error().code != ErrorCode::kNotFound) return target.error();
    // Kundensteuerung stays inside the alliance the young person wrote to.
    if (!target || target->alliance_ags != c.alliance_ags)
      return Error::invalid("to_agency", "Bitte wählen Sie eine andere Stelle Ihres Bündnisses.");
    if (!problems.empty()) return problems.front();
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t step,
        x.query_int("INSERT INTO contact_request_forwards (request_id, from_agency, to_agency, "
                    "reason, forwarded_by, forwarded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    {id, c.routed_agency, to_agency, reason, r.username, now}));
    // A name of the old agency means nothing to the new one: it starts open.
    LOTSE_TRY(
        x.exec("UPDATE contact_requests SET routed_agency = ?, status = 'open', "
               "assigned_to = NULL, assigned_at = NULL WHERE id = ?",
               {to_agency, id}));
    // Ids and agencies only: the reason may name the young person and the
    // log is append-only, so retention could never remove it from there.
    return audit(x, now, r.username, r.request_id, "intake.forward",
                 "contact_request:" + std::to_string(id), kConsentBasis,
                 {{"forward", step}, {"from_agency", c.routed_agency}, {"to_agency", to_agency}});
  });
}

Result<std::int64_t> PortalService::purge_closed(std::optional<int> days,
                                                 const std::string& request_id) {
  const int d = days.value_or(options_.retention_days_after_close);
  if (d < 0 || d > 3650) return Error::invalid("days", "0 bis 3650 Tage.");
  const std::int64_t now = clock_();
  const std::int64_t cutoff = now - static_cast<std::int64_t>(d) * 24 * kHourMs;
  return db_.write([&](store::Executor& x) -> Result<std::int64_t> {
    LOTSE_ASSIGN_OR_RETURN(
        std::int64_t n,
        x.exec("DELETE FROM contact_requests WHERE status = 'closed' AND closed_at < ?", {cutoff}));
    LOTSE_TRY(audit(x, now, "system", request_id, "intake.purge", "contact_requests",
                    kRetentionBasis, {{"deleted", n}, {"days_after_close", d}}));
    return n;
  });
}

bool is_retention_category(std::string_view category) {
  return retention_spec(category) != nullptr;
}

Result<std::vector<ContactRetentionRule>> PortalService::retention_rules() {
  return db_.read([&](store::Executor& x) -> Result<std::vector<ContactRetentionRule>> {
    std::vector<ContactRetentionRule> out;
    for (const auto& spec : kRetentionSpecs) {
      LOTSE_ASSIGN_OR_RETURN(
          store::Rows rows,
          x.query("SELECT months, updated_by, updated_at FROM retention_rules WHERE category = ?",
                  {std::string(spec.category)}));
      ContactRetentionRule r{.category = spec.category,
                             .label = spec.label,
                             .days = spec.category == std::string_view(kRetentionClosed)
                                         ? options_.retention_days_after_close
                                         : options_.retention_days_unclosed,
                             .min_days = spec.min_days,
                             .max_days = spec.max_days,
                             .basis = spec.basis,
                             .updated_by = "-"};
      if (!rows.empty()) {
        r.days = static_cast<int>(rows.front().integer(0));
        r.updated_by = rows.front().text(1);
        r.updated_at_ms = rows.front().integer(2);
      }
      out.push_back(std::move(r));
    }
    return out;
  });
}

Result<ContactRetentionRule> PortalService::set_retention_rule(const std::string& actor,
                                                               const std::string& category,
                                                               std::int64_t days) {
  const RetentionSpec* spec = retention_spec(category);
  if (!spec) return Error::invalid("category", "Unbekannte Kategorie \"" + category + "\".");
  if (days < spec->min_days || days > spec->max_days)
    return Error::invalid("days", category + ": bitte " + std::to_string(spec->min_days) + " bis " +
                                      std::to_string(spec->max_days) + " Tage.");
  const std::int64_t now = clock_();
  const std::string by = actor.empty() ? std::string("-") : actor;
  LOTSE_TRY(db_.write([&](store::Executor& x) -> Result<void> {
    // The period in force until now: the stored one, else the code default.
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows old,
        x.query("SELECT months FROM retention_rules WHERE category = ?", {category}));
    const std::int64_t previous = !old.empty() ? old.front().integer(0)
                                  : category == kRetentionClosed
                                      ? options_.retention_days_after_close
                                      : options_.retention_days_unclosed;
    LOTSE_TRY(x.exec(
        "INSERT INTO retention_rules (category, months, basis, updated_by, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (category) DO UPDATE SET months = excluded.months, "
        "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        {category, days, std::string(spec->basis), by, now}));
    return audit(x, now, by, "cli", "retention.rule_set", "retention_rule:" + category,
                 "Art. 5 Abs. 1 lit. e DSGVO (Speicherbegrenzung)",
                 {{"days", days}, {"previous", previous}});
  }));
  LOTSE_ASSIGN_OR_RETURN(std::vector<ContactRetentionRule> after, retention_rules());
  for (auto& r : after)
    if (r.category == category) return std::move(r);
  return Error::internal("retention rule vanished");
}

Result<ContactRetentionRun> PortalService::run_retention(const std::string& actor, bool dry_run) {
  LOTSE_ASSIGN_OR_RETURN(std::vector<ContactRetentionRule> rules, retention_rules());
  const std::int64_t now = clock_();
  ContactRetentionRun out{.dry_run = dry_run, .at_ms = now};
  for (const auto& r : rules)
    (r.category == kRetentionClosed ? out.closed_days : out.unclosed_days) = r.days;
  const std::int64_t day_ms = 24 * kHourMs;
  const std::int64_t closed_cutoff = now - out.closed_days * day_ms;
  const std::int64_t unclosed_cutoff = now - out.unclosed_days * day_ms;
  auto work = [&](store::Executor& x) -> Result<void> {
    // Read inside the transaction that deletes, so a request closed or
    // reopened meanwhile is judged by its state at the deletion.
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows closed,
        x.query("SELECT id FROM contact_requests WHERE status = 'closed' AND closed_at IS NOT NULL "
                "AND closed_at <= ? ORDER BY id",
                {closed_cutoff}));
    LOTSE_ASSIGN_OR_RETURN(
        store::Rows unclosed,
        x.query("SELECT id FROM contact_requests WHERE status <> 'closed' AND created_at <= ? "
                "ORDER BY id",
                {unclosed_cutoff}));
    out.closed_ids.clear();
    out.unclosed_ids.clear();
    for (const auto& row : closed) out.closed_ids.push_back(row.integer(0));
    for (const auto& row : unclosed) out.unclosed_ids.push_back(row.integer(0));
    if (dry_run || (out.closed_ids.empty() && out.unclosed_ids.empty())) return ok();
    // Deleted means gone from the file too: SQLite overwrites the deleted
    // cells with zeros (PostgreSQL: dead tuples until (auto)vacuum).
    if (x.dialect() == store::Dialect::kSqlite) LOTSE_TRY(x.query("PRAGMA secure_delete = ON"));
    json::array closed_json, unclosed_json;
    for (std::int64_t id : out.closed_ids) {
      LOTSE_TRY(x.exec("DELETE FROM contact_requests WHERE id = ?", {id}));
      closed_json.push_back(id);
    }
    for (std::int64_t id : out.unclosed_ids) {
      LOTSE_TRY(x.exec("DELETE FROM contact_requests WHERE id = ?", {id}));
      unclosed_json.push_back(id);
    }
    // The ids are pseudonyms once the rows are gone; names, contact details
    // and references never enter the append-only log.
    return audit(x, now, actor.empty() ? "-" : actor, "retention", "retention.delete",
                 "contact_requests", kRetentionBasis,
                 {{kRetentionClosed,
                   json::object{{"days", out.closed_days}, {"ids", std::move(closed_json)}}},
                  {kRetentionUnclosed,
                   json::object{{"days", out.unclosed_days}, {"ids", std::move(unclosed_json)}}}});
  };
  if (dry_run) {
    LOTSE_TRY(db_.read(work));
  } else {
    LOTSE_TRY(db_.write(work));
  }
  return out;
}

}  // namespace lotse::portal
