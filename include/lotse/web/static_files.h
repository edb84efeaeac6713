// Serves files from mounted directories: GET/HEAD only, Content-Type by
// extension, ETag (size + mtime) with If-None-Match -> 304, and
// "Cache-Control: public, max-age=3600".
//
//   StaticFiles files({{"/static", web_root + "/static"},
//                      {"/vendor/kern", node_modules + "/@kern-ux/native/dist"}});
//   router.set_not_found([&](Request& r) {
//     if (auto res = files.serve(r)) return *res;
//     return Response::text(404, "Not Found\n");
//   });
//
// A path under a mount prefix is answered by serve() even when no file exists
// (404), so mounted URL space never falls through to other handlers. Paths
// with "..", "." or dotfile segments are refused, and so are symlinks that
// resolve outside the mount directory (canonical path check). Files up to
// 1 MiB are kept in memory after the first read and re-read when their size or
// mtime changes.
//
// Thread safety: serve() is safe to call concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lotse/web/http.h"

namespace lotse::web {

class StaticFiles {
 public:
  // url_prefix like "/static" (a trailing '/' is ignored); dir is the
  // directory its files come from. When prefixes overlap the longest wins,
  // then the next one if that mount lacks the file.
  explicit StaticFiles(std::vector<std::pair<std::string, std::string>> mounts);
  ~StaticFiles();
  StaticFiles(const StaticFiles&) = delete;
  StaticFiles& operator=(const StaticFiles&) = delete;

  // nullopt when the path lies under no mount or the method is not GET/HEAD.
  std::optional<Response> serve(const Request& request) const;

  // "text/css; charset=utf-8" for "css"; "application/octet-stream" if unknown.
  static std::string content_type_for(std::string_view extension);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lotse::web
