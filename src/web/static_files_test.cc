#include "lotse/web/static_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace lotse::web {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "lotse-static-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ / "static" / "img");
    fs::create_directories(dir_ / "outside");
    write("static/app.css", "body { color: #222; }");
    write("static/app.js", "console.log(1);");
    write("static/img/logo.svg", "<svg/>");
    write("static/font.woff2", std::string("wOF2\0\1", 6));
    write("static/.env", "SECRET=1");
    write("outside/secret.txt", "top secret");
    fs::create_symlink(dir_ / "outside" / "secret.txt", dir_ / "static" / "escape.txt");
    fs::create_symlink("app.css", dir_ / "static" / "alias.css");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& rel, const std::string& content) {
    std::ofstream(dir_ / rel, std::ios::binary) << content;
  }

  static Request get(std::string path, std::string method = "GET") {
    Request r;
    r.method = std::move(method);
    r.target = path;
    r.path = url_decode(path, false);
    return r;
  }

  StaticFiles files() const { return StaticFiles({{"/static/", (dir_ / "static").string()}}); }

  fs::path dir_;
};

TEST_F(StaticFilesTest, ServesWithContentTypeEtagAndCaching) {
  auto sf = files();
  auto res = sf.serve(get("/static/app.css"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "body { color: #222; }");
  EXPECT_EQ(res->header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(res->header("Cache-Control"), "public, max-age=3600");
  ASSERT_TRUE(res->header("ETag"));
  EXPECT_EQ(res->header("ETag")->front(), '"');

  EXPECT_EQ(sf.serve(get("/static/app.js"))->header("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(sf.serve(get("/static/img/logo.svg"))->header("Content-Type"), "image/svg+xml");
  auto font = sf.serve(get("/static/font.woff2"));
  EXPECT_EQ(font->header("Content-Type"), "font/woff2");
  EXPECT_EQ(font->body, std::string("wOF2\0\1", 6));
}

TEST_F(StaticFilesTest, IfNoneMatchGives304) {
  auto sf = files();
  std::string etag = *sf.serve(get("/static/app.css"))->header("ETag");
  Request r = get("/static/app.css");
  r.headers["If-None-Match"] = etag;
  auto res = sf.serve(r);
  EXPECT_EQ(res->status, 304);
  EXPECT_TRUE(res->body.empty());
  EXPECT_EQ(res->header("ETag"), etag);

  r.headers["If-None-Match"] = "\"other\", W/" + etag;
  EXPECT_EQ(sf.serve(r)->status, 304);
  r.headers["If-None-Match"] = "\"other\"";
  EXPECT_EQ(sf.serve(r)->status, 200);
}

TEST_F(StaticFilesTest, ChangedFileIsServedFresh) {
  auto sf = files();
  auto before = sf.serve(get("/static/app.css"));
  write("static/app.css", "body { color: #000; margin: 0; }");
  auto after = sf.serve(get("/static/app.css"));
  EXPECT_EQ(after->body, "body { color: #000; margin: 0; }");
  EXPECT_NE(after->header("ETag"), before->header("ETag"));
}

TEST_F(StaticFilesTest, TraversalIsRefused) {
  auto sf = files();
  for (const char* path :
       {"/static/../outside/secret.txt", "/static/%2e%2e/outside/secret.txt",
        "/static/img/../../outside/secret.txt", "/static/img/../app.css", "/static/./app.css",
        "/static//app.css", "/static/..%2foutside%2fsecret.txt"}) {
    auto res = sf.serve(get(path));
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->body.find("secret"), std::string::npos) << path;
  }
}

TEST_F(StaticFilesTest, SymlinksMustStayInside) {
  auto sf = files();
  EXPECT_EQ(sf.serve(get("/static/escape.txt"))->status, 404);
  auto alias = sf.serve(get("/static/alias.css"));
  EXPECT_EQ(alias->status, 200);
  EXPECT_EQ(alias->header("Content-Type"), "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, DotfilesAreRefused) {
  auto sf = files();
  auto res = sf.serve(get("/static/.env"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body.find("SECRET"), std::string::npos);
}

TEST_F(StaticFilesTest, OnlyGetAndHeadUnderMounts) {
  auto sf = files();
  EXPECT_FALSE(sf.serve(get("/static/app.css", "POST")));
  EXPECT_EQ(sf.serve(get("/static/app.css", "HEAD"))->status, 200);
  EXPECT_FALSE(sf.serve(get("/api/v1/me")));
  EXPECT_FALSE(sf.serve(get("/staticfoo/app.css")));
  EXPECT_EQ(sf.serve(get("/static/missing.css"))->status, 404);
  EXPECT_EQ(sf.serve(get("/static/img"))->status, 404);  // a directory
}

TEST_F(StaticFilesTest, LongestPrefixFirstThenFallThrough) {
  fs::create_directories(dir_ / "vendor");
  write("vendor/kern.css", ".kern{}");
  StaticFiles sf(
      {{"/static", (dir_ / "static").string()}, {"/static/vendor", (dir_ / "vendor").string()}});
  EXPECT_EQ(sf.serve(get("/static/vendor/kern.css"))->body, ".kern{}");
  EXPECT_EQ(sf.serve(get("/static/app.css"))->status, 200);
}

TEST(StaticFilesContentTypeTest, ByExtension) {
  EXPECT_EQ(StaticFiles::content_type_for("mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::content_type_for("WOFF"), "font/woff");
  EXPECT_EQ(StaticFiles::content_type_for("ttf"), "font/ttf");
  EXPECT_EQ(StaticFiles::content_type_for("png"), "image/png");
  EXPECT_EQ(StaticFiles::content_type_for("jpg"), "image/jpeg");
  EXPECT_EQ(StaticFiles::content_type_for("ico"), "image/x-icon");
  EXPECT_EQ(StaticFiles::content_type_for("json"), "application/json");
  EXPECT_EQ(StaticFiles::content_type_for("map"), "application/json");
  EXPECT_EQ(StaticFiles::content_type_for("txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(StaticFiles::content_type_for("exe"), "application/octet-stream");
}

}  // namespace
}  // namespace lotse::web
