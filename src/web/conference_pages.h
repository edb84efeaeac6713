// Internal to the web layer: the Fallberatung pages (conference_pages.cc)
// and the part of them the Posteingang shows.
//
//   // in the Posteingang handler, once its data object exists:
//   if (auto fail = add_conference_inbox_section(web, caller, request, data)) return *fail;
//   // inbox.mustache: {{> inbox_tasks}}
#pragma once

#include <boost/json.hpp>
#include <optional>

#include "lotse/web/http.h"
#include "lotse/web/web_context.h"
#include "web/page_support.h"

namespace lotse::web {

// Adds the data of the inbox_tasks partial to `data`: the open conference
// tasks of the caller's agency (counts equal to the list), their done
// buttons and the link to /fallberatungen. Keys start with "conf_". An
// error answer when the tasks cannot be read.
std::optional<Response> add_conference_inbox_section(WebContext& web, const pages::Caller& c,
                                                     const Request& r, boost::json::object& data);

}  // namespace lotse::web
