// The one policy gate. Every read, list, search, export, print and API
// response of case data passes through read_case() / read_decided(): they decide
// from ownership, role, consent and recorded legal basis, cut the record down
// to the allowed categories, and write the audit entry (who, what, which
// person, on which basis) in the caller's transaction. A denied read is
// audited too and answered as kNotFound, so that another agency does not even
// learn that the case exists.
//
//   Reader r{.username = "15003-ja", .agency_key = "15003-ja", .case_worker = true,
//            .request_id = req.request_id};
//   auto rec = db.write([&](store::Executor& x) {
//     return PolicyGate::read_case(x, r, case_id, ReadPath::kItem, now_ms, load_case);
//   });
//
// Rules (LEGAL.md):
// - only case workers read case data; coordinators, the state office and
//   administrators never do;
// - the recording agency (the controller) sees its own case, except
//   entrusted notes (§ 65 SGB VIII), which only their author sees;
// - another agency sees the categories that an active consent naming it
//   grants, plus those of an unexpired, unrevoked legal-basis transfer to it
//   (never § 65 data); nothing else;
// - notes with visibility "own" never leave the recording agency; shared
//   notes need the notes category; entrusted notes need a consent naming the
//   entrusted category;
// - withdrawal and expiry count from the very next request (decided at now_ms).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lotse/common/result.h"
#include "lotse/domain/case_record.h"
#include "lotse/store/database.h"

namespace lotse::privacy {

enum class ReadPath { kItem, kList, kSearch, kExport, kPrint, kApi };
std::string_view read_path_name(ReadPath p);  // "item", "list", ...

struct Reader {
  std::string username;
  std::string agency_key;  // empty for roles without an agency
  bool case_worker = false;
  std::string request_id;
};

struct CaseAccess {
  bool allowed = false;
  bool owner = false;
  domain::CategorySet categories;
  std::string legal_basis;  // as written to the audit log
};

// A list that shows a person's name and nothing else of the case (the
// handover boxes): the reader's access as decided, and whose name it is.
struct NameRead {
  std::int64_t case_id = 0;
  std::int64_t person_id = 0;
  CaseAccess access;  // allowed and including master data
};

using CaseLoader = std::function<Result<domain::CaseRecord>(store::Executor&, std::int64_t case_id)>;

class PolicyGate {
 public:
  // Whether the reader may do case work at all: case workers of an agency.
  // Coordinators, the state office and administrators never see case
  // content. Handlers ask this (to answer early), the service enforces it.
  static bool may_work_on_cases(const Reader& reader) {
    return reader.case_worker && !reader.agency_key.empty();
  }

  // The decision alone (no audit): for the inbox counts and for tests.
  static Result<CaseAccess> decide(store::Executor& x, const Reader& reader, std::int64_t case_id,
                                   std::int64_t now_ms);
  // The same for several cases at once (in their order; unknown ones
  // denied), in a few queries instead of three per case.
  static Result<std::vector<CaseAccess>> decide_all(store::Executor& x, const Reader& reader,
                                                    const std::vector<std::int64_t>& case_ids,
                                                    std::int64_t now_ms);
  // Decisions for case workers of several agencies at once: for each
  // (agency key, case id), what any case worker of that agency may read. The
  // Posteingang asks for the viewer and for every receiver of a waiting
  // handover; the same three queries answer all of them.
  struct AgencyCase {
    std::string agency_key;
    std::int64_t case_id = 0;
  };
  static Result<std::vector<CaseAccess>> decide_for_agencies(store::Executor& x,
                                                             const std::vector<AgencyCase>& asks,
                                                             std::int64_t now_ms);

  // Decide, load, cut down, audit. kNotFound when denied or unknown.
  static Result<domain::CaseRecord> read_case(store::Executor& x, const Reader& reader,
                                              std::int64_t case_id, ReadPath path,
                                              std::int64_t now_ms, const CaseLoader& load);

  // The same for several cases (lists, search results), with the decisions
  // the caller made with decide_all() for `reader` and these ids in the same
  // transaction: denied ones are left out (and audited as denied), allowed
  // ones loaded, cut down and audited. Deciding first lets the caller load
  // the allowed cases together (lists) or pick its results while it decides
  // (search) without reading the same rows twice. `load` is called for
  // allowed cases only. `shown`: the categories the loaded records carry (a
  // list line: the name and birth date, phase and status); each read is cut
  // and audited on what it was allowed of these, so that its entry (and the
  // person's Art. 15 report) names what was read, not everything the reader
  // could have opened. `decisions[i]` belongs to `case_ids[i]`; a size
  // mismatch is kInternal.
  static Result<std::vector<domain::CaseRecord>> read_decided(
      store::Executor& x, const Reader& reader, const std::vector<std::int64_t>& case_ids,
      const std::vector<CaseAccess>& decisions, ReadPath path, std::int64_t now_ms,
      const CaseLoader& load, domain::CategorySet shown = domain::CategorySet::all());

  // Audits names shown in a list (one "case.read" entry per case, category
  // master data only, on the basis decided). The caller has decided each
  // read with decide()/decide_all() and shows nothing but the name.
  static Result<void> audit_names(store::Executor& x, const Reader& reader,
                                  const std::vector<NameRead>& reads, ReadPath path,
                                  std::int64_t now_ms);

  // Cuts a record down to `access` for `reader`: the one place that says
  // which fields each category covers (also for the names in handover
  // lines, and for tests).
  static domain::CaseRecord cut(domain::CaseRecord full, const CaseAccess& access,
                                const Reader& reader);
};

}  // namespace lotse::privacy
