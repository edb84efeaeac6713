#include "lotse/web/router.h"

#include <gtest/gtest.h>

namespace lotse::web {
namespace {

Request make(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = target;
  std::string path = target.substr(0, target.find('?'));
  r.path = url_decode(path, false);
  return r;
}

Router::Handler says(std::string what) {
  return [what](Request& r) {
    std::string body = what;
    for (const auto& [k, v] : r.path_params) body += " " + k + "=" + v;
    return Response::text(200, body);
  };
}

TEST(RouterTest, LiteralAndParameterRoutes) {
  Router router;
  router.add("GET", "/", says("root"));
  router.add("GET", "/api/v1/users/{id}", says("user"));
  router.add("GET", "/api/v1/users/{id}/cases/{case}", says("case"));
  Request r = make("GET", "/api/v1/users/42");
  EXPECT_EQ(router.dispatch(r).body, "user id=42");
  r = make("GET", "/api/v1/users/7/cases/x-1");
  EXPECT_EQ(router.dispatch(r).body, "case case=x-1 id=7");
  r = make("GET", "/");
  EXPECT_EQ(router.dispatch(r).body, "root");
}

TEST(RouterTest, ParametersArePercentDecodedPerSegment) {
  Router router;
  router.add("GET", "/files/{name}", says("file"));
  Request r = make("GET", "/files/a%2Fb%20c");
  Response res = router.dispatch(r);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "file name=a/b c");
}

TEST(RouterTest, SegmentCountMustMatchExactly) {
  Router router;
  router.add("GET", "/users/{id}", says("user"));
  for (const char* target : {"/users", "/users/1/x", "/users/", "/users/1/", "/other/1"}) {
    Request r = make("GET", target);
    EXPECT_EQ(router.dispatch(r).status, 404) << target;
  }
}

TEST(RouterTest, LiteralBeatsParameter) {
  Router router;
  router.add("GET", "/users/{id}", says("param"));
  router.add("GET", "/users/me", says("me"));
  Request r = make("GET", "/users/me");
  EXPECT_EQ(router.dispatch(r).body, "me");
  r = make("GET", "/users/12");
  EXPECT_EQ(router.dispatch(r).body, "param id=12");
}

TEST(RouterTest, MethodNotAllowedListsAllowedMethods) {
  Router router;
  router.add("GET", "/things/{id}", says("get"));
  router.add("PUT", "/things/{id}", says("put"));
  Request r = make("DELETE", "/things/1");
  Response res = router.dispatch(r);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.header("Allow"), "GET, HEAD, PUT");
}

TEST(RouterTest, CustomMethodNotAllowedStillGetsAllow) {
  Router router;
  router.add("POST", "/tokens", says("post"));
  router.set_method_not_allowed([](Request&, const std::string& allow) {
    return Response::json(405, "{\"allow\":\"" + allow + "\"}");
  });
  Request r = make("GET", "/tokens");
  Response res = router.dispatch(r);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.body, "{\"allow\":\"POST\"}");
  EXPECT_EQ(res.header("Allow"), "POST");
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router router;
  router.add("GET", "/page", says("get"));
  Request r = make("HEAD", "/page");
  EXPECT_EQ(router.dispatch(r).body, "get");
  router.add("HEAD", "/page", says("head"));
  r = make("HEAD", "/page");
  EXPECT_EQ(router.dispatch(r).body, "head");
}

TEST(RouterTest, NotFoundHandler) {
  Router router;
  router.add("GET", "/a", says("a"));
  Request r = make("GET", "/b");
  EXPECT_EQ(router.dispatch(r).status, 404);
  router.set_not_found(
      [](Request& req) { return Response::text(404, "nichts unter " + req.path); });
  r = make("GET", "/b");
  Response res = router.dispatch(r);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, "nichts unter /b");
}

TEST(RouterTest, TrailingSlashIsADifferentPath) {
  Router router;
  router.add("GET", "/a/", says("slash"));
  Request r = make("GET", "/a/");
  EXPECT_EQ(router.dispatch(r).body, "slash");
  r = make("GET", "/a");
  EXPECT_EQ(router.dispatch(r).status, 404);
}

TEST(RouterTest, QueryStringIsIgnoredForMatching) {
  Router router;
  router.add("GET", "/search", says("search"));
  Request r = make("GET", "/search?q=a/b");
  EXPECT_EQ(router.dispatch(r).body, "search");
}

}  // namespace
}  // namespace lotse::web
