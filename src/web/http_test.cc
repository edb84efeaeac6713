#include "lotse/web/http.h"

#include <gtest/gtest.h>

namespace lotse::web {
namespace {

TEST(HttpTest, HeadersAreCaseInsensitive) {
  Request r;
  r.headers["Content-Type"] = "text/plain";
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "text/plain");
  EXPECT_FALSE(r.header("Content-Length"));
  CaseInsensitiveLess less;
  EXPECT_FALSE(less("Abc", "aBC"));
  EXPECT_FALSE(less("aBC", "Abc"));
  EXPECT_TRUE(less("abc", "ABCD"));
  EXPECT_TRUE(less("A", "b"));
}

TEST(HttpTest, UrlDecode) {
  EXPECT_EQ(url_decode("a%20b", false), "a b");
  EXPECT_EQ(url_decode("a+b", false), "a+b");
  EXPECT_EQ(url_decode("a+b", true), "a b");
  EXPECT_EQ(url_decode("%C3%A4%c3%b6", false), "\xC3\xA4\xC3\xB6");
  EXPECT_EQ(url_decode("%2B", true), "+");
}

TEST(HttpTest, UrlDecodeKeepsInvalidEscapes) {
  EXPECT_EQ(url_decode("%zz", false), "%zz");
  EXPECT_EQ(url_decode("100%", false), "100%");
  EXPECT_EQ(url_decode("%4", false), "%4");
  EXPECT_EQ(url_decode("%4g%41", false), "%4gA");
  EXPECT_EQ(url_decode("%%41", false), "%A");
}

TEST(HttpTest, ParseQuery) {
  auto q = parse_query("a=1&b=x+y&a=2&empty=&flag&&c=%26%3D");
  EXPECT_EQ(q.count("a"), 2u);
  auto [first, last] = q.equal_range("a");
  EXPECT_EQ(first->second, "1");
  EXPECT_EQ(std::next(first)->second, "2");
  EXPECT_EQ(q.find("b")->second, "x y");
  EXPECT_EQ(q.find("empty")->second, "");
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("c")->second, "&=");
  EXPECT_EQ(q.size(), 6u);
  EXPECT_TRUE(parse_query("").empty());
}

TEST(HttpTest, QueryParamReturnsFirstValue) {
  Request r;
  r.query = parse_query("page=2&page=3");
  EXPECT_EQ(r.query_param("page"), "2");
  EXPECT_FALSE(r.query_param("missing"));
}

TEST(HttpTest, Cookie) {
  Request r;
  r.headers["Cookie"] = "lotse_session=abc123; lotse_lang=en;theme=\"dark\" ; x=a=b";
  EXPECT_EQ(r.cookie("lotse_session"), "abc123");
  EXPECT_EQ(r.cookie("lotse_lang"), "en");
  EXPECT_EQ(r.cookie("theme"), "dark");
  EXPECT_EQ(r.cookie("x"), "a=b");
  EXPECT_FALSE(r.cookie("lotse"));
  EXPECT_FALSE(r.cookie(""));
  Request none;
  EXPECT_FALSE(none.cookie("lotse_session"));
}

TEST(HttpTest, Form) {
  Request r;
  r.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8";
  r.body = "username=15003-jc&password=p%40ss+word&next=%2Fstart";
  auto f = r.form();
  EXPECT_EQ(f.find("username")->second, "15003-jc");
  EXPECT_EQ(f.find("password")->second, "p@ss word");
  EXPECT_EQ(f.find("next")->second, "/start");

  r.headers["Content-Type"] = "application/json";
  EXPECT_TRUE(r.form().empty());
}

TEST(HttpTest, ResponseHelpers) {
  auto t = Response::text(200, "hi");
  EXPECT_EQ(t.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "hi");
  EXPECT_EQ(Response::html(201, "").header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Response::html(201, "").status, 201);
  EXPECT_EQ(Response::json(200, "{}").header("Content-Type"), "application/json; charset=utf-8");
  auto r = Response::redirect("/start");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.header("Location"), "/start");
  EXPECT_EQ(Response::redirect("/x", 302).status, 302);
}

TEST(HttpTest, SetHeaderReplacesAddHeaderAppends) {
  Response r;
  r.add_header("Set-Cookie", "a=1");
  r.add_header("set-cookie", "b=2");
  EXPECT_EQ(r.headers.size(), 2u);
  r.set_header("SET-COOKIE", "c=3");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.header("Set-Cookie"), "c=3");
  r.set_header("X-A", "1");
  r.set_header("x-a", "2");
  EXPECT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.header("X-A"), "2");
}

TEST(HttpTest, ReasonPhrase) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(413), "Payload Too Large");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(799), "Unknown");
}

TEST(HttpTest, CanonicalIpAddresses) {
  EXPECT_EQ(canonical_ip("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(canonical_ip(" ::FFFF:192.0.2.1 "), "192.0.2.1");
  EXPECT_EQ(canonical_ip("[2001:DB8:0:0::1]"), "2001:db8::1");
  EXPECT_EQ(canonical_ip("unknown"), std::nullopt);
  EXPECT_EQ(canonical_ip("192.0.2.1:8080"), std::nullopt);
  EXPECT_EQ(canonical_ip(""), std::nullopt);
}

TEST(HttpTest, ForwardedForIsIgnoredUnlessThePeerIsATrustedProxy) {
  const std::vector<std::string> none;
  const std::vector<std::string> proxy{"10.0.0.2"};
  // Without trusted proxies, or from a peer that is not one, the header is
  // whatever the client wrote: it never names the client.
  EXPECT_EQ(client_address("198.51.100.7", "203.0.113.9", none), "198.51.100.7");
  EXPECT_EQ(client_address("198.51.100.7", "203.0.113.9", proxy), "198.51.100.7");
  EXPECT_EQ(client_address("::ffff:198.51.100.7", "", proxy), "198.51.100.7");
}

TEST(HttpTest, BehindATrustedProxyTheRightMostUntrustedEntryIsTheClient) {
  const std::vector<std::string> proxies{"10.0.0.2", "10.0.0.3"};
  EXPECT_EQ(client_address("10.0.0.2", "203.0.113.9", proxies), "203.0.113.9");
  EXPECT_EQ(client_address("::ffff:10.0.0.2", "203.0.113.9", proxies), "203.0.113.9");
  // A client that sends its own header gets the proxy's entry appended:
  // the forged entries to the left do not count.
  EXPECT_EQ(client_address("10.0.0.2", "1.2.3.4, 5.6.7.8, 203.0.113.9", proxies), "203.0.113.9");
  // Two proxies in a row: the second's entry is skipped.
  EXPECT_EQ(client_address("10.0.0.2", "203.0.113.9, 10.0.0.3", proxies), "203.0.113.9");
  // Repeated headers arrive joined by commas; IPv6 is canonical.
  EXPECT_EQ(client_address("10.0.0.2", "1.2.3.4,2001:DB8::7", proxies), "2001:db8::7");
  // No header, or garbage where the client should be: the proxy's address
  // (all such clients share one limit).
  EXPECT_EQ(client_address("10.0.0.2", "", proxies), "10.0.0.2");
  EXPECT_EQ(client_address("10.0.0.2", "203.0.113.9, unknown", proxies), "10.0.0.2");
  // Only trusted proxies listed: the left-most.
  EXPECT_EQ(client_address("10.0.0.2", "10.0.0.3, 10.0.0.2", proxies), "10.0.0.3");
}

}  // namespace
}  // namespace lotse::web
